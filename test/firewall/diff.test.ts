import { describe, expect, it } from 'vitest';
import {
  applyZonePatch,
  diffCount,
  diffLayers,
  diffZone,
  needsSafeApply,
  sessionZones,
  zoneAllowsPort,
  zonePatchBetween,
  type SafeApplyContext,
} from '../../shared/firewall/diff';
import { zoneSchema, policySchema, type Zone } from '../../shared/firewall/model';

const zone = (name: string, o: Partial<Zone> = {}): Zone => zoneSchema.parse({ name, ...o });

describe('diffZone', () => {
  it('lists items per key that only one layer has', () => {
    const runtime = zone('public', {
      services: ['ssh', 'http'],
      ports: [{ port: '8080', protocol: 'tcp' }, { port: '7000-8000', protocol: 'udp' }],
      richRules: ['rule service name="ftp" accept', 'rule tcp-mss-clamp'],
      masquerade: true,
    });
    const permanent = zone('public', {
      services: ['ssh', 'https'],
      ports: [{ port: '8000-7000', protocol: 'udp' }],
      richRules: ['rule tcp-mss-clamp value="pmtu"'],
      target: 'DROP',
    });
    const d = diffZone('public', runtime, permanent);
    expect(d.status).toBe('different');
    expect(d.items).toEqual([
      { key: 'services', runtimeOnly: ['http'], permanentOnly: ['https'] },
      { key: 'ports', runtimeOnly: ['8080/tcp'], permanentOnly: [] },
      { key: 'richRules', runtimeOnly: ['rule service name="ftp" accept'], permanentOnly: [] },
    ]);
    expect(d.scalars).toEqual([
      { key: 'target', runtime: 'default', permanent: 'DROP' },
      { key: 'masquerade', runtime: true, permanent: false },
    ]);
    expect(diffCount(d)).toBe(6);
  });

  it('says same, runtime-only and permanent-only', () => {
    const z = zone('home', { services: ['ssh'] });
    const layers = diffLayers(
      { zones: { home: z, temp: zone('temp') }, policies: {} },
      { zones: { home: { ...z }, fresh: zone('fresh') }, policies: { p: policySchema.parse({ name: 'p' }) } },
    );
    expect(layers.zones.map((d) => [d.name, d.status])).toEqual([['fresh', 'permanent-only'], ['home', 'same'], ['temp', 'runtime-only']]);
    expect(layers.policies.map((d) => [d.name, d.status])).toEqual([['p', 'permanent-only']]);
  });
});

describe('patches', () => {
  it('applies and recovers a patch', () => {
    const a = zone('z', { services: ['ssh'], ports: [{ port: '80', protocol: 'tcp' }] });
    const b = zone('z', { services: ['http'], ports: [{ port: '80', protocol: 'tcp' }, { port: '443', protocol: 'tcp' }], target: 'DROP', masquerade: true });
    const patch = zonePatchBetween(a, b);
    expect(patch).toEqual({
      add: { services: ['http'], ports: [{ port: '443', protocol: 'tcp' }] },
      remove: { services: ['ssh'] },
      target: 'DROP',
      masquerade: true,
    });
    expect(applyZonePatch(a, patch)).toEqual(b);
  });
});

const ctx = (over: Partial<SafeApplyContext> = {}): SafeApplyContext => ({
  zones: {
    public: zone('public', { services: ['ssh', 'dhcpv6-client'] }),
    internal: zone('internal', { services: ['ssh'], sources: ['10.0.0.0/8'] }),
    work: zone('work', { services: ['http'] }),
    idle: zone('idle', { services: ['ssh'] }),
    custom: zone('custom', { services: ['mysshd'] }),
  },
  services: { mysshd: { ports: [{ port: '2222', protocol: 'tcp' }] }, http: { ports: [{ port: '80', protocol: 'tcp' }] } },
  defaultZone: 'public',
  activeZones: { public: { interfaces: ['eth0'], sources: [] }, internal: { interfaces: [], sources: ['10.0.0.0/8'] } },
  ...over,
});

