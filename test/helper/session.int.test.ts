import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HELPER_BYTECODE_LOADER, helperBytecode, runLocalHelper } from '../../electron/helper/local';
import { HELPER_SESSION_MAX_REQUESTS, openLocalHelperSession } from '../../electron/helper/session';
import { helperSource } from '../../electron/helper/source';
import { b64, HELPER, scratchRoot, sha, type Answer } from './support/run';

/**
 * `--session`: several verbs through one helper process (one pkexec authorization), written as
 * the attacker would use it: a session must never let a caller do what single calls could not.
 * The real pkexec path is in pkexec.int.test.ts ("one authorization, several verbs").
 */
let root: string;
beforeEach(() => {
  if (process.getuid?.() !== 0) throw new Error('These tests run as root (as CI does).');
  root = scratchRoot('hostdeck-session-');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Raw lines to one helper process; its answers, one per line, and its exit code. */
function session(input: string | Buffer, args: string[] = [], env: NodeJS.ProcessEnv = {}): { answers: Answer[]; status: number | null } {
  const r = spawnSync('/usr/bin/python3', ['-I', '-S', HELPER, ...args], { input, encoding: 'utf8', timeout: 30_000, env: { PATH: '/usr/bin:/bin', ...env }, maxBuffer: 64 << 20 });
  return { answers: r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Answer), status: r.status };
}
const resolv = () => path.join(root, 'etc/resolv.conf');
const save = (text: string, before: string | null) => JSON.stringify({ verb: 'write-file', path: '/etc/resolv.conf', content: b64(text), expectedSha256: before === null ? null : sha(before) });

describe('helper --session', () => {
  it('answers each line as a single call would, refusals included', () => {
    const lines = [
      save('nameserver 192.0.2.1\n', null),
      JSON.stringify({ verb: 'write-file', path: '/etc/passwd', content: b64('root::0:0::/:/bin/sh\n'), expectedSha256: null }),
      JSON.stringify({ verb: 'write-file', path: '/etc/sysctl.d/90-x.conf', content: b64('kernel.modprobe = /tmp/evil\n'), expectedSha256: null }),
      JSON.stringify({ verb: 'version', root: '/tmp' }),
      JSON.stringify({ verb: 'shell', argv: ['/bin/sh'] }),
    ];
    const s = session(lines.join('\n') + '\n', ['--session', '--root', root]);
    const single = lines.map((l) => session(l, ['--root', `${root}-single`]).answers[0]!);
    expect(s.answers.map((a) => a.ok)).toEqual([true, false, false, false, false]);
    expect(s.answers.slice(1).map((a) => a.error!.code)).toEqual(single.slice(1).map((a) => a.error!.code));
    expect(readFileSync(resolv(), 'utf8')).toBe('nameserver 192.0.2.1\n');
    expect(existsSync(path.join(root, 'etc/sysctl.d/90-x.conf'))).toBe(false);
  });

  it('a second request smuggled on the same line, or after a NUL, is never run', () => {
    writeFileSync(resolv(), 'nameserver 192.0.2.1\n');
    const smuggled = save('nameserver 203.0.113.66\n', 'nameserver 192.0.2.1\n');
    const s = session(`{"verb":"version"}${smuggled}\n{"verb":"version"}\u0000${smuggled}\n{"verb":"version"}\r${smuggled}\n`, ['--session', '--root', root]);
    expect(s.answers).toHaveLength(3);
    for (const a of s.answers) expect(a.error?.code).toBe('INVALID_INPUT');
    expect(readFileSync(resolv(), 'utf8')).toBe('nameserver 192.0.2.1\n');
  });

  it('a line longer than the request limit ends the session: what follows it is not read as a request', () => {
    writeFileSync(resolv(), 'nameserver 192.0.2.1\n');
    const huge = Buffer.alloc(4 * 1024 * 1024 + 10, 0x20);
    const s = session(Buffer.concat([huge, Buffer.from(save('nameserver 203.0.113.66\n', 'nameserver 192.0.2.1\n') + '\n')]), ['--session', '--root', root]);
    expect(s.answers.map((a) => a.error?.code)).toEqual(['REQUEST_TOO_LARGE']);
    expect(readFileSync(resolv(), 'utf8')).toBe('nameserver 192.0.2.1\n');
  });

  it(`answers at most ${HELPER_SESSION_MAX_REQUESTS} requests, then refuses and exits`, () => {
    const s = session('{"verb":"version"}\n'.repeat(HELPER_SESSION_MAX_REQUESTS + 5), ['--session', '--root', root]);
    expect(s.answers).toHaveLength(HELPER_SESSION_MAX_REQUESTS + 1);
    expect(s.answers.slice(0, -1).every((a) => a.ok)).toBe(true);
    expect(s.answers.at(-1)!.error).toMatchObject({ code: 'NOT_ALLOWED', message: expect.stringContaining(`at most ${HELPER_SESSION_MAX_REQUESTS}`) });
    expect(helperSource).toContain(`SESSION_MAX_REQUESTS = ${HELPER_SESSION_MAX_REQUESTS}\n`);
  });

  it('a session left open ends by itself (idle limit) without answering anything more', async () => {
    const child = spawn('/usr/bin/python3', ['-I', '-S', HELPER, '--session', '--root', root], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stdin.write('{"verb":"version"}\n');
    // stdin stays open: the helper must exit on its own (the test's timeout is the only clock here)
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    expect(code).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(1);
  }, 20_000);

  it('through pkexec or sudo, --batch (unbounded) and the scratch-root options are refused; --session is not', () => {
    for (const env of [{ PKEXEC_UID: '1000' }, { SUDO_COMMAND: '/usr/libexec/hostdeck/hostdeck-helper --batch', SUDO_UID: '1000' }]) {
      expect(session('{"verb":"version"}\n', ['--batch'], env).answers[0]!.error).toMatchObject({ code: 'NOT_ALLOWED' });
      expect(session('{"verb":"version"}\n', ['--session', '--root', root], env).answers[0]!.error).toMatchObject({ code: 'NOT_ALLOWED' });
      expect(session('{"verb":"version"}\n', ['--session', '--batch'], env).answers[0]!.ok).toBe(false);
      expect(session('{"verb":"version"}\n', ['--session'], env).answers[0]!.ok).toBe(true);
    }
  });

  it('openLocalHelperSession: several verbs, one process, each answer checked', async () => {
    const s = await openLocalHelperSession({ elevate: true }, { root });
    const a = await s.call({ verb: 'write-file', path: '/etc/resolv.conf', content: b64('nameserver 192.0.2.9\n'), expectedSha256: null });
    const b = await s.call({ verb: 'write-file', path: '/etc/resolv.conf', content: b64('nameserver 192.0.2.10\n'), expectedSha256: null });
    const c = await s.call({ verb: 'list-backups', path: '/etc/resolv.conf' });
    await s.close();
    expect([a.ok, b.ok, c.ok]).toEqual([true, false, true]);
    expect(!b.ok && b.error.code).toBe('CONFLICT');
    await expect(s.call({ verb: 'version' })).rejects.toThrow(/without an answer/);
  });
});

describe('the helper as bytecode (direct runs)', () => {
  it('the first direct run of a process compiles in the run itself: one python3 start, and later runs take the bytecode it handed back', async () => {
    vi.resetModules();
    const fresh = await import('../../electron/helper/local');
    const a = await fresh.runLocalHelper({ verb: 'version' }, { elevate: true }, { root });
    expect(a).toMatchObject({ ok: true, result: { protocol: 1 } });
    expect(fresh.directHelperStarts).toEqual({ compile: 0, run: 1 });
    const code = await fresh.helperBytecode();
    expect(code!.subarray(0, 18).toString()).toBe('hostdeck-bytecode ');
    const b = await fresh.runLocalHelper({ verb: 'list-backups', path: '/etc/resolv.conf' }, { elevate: true }, { root });
    expect(b).toMatchObject({ ok: true });
    expect(fresh.directHelperStarts).toEqual({ compile: 0, run: 2 });
  });

  it('is compiled once by /usr/bin/python3 and answers as the source does', async () => {
    const code = await helperBytecode();
    expect(code).not.toBeNull();
    expect(code!.subarray(0, 18).toString()).toBe('hostdeck-bytecode ');
    const a = await runLocalHelper({ verb: 'version' }, { elevate: true }, { root });
    expect(a).toMatchObject({ ok: true, result: { protocol: 1, sha256: null } });
  });

  it('bytecode from another interpreter version is refused by the loader (exit 3), never run', () => {
    const evil = Buffer.from('hostdeck-bytecode 1 4\nxxxx');
    const r = spawnSync('/usr/bin/python3', ['-I', '-S', '-c', HELPER_BYTECODE_LOADER, '--root', root], { input: Buffer.concat([evil, Buffer.from('{"verb":"version"}')]) });
    expect(r.status).toBe(3);
    expect(r.stdout.toString()).toBe('');
  });
});
