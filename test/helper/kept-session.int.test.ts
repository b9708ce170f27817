import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HelperRequest, HelperResponse } from '../../shared/helper/protocol';
import { helperKeepSeconds, keepHelperSessions } from '../../electron/helper/kept-session';
import { directHelperStarts, runLocalHelper } from '../../electron/helper/local';
import { ImageTransport } from '../../electron/hosts/image';
import { b64, HELPER, repo, sha } from './support/run';

/**
 * A kept helper session (the app and `serve`): after a change the helper stays for a short idle
 * time so the next change is one round trip. Written as the attacker would probe it: what does a
 * root process waiting for requests give anyone else? Each test looks at the real helper process.
 */
let dir: string;
let transports: ImageTransport[] = [];
beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('These tests run as root (as CI does).');
  dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-kept-'));
});
afterEach(async () => {
  keepHelperSessions(0);
  await Promise.all(transports.map((t) => t.dispose()));
  transports = [];
  delete process.env.HOSTDECK_RUN_DIR;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A scratch root inside this file's directory (removed with it). */
function scratchRoot(prefix: string): string {
  const root = mkdtempSync(prefix);
  mkdirSync(path.join(root, 'etc/sysctl.d'), { recursive: true });
  return root;
}

function host(): { t: ImageTransport; root: string; pid: () => number | null } {
  const root = scratchRoot(path.join(dir, 'r-'));
  const t = new ImageTransport({ root });
  transports.push(t);
  return { t, root, pid: () => (t as unknown as { helperSessions: { pid: number | null } }).helperSessions.pid };
}
const save = (text: string, before: string | null): HelperRequest => ({ verb: 'write-file', path: '/etc/resolv.conf', content: b64(text), expectedSha256: before === null ? null : sha(before) });
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
/** Waits until the process is gone (the test's own timeout bounds it; no timing is asserted). */
async function gone(pid: number): Promise<void> {
  while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
}

describe('a kept helper session', () => {
  it('the next change goes to the same helper; every verb is judged as a one-shot call; a refused one leaves the session sane', async () => {
    keepHelperSessions(30);
    const { t, root, pid } = host();
    const twin = scratchRoot(path.join(dir, 'twin-'));
    const requests: HelperRequest[] = [
      save('nameserver 192.0.2.1\n', null),
      { verb: 'write-file', path: '/etc/passwd', content: b64('root::0:0::/:/bin/sh\n'), expectedSha256: null },
      { verb: 'write-file', path: '/etc/sysctl.d/90-x.conf', content: b64('kernel.modprobe = /tmp/evil\n'), expectedSha256: null },
      { verb: 'write-file', path: '/etc/sysctl.d/91-weak.conf', content: b64('fs.protected_symlinks = 0\n'), expectedSha256: null },
      { verb: 'delete-file', path: '/etc/shadow', expectedSha256: sha('') },
      { verb: 'write-file', path: '/etc/resolv.conf', content: b64('nameserver 203.0.113.66\n'), expectedSha256: sha('stale\n') },
      save('nameserver 192.0.2.2\n', 'nameserver 192.0.2.1\n'),
    ];
    const starts = directHelperStarts.run;
    const kept: HelperResponse[] = [];
    const pids = new Set<number | null>();
    for (const r of requests) {
      kept.push(await t.helper(r, { elevate: true }));
      pids.add(pid());
    }
    expect(directHelperStarts.run - starts).toBe(1);
    expect(pids.size).toBe(1);
    expect([...pids][0]).toBeGreaterThan(0);
    const single: HelperResponse[] = [];
    for (const r of requests) single.push(await runLocalHelper(r, { elevate: true }, { root: twin }));
    const verdict = (a: HelperResponse) => (a.ok ? 'ok' : a.error.code);
    expect(kept.map(verdict)).toEqual(single.map(verdict));
    expect(kept.map(verdict)).toEqual(['ok', 'NOT_ALLOWED', 'INVALID_VALUE', 'NEEDS_CONFIRMATION', 'NOT_ALLOWED', 'CONFLICT', 'ok']);
    expect(readFileSync(path.join(root, 'etc/resolv.conf'), 'utf8')).toBe('nameserver 192.0.2.2\n');
    expect(existsSync(path.join(root, 'etc/sysctl.d/90-x.conf')) || existsSync(path.join(root, 'etc/sysctl.d/91-weak.conf'))).toBe(false);
  }, 60_000);

  it("its only channel is HostDeck's pipe: the root helper holds no named or listening socket and no file another user could write requests into", async () => {
    keepHelperSessions(30);
    const { t, pid } = host();
    await t.helper(save('nameserver 192.0.2.1\n', null), { elevate: true });
    const p = pid()!;
    const fds = readdirSync(`/proc/${p}/fd`).map((fd) => readlinkSync(`/proc/${p}/fd/${fd}`));
    // Node gives a child its stdio as anonymous socket pairs: connected, no path, no port, nothing to connect to.
    const sockets = fds.filter((l) => l.startsWith('socket:')).map((l) => l.slice(8, -1));
    expect(sockets.length).toBeGreaterThan(0);
    const unix = new Map(readFileSync(`/proc/${p}/net/unix`, 'utf8').split('\n').slice(1).filter(Boolean).map((l) => {
      const f = l.trim().split(/\s+/);
      return [f[6]!, { flags: parseInt(f[3]!, 16), state: f[5], path: f[7] ?? null }] as const;
    }));
    const inet = ['tcp', 'tcp6', 'udp', 'udp6', 'raw', 'raw6'].flatMap((n) => readFileSync(`/proc/${p}/net/${n}`, 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/)[9]));
    for (const ino of sockets) {
      expect(inet).not.toContain(ino);
      const u = unix.get(ino);
      expect(u, `socket ${ino} is a unix socket`).toBeDefined();
      expect(u!.path, `socket ${ino} has no name`).toBeNull();
      expect(u!.flags & 0x10000, `socket ${ino} does not listen`).toBe(0); // __SO_ACCEPTCON
      expect(u!.state, `socket ${ino} is connected`).toBe('03'); // SS_CONNECTED
    }
    // Everything else it holds is a pipe to HostDeck or /dev/null, nothing in a directory others can reach.
    expect(fds.filter((l) => !/^pipe:|^socket:|^\/dev\/null$/.test(l))).toEqual([]);
    expect(statSync(`/proc/${p}`).uid).toBe(0);
  }, 60_000);

  it('ends after the idle time: HostDeck closes it, and the helper would end by itself too (--idle)', async () => {
    keepHelperSessions(1);
    const { t, pid } = host();
    await t.helper(save('nameserver 192.0.2.1\n', null), { elevate: true });
    const p = pid()!;
    expect(alive(p)).toBe(true);
    await gone(p);
    expect(pid()).toBeNull();
    // The helper's own clock, with HostDeck holding the pipe open and silent.
    const child = spawn('/usr/bin/python3', ['-I', '-S', HELPER, '--session', '--idle', '1', '--root', scratchRoot(path.join(dir, 'idle-'))], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stdin.write('{"verb":"version"}\n');
    expect(await new Promise((res) => child.on('exit', res))).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(1);
    child.stdin.destroy();
  }, 60_000);

  it('ends when the route changes (another run directory or bus): the next change starts a new helper and the old one exits', async () => {
    keepHelperSessions(30);
    const { t, pid } = host();
    process.env.HOSTDECK_RUN_DIR = mkdtempSync(path.join(dir, 'run-a-'));
    await t.helper(save('nameserver 192.0.2.1\n', null), { elevate: true });
    const first = pid()!;
    process.env.HOSTDECK_RUN_DIR = mkdtempSync(path.join(dir, 'run-b-'));
    await t.helper(save('nameserver 192.0.2.2\n', 'nameserver 192.0.2.1\n'), { elevate: true });
    const second = pid()!;
    expect(second).not.toBe(first);
    await gone(first);
    expect(readFileSync(`/proc/${second}/cmdline`, 'utf8').split('\0')).toContain(process.env.HOSTDECK_RUN_DIR);
  }, 60_000);

  it('HostDeck killed with SIGKILL leaves no root helper behind (EOF on its pipe ends it)', async () => {
    const root = scratchRoot(path.join(dir, 'kill-'));
    // node itself (not the tsx wrapper, which would leave its node child alive): the process killed is the one holding the pipe.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'test/helper/support/kept-session-child.ts'), root], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((res, rej) => {
      let out = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('\n')) res(out.split('\n')[0]!);
      });
      child.on('exit', (c) => rej(new Error(`child exited ${c}`)));
    });
    const { ok, pid } = JSON.parse(line) as { ok: boolean; pid: number };
    expect(ok).toBe(true);
    expect(alive(pid)).toBe(true);
    expect(statSync(`/proc/${pid}`).uid).toBe(0);
    child.kill('SIGKILL');
    await gone(pid);
    expect(alive(pid)).toBe(false);
  }, 60_000);

  it('HOSTDECK_HELPER_KEEP takes whole seconds up to 300 (polkit keeps an authorization 5 min) or "no"; anything else is a clear error', () => {
    expect(helperKeepSeconds({})).toBe(30);
    expect(helperKeepSeconds({ HOSTDECK_HELPER_KEEP: '10' })).toBe(10);
    expect(helperKeepSeconds({ HOSTDECK_HELPER_KEEP: 'no' })).toBe(0);
    for (const bad of ['301', '-1', '1e3', '5s', '0x10']) expect(() => helperKeepSeconds({ HOSTDECK_HELPER_KEEP: bad })).toThrow(/HOSTDECK_HELPER_KEEP=.*whole seconds from 0 to 300/);
  });

  it('the helper takes --idle only with --session and only 1..300 s, whoever asks', () => {
    const run = (args: string[]) => spawnSync('/usr/bin/python3', ['-I', '-S', HELPER, ...args], { input: '{"verb":"version"}\n', encoding: 'utf8', env: { PATH: '/usr/bin:/bin', PKEXEC_UID: '1000' } });
    for (const args of [['--idle', '30'], ['--session', '--idle', '301'], ['--session', '--idle', '0'], ['--session', '--idle', '٣'], ['--session', '--idle', '5', '--idle', '5']]) {
      const r = run(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(JSON.parse(r.stdout.trim()).error.code).toBe('INVALID_INPUT');
    }
    expect(JSON.parse(run(['--session', '--idle', '300']).stdout.trim()).ok).toBe(true);
  });
});
