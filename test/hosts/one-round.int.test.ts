import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import type { SshTransport } from '../../electron/hosts/ssh/transport';
import { runHostdeck } from '../support/cli';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';

/**
 * Live compare reaches each host in one round trip (issue #17, "Reading live hosts"), against
 * real sshd hosts in namespaces. One set of hosts for the file.
 */

/** Command lines of the processes whose parent is `pid`. */
function childrenOf(pid: number): string[] {
  const r = spawnSync('/usr/bin/ps', ['-o', 'args=', '--ppid', String(pid)], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l && !l.startsWith('/usr/bin/ps '));
}

describe('live compare over ssh, one round trip per host', () => {
  let fh: FakeHosts;
  const before = process.env.HOSTDECK_SSH_CONFIG;

  let rt: Runtime;
  let configDir: string;

  beforeAll(async () => {
    fh = await startFakeHosts([{ name: 'r1', firewalld: false }, { name: 'r2', firewalld: false }, { name: 'nobus', firewalld: false }]);
    process.env.HOSTDECK_SSH_CONFIG = fh.sshConfig;
    // A host without a system bus at all (dbus-daemon ended inside its own namespaces).
    fh.hosts[2]!.exec(['/usr/bin/pkill', '-x', 'dbus-daemon']);
    configDir = mkdtempSync(join(tmpdir(), 'hostdeck-cfg-'));
    rt = new Runtime({ mode: 'cli', remote: { sshConfig: fh.sshConfig, configDir } });
  });
  afterAll(async () => {
    process.env.HOSTDECK_SSH_CONFIG = before;
    await rt?.dispose();
    await fh?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  /** What the compare asked of each host's transport: the paths read, and how often the bus was wanted. */
  function watch(ids: string[]) {
    const seen = new Map<string, { paths: string[]; bus: number }>();
    for (const id of ids) {
      rt.hostFor(id);
      const t = rt.remote.transportOf(id) as SshTransport;
      const rec = { paths: [] as string[], bus: 0 };
      seen.set(id, rec);
      const read = t.read.bind(t);
      const bus = t.systemBus.bind(t);
      t.read = (reqs) => {
        rec.paths.push(...reqs.map((r) => r.path));
        return read(reqs);
      };
      t.systemBus = () => {
        rec.bus++;
        return bus();
      };
    }
    return seen;
  }

  it('--only sysctl reads sysctls and sysctl.d only: no resolv.conf, no bus (a host without one is compared)', { timeout: 120_000 }, async () => {
    const seen = watch(['r1', 'nobus']);
    const r = await rt.api.compare.run({ hosts: ['r1', 'nobus'], only: ['sysctl'], refresh: true });
    expect(r.hosts.map((h) => [h.status, h.notRead])).toEqual([
      ['ok', []],
      ['ok', []],
    ]);
    expect(r.sysctl.length).toBeGreaterThan(100);
    for (const [, rec] of seen) {
      expect(rec.paths.filter((p) => /resolv|systemd\/resolve|class\/net/.test(p))).toEqual([]);
      expect(rec.bus).toBe(0);
      expect(rec.paths).toContain('/etc/sysctl.d');
    }
  });

  it('a CLI command leaves no timer, child or master behind when its work is done', { timeout: 120_000 }, async () => {
    const count = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length;
    // The fake hosts are children of this process too: compare with what was there before.
    const [timers0, pipes0] = [count('Timeout'), count('PipeWrap')];
    const children0 = new Set(childrenOf(process.pid));
    const r = await runHostdeck(['compare', 'r1', 'r2', '--only', 'sysctl']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // What closes in the next turns of the event loop (pipes of children just reaped) does not keep a process alive.
    for (let i = 0; i < 5; i++) await new Promise((res) => setImmediate(res));
    // Nothing that keeps the process alive after its work: no pending (ref'd) timer, no ssh child.
    expect(count('Timeout')).toBeLessThanOrEqual(timers0);
    // No child process left (what ran before it, the fake hosts and this file's runtime, aside).
    expect(childrenOf(process.pid).filter((l) => !children0.has(l))).toEqual([]);
    expect(count('PipeWrap')).toBeLessThanOrEqual(pipes0);
  });

  it('one agent run per host per refresh for everything the sections read (sysctl, sysctl.d, resolv.conf, identity), nothing read twice', { timeout: 120_000 }, async () => {
    const runs = (id: string) => (rt.remote.transportOf(id) as SshTransport).agentRuns;
    // r2 is new to this runtime (its first connection and privilege probe are part of it), r1 is not.
    const seen = watch(['r1', 'r2']);
    const before = { r1: runs('r1').length, r2: runs('r2').length };
    const r = await rt.api.compare.run({ hosts: ['r1', 'r2'], only: ['sysctl', 'dns'], refresh: true });
    expect(r.hosts.map((h) => [h.status, h.notRead])).toEqual([
      ['ok', []],
      ['ok', []],
    ]);
    expect(r.dns.rows.length + r.sysctld.length).toBeGreaterThan(0);
    for (const id of ['r1', 'r2'] as const) {
      const mine = runs(id).slice(before[id]);
      expect(mine).toHaveLength(1);
      expect([...mine[0]!].sort()).toEqual(['describe', 'procsys', 'read']);
      // The features still asked for what they need (served from that one run).
      expect(seen.get(id)!.paths).toContain('/etc/resolv.conf');
    }
    // The same again: another single run each.
    const again = { r1: runs('r1').length, r2: runs('r2').length };
    await rt.api.compare.run({ hosts: ['r1', 'r2'], only: ['sysctl'], refresh: true });
    expect([runs('r1').length - again.r1, runs('r2').length - again.r2]).toEqual([1, 1]);
  });
});

describe('ten hosts at once, every section', () => {
  let fh: FakeHosts;
  let rt: Runtime;
  let configDir: string;

  beforeAll(async () => {
    // firewalld on three of them (each costs seconds to start): the bus must not wait behind the reads.
    fh = await startFakeHosts(Array.from({ length: 10 }, (_, i) => ({ name: `t${i + 1}`, firewalld: i < 3 })));
    configDir = mkdtempSync(join(tmpdir(), 'hostdeck-cfg-'));
    rt = new Runtime({ mode: 'cli', remote: { sshConfig: fh.sshConfig, configDir } });
  }, 300_000);
  afterAll(async () => {
    await rt?.dispose();
    await fh?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it('reads every requested section of every host (firewall included), one agent run each where firewalld runs', { timeout: 300_000 }, async () => {
    const hosts = fh.hosts.map((h) => h.name);
    const r = await rt.api.compare.run({ hosts, refresh: true });
    // Where firewalld runs, its runtime and permanent layers; where it is stopped, its files (read
    // as firewall-offline-cmd would): the three-way view (#16) that files beside live layers get.
    const running = new Set(['t1', 't2', 't3']);
    const columns = hosts.flatMap((h) => (running.has(h) ? [`${h} (runtime)`, `${h} (permanent)`] : [`${h} (configuration)`]));
    expect(r.hosts.map((h) => `${h.label} ${h.status} ${h.notRead.map((n) => `${n.section}: ${n.reason}`).join('; ')}`)).toEqual(columns.map((c) => `${c} ok `));
    expect(r.firewall.length).toBeGreaterThan(0);
    // One agent run per host for everything; a stopped firewalld's files (its directories, then
    // the files they list) cost more runs, on that host only.
    for (const h of hosts) {
      const runs = (rt.remote.transportOf(h) as SshTransport).agentRuns.length;
      if (running.has(h)) expect(runs, h).toBe(1);
      else expect(runs, h).toBeLessThanOrEqual(4);
    }
  });
});
