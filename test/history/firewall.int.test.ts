import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { runHostdeck } from '../support/cli';
import { startFirewalldSandbox, type FirewalldSandbox } from '../support/firewalld-sandbox';

/**
 * History against a real firewalld (the sandbox): a change through HostDeck, one made with
 * firewall-cmd, a safe apply that reverts by itself and a permanent change each appear as the
 * right kind of point with the right difference, and "back to this point" returns firewalld to
 * exactly the earlier state (zones, services, ipsets and their entries), checked with firewall-cmd.
 */
let sb: FirewalldSandbox;
let work: string;
let rt: Runtime;
const fwState = () => ({
  ports: sb.firewallCmd('--zone=public', '--list-ports').trim(),
  services: sb.firewallCmd('--zone=public', '--list-services').trim(),
  permanentServices: sb.firewallCmd('--permanent', '--zone=public', '--list-services').trim(),
  permanentPorts: sb.firewallCmd('--permanent', '--zone=public', '--list-ports').trim(),
});

beforeAll(async () => {
  sb = await startFirewalldSandbox();
  work = mkdtempSync(path.join(tmpdir(), 'hostdeck-history-fw-'));
  mkdirSync(path.join(work, 'root/etc/ssh'), { recursive: true });
  writeFileSync(path.join(work, 'root/etc/ssh/sshd_config'), 'Port 22\n');
  mkdirSync(path.join(work, 'proc/net/core'), { recursive: true });
  writeFileSync(path.join(work, 'proc/net/core/somaxconn'), '128\n');
  rt = new Runtime({ mode: 'cli', local: { root: path.join(work, 'root'), procSys: path.join(work, 'proc'), systemBusAddress: sb.busAddress }, history: { dir: path.join(work, 'history') } });
});
afterAll(async () => {
  await rt?.dispose();
  await sb?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const points = async () => (await rt.api.history.list({ feature: 'firewall' })).points;
async function until<T>(f: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`waited ${ms} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('history of a real firewalld', () => {
  it('records HostDeck changes, firewall-cmd changes and a safe apply that reverts; restore returns exactly the earlier state', async () => {
    await rt.api.firewall.state({});
    const first = (await points()).at(-1)!;
    expect(first.kind).toBe('first');
    // Services and an ipset the point has (history keeps the ipset's entries as a count and a hash only).
    // Made through a HostDeck without history (no points around each set-up call, which keeps this test fast): outside changes here.
    const plain = new Runtime({ mode: 'cli', local: { root: path.join(work, 'root'), procSys: path.join(work, 'proc'), systemBusAddress: sb.busAddress } });
    await plain.api.firewall.createIpset({ name: 'hd-block', type: 'hash:ip', entries: ['192.0.2.1'] });
    await plain.api.firewall.createService({ name: 'hd-app', settings: { ports: [{ port: '5000', protocol: 'tcp' }] } });
    await plain.api.firewall.createService({ name: 'hd-gone', settings: { description: 'back after a restore' } });
    await plain.api.firewall.reload({});
    await rt.api.firewall.state({});
    const base = (await points()).at(-1)!;
    expect(base.kind).toBe('outside');
    const original = fwState();
    // Changed after the point: runtime entries, a service's ports, a service deleted, a service and an ipset created.
    await plain.api.firewall.ipsetAddEntries({ name: 'hd-block', layer: 'runtime', entries: ['192.0.2.2'] });
    await plain.api.firewall.updateService({ name: 'hd-app', settings: { ports: [{ port: '6000', protocol: 'tcp' }] } });
    await plain.api.firewall.deleteService({ name: 'hd-gone' });
    await plain.api.firewall.createService({ name: 'hd-later', settings: {} });
    await plain.api.firewall.createIpset({ name: 'hd-new', type: 'hash:net' });
    await plain.dispose();

    await rt.api.firewall.updateZone({ name: 'public', layer: 'runtime', patch: { add: { ports: [{ port: '8080', protocol: 'tcp' }] } } });
    let p = (await points()).at(-1)!;
    expect(p).toMatchObject({ kind: 'change', what: 'Add 8080/tcp to zone public (runtime)', result: 'applied', operation: 'firewall.updateZone' });
    expect(p.changes).toEqual([{ section: 'firewall', layer: 'runtime', key: 'zone public ports 8080/tcp', from: null, to: 'present' }]);

    sb.firewallCmd('--zone=public', '--add-service=http');
    await rt.api.firewall.state({});
    p = (await points()).at(-1)!;
    expect(p).toMatchObject({ kind: 'outside', who: null });
    expect(p.changes).toEqual([{ section: 'firewall', layer: 'runtime', key: 'zone public services http', from: null, to: 'present' }]);

    const session = await rt.api.firewall.safeApply({ change: { type: 'zone', name: 'public', patch: { add: { ports: [{ port: '9090', protocol: 'tcp' }] } } }, seconds: 5, saveToPermanent: false });
    expect(session.status).toBe('pending');
    p = (await points()).at(-1)!;
    expect(p).toMatchObject({ kind: 'change', operation: 'firewall.safeApply', result: 'applied', changes: [{ key: 'zone public ports 9090/tcp', to: 'present' }] });
    const reverted = await until(async () => (await points()).find((x) => x.result === 'reverted'), 20_000, 'the safe apply to revert by itself');
    expect(reverted).toMatchObject({ kind: 'change', what: expect.stringMatching(/^Safe apply reverted: /), changes: [{ section: 'firewall', layer: 'runtime', key: 'zone public ports 9090/tcp', from: 'present', to: null }] });

    await rt.api.firewall.updateZone({ name: 'public', layer: 'permanent', patch: { add: { services: ['https'] } } });
    expect((await points()).at(-1)!.changes).toEqual([{ section: 'firewall', layer: 'permanent', key: 'zone public services https', from: null, to: 'present' }]);
    expect(fwState()).not.toEqual(original);

    // The CLI lists the same points, oldest first, with ids diff and restore take.
    const cli = await rt.api.history.list({});
    expect(cli.points.map((x) => x.time)).toEqual([...cli.points.map((x) => x.time)].sort((a, b) => a - b));

    const preview = await rt.api.history.restorePreview({ point: base.id });
    expect(preview.steps.map((s) => s.text)).toEqual([
      'Service hd-app (permanent): its settings at the point (ports 5000/tcp)',
      'Create service hd-gone (permanent) as it was',
      'ipset hd-block (runtime): its 1 entries at the point (2 now; the same as hd-block permanent has now)',
      'zone public (permanent): remove services https',
      'zone public (runtime): remove services http, remove ports 8080/tcp',
      'Delete service hd-later (permanent), which the point did not have',
      'Delete ipset hd-new (permanent), which the point did not have',
    ]);
    expect(preview.notes).toEqual([]);
    const r = await rt.api.history.restore({ point: base.id, confirm: true });
    expect(r.results.every((x) => x.ok), JSON.stringify(r.results)).toBe(true);
    expect(fwState()).toEqual(original);
    // Checked with firewalld's own client.
    expect(sb.firewallCmd('--ipset=hd-block', '--get-entries').trim()).toBe('192.0.2.1');
    expect(sb.firewallCmd('--permanent', '--ipset=hd-block', '--get-entries').trim()).toBe('192.0.2.1');
    expect(sb.firewallCmd('--permanent', '--get-ipsets').trim().split(/\s+/)).toEqual(['hd-block']);
    expect(sb.firewallCmd('--permanent', '--service=hd-app', '--get-ports').trim()).toBe('5000/tcp');
    const services = sb.firewallCmd('--permanent', '--get-services').trim().split(/\s+/);
    expect(services).toContain('hd-gone');
    expect(services).not.toContain('hd-later');
    expect(sb.firewallCmd('--permanent', '--service=hd-gone', '--get-description').trim()).toBe('back after a restore');
    expect((await points()).at(-1)).toMatchObject({ kind: 'change', operation: 'history.restore', result: 'applied' });
    const back = await rt.api.history.diff({ from: base.id, to: 'now' });
    expect(back.changes).toEqual([]);
  }, 180_000);

  it('hostdeck history --json and history diff print the points of this store', async () => {
    const dataHome = process.env.XDG_DATA_HOME;
    const bus = process.env.DBUS_SYSTEM_BUS_ADDRESS;
    // The CLI's own store (XDG_DATA_HOME) and the sandbox's bus; this machine's root.
    process.env.XDG_DATA_HOME = path.join(work, 'data');
    process.env.DBUS_SYSTEM_BUS_ADDRESS = sb.busAddress;
    process.env.HOSTDECK_HISTORY = 'on';
    try {
      // A change through another HostDeck process on this machine (the default store, this machine's root).
      const other = new Runtime({ mode: 'cli', local: { systemBusAddress: sb.busAddress } });
      await other.api.firewall.updateZone({ name: 'public', layer: 'runtime', patch: { add: { ports: [{ port: '7070', protocol: 'tcp' }] } } });
      await other.dispose();
      const r = await runHostdeck(['history', '--json', '--feature', 'firewall']);
      expect(r.code, r.err).toBe(0);
      const out = JSON.parse(r.out) as { points: { id: string; kind: string; changes: { key: string }[]; who: { user: string } | null; time: number }[] };
      const change = out.points.find((x) => x.kind === 'change')!;
      expect(change.changes.map((c) => c.key)).toEqual(['zone public ports 7070/tcp']);
      expect(change.who?.user).toBeTruthy();
      const d = await runHostdeck(['history', 'diff', out.points[0]!.id, change.id]);
      expect(d.out).toContain('added zone public ports 7070/tcp (runtime)');
      const dry = await runHostdeck(['history', 'restore', out.points[0]!.id, '--dry-run']);
      expect(dry.out).toContain('zone public (runtime): remove ports 7070/tcp');
      expect(sb.firewallCmd('--zone=public', '--list-ports')).toContain('7070/tcp');
    } finally {
      process.env.XDG_DATA_HOME = dataHome;
      process.env.DBUS_SYSTEM_BUS_ADDRESS = bus;
      process.env.HOSTDECK_HISTORY = 'off';
    }
  }, 60_000);
});
