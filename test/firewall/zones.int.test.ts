/**
 * Zone writes through the API, each checked independently with firewall-cmd: runtime items,
 * timeouts, permanent edits, zone create/rename/delete, default zone, runtime vs permanent
 * (differences, save, reload) and export. Needs root and firewalld, dbus, nftables, util-linux.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firewallCmdChecks } from '../support/firewall-cmd-batch';
import { openSession, type FwSession, rejection as apiError } from './session';

let s: FwSession;
beforeAll(async () => {
  s = await openSession();
  await s.api.state({});
});
afterAll(async () => {
  await s?.close();
});

const rule = 'rule family="ipv4" source address="192.0.2.0/24" port port="8443" protocol="tcp" log prefix="hd" level="info" accept';

/** Several firewall-cmd checks of the sandbox in one process. */
const checks = (...calls: string[][]) => firewallCmdChecks(s.sb, calls);

describe('runtime zone edits', () => {
  it('adds every kind of item, firewall-cmd sees them, and removes them again', async () => {
    const items = {
      services: ['http', 'https'],
      ports: [
        { port: '8080', protocol: 'tcp' as const },
        { port: '9000-9010', protocol: 'udp' as const },
      ],
      protocols: ['gre'],
      sourcePorts: [{ port: '5000', protocol: 'udp' as const }],
      icmpBlocks: ['echo-request'],
      forwardPorts: [{ port: '2222', protocol: 'tcp' as const, toPort: '22', toAddr: '' }],
      richRules: [rule],
      interfaces: ['fwtest0'],
      sources: ['198.51.100.0/24'],
    };
    const r = await s.api.updateZone({
      name: 'internal',
      layer: 'runtime',
      patch: { add: items, masquerade: true, icmpBlockInversion: true, forward: false },
    });
    expect(r.object.services).toEqual(expect.arrayContaining(['http', 'https']));
    const z = '--zone=internal';
    const [services, ports, protocols, sourcePorts, icmpBlocks, forwardPorts, richRules, interfaces, sources, masquerade, inversion, forward, permanentPorts] = await checks(
      [z, '--list-services'],
      [z, '--list-ports'],
      [z, '--list-protocols'],
      [z, '--list-source-ports'],
      [z, '--list-icmp-blocks'],
      [z, '--list-forward-ports'],
      [z, '--list-rich-rules'],
      [z, '--list-interfaces'],
      [z, '--list-sources'],
      [z, '--query-masquerade'],
      [z, '--query-icmp-block-inversion'],
      [z, '--query-forward'],
      ['--permanent', z, '--list-ports'],
    );
    expect(services!.words).toEqual(expect.arrayContaining(['http', 'https']));
    expect(ports!.words.sort()).toEqual(['8080/tcp', '9000-9010/udp']);
    expect(protocols!.words).toEqual(['gre']);
    expect(sourcePorts!.words).toEqual(['5000/udp']);
    expect(icmpBlocks!.words).toEqual(['echo-request']);
    expect(forwardPorts!.ok(forwardPorts!.stdout.trim())).toBe('port=2222:proto=tcp:toport=22:toaddr=');
    // The printed form firewalld reports back is the one we sent.
    expect(richRules!.ok(richRules!.stdout.trim())).toBe(rule);
    expect(interfaces!.words).toEqual(['fwtest0']);
    expect(sources!.words).toEqual(['198.51.100.0/24']);
    expect(masquerade!.status).toBe(0);
    expect(inversion!.status).toBe(0);
    expect(forward!.status).not.toBe(0);
    // Runtime only: permanent untouched.
    expect(permanentPorts!.words).toEqual([]);

    await s.api.updateZone({
      name: 'internal',
      layer: 'runtime',
      patch: { remove: items, masquerade: false, icmpBlockInversion: false, forward: true },
    });
    const after = await checks([z, '--list-ports'], [z, '--list-services'], [z, '--list-rich-rules'], [z, '--list-interfaces'], [z, '--query-masquerade'], [z, '--query-forward']);
    expect(after[0]!.words).toEqual([]);
    expect(after[1]!.words).not.toContain('http');
    expect(after[2]!.ok(after[2]!.stdout.trim())).toBe('');
    expect(after[3]!.words).toEqual([]);
    expect(after[4]!.status).not.toBe(0);
    expect(after[5]!.status).toBe(0);
    const st = await s.api.state({});
    expect(st.runtime.zones.internal!.ports).toEqual([]);
    expect(st.global.activeZones.internal).toBeUndefined();
  });

  it('moves an interface bound to another zone and says so', async () => {
    s.sb.firewallCmd('--zone=work', '--add-interface=fwtest1');
    const r = await s.api.updateZone({ name: 'home', layer: 'runtime', patch: { add: { interfaces: ['fwtest1'] } } });
    expect(r.notes.join(' ')).toMatch(/fwtest1 moved from zone work/);
    expect(s.sb.firewallCmd('--get-zone-of-interface=fwtest1').trim()).toBe('home');
    await s.until(async () => (await s.api.state({})).global.activeZones.home?.interfaces.includes('fwtest1'), 1000, 'active zones');
    await s.api.updateZone({ name: 'home', layer: 'runtime', patch: { remove: { interfaces: ['fwtest1'] } } });
  });

  it('timed items expire by themselves (firewalld --timeout) and our state follows', async () => {
    await s.api.updateZone({ name: 'dmz', layer: 'runtime', patch: { add: { ports: [{ port: '7777', protocol: 'tcp' }] } }, timeout: 2 });
    expect(s.words('--zone=dmz', '--list-ports')).toContain('7777/tcp');
    await s.until(() => !s.words('--zone=dmz', '--list-ports').includes('7777/tcp'), 6000, 'the port to expire');
    await s.until(async () => !(await s.api.state({})).runtime.zones.dmz!.ports.some((p) => p.port === '7777'), 1000, 'state after expiry');
  });

  it('refuses to change the target in runtime (it is permanent-only)', async () => {
    const e = await apiError(s.api.updateZone({ name: 'dmz', layer: 'runtime', patch: { target: 'ACCEPT' } }));
    expect(e.code).toBe('UNSUPPORTED');
  });
});

