import { describe, expect, it } from 'vitest';
import { allowsPort, safeApplyRequired, sessionZones, type GuardContext, type GuardedChange } from '../../shared/firewall/safety';
import { policySchema, serviceSchema, zoneSchema, type FullState, type LayerState, type Zone } from '../../shared/firewall/model';

const zone = (name: string, o: Partial<Zone> = {}): Zone => zoneSchema.parse({ name, ...o });
const layer = (o: Partial<LayerState> = {}): LayerState => ({ zones: {}, policies: {}, services: {}, ipsets: {}, icmptypes: {}, helpers: {}, ...o });

function ctx(over: { zones?: Record<string, Zone>; policies?: LayerState['policies']; activeZones?: FullState['global']['activeZones']; defaultZone?: string } = {}, extra: Partial<GuardContext> = {}): GuardContext {
  const zones = over.zones ?? {
    public: zone('public', { services: ['ssh', 'dhcpv6-client'] }),
    internal: zone('internal', { services: ['ssh'], sources: ['10.0.0.0/8'] }),
    work: zone('work', { services: ['http'] }),
    idle: zone('idle', { services: ['ssh'] }),
    custom: zone('custom', { services: ['mysshd'] }),
  };
  const services = {
    ssh: serviceSchema.parse({ name: 'ssh', ports: [{ port: '22', protocol: 'tcp' }] }),
    mysshd: serviceSchema.parse({ name: 'mysshd', ports: [{ port: '2222', protocol: 'tcp' }] }),
    http: serviceSchema.parse({ name: 'http', ports: [{ port: '80', protocol: 'tcp' }] }),
  };
  return {
    state: {
      runtime: layer({ zones, services, policies: over.policies ?? {} }),
      permanent: layer({ services }),
      global: {
        defaultZone: over.defaultZone ?? 'public',
        logDenied: 'off',
        panicMode: false,
        lockdown: false,
        activeZones: over.activeZones ?? { public: { interfaces: ['eth0'], sources: [] }, internal: { interfaces: [], sources: ['10.0.0.0/8'] } },
        activePolicies: {},
      },
    },
    ...extra,
  };
}
const check = (c: GuardedChange, x = ctx()) => safeApplyRequired(c, x);
const zoneChange = (name: string, patch: Extract<GuardedChange, { type: 'zone' }>['patch']): GuardedChange => ({ type: 'zone', name, patch });

