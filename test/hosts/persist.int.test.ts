import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHostdeck } from '../support/cli';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';

/**
 * The CLI keeps ssh masters between commands (issue #17: "ControlMasters are not kept between
 * CLI runs"), in a checked per-user directory, against a real sshd in a namespace.
 */
describe('CLI ssh masters persist between runs', () => {
  let fh: FakeHosts;
  let scratch: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    fh = await startFakeHosts([{ name: 'p1', firewalld: true }]);
    // Short: a unix socket path must fit in 108 bytes.
    scratch = mkdtempSync('/tmp/hdp-');
    process.env.HOSTDECK_SSH_CONFIG = fh.sshConfig;
    process.env.XDG_CONFIG_HOME = join(scratch, 'config');
  });
  afterAll(async () => {
    for (const k of ['HOSTDECK_SSH_CONFIG', 'XDG_CONFIG_HOME', 'XDG_RUNTIME_DIR', 'HOSTDECK_SSH_PERSIST']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    // Masters left to persist end with their host.
    await fh?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** A fresh 0700 XDG_RUNTIME_DIR for one test. */
  function runtimeDir(name: string): string {
    const d = join(scratch, name);
    mkdirSync(d, { mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = d;
    return d;
  }

  /** The pid of the live master on each control socket in `dir` (`ssh -O check`). */
  function masters(dir: string): number[] {
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => /^cm-[0-9a-f]+$/.test(n));
    } catch {
      return [];
    }
    const pids: number[] = [];
    for (const n of names) {
      const r = fh.ssh(['-o', `ControlPath=${join(dir, n)}`, '-O', 'check', 'p1']);
      const pid = /pid=(\d+)/.exec(r.stderr)?.[1];
      if (r.status === 0 && pid) pids.push(Number(pid));
    }
    return pids;
  }

  async function kernelList(): Promise<void> {
    const r = await runHostdeck(['--host', 'p1', 'kernel', 'list', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toBeTruthy();
  }

  it('a second command reuses the first command\'s master, kept in a 0700 directory of this user', { timeout: 60_000 }, async () => {
    const xdg = runtimeDir('r');
    process.env.HOSTDECK_SSH_PERSIST = '60';
    await kernelList();
    const dir = join(xdg, 'hostdeck', 'ssh');
    const st = lstatSync(dir);
    expect(st.isDirectory()).toBe(true);
    expect(st.mode & 0o777).toBe(0o700);
    expect(st.uid).toBe(process.getuid!());
    const first = masters(dir);
    expect(first).toHaveLength(1);
    await kernelList();
    expect(masters(dir)).toEqual(first);
    // Only the master lives there: bus sockets and scratch files stay in each run's own directory.
    expect(readdirSync(dir).filter((n) => !/^cm-[0-9a-f]+$/.test(n))).toEqual([]);
    fh.ssh(['-o', `ControlPath=${join(dir, readdirSync(dir)[0]!)}`, '-O', 'exit', 'p1']);
  });

  it('a cold command logs in once: the ssh running its first read becomes the master, no separate ssh -N before it (issue #17)', { timeout: 60_000 }, async () => {
    const xdg = runtimeDir('f');
    process.env.HOSTDECK_SSH_PERSIST = '60';
    // A config in front of the fake host's: each connection ssh opens runs the ProxyCommand once,
    // which logs the command line of the ssh that opened it (its parent).
    const log = join(scratch, 'connections');
    const cfg = join(scratch, 'counting.conf');
    const proxy = `/usr/bin/nsenter -t ${fh.hosts[0]!.pid} -n /usr/bin/socat STDIO TCP:127.0.0.1:22,nodelay`;
    const line = (alias: string, extra = '') =>
      `Host ${alias}\n  HostName p1\n${extra}  ProxyCommand /bin/sh -c 'tr "\\\\000" " " </proc/$PPID/cmdline >>${log}; echo >>${log}; exec ${proxy}'\n`;
    writeFileSync(cfg, `${line('p1')}${line('p1-unknown', `  UserKnownHostsFile ${join(scratch, 'empty-known')}\n`)}Host *\n  Include ${fh.sshConfig}\n`);
    writeFileSync(join(scratch, 'empty-known'), '');
    process.env.HOSTDECK_SSH_CONFIG = cfg;
    try {
      await kernelList();
      const dir = join(xdg, 'hostdeck', 'ssh');
      expect(masters(dir)).toHaveLength(1);
      // One connection, opened by the ssh that ran the read agent and became the master: not an
      // `ssh -f -N` master first and the agent's session over it after.
      const connections = readFileSync(log, 'utf8').trim().split('\n');
      expect(connections).toHaveLength(1);
      expect(connections[0]).toMatch(/ControlMaster=yes .*ControlPersist=60s .* p1 \/usr\/bin\/python3 -I -S -\s*$/);
      expect(connections[0]!.split(' ')).not.toContain('-N');
      fh.ssh(['-o', `ControlPath=${join(dir, readdirSync(dir).find((n) => n.startsWith('cm-'))!)}`, '-O', 'exit', 'p1']);
      // A cold command to a host ssh refuses still says why, in ssh's terms, from that first read.
      const r = await runHostdeck(['--host', 'p1-unknown', 'kernel', 'list', '--json']);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(/p1-unknown is not in known_hosts.*HOST_KEY_UNKNOWN/s);
      expect(masters(dir)).toEqual([]);
    } finally {
      process.env.HOSTDECK_SSH_CONFIG = fh.sshConfig;
    }
  });

  it('two concurrent commands share one master and each has its own bus socket', { timeout: 60_000 }, async () => {
    const xdg = runtimeDir('c');
    process.env.HOSTDECK_SSH_PERSIST = '60';
    const runs = await Promise.all([runHostdeck(['--host', 'p1', 'firewall', 'status', '--json']), runHostdeck(['--host', 'p1', 'firewall', 'status', '--json'])]);
    for (const r of runs) {
      expect(r.err).toBe('');
      expect(JSON.parse(r.out)).toMatchObject({ running: true });
    }
    const dir = join(xdg, 'hostdeck', 'ssh');
    expect(masters(dir)).toHaveLength(1);
    expect(readdirSync(dir).filter((n) => !/^cm-[0-9a-f]+$/.test(n))).toEqual([]);
    fh.ssh(['-o', `ControlPath=${join(dir, readdirSync(dir)[0]!)}`, '-O', 'exit', 'p1']);
  });

  it('a master ends by itself once ControlPersist has passed', { timeout: 60_000 }, async () => {
    const xdg = runtimeDir('e');
    process.env.HOSTDECK_SSH_PERSIST = '1';
    const dir = join(xdg, 'hostdeck', 'ssh');
    /**
     * Pids of ssh masters whose control socket is in `dir`: by command line, or by the title a
     * master that went to the background under ControlPersist gives itself (`ssh: PATH [mux]`),
     * which is what a cold run's first session becomes.
     */
    const masterPids = () =>
      spawnSync('/usr/bin/ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter((l) => (l.includes(`ControlPath=${dir}/cm-`) && l.includes('ControlPersist=1s')) || (l.includes(`ssh: ${dir}/cm-`) && l.includes('[mux]')))
        .map((l) => Number(l.trim().split(/\s+/)[0]));
    // The master may already be gone when the command returns (1 s): watch for it while it runs.
    const seen = new Set<number>();
    let running = true;
    const watching = (async () => {
      while (running) {
        for (const p of masterPids()) seen.add(p);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await kernelList();
    running = false;
    await watching;
    // The master (and, for a moment, the ssh that forked it: same command line).
    expect(seen.size).toBeGreaterThan(0);
    // Poll (no timing assertion): within 15 s of a 1 s ControlPersist the master must be gone.
    const until = Date.now() + 15_000;
    while (masterPids().length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(masterPids()).toEqual([]);
    expect(readdirSync(dir).filter((n) => n.startsWith('cm-'))).toEqual([]);
  });

  it.each([
    ['a planted symlink', (d: string, target: string) => symlinkSync(target, d)],
    ['a world-writable directory', (d: string) => (mkdirSync(d), chmodSync(d, 0o777))],
  ])('%s as the socket directory is refused: the run uses its own private directory and ends its master', { timeout: 60_000 }, async (_what, plant) => {
    const xdg = runtimeDir(_what.includes('symlink') ? 's' : 'w');
    process.env.HOSTDECK_SSH_PERSIST = '60';
    const target = mkdtempSync(join(scratch, 'x-'));
    mkdirSync(join(xdg, 'hostdeck'), { mode: 0o700 });
    plant(join(xdg, 'hostdeck', 'ssh'), target);
    await kernelList();
    expect(readdirSync(target)).toEqual([]);
    expect(readdirSync(join(xdg, 'hostdeck', 'ssh'))).toEqual([]);
    // Nothing persisted: no ssh master for this host config outlives the run.
    const ps = spawnSync('/usr/bin/ps', ['-eo', 'args='], { encoding: 'utf8' }).stdout.split('\n');
    expect(ps.filter((l) => l.includes(fh.sshConfig) && l.includes('ControlMaster=yes'))).toEqual([]);
  });
});