describe('permanent zone edits', () => {
  it('sets target, description and items in the XML, leaving runtime alone', async () => {
    await s.api.updateZone({
      name: 'dmz',
      layer: 'permanent',
      patch: {
        target: 'ACCEPT',
        description: 'HostDeck test zone',
        short: 'DMZ!',
        add: { ports: [{ port: '1234', protocol: 'sctp' }], richRules: [rule], sources: ['203.0.113.0/24'] },
        remove: { services: ['ssh'] },
        masquerade: true,
      },
    });
    const p = ['--permanent', '--zone=dmz'];
    const [target, description, short, ports, services, richRules, sources, masquerade, runtimeServices] = await checks(
      [...p, '--get-target'],
      [...p, '--get-description'],
      [...p, '--get-short'],
      [...p, '--list-ports'],
      [...p, '--list-services'],
      [...p, '--list-rich-rules'],
      [...p, '--list-sources'],
      [...p, '--query-masquerade'],
      ['--zone=dmz', '--list-services'],
    );
    expect(target!.ok(target!.stdout.trim())).toBe('ACCEPT');
    expect(description!.ok(description!.stdout.trim())).toBe('HostDeck test zone');
    expect(short!.ok(short!.stdout.trim())).toBe('DMZ!');
    expect(ports!.words).toEqual(['1234/sctp']);
    expect(services!.words).not.toContain('ssh');
    expect(richRules!.ok(richRules!.stdout.trim())).toBe(rule);
    expect(sources!.words).toEqual(['203.0.113.0/24']);
    expect(masquerade!.status).toBe(0);
    expect(runtimeServices!.words).toContain('ssh');
    // Shown side by side: the differences name the fields.
    const d = await s.api.differences({ kind: 'zone', name: 'dmz' });
    const fields = Object.fromEntries(d.differences[0]!.fields.map((f) => [f.field, f]));
    expect(fields.ports!.permanentOnly).toEqual(['1234/sctp']);
    expect(fields.services!.runtimeOnly).toEqual(['ssh']);
    expect(fields.target).toMatchObject({ runtime: 'default', permanent: 'ACCEPT' });
    // Removing again restores the file's lists.
    await s.api.updateZone({ name: 'dmz', layer: 'permanent', patch: { remove: { ports: [{ port: '1234', protocol: 'sctp' }] } } });
    expect(s.words(...p, '--list-ports')).toEqual([]);
    await s.api.loadZoneDefaults({ name: 'dmz' });
    expect(s.sb.firewallCmd(...p, '--get-target').trim()).toBe('default');
    expect(s.words(...p, '--list-services')).toContain('ssh');
  });

  it('creates, renames and deletes zones', async () => {
    const r = await s.api.createZone({
      name: 'hd-lab',
      settings: { short: 'Lab', description: 'lab zone', target: 'DROP', services: ['ssh'], ports: [{ port: '8000', protocol: 'tcp' }] },
    });
    expect(r.object.meta?.builtin).toBe(false);
    expect(s.words('--permanent', '--get-zones')).toContain('hd-lab');
    expect(s.sb.firewallCmd('--permanent', '--zone=hd-lab', '--get-target').trim()).toBe('DROP');
    expect(s.words('--permanent', '--zone=hd-lab', '--list-ports')).toEqual(['8000/tcp']);
    await s.api.renameZone({ name: 'hd-lab', newName: 'hd-lab2' });
    const zones = s.words('--permanent', '--get-zones');
    expect(zones).toContain('hd-lab2');
    expect(zones).not.toContain('hd-lab');
    await s.until(async () => {
      const st = await s.api.state({});
      return st.permanent.zones['hd-lab2'] && !st.permanent.zones['hd-lab'];
    }, 1000, 'rename in state');
    await s.api.deleteZone({ name: 'hd-lab2' });
    expect(s.words('--permanent', '--get-zones')).not.toContain('hd-lab2');
    expect((await s.api.state({})).permanent.zones['hd-lab2']).toBeUndefined();
    const e = await apiError(s.api.deleteZone({ name: 'public' }));
    expect(e.code).toBe('FIREWALLD_ERROR');
    expect((e.detail as { firewalldCode: string }).firewalldCode).toBe('BUILTIN_ZONE');
    const bad = await apiError(s.api.createZone({ name: 'bad name!', settings: {} }));
    expect(bad.code).toBe('INVALID_VALUE');
  });

  it('sets the default zone', async () => {
    await s.api.setDefaultZone({ name: 'home' });
    expect(s.sb.firewallCmd('--get-default-zone').trim()).toBe('home');
    expect((await s.api.state({})).global.defaultZone).toBe('home');
    await s.api.setDefaultZone({ name: 'public' });
    expect(s.sb.firewallCmd('--get-default-zone').trim()).toBe('public');
  });
});