describe('needsSafeApply', () => {
  it('requires it when ssh is removed from the zone of an active interface', () => {
    const v = needsSafeApply({ kind: 'zone', zone: 'public', patch: { remove: { services: ['ssh'] } } }, ctx());
    expect(v.required).toBe(true);
    expect(v.reasons[0]).toBe('Zone public carries your SSH session and would no longer allow SSH (port 22) (removing ssh).');
  });

  it('does not when the port stays open another way, or the zone carries no session', () => {
    const c = ctx();
    c.zones.public = zone('public', { services: ['ssh'], ports: [{ port: '20-30', protocol: 'tcp' }] });
    expect(needsSafeApply({ kind: 'zone', zone: 'public', patch: { remove: { services: ['ssh'] } } }, c).required).toBe(false);
    expect(needsSafeApply({ kind: 'zone', zone: 'idle', patch: { remove: { services: ['ssh'] } } }, ctx()).required).toBe(false);
    expect(needsSafeApply({ kind: 'zone', zone: 'public', patch: { remove: { services: ['dhcpv6-client'] } } }, ctx()).required).toBe(false);
    expect(needsSafeApply({ kind: 'zone', zone: 'public', patch: { add: { services: ['http'] } } }, ctx()).required).toBe(false);
  });

  it('follows the port of the current SSH connection and the zone of the admin address', () => {
    const c = ctx({ sshPort: 2222, clientAddress: '10.1.2.3' });
    expect(sessionZones(c)).toEqual(['internal']);
    c.zones.internal = zone('internal', { ports: [{ port: '2222', protocol: 'tcp' }] });
    const v = needsSafeApply({ kind: 'zone', zone: 'internal', patch: { remove: { ports: [{ port: '2222', protocol: 'tcp' }] } } }, c);
    expect(v.reasons).toEqual(['Zone internal carries your SSH session and would no longer allow SSH on port 2222 (removing 2222/tcp).']);
    // Removing ssh from public does not matter to a session that comes in through internal.
    expect(needsSafeApply({ kind: 'zone', zone: 'public', patch: { remove: { services: ['ssh'] } } }, c).required).toBe(false);
    // A custom service carrying the SSH port counts like ssh.
    const c2 = ctx({ sshPort: 2222, activeZones: { custom: { interfaces: ['eth1'], sources: [] } }, defaultZone: 'custom' });
    expect(needsSafeApply({ kind: 'zone', zone: 'custom', patch: { remove: { services: ['mysshd'] } } }, c2).reasons[0]).toContain('removing mysshd');
  });

  it('requires it for DROP/REJECT targets, blocking rules, moves and panic', () => {
    expect(needsSafeApply({ kind: 'zone', zone: 'public', patch: { target: 'DROP' } }, ctx()).required).toBe(true);
    expect(needsSafeApply({ kind: 'zone', zone: 'public', patch: { target: '%%REJECT%%' } }, ctx()).reasons[0]).toContain('REJECT');
    expect(needsSafeApply({ kind: 'zone', zone: 'idle', patch: { target: 'DROP' } }, ctx()).required).toBe(false);
    expect(needsSafeApply({ kind: 'zone', zone: 'public', patch: { target: 'ACCEPT' } }, ctx()).required).toBe(false);
    expect(needsSafeApply({ kind: 'zone', zone: 'public', patch: { add: { richRules: ['rule service name="ssh" drop'] } } }, ctx()).required).toBe(true);
    expect(needsSafeApply({ kind: 'zone', zone: 'public', patch: { add: { richRules: ['rule family="ipv4" source address="192.0.2.1" service name="ssh" drop'] } } }, ctx()).required).toBe(false);
    expect(needsSafeApply({ kind: 'zone', zone: 'work', patch: { add: { interfaces: ['eth0'] } } }, ctx()).reasons[0]).toBe('Moving interface eth0 into zone work, which does not allow SSH (port 22).');
    expect(needsSafeApply({ kind: 'defaultZone', zone: 'work' }, ctx()).required).toBe(true);
    expect(needsSafeApply({ kind: 'defaultZone', zone: 'idle' }, ctx()).required).toBe(false);
    expect(needsSafeApply({ kind: 'panic', enable: true }, ctx()).required).toBe(true);
    expect(needsSafeApply({ kind: 'panic', enable: false }, ctx()).required).toBe(false);
  });

  it('guards policies that drop traffic to the host', () => {
    const c = ctx({ policies: { guard: policySchema.parse({ name: 'guard', ingressZones: ['public'], egressZones: ['HOST'] }) } });
    expect(needsSafeApply({ kind: 'policy', policy: 'guard', patch: { target: 'DROP' } }, c).required).toBe(true);
    expect(needsSafeApply({ kind: 'policy', policy: 'guard', patch: { target: 'ACCEPT' } }, c).required).toBe(false);
  });

  it('knows what a zone lets in', () => {
    expect(zoneAllowsPort(zone('z', { target: 'ACCEPT' }), 22, {})).toBe(true);
    expect(zoneAllowsPort(zone('z', { richRules: ['rule port port="22" protocol="tcp" accept'] }), 22, {})).toBe(true);
    expect(zoneAllowsPort(zone('z', { richRules: ['rule family="ipv4" source address="1.2.3.4" service name="ssh" accept'] }), 22, {})).toBe(false);
    expect(zoneAllowsPort(zone('z', { ports: [{ port: '22', protocol: 'udp' }] }), 22, {})).toBe(false);
  });
});
