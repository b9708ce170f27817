import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import type { HostTransport } from '../../electron/hosts/transport';

/**
 * A page load is recorded from the read's own answer: kernel.list's live values and dns.read's
 * file are what the point holds, so the host's /proc/sys is walked and resolv.conf read once per
 * page load, not once more for history (the recorder re-read both before: three walks of
 * /proc/sys and three reads of resolv.conf per page load, now two each).
 */
let work: string;
let rt: Runtime;
const count = { procSys: 0, resolv: 0 };

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'hostdeck-history-answers-'));
  mkdirSync(path.join(work, 'root/etc'), { recursive: true });
  mkdirSync(path.join(work, 'proc/net/core'), { recursive: true });
  writeFileSync(path.join(work, 'root/etc/resolv.conf'), 'nameserver 192.0.2.1\n');
  writeFileSync(path.join(work, 'proc/net/core/somaxconn'), '128\n');
  writeFileSync(path.join(work, 'proc/net/core/netdev_max_backlog'), '1000\n');
  rt = new Runtime({ mode: 'browser', local: { root: path.join(work, 'root'), procSys: path.join(work, 'proc') }, history: { dir: path.join(work, 'history') } });
  // Counts the host's reads as the transport sees them.
  const t = rt.hosts.get('local').transport as HostTransport;
  const procSys = t.procSys.bind(t);
  const read = t.read.bind(t);
  Object.assign(t, {
    procSys: (paths?: string[]) => {
      if (!paths) count.procSys++;
      return procSys(paths);
    },
    read: (reqs: Parameters<HostTransport['read']>[0]) => {
      count.resolv += reqs.filter((r) => r.path === '/etc/resolv.conf' && r.content).length;
      return read(reqs);
    },
  });
});
afterAll(async () => {
  await rt?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('history records a read from its answer', () => {
  it('kernel.list: /proc/sys is walked by the page and by sysctl.d\'s effective view, not a third time for history; the point holds its values', async () => {
    await rt.api.kernel.list({});
    await rt.history!.idle();
    // kernel.list's own walk, and kernel.effective's (sysctl.d globs are matched against the listing).
    expect(count.procSys).toBe(2);
    writeFileSync(path.join(work, 'proc/net/core/somaxconn'), '4096\n');
    await rt.api.kernel.list({});
    const last = (await rt.api.history.list({ feature: 'kernel' })).points.at(-1)!;
    expect(last).toMatchObject({ kind: 'outside', changes: [{ key: 'net.core.somaxconn', from: '128', to: '4096' }] });
    expect(count.procSys).toBe(4);
  });

  it('dns.read: resolv.conf is read by the page and its check, not again for history', async () => {
    const before = count.resolv;
    await rt.api.dns.read({});
    await rt.history!.idle();
    const one = count.resolv - before;
    writeFileSync(path.join(work, 'root/etc/resolv.conf'), 'nameserver 192.0.2.2\n');
    await rt.api.dns.read({});
    const last = (await rt.api.history.list({ feature: 'dns' })).points.at(-1)!;
    expect(last).toMatchObject({ kind: 'outside', changes: [expect.objectContaining({ key: 'nameservers', from: '192.0.2.1', to: '192.0.2.2' })] });
    // dns.read once, dns.check (the glibc view the point keeps) once: no second dns.read.
    expect(one).toBe(2);
  });
});

describe('history records a live sysctl write from what it can have touched', () => {
  it('kernel.apply: /proc/sys is walked for the "before" read only; the after point holds the written value and an outside change found before stays one', async () => {
    await rt.history!.idle();
    // Changed outside HostDeck: the "before" read still finds it.
    writeFileSync(path.join(work, 'proc/net/core/netdev_max_backlog'), '2000\n');
    const walks = count.procSys;
    await rt.api.kernel.apply({ settings: [{ key: 'net.core.somaxconn', value: '8192' }] });
    // The "before" read (live values and sysctl.d's effective view): the "after" re-reads the written key's directory, not the tree.
    expect(count.procSys - walks).toBe(2);
    const points = (await rt.api.history.list({ feature: 'kernel' })).points;
    const [outside, change] = points.slice(-2);
    expect(outside).toMatchObject({ kind: 'outside', changes: [{ key: 'net.core.netdev_max_backlog', from: '1000', to: '2000' }] });
    expect(change).toMatchObject({ kind: 'change', operation: 'kernel.apply', result: 'applied', changes: [{ key: 'net.core.somaxconn', from: '4096', to: '8192' }] });
    // The point is what a full read gives.
    expect((await rt.api.history.diff({ from: change!.id, to: 'now' })).changes.filter((c) => c.section === 'sysctl' || c.section === 'sysctl.d')).toEqual([]);
  });
});