describe('runtime and permanent', () => {
  it('saves runtime to permanent, warns before a reload would drop runtime changes', async () => {
    await s.api.updateZone({ name: 'work', layer: 'runtime', patch: { add: { ports: [{ port: '4444', protocol: 'tcp' }] } } });
    const d = await s.api.differences({ kind: 'zone', name: 'work' });
    expect(d.differences[0]!.fields.find((f) => f.field === 'ports')!.runtimeOnly).toEqual(['4444/tcp']);
    const e = await apiError(s.api.reload({}));
    expect(e.code).toBe('NEEDS_CONFIRMATION');
    expect(s.words('--zone=work', '--list-ports')).toContain('4444/tcp');
    await s.api.runtimeToPermanent({});
    expect(s.words('--permanent', '--zone=work', '--list-ports')).toContain('4444/tcp');
    expect((await s.api.differences({})).differences.filter((x) => x.kind === 'zone')).toEqual([]);
    // Now nothing would be lost: reload without confirmation, the port survives.
    await s.api.reload({});
    expect(s.words('--zone=work', '--list-ports')).toContain('4444/tcp');
    await s.api.updateZone({ name: 'work', layer: 'permanent', patch: { remove: { ports: [{ port: '4444', protocol: 'tcp' }] } } });
    // A runtime change, confirmed reload: it is gone.
    await s.api.updateZone({ name: 'work', layer: 'runtime', patch: { add: { services: ['dns'] } } });
    await s.api.reload({ confirm: true });
    expect(s.words('--zone=work', '--list-services')).not.toContain('dns');
    expect((await s.api.state({})).runtime.zones.work!.services).not.toContain('dns');
  });

  it('exports a zone as firewalld XML and as a firewall-cmd script', async () => {
    await s.api.updateZone({ name: 'trusted', layer: 'permanent', patch: { add: { richRules: [rule] } } });
    const xml = await s.api.export({ kind: 'zone', name: 'trusted', layer: 'permanent', format: 'xml' });
    expect(xml.filename).toBe('trusted.xml');
    expect(xml.text).toContain('<zone target="ACCEPT">');
    expect(xml.text).toContain('8443');
    const script = await s.api.export({ kind: 'zone', name: 'trusted', layer: 'permanent', format: 'script' });
    expect(script.text).toMatch(/^#!\/bin\/sh/);
    expect(script.text).toMatch(/firewall-cmd '?--permanent'? '?--zone=trusted'? /);
    expect(script.text).toContain('--add-rich-rule=');
  });
});
