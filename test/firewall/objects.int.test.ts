/**
 * Services, ipsets (bulk entries, paging, search) and policies through the API, checked with
 * firewall-cmd. Needs root and firewalld, dbus, nftables, util-linux.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, type FwSession, rejection as apiError } from './session';

let s: FwSession;
beforeAll(async () => {
  s = await openSession();
  await s.api.state({});
});
afterAll(async () => {
  await s?.close();
});


describe('services', () => {
  it('creates, edits, renames and deletes a custom service', async () => {
    const r = await s.api.createService({
      name: 'hd-app',
      settings: {
        short: 'HD App',
        description: 'test service',
        ports: [
          { port: '8080', protocol: 'tcp' },
          { port: '8081', protocol: 'udp' },
        ],
        protocols: ['gre'],
        sourcePorts: [{ port: '1024-2048', protocol: 'tcp' }],
        helpers: ['ftp'],
        includes: ['ssh'],
        destination: { ipv4: '192.0.2.10' },
      },
    });
    expect(r.object.meta?.builtin).toBe(false);
    const info = s.sb.firewallCmd('--permanent', '--info-service=hd-app');
    expect(info).toMatch(/ports: 8080\/tcp 8081\/udp/);
    expect(info).toMatch(/protocols: gre/);
    expect(info).toMatch(/source-ports: 1024-2048\/tcp/);
    expect(info).toMatch(/helpers: ftp/);
    expect(info).toMatch(/includes: ssh/);
    expect(info).toMatch(/destination: ipv4:192\.0\.2\.10/);
    // Replace semantics: the editor sends the whole service; what is left out is emptied.
    await s.api.updateService({ name: 'hd-app', settings: { short: 'HD App', ports: [{ port: '8080', protocol: 'tcp' }], protocols: ['gre'] } });
    expect(s.words('--permanent', '--service=hd-app', '--get-ports')).toEqual(['8080/tcp']);
    expect(s.sb.firewallCmd('--permanent', '--info-service=hd-app')).toMatch(/includes: *\n/);
    expect(s.sb.firewallCmd('--permanent', '--info-service=hd-app')).toMatch(/helpers: *\n/);
    expect(s.words('--permanent', '--service=hd-app', '--get-protocols')).toEqual(['gre']);
    await s.api.renameService({ name: 'hd-app', newName: 'hd-app2' });
    expect(s.words('--permanent', '--get-services')).toContain('hd-app2');
    await s.api.deleteService({ name: 'hd-app2' });
    expect(s.words('--permanent', '--get-services')).not.toContain('hd-app2');
    expect((await s.api.state({})).permanent.services['hd-app2']).toBeUndefined();
    expect((await apiError(s.api.createService({ name: 'hd-bad', settings: { ports: [{ port: 'abc', protocol: 'tcp' }] } }))).code).toBe('INVALID_PORT');
  });

  it('overrides a built-in service and restores its defaults', async () => {
    await s.api.updateService({ name: 'ssh', settings: { ports: [{ port: '22', protocol: 'tcp' }, { port: '2222', protocol: 'tcp' }] } });
    expect(s.words('--permanent', '--service=ssh', '--get-ports')).toEqual(['22/tcp', '2222/tcp']);
    expect((await s.api.state({})).permanent.services.ssh!.meta?.default).toBe(false);
    await s.api.loadServiceDefaults({ name: 'ssh' });
    expect(s.words('--permanent', '--service=ssh', '--get-ports')).toEqual(['22/tcp']);
  });
});

describe('ipsets', () => {
  it('creates an ipset, imports entries in bulk, pages and searches them', async () => {
    await s.api.createIpset({ name: 'hd-net', type: 'hash:net', options: { family: 'inet' }, short: 'blocklist' });
    expect(s.sb.firewallCmd('--permanent', '--info-ipset=hd-net')).toMatch(/type: hash:net/);
    // Per-type validation: a MAC in a hash:net set is refused, with its position.
    const bad = await apiError(s.api.ipsetSetEntries({ name: 'hd-net', layer: 'permanent', entries: ['10.0.0.0/8', '52:54:00:12:34:56'] }));
    expect(bad.code).toBe('INVALID_VALUE');
    expect(JSON.stringify(bad.detail)).toContain('entries[2]');
    const entries = Array.from({ length: 5000 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.0/24`);
    const set = await s.api.ipsetSetEntries({ name: 'hd-net', layer: 'permanent', entries });
    expect(set).toMatchObject({ entryCount: 5000, added: 5000, removed: 0 });
    expect(s.sb.firewallCmd('--permanent', '--ipset=hd-net', '--get-entries').trim().split('\n')).toHaveLength(5000);
    await s.api.reload({ confirm: true });
    expect((await s.api.state({})).runtime.ipsets['hd-net']!.entryCount).toBe(5000);

    const add = await s.api.ipsetAddEntries({ name: 'hd-net', layer: 'runtime', entries: ['192.0.2.0/24', '10.0.1.0/24'] });
    expect(add).toMatchObject({ added: 1, entryCount: 5001 });
    expect(s.sb.firewallCmdRaw('--ipset=hd-net', '--query-entry=192.0.2.0/24').status).toBe(0);
    const rm = await s.api.ipsetRemoveEntries({ name: 'hd-net', layer: 'runtime', entries: ['10.0.0.0/24', '10.0.2.0/24', '172.16.0.0/12'] });
    expect(rm).toMatchObject({ removed: 2, entryCount: 4999 });
    expect(s.sb.firewallCmd('--ipset=hd-net', '--get-entries').trim().split('\n')).toHaveLength(4999);

    const page = await s.api.ipsetEntries({ name: 'hd-net', layer: 'runtime', offset: 100, limit: 50 });
    expect(page).toMatchObject({ total: 4999, matched: 4999, offset: 100 });
    expect(page.entries).toHaveLength(50);
    const byText = await s.api.ipsetEntries({ name: 'hd-net', layer: 'runtime', filter: '10.3.1' });
    expect(byText.entries.every((e) => e.includes('10.3.1'))).toBe(true);
    const byAddress = await s.api.ipsetEntries({ name: 'hd-net', layer: 'runtime', filter: '10.4.7.99' });
    expect(byAddress.entries).toEqual(['10.4.7.0/24']);
    // Entries added by someone else arrive through signals.
    s.sb.firewallCmd('--ipset=hd-net', '--add-entry=198.51.100.0/24');
    await s.until(async () => (await s.api.ipsetEntries({ name: 'hd-net', layer: 'runtime', filter: '198.51.100' })).matched === 1, 1000, 'entry signal');

    await s.api.deleteIpset({ name: 'hd-net' });
    expect(s.words('--permanent', '--get-ipsets')).not.toContain('hd-net');
  });
});

describe('policies', () => {
  it('creates a policy and edits it in both layers', async () => {
    await s.api.createPolicy({
      name: 'hd-pol',
      settings: { ingressZones: ['internal'], egressZones: ['external'], target: 'CONTINUE', priority: -10, services: ['http'], masquerade: true },
    });
    const info = s.sb.firewallCmd('--permanent', '--info-policy=hd-pol');
    expect(info).toMatch(/ingress-zones: internal/);
    expect(info).toMatch(/egress-zones: external/);
    expect(info).toMatch(/priority: -10/);
    expect(info).toMatch(/services: http/);
    expect(info).toMatch(/masquerade: yes/);
    await s.api.updatePolicy({
      name: 'hd-pol',
      layer: 'permanent',
      patch: { add: { ports: [{ port: '8443', protocol: 'tcp' }], richRules: ['rule family="ipv4" source address="10.1.0.0/16" accept'] }, target: 'ACCEPT' },
    });
    expect(s.words('--permanent', '--policy=hd-pol', '--list-ports')).toEqual(['8443/tcp']);
    expect(s.sb.firewallCmd('--permanent', '--policy=hd-pol', '--get-target').trim()).toBe('ACCEPT');
    expect(s.words('--permanent', '--policy=hd-pol', '--list-services')).toEqual(['http']);
    await s.api.reload({ confirm: true });
    const r = await s.api.updatePolicy({ name: 'hd-pol', layer: 'runtime', patch: { add: { services: ['https'] }, remove: { services: ['http'] } } });
    expect(r.object.services).toEqual(['https']);
    expect(s.words('--policy=hd-pol', '--list-services')).toEqual(['https']);
    // Other settings survive the runtime read-modify-write.
    expect(s.words('--policy=hd-pol', '--list-ports')).toEqual(['8443/tcp']);
    expect(s.sb.firewallCmd('--policy=hd-pol', '--list-rich-rules').trim()).toBe('rule family="ipv4" source address="10.1.0.0/16" accept');
    const diff = await s.api.differences({ kind: 'policy', name: 'hd-pol' });
    expect(diff.differences[0]!.fields.find((f) => f.field === 'services')).toMatchObject({ runtimeOnly: ['https'], permanentOnly: ['http'] });

    const xml = await s.api.export({ kind: 'policy', name: 'hd-pol', layer: 'runtime', format: 'xml' });
    expect(xml.text).toContain('<policy');
    expect(xml.text).toContain('<ingress-zone name="internal"');
    const script = await s.api.export({ kind: 'policy', name: 'hd-pol', layer: 'permanent', format: 'script' });
    expect(script.text).toContain('--new-policy=hd-pol');

    await s.api.deletePolicy({ name: 'hd-pol' });
    expect(s.words('--permanent', '--get-policies')).not.toContain('hd-pol');
  });
});
