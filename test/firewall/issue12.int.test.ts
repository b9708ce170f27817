/**
 * Issue 12, the host side, against a real firewalld (sandbox) and checked with firewall-cmd:
 * ipsets compared by content, not by entry count; deleting an ipset that zones still use is
 * refused (firewalld accepts it and its next reload fails); a reload's confirmation says what is
 * lost and what is gained; a rule destination with a service that has its own destination is
 * refused in both layers (firewalld refuses it only at runtime); timed runtime items carry their
 * expiry; a missing system bus is reported as such.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { runHostdeck } from '../support/cli';
import { startFirewalldSandbox } from '../support/firewalld-sandbox';
import { openSession, rejection, type FwSession } from './session';

let s: FwSession;
beforeAll(async () => {
  s = await openSession();
});
afterAll(async () => {
  await s?.close();
});

const entries = (...layer: string[]) => s.words(...layer, '--ipset=hd-diff', '--get-entries').sort();

describe('ipsets: runtime vs permanent by content', () => {
  it('finds an entry swapped between the layers although the counts agree, and pages the differing entries', async () => {
    s.sb.firewallCmd('--permanent', '--new-ipset=hd-diff', '--type=hash:ip');
    s.sb.firewallCmd('--reload');
    s.sb.firewallCmd('--ipset=hd-diff', '--add-entry=1.2.3.4');
    s.sb.firewallCmd('--permanent', '--ipset=hd-diff', '--add-entry=1.2.3.5');
    // firewall-cmd: same size, different content.
    expect(entries()).toEqual(['1.2.3.4']);
    expect(entries('--permanent')).toEqual(['1.2.3.5']);
    await s.api.state({ refresh: true });
    await s.until(async () => {
      const st = await s.api.state({});
      return st.runtime.ipsets['hd-diff']?.entryCount === 1 && st.permanent.ipsets['hd-diff']?.entryCount === 1;
    }, 5000, 'both layers to hold one entry');
    const state = await s.api.state({});
    expect(state.runtime.ipsets['hd-diff']!.entriesHash).not.toBe(state.permanent.ipsets['hd-diff']!.entriesHash);

    const { differences } = await s.api.differences({ kind: 'ipset' });
    const d = differences.find((x) => x.name === 'hd-diff');
    expect(d?.fields).toEqual([
      { field: 'entries', runtimeOnly: ['1.2.3.4'], permanentOnly: ['1.2.3.5'], runtimeOnlyCount: 1, permanentOnlyCount: 1 },
    ]);
    const page = await s.api.ipsetEntriesDiff({ name: 'hd-diff', side: 'permanentOnly' });
    expect(page).toMatchObject({ runtimeOnly: 1, permanentOnly: 1, matched: 1, entries: ['1.2.3.5'] });

    // More entries only in runtime than one page holds: paged like the entries themselves.
    const many = Array.from({ length: 30 }, (_, i) => `10.0.0.${i + 1}`);
    await s.api.ipsetAddEntries({ name: 'hd-diff', layer: 'runtime', entries: many });
    const p2 = await s.api.ipsetEntriesDiff({ name: 'hd-diff', side: 'runtimeOnly', offset: 10, limit: 10 });
    expect(p2.runtimeOnly).toBe(31);
    expect(p2.entries).toHaveLength(10);
    const all = new Set<string>();
    for (let off = 0; off < 31; off += 10) {
      for (const e of (await s.api.ipsetEntriesDiff({ name: 'hd-diff', side: 'runtimeOnly', offset: off, limit: 10 })).entries) all.add(e);
    }
    // One firewall-cmd call per layer (inside the filter it ran once per entry: 31 calls, ~20 s).
    const permanent = new Set(entries('--permanent'));
    expect([...all].sort()).toEqual(entries().filter((e) => !permanent.has(e)).sort());
    await s.api.ipsetRemoveEntries({ name: 'hd-diff', layer: 'runtime', entries: many });
  });

  it('`hostdeck firewall diff` names the differing entries instead of saying "the same"', async () => {
    const r = await runHostdeck(['firewall', 'diff', '--bus', s.sb.busAddress]);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('the same');
    expect(r.out).toMatch(/ipset hd-diff:\n\s+entries: \+1\.2\.3\.4 -1\.2\.3\.5/);
  });

  it('a reload asks first, saying what is lost and what it adds; confirmed, firewall-cmd shows permanent won', async () => {
    s.sb.firewallCmd('--zone=public', '--add-port=1111/tcp');
    s.sb.firewallCmd('--permanent', '--zone=public', '--add-port=2222/tcp');
    await s.until(async () => (await s.api.state({})).permanent.zones.public?.ports.some((p) => p.port === '2222'), 5000, 'the permanent port');
    const e = await rejection(s.api.reload({}));
    expect(e.code).toBe('NEEDS_CONFIRMATION');
    expect(e.message).toContain('entry 1.2.3.4 in ipset hd-diff');
    expect(e.message).toContain('port 1111/tcp in zone public');
    expect(e.message).toMatch(/adds what only permanent has: .*port 2222\/tcp in zone public/);
    expect(e.message).toContain('entry 1.2.3.5 in ipset hd-diff');
    const detail = e.detail as { lost: Array<{ text: string }>; gained: Array<{ text: string }> };
    expect(detail.lost.map((x) => x.text).sort()).toEqual(['entry 1.2.3.4', 'port 1111/tcp']);
    expect(detail.gained.map((x) => x.text).sort()).toEqual(['entry 1.2.3.5', 'port 2222/tcp']);
    // Nothing was reloaded.
    expect(entries()).toEqual(['1.2.3.4']);
    await s.api.reload({ confirm: true });
    expect(entries()).toEqual(['1.2.3.5']);
    expect(s.words('--zone=public', '--list-ports')).toEqual(['2222/tcp']);
    expect((await s.api.differences({})).differences).toEqual([]);
    s.sb.firewallCmd('--permanent', '--zone=public', '--remove-port=2222/tcp');
    await s.api.reload({ confirm: true });
  });
});

describe('deleting an ipset', () => {
  it('is refused while a permanent zone uses it (firewalld would take it and fail its next reload), then works', async () => {
    await s.api.createIpset({ name: 'hd-used', type: 'hash:net', options: { family: 'inet' } });
    await s.api.updateZone({ name: 'work', layer: 'permanent', patch: { add: { sources: ['ipset:hd-used'] } } });
    const e = await rejection(s.api.deleteIpset({ name: 'hd-used' }));
    expect(e.code).toBe('IN_USE');
    expect(e.message).toContain('zone work (source ipset:hd-used)');
    expect(s.words('--permanent', '--get-ipsets')).toContain('hd-used');
    await s.api.updateZone({ name: 'work', layer: 'permanent', patch: { remove: { sources: ['ipset:hd-used'] } } });
    await s.api.deleteIpset({ name: 'hd-used' });
    expect(s.words('--permanent', '--get-ipsets')).not.toContain('hd-used');
    // The reload that a used-and-deleted ipset would break goes through.
    await s.api.reload({ confirm: true });
    expect(s.sb.firewallCmd('--state').trim()).toBe('running');
  });
});

describe('deleting or renaming a zone', () => {
  it('is refused while a permanent policy names it (firewalld takes it and its next reload fails)', async () => {
    await s.api.createZone({ name: 'hd-z1', settings: {} });
    await s.api.createPolicy({ name: 'hd-p1', settings: { ingressZones: ['hd-z1'], egressZones: ['ANY'] } });
    for (const p of [s.api.deleteZone({ name: 'hd-z1' }), s.api.renameZone({ name: 'hd-z1', newName: 'hd-z2' })]) {
      const e = await rejection(p);
      expect(e.code).toBe('IN_USE');
      expect(e.message).toContain('policy hd-p1 (ingress zone hd-z1)');
    }
    expect(s.words('--permanent', '--get-zones')).toContain('hd-z1');
    await s.api.deletePolicy({ name: 'hd-p1' });
    await s.api.deleteZone({ name: 'hd-z1' });
    expect(s.words('--permanent', '--get-zones')).not.toContain('hd-z1');
    await s.api.reload({ confirm: true });
    expect(s.sb.firewallCmd('--state').trim()).toBe('running');
  });
});

describe('rich rule destination vs the service destination', () => {
  const mdns = 'rule family="ipv4" destination address="192.168.122.235/32" service name="mdns" accept';

  it('is refused in runtime, as firewalld refuses it (rhbz1715977)', async () => {
    // firewall-cmd: runtime INVALID_RULE (exit 122).
    const fc = s.sb.firewallCmdRaw('--zone=public', `--add-rich-rule=${mdns}`);
    expect(fc.status).toBe(122);
    expect(fc.stderr).toContain('Destination conflict with service');
    const e = await rejection(s.api.updateZone({ name: 'public', layer: 'runtime', patch: { add: { richRules: [mdns] } } }));
    expect(e.code).toBe('INVALID_VALUE');
    expect(e.message).toContain('The service mdns has its own destination (ipv4 224.0.0.251)');
    expect(e.message).toContain('Destination conflict with service');
  });

  it('is refused permanently too, where firewalld takes it and then fails to reload', async () => {
    const e = await rejection(s.api.updateZone({ name: 'public', layer: 'permanent', patch: { add: { richRules: [mdns] } } }));
    expect(e.code).toBe('INVALID_VALUE');
    expect(s.sb.firewallCmd('--permanent', '--zone=public', '--list-rich-rules').trim()).toBe('');
    // Through an included service (checked against the permanent definitions, which the reload will use).
    await s.api.createService({ name: 'hd-mdns-too', settings: { includes: ['mdns'], ports: [{ port: '5555', protocol: 'udp' }] } });
    const viaInclude = mdns.replace('"mdns"', '"hd-mdns-too"');
    const e2 = await rejection(s.api.updateZone({ name: 'public', layer: 'permanent', patch: { add: { richRules: [viaInclude] } } }));
    expect(e2.message).toContain('The service hd-mdns-too includes mdns, which has its own destination');
    // A service without a destination of its own takes a rule destination (firewall-cmd agrees).
    const ssh = 'rule family="ipv4" destination address="192.168.122.235/32" service name="ssh" accept';
    expect(s.sb.firewallCmdRaw('--zone=public', `--add-rich-rule=${ssh}`).status).toBe(0);
    s.sb.firewallCmd('--zone=public', `--remove-rich-rule=${ssh}`);
    await s.api.updateZone({ name: 'public', layer: 'runtime', patch: { add: { richRules: [ssh] } } });
    expect(s.sb.firewallCmd('--zone=public', '--list-rich-rules').trim()).toBe(ssh);
    await s.api.updateZone({ name: 'public', layer: 'runtime', patch: { remove: { richRules: [ssh] } } });
    await s.api.deleteService({ name: 'hd-mdns-too' });
  });
});

describe('runtime items with a timeout', () => {
  it('carry when firewalld removes them, and are forgotten once removed', async () => {
    const before = Date.now();
    await s.api.updateZone({ name: 'public', layer: 'runtime', patch: { add: { ports: [{ port: '8447', protocol: 'tcp' }] } }, timeout: 600 });
    expect(s.words('--zone=public', '--list-ports')).toContain('8447/tcp');
    const timed = (await s.api.state({})).timed.find((t) => t.item === '8447/tcp');
    expect(timed).toMatchObject({ kind: 'zone', name: 'public', field: 'ports' });
    expect(timed!.expiresAt).toBeGreaterThanOrEqual(before + 600_000);
    expect(timed!.expiresAt).toBeLessThanOrEqual(Date.now() + 600_000);
    s.sb.firewallCmd('--zone=public', '--remove-port=8447/tcp');
    await s.until(async () => !(await s.api.state({})).runtime.zones.public?.ports.some((p) => p.port === '8447'), 5000, 'the port to go');
    expect((await s.api.state({})).timed).toEqual([]);
  });
});

describe('status without firewalld', () => {
  it('says the system bus is missing, with the socket it tried, when there is no bus at all', async () => {
    const rt = new Runtime({ mode: 'cli', local: { systemBusAddress: 'unix:path=/nonexistent/hostdeck-i12/bus.sock' } });
    try {
      const st = await rt.api.firewall.status({});
      expect(st).toMatchObject({ running: false, problem: 'noBus', busSocket: '/nonexistent/hostdeck-i12/bus.sock' });
      expect(st.reason).toContain('No system D-Bus: HostDeck tried /nonexistent/hostdeck-i12/bus.sock and the socket does not exist');
    } finally {
      await rt.dispose();
    }
  });

  it('says firewalld is not running when the bus is there without it', async () => {
    const sb = await startFirewalldSandbox({ withoutFirewalld: true });
    const rt = new Runtime({ mode: 'cli', local: { systemBusAddress: sb.busAddress } });
    try {
      // The sandbox's dbus-daemon may still be coming up (socket there, not yet accepting): ask until it answers.
      await s.until(async () => (await rt.api.firewall.status({})).problem === 'notRunning', 10_000, 'the bus to answer without firewalld');
      const st = await rt.api.firewall.status({});
      expect(st).toMatchObject({ running: false, problem: 'notRunning' });
      expect(st.reason).toContain('firewalld is not running');
    } finally {
      await rt.dispose();
      await sb.stop();
    }
  });
});