describe('safeApplyRequired (lock-out guard shared by the page and the Node side)', () => {
  it('requires it when ssh is removed from the zone of an active interface', () => {
    const v = check(zoneChange('public', { remove: { services: ['ssh'] } }));
    expect(v).toEqual({
      required: true,
      sshPorts: [22],
      reasons: ['The active zone public (the default zone) carries your SSH session and would no longer allow SSH (port 22) (removing ssh).'],
    });
  });

  it('does not when the port stays open another way, the zone carries no session, or only harmless things change', () => {
    const c = ctx({ zones: { public: zone('public', { services: ['ssh'], ports: [{ port: '20-30', protocol: 'tcp' }] }) } });
    expect(check(zoneChange('public', { remove: { services: ['ssh'] } }), c).required).toBe(false);
    expect(check(zoneChange('idle', { remove: { services: ['ssh'] } })).required).toBe(false);
    expect(check(zoneChange('public', { remove: { services: ['dhcpv6-client'] } })).required).toBe(false);
    expect(check(zoneChange('public', { add: { services: ['http'] } })).required).toBe(false);
    expect(check(zoneChange('public', { remove: { ports: [{ port: '22', protocol: 'udp' }] } })).required).toBe(false);
  });

  it('counts zones bound to sources as session zones unless the admin address is known', () => {
    expect(sessionZones(ctx()).sort()).toEqual(['internal', 'public']);
    expect(check(zoneChange('internal', { remove: { services: ['ssh'] } })).required).toBe(true);
    // The admin comes from 192.0.2.9: not through internal.
    const away = ctx({}, { clientAddress: '192.0.2.9' });
    expect(sessionZones(away)).toEqual(['public']);
    expect(check(zoneChange('internal', { remove: { services: ['ssh'] } }), away).required).toBe(false);
  });

  it('follows every SSH port and the zone of the admin address', () => {
    const c = ctx({}, { sshPorts: [2222], clientAddress: '10.1.2.3' });
    expect(sessionZones(c)).toEqual(['internal']);
    c.state.runtime.zones.internal = zone('internal', { ports: [{ port: '2222', protocol: 'tcp' }] });
    const v = check(zoneChange('internal', { remove: { ports: [{ port: '2222', protocol: 'tcp' }] } }), c);
    expect(v.reasons).toEqual(['The active zone internal carries your SSH session and would no longer allow SSH (port 2222) (removing 2222/tcp).']);
    expect(v.sshPorts).toEqual([2222]);
    // Removing ssh from public does not matter to a session that comes in through internal.
    expect(check(zoneChange('public', { remove: { services: ['ssh'] } }), c).required).toBe(false);
    // A custom service carrying the SSH port counts like ssh; with sshd on 22 and 2222 losing either counts.
    const c2 = ctx({ activeZones: { custom: { interfaces: ['eth1'], sources: [] } }, defaultZone: 'custom' }, { sshPorts: [22, 2222] });
    expect(check(zoneChange('custom', { remove: { services: ['mysshd'] } }), c2).reasons[0]).toContain('SSH (port 2222) (removing mysshd)');
  });

  it('requires it for DROP/REJECT targets, blocking rules, moves, default zones and panic', () => {
    expect(check(zoneChange('public', { target: 'DROP' })).required).toBe(true);
    expect(check(zoneChange('public', { target: '%%REJECT%%' })).reasons[0]).toContain('REJECT');
    expect(check(zoneChange('idle', { target: 'DROP' })).required).toBe(false);
    expect(check(zoneChange('public', { target: 'ACCEPT' })).required).toBe(false);
    expect(check(zoneChange('public', { add: { richRules: ['rule service name="ssh" drop'] } })).required).toBe(true);
    expect(check(zoneChange('public', { add: { richRules: ['rule family="ipv4" source address="192.0.2.1" service name="ssh" drop'] } })).required).toBe(false);
    // eth0 is bound to public; eth9 is bound to nobody, so the default zone (public) carries it.
    expect(check(zoneChange('work', { add: { interfaces: ['eth0'] } })).reasons[0]).toBe('Moves interface eth0 into zone work, which does not let SSH (port 22) in.');
    expect(check(zoneChange('work', { add: { interfaces: ['eth9'] } })).required).toBe(true);
    expect(check(zoneChange('idle', { add: { interfaces: ['eth0'] } })).required).toBe(false);
    expect(check(zoneChange('work', { add: { sources: ['10.0.0.0/8'] } }), ctx({}, { clientAddress: '10.9.9.9' })).required).toBe(true);
    expect(check({ type: 'defaultZone', name: 'work' }).required).toBe(true);
    expect(check({ type: 'defaultZone', name: 'idle' }).required).toBe(false);
    expect(check({ type: 'panic', enabled: true }).required).toBe(true);
    expect(check({ type: 'panic', enabled: false }).required).toBe(false);
  });

  it('guards policies that drop traffic to the host from the session zones', () => {
    const guard = policySchema.parse({ name: 'guard', ingressZones: ['public'], egressZones: ['HOST'], services: ['ssh'] });
    const elsewhere = policySchema.parse({ name: 'elsewhere', ingressZones: ['work'], egressZones: ['HOST'] });
    const c = ctx({ policies: { guard, elsewhere } });
    expect(check({ type: 'policy', name: 'guard', patch: { target: 'DROP' } }, c).required).toBe(true);
    expect(check({ type: 'policy', name: 'guard', patch: { target: 'ACCEPT' } }, c).required).toBe(false);
    expect(check({ type: 'policy', name: 'guard', patch: { remove: { services: ['ssh'] } } }, c).reasons).toEqual(['Removes service ssh from policy guard (traffic to this host).']);
    expect(check({ type: 'policy', name: 'guard', patch: { add: { richRules: ['rule port port="22" protocol="tcp" reject'] } } }, c).required).toBe(true);
    expect(check({ type: 'policy', name: 'elsewhere', patch: { target: 'DROP' } }, c).required).toBe(false);
  });

  it('knows what a zone lets in', () => {
    const c = ctx();
    expect(allowsPort(zone('z', { target: 'ACCEPT' }), 22, c)).toBe(true);
    expect(allowsPort(zone('z', { richRules: ['rule port port="22" protocol="tcp" accept'] }), 22, c)).toBe(true);
    expect(allowsPort(zone('z', { richRules: ['rule family="ipv4" source address="1.2.3.4" service name="ssh" accept'] }), 22, c)).toBe(false);
    expect(allowsPort(zone('z', { ports: [{ port: '22', protocol: 'udp' }] }), 22, c)).toBe(false);
    expect(allowsPort(zone('z', { services: ['mysshd'] }), 2222, c)).toBe(true);
  });
});
