import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { readPlan } from '../../electron/compare/read-plan';
import { inCallScope } from '../../electron/hosts/call-scope';
import type { SshTransport } from '../../electron/hosts/ssh/transport';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';

/**
 * The Compare page's Refresh (compare.run refresh) reads every host again, whatever else is
 * reading the host meanwhile: the reads one call holds of a host (its prefetch) never answer
 * another call. Real sshd hosts in namespaces; a net.* sysctl is changed in a host's own network
 * namespace between refreshes and the refresh must show the new value.
 */

const KEY = 'net.ipv4.tcp_keepalive_time';

describe('compare refresh reads the hosts again', () => {
  let fh: FakeHosts;
  let rt: Runtime;
  let work: string;

  beforeAll(async () => {
    fh = await startFakeHosts([{ name: 'f1', firewalld: false }, { name: 'f2', firewalld: false }]);
    work = mkdtempSync(join(tmpdir(), 'hostdeck-refresh-'));
    // History on, as in the app: after each refresh it looks at the hosts again in the background.
    rt = new Runtime({ mode: 'cli', remote: { sshConfig: fh.sshConfig, configDir: join(work, 'config') }, history: { dir: join(work, 'history') } });
  });
  afterAll(async () => {
    await rt?.dispose();
    await fh?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const setKey = (value: number) => fh.hosts[0]!.exec(['/usr/sbin/sysctl', '-w', `${KEY}=${value}`]);
  const procsysRuns = (id: string) => (rt.remote.transportOf(id) as SshTransport).agentRuns.filter((ops) => ops.includes('procsys')).length;
  async function refresh(ids: string[]) {
    const before = ids.map(procsysRuns);
    const r = await rt.api.compare.run({ hosts: ids, refresh: true, only: ['sysctl'] });
    expect(r.hosts.map((h) => h.status)).toEqual(ids.map(() => 'ok'));
    return { values: r.sysctl.find((row) => row.key === KEY)?.values, reads: ids.map((id, i) => procsysRuns(id) - before[i]!) };
  }

  it('while another call holds a read of the host, a refresh still reads the host and shows its new value', { timeout: 120_000 }, async () => {
    const ids = fh.hosts.map((h) => rt.hostFor(h.name).id);
    setKey(7001);
    expect((await refresh(ids)).values).toEqual(['7001', '7200']);
    // History's look after that refresh ends first: the reads counted below are the refresh's own.
    await rt.history?.idle();
    // Another call (a page load, history's look) reading f1 and not done yet: its read held open.
    const t = rt.remote.transportOf(ids[0]!) as SshTransport;
    let done!: () => void;
    let readDone!: () => void;
    const held = new Promise<void>((r) => (readDone = r));
    const other = inCallScope(async () => {
      const release = t.prefetch(await readPlan(['sysctl']));
      await t.procSys();
      readDone();
      await new Promise<void>((r) => (done = r));
      release();
    });
    await held;
    setKey(7002);
    try {
      const r = await refresh(ids);
      expect(r.reads).toEqual([1, 1]);
      expect(r.values).toEqual(['7002', '7200']);
    } finally {
      done();
      await other;
    }
  });

  it('refreshes one after another each read every host (history looking at them in between)', { timeout: 120_000 }, async () => {
    const ids = fh.hosts.map((h) => rt.hostFor(h.name).id);
    for (const value of [7101, 7102, 7103]) {
      setKey(value);
      const r = await refresh(ids);
      // Every host read again (history's look from the refresh before may be reading too on a slow machine: at least one each).
      expect(r.reads.every((n) => n >= 1), JSON.stringify(r.reads)).toBe(true);
      expect(r.values).toEqual([String(value), '7200']);
    }
  });

  it("a refresh reads each host once, history's look included, and history records the refresh's values", { timeout: 120_000 }, async () => {
    const ids = fh.hosts.map((h) => rt.hostFor(h.name).id);
    await rt.history?.idle();
    setKey(7301);
    const runs = ids.map((id) => (rt.remote.transportOf(id) as SshTransport).agentRuns.length);
    const r = await refresh(ids);
    expect(r.values).toEqual(['7301', '7200']);
    // History's look after the refresh is done: the host was read once in all (one agent run), not again.
    await rt.history?.idle();
    expect(ids.map((id, i) => (rt.remote.transportOf(id) as SshTransport).agentRuns.length - runs[i]!)).toEqual([1, 1]);
    // ...and what it recorded is what the refresh read: the change made on f1, as an outside change.
    const points = (await rt.api.history.list({ kind: 'outside' }, { host: ids[0]! })).points;
    expect(points.at(-1)!.changes.map((c) => `${c.key}: ${c.to}`)).toContain(`${KEY}: 7301`);
  });
});
