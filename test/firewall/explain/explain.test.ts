import { describe, expect, it } from 'vitest';
import { explainFlow, fixFor, stateWith, type Flow } from '../../../shared/firewall/explain';
import { bigState } from './big-state';
import { icmpTypeSchema, policySchema, serviceSchema, zoneSchema, type LayerState, type Policy, type Zone } from '../../../shared/firewall/model';

const zone = (name: string, o: Partial<Zone> = {}): Zone => zoneSchema.parse({ name, ...o });
const policy = (name: string, o: Partial<Policy> = {}): Policy => policySchema.parse({ name, ...o });
const services = {
  ssh: serviceSchema.parse({ name: 'ssh', ports: [{ port: '22', protocol: 'tcp' }] }),
  http: serviceSchema.parse({ name: 'http', ports: [{ port: '80', protocol: 'tcp' }] }),
  web: serviceSchema.parse({ name: 'web', ports: [{ port: '8000-8100', protocol: 'tcp' }, { port: '443', protocol: 'udp' }] }),
  mdns: serviceSchema.parse({ name: 'mdns', ports: [{ port: '5353', protocol: 'udp' }], destination: { ipv4: '224.0.0.251', ipv6: 'ff02::fb' } }),
  bundle: serviceSchema.parse({ name: 'bundle', includes: ['ssh'] }),
};
const icmptypes = {
  'echo-request': icmpTypeSchema.parse({ name: 'echo-request' }),
  'timestamp-request': icmpTypeSchema.parse({ name: 'timestamp-request', destinations: ['ipv4'] }),
};
function layer(zones: Zone[], policies: Policy[] = []): LayerState {
  return {
    zones: Object.fromEntries(zones.map((z) => [z.name, z])),
    policies: Object.fromEntries(policies.map((p) => [p.name, p])),
    services,
    ipsets: {},
    icmptypes,
    helpers: {},
  };
}
const opts = { defaultZone: 'public' };
const tcp = (dport: number, o: Partial<Flow> = {}): Flow => ({ protocol: 'tcp', dport, src: '192.0.2.7', iface: 'eth0', ...o });

describe('explainFlow: zones, dispatch and targets', () => {
  const base = layer([
    zone('public', { services: ['ssh'], interfaces: ['eth0'] }),
    zone('internal', { services: ['ssh', 'http'], interfaces: ['eth1'] }),
    zone('trusted', { target: 'ACCEPT', sources: ['10.0.0.0/8'] }),
    zone('drop', { target: 'DROP', sources: ['198.51.100.0/24'] }),
    zone('block', { target: '%%REJECT%%' }),
  ]);

  it('accepts a service port and names the service and its port', () => {
    const r = explainFlow(base, tcp(22), opts);
    expect(r.verdict).toBe('accept');
    expect(r.decidedBy.kind).toBe('service');
    expect(r.decidedBy.service).toEqual({ name: 'ssh', port: '22/tcp' });
    expect(r.zone).toMatchObject({ name: 'public', by: 'interface' });
    expect(r.decidedBy.chain).toBe('filter_IN_public_allow');
  });

  it('rejects with admin-prohibited by the default target, and says what the client sees', () => {
    const r = explainFlow(base, tcp(8080), opts);
    expect(r.verdict).toBe('reject');
    expect(r.rejectWith).toBe('icmpx admin-prohibited');
    expect(r.decidedBy.kind).toBe('target');
    expect(r.clientSees).toMatch(/no route to host/);
  });

  it('dispatches by source before interface', () => {
    const r = explainFlow(base, tcp(8080, { src: '10.1.2.3' }), opts);
    expect(r.verdict).toBe('accept');
    expect(r.zone).toMatchObject({ name: 'trusted', by: 'source' });
    expect(r.decidedBy.kind).toBe('target');
    const d = explainFlow(base, tcp(22, { src: '198.51.100.9' }), opts);
    expect(d.verdict).toBe('drop');
    expect(d.zone?.name).toBe('drop');
  });

  it('takes overlapping sources in order of zone name, as firewalld inserts them', () => {
    const s = layer([zone('public'), zone('b-zone', { target: 'DROP', sources: ['10.0.0.0/8'] }), zone('a-zone', { target: 'ACCEPT', sources: ['10.1.0.0/16'] })]);
    expect(explainFlow(s, tcp(1, { src: '10.1.0.5' }), opts).zone?.name).toBe('a-zone');
    expect(explainFlow(s, tcp(1, { src: '10.2.0.5' }), opts).zone?.name).toBe('b-zone');
  });

  it('falls back to the default zone for an unbound interface and wildcard interfaces match by prefix', () => {
    const s = layer([zone('public', { services: ['ssh'] }), zone('internal', { services: ['http'], interfaces: ['veth+'] })]);
    expect(explainFlow(s, tcp(80, { iface: 'veth12' }), opts).verdict).toBe('accept');
    const r = explainFlow(s, tcp(80, { iface: 'eno1' }), opts);
    expect(r.verdict).toBe('reject');
    expect(r.zone?.by).toBe('default');
  });

  it('accepts ICMP in a default-target zone, rejects it with icmp-block-inversion, and applies icmp blocks', () => {
    const ping: Flow = { protocol: 'icmp', icmpType: 'echo-request', src: '192.0.2.7', iface: 'eth0' };
    expect(explainFlow(base, ping, opts).decidedBy.kind).toBe('icmp-default');
    const inv = layer([zone('public', { interfaces: ['eth0'], icmpBlockInversion: true })]);
    expect(explainFlow(inv, ping, opts)).toMatchObject({ verdict: 'reject', decidedBy: { kind: 'icmp-block-inversion' } });
    const invAllowed = layer([zone('public', { interfaces: ['eth0'], icmpBlockInversion: true, icmpBlocks: ['echo-request'] })]);
    expect(explainFlow(invAllowed, ping, opts).verdict).toBe('accept');
    const blocked = layer([zone('public', { interfaces: ['eth0'], icmpBlocks: ['echo-request'] })]);
    expect(explainFlow(blocked, ping, opts)).toMatchObject({ verdict: 'reject', decidedBy: { kind: 'icmp-block', chain: 'filter_IN_public_deny' } });
    // A DROP zone rejects (not drops) a blocked ICMP type: the icmp-block rule comes first.
    const dropZone = layer([zone('public', { interfaces: ['eth0'], target: 'DROP', icmpBlocks: ['echo-request'] })]);
    expect(explainFlow(dropZone, ping, opts).verdict).toBe('reject');
    expect(explainFlow(layer([zone('public', { interfaces: ['eth0'], target: 'DROP' })]), ping, opts).verdict).toBe('drop');
  });

  it('loopback is always accepted', () => {
    expect(explainFlow(layer([zone('public', { target: 'DROP' })]), tcp(1, { iface: 'lo' }), opts).decidedBy.kind).toBe('loopback');
  });
});

describe('explainFlow: rich rules, services, policies', () => {
  it('a priority-0 reject for a source beats an open port (deny before allow)', () => {
    const s = layer([zone('public', { interfaces: ['eth0'], ports: [{ port: '8080', protocol: 'tcp' }], richRules: ['rule family="ipv4" source address="192.0.2.0/24" reject'] })]);
    const r = explainFlow(s, tcp(8080), opts);
    expect(r.verdict).toBe('reject');
    expect(r.rejectWith).toBe('icmpx port-unreachable');
    expect(r.clientSees).toMatch(/connection refused/);
    expect(r.decidedBy.richRule).toEqual({ text: 'rule family="ipv4" source address="192.0.2.0/24" reject', priority: 0 });
    expect(explainFlow(s, tcp(8080, { src: '203.0.113.1' }), opts).verdict).toBe('accept');
  });

  it('negative priorities run before everything in the zone, positive after its allow chain', () => {
    const s = layer([zone('public', {
      interfaces: ['eth0'],
      ports: [{ port: '8080', protocol: 'tcp' }],
      richRules: [
        'rule priority="5" family="ipv4" port port="9090" protocol="tcp" accept',
        'rule priority="-10" family="ipv4" source address="192.0.2.7" port port="8080" protocol="tcp" drop',
        'rule priority="10" family="ipv4" port port="9090" protocol="tcp" drop',
      ],
    })]);
    expect(explainFlow(s, tcp(8080), opts)).toMatchObject({ verdict: 'drop', decidedBy: { chain: 'filter_IN_public_pre' } });
    expect(explainFlow(s, tcp(9090), opts)).toMatchObject({ verdict: 'accept', decidedBy: { chain: 'filter_IN_public_post', richRule: { priority: 5 } } });
  });

  it('reject types, service ranges, includes and destinations', () => {
    const s = layer([zone('public', {
      interfaces: ['eth0'],
      services: ['web', 'bundle', 'mdns'],
      richRules: ['rule family="ipv4" source address="192.0.2.8" reject type="tcp-reset"'],
    })]);
    expect(explainFlow(s, tcp(8050), opts).decidedBy.service).toEqual({ name: 'web', port: '8000-8100/tcp' });
    expect(explainFlow(s, tcp(8101), opts).verdict).toBe('reject');
    expect(explainFlow(s, tcp(22), opts).decidedBy.service?.port).toMatch(/included service ssh/);
    expect(explainFlow(s, tcp(22, { src: '192.0.2.8' }), opts)).toMatchObject({ verdict: 'reject', rejectWith: 'tcp reset' });
    const mdns: Flow = { protocol: 'udp', dport: 5353, src: '192.0.2.7', iface: 'eth0' };
    expect(explainFlow(s, { ...mdns, dst: '224.0.0.251' }, opts).verdict).toBe('accept');
    expect(explainFlow(s, { ...mdns, dst: '192.0.2.1' }, opts).verdict).toBe('reject');
  });

  it('a policy to HOST with priority < 0 decides before the zone', () => {
    const s = layer([zone('public', { interfaces: ['eth0'], services: ['ssh'] })], [policy('lockdown', { ingressZones: ['public'], egressZones: ['HOST'], priority: -5, target: 'DROP', ports: [{ port: '2222', protocol: 'tcp' }] })]);
    const r = explainFlow(s, tcp(22), opts);
    expect(r.verdict).toBe('drop');
    expect(r.decidedBy).toMatchObject({ kind: 'policy-target', policy: 'lockdown' });
    expect(explainFlow(s, tcp(2222), opts)).toMatchObject({ verdict: 'accept', decidedBy: { kind: 'port', policy: 'lockdown', chain: 'filter_IN_policy_lockdown_allow' } });
    const cont = layer([zone('public', { interfaces: ['eth0'], services: ['ssh'] })], [policy('p', { ingressZones: ['ANY'], egressZones: ['HOST'], priority: 10 })]);
    expect(explainFlow(cont, tcp(22), opts).verdict).toBe('accept');
  });

  it('forward-ports are accepted as DNAT traffic', () => {
    const s = layer([zone('public', { interfaces: ['eth0'], forwardPorts: [{ port: '80', protocol: 'tcp', toPort: '8080', toAddr: '' }] })]);
    expect(explainFlow(s, tcp(80), opts)).toMatchObject({ verdict: 'accept', decidedBy: { kind: 'forward-port' } });
    // Without a to-addr firewalld redirects IPv4 only: an IPv6 packet meets the zone's rules.
    expect(explainFlow(s, tcp(80, { src: '2001:db8::7' }), opts)).toMatchObject({ verdict: 'reject', decidedBy: { kind: 'target' } });
  });

  it('forwarded traffic: intra-zone forwarding and the target', () => {
    const s = layer([zone('public', { interfaces: ['eth0'] }), zone('internal', { interfaces: ['eth1', 'eth2'], forward: true })]);
    expect(explainFlow(s, tcp(80, { iface: 'eth1', outIface: 'eth2' }), opts)).toMatchObject({ verdict: 'accept', direction: 'forward', decidedBy: { kind: 'intra-zone-forward' } });
    expect(explainFlow(s, tcp(80, { iface: 'eth1', outIface: 'eth0' }), opts)).toMatchObject({ verdict: 'reject', decidedBy: { chain: 'filter_FWD_internal' } });
  });

  it("forwarded traffic never meets a zone's icmp-blocks (they live in its zone->HOST policy); a policy's do apply (differential seed 1050040332)", () => {
    const echo = (o: Partial<Flow>): Flow => ({ protocol: 'icmp', icmpType: 'echo-request', src: '10.9.1.6', ...o });
    const z = zone('hd-c', { interfaces: ['eth1', 'eth2'], target: 'ACCEPT', icmpBlocks: ['echo-request'], forward: true });
    const s = layer([zone('public', { interfaces: ['eth0'] }), z]);
    expect(explainFlow(s, echo({ iface: 'eth1', outIface: 'eth2' }), opts)).toMatchObject({ verdict: 'accept', decidedBy: { kind: 'intra-zone-forward' } });
    expect(explainFlow(s, echo({ iface: 'eth1' }), opts)).toMatchObject({ verdict: 'reject', decidedBy: { kind: 'icmp-block' } });
    const inverted = layer([zone('public', { interfaces: ['eth0'] }), { ...z, forward: false, target: 'default', icmpBlockInversion: true }]);
    expect(explainFlow(inverted, echo({ iface: 'eth1', outIface: 'eth0' }), opts)).toMatchObject({ verdict: 'reject', decidedBy: { kind: 'target', chain: 'filter_FWD_hd-c' } });
    const p = policy('hd-p', { ingressZones: ['hd-c'], egressZones: ['public'], icmpBlocks: ['echo-request'], target: 'ACCEPT' });
    expect(explainFlow(layer([zone('public', { interfaces: ['eth0'] }), z], [p]), echo({ iface: 'eth1', outIface: 'eth0' }), opts)).toMatchObject({ verdict: 'reject', decidedBy: { kind: 'icmp-block', policy: 'hd-p' } });
  });

  it('LogDenied: the prefix of the log line', () => {
    const s = layer([zone('public', { interfaces: ['eth0'] })]);
    expect(explainFlow(s, tcp(1), { defaultZone: 'public', logDenied: 'all' }).logPrefix).toBe('filter_IN_public_REJECT: ');
    expect(explainFlow(s, tcp(1), opts).logPrefix).toBeUndefined();
  });
});

describe('explainFlow: unknown fields', () => {
  it('enumerates the zones an unknown interface could select', () => {
    const s = layer([zone('public', { interfaces: ['eth0'] }), zone('internal', { interfaces: ['eth1'], ports: [{ port: '8080', protocol: 'tcp' }] })]);
    const r = explainFlow(s, { protocol: 'tcp', dport: 8080, src: '192.0.2.7' }, opts);
    expect(r.verdict).toBe('depends');
    const byIface = Object.fromEntries(r.cases.map((c) => [c.value, c.verdict]));
    expect(byIface).toEqual({ eth0: 'reject', eth1: 'accept', '(other)': 'reject' });
    expect(r.cases.find((c) => c.value === 'eth1')?.when).toBe('the packet arrives on eth1');
  });

  it('enumerates sources bound to zones when the source is unknown', () => {
    const s = layer([zone('public', { interfaces: ['eth0'] }), zone('trusted', { target: 'ACCEPT', sources: ['10.0.0.0/8'] })]);
    const r = explainFlow(s, { protocol: 'tcp', dport: 8080, iface: 'eth0', family: 'ipv4' }, opts);
    expect(r.verdict).toBe('depends');
    expect(r.cases.map((c) => [c.value, c.verdict])).toEqual([['10.0.0.0/8', 'accept'], ['(other)', 'reject']]);
  });

  it('an unknown port makes a port rule an alternative, not a guess', () => {
    const s = layer([zone('public', { interfaces: ['eth0'], ports: [{ port: '8080', protocol: 'tcp' }] })]);
    const r = explainFlow(s, { protocol: 'tcp', src: '192.0.2.7', iface: 'eth0' }, opts);
    expect(r.verdict).toBe('reject');
    expect(r.alternatives).toEqual([expect.objectContaining({ verdict: 'accept', when: expect.stringContaining('destination port') })]);
  });

  it('never throws on odd data', () => {
    const s = layer([zone('public', { interfaces: ['eth0'], sources: ['not-an-address', 'ipset:missing'], richRules: ['garbage', 'rule family="ipv9" accept'], services: ['nope'] })]);
    expect(() => explainFlow(s, tcp(1, { src: 'zzz' }), opts)).not.toThrow();
    expect(() => explainFlow(layer([]), tcp(1), { defaultZone: 'gone' })).not.toThrow();
    expect(explainFlow(layer([]), tcp(1), { defaultZone: 'gone' }).decidedBy.kind).toBe('final-reject');
  });
});

describe('fixFor', () => {
  it('offers a source-only rich rule, a port and a matching service, each verified to let the flow in', () => {
    const s = layer([zone('public', { interfaces: ['eth0'] }), zone('internal', { services: ['http'] })]);
    const flow = tcp(80);
    const r = explainFlow(s, flow, opts);
    const offers = fixFor(s, flow, r, opts);
    expect(offers.map((o) => o.summary)).toEqual([
      'Accept this flow from 192.0.2.7 only, with a rich rule in zone public',
      'Open port 80/tcp in zone public',
      'Allow service http (80/tcp) in zone public',
      'Bind source 192.0.2.7 to zone internal',
    ]);
    for (const o of offers) expect(explainFlow(stateWith(s, o.change), flow, opts).verdict).toBe('accept');
    // Exactly this flow: the rich rule does not let another source in.
    const narrow = stateWith(s, offers[0]!.change);
    expect(explainFlow(narrow, tcp(80, { src: '192.0.2.8' }), opts).verdict).toBe('reject');
  });

  it('puts the rule before a rich reject when a port would not help', () => {
    const s = layer([zone('public', { interfaces: ['eth0'], ports: [{ port: '80', protocol: 'tcp' }], richRules: ['rule priority="-3" family="ipv4" source address="192.0.2.0/24" drop'] })]);
    const flow = tcp(80);
    const offers = fixFor(s, flow, explainFlow(s, flow, opts), opts);
    expect(offers[0]!.change).toEqual({ type: 'zone', name: 'public', patch: { add: { richRules: ['rule priority="-4" family="ipv4" source address="192.0.2.7" port port="80" protocol="tcp" accept'] } } });
    expect(offers.some((o) => o.summary.startsWith('Open port'))).toBe(false);
  });

  it('offers nothing for an accepted flow', () => {
    const s = layer([zone('public', { interfaces: ['eth0'], services: ['ssh'] })]);
    expect(fixFor(s, tcp(22), explainFlow(s, tcp(22), opts), opts)).toEqual([]);
  });
});

describe('explainFlow at scale', () => {
  it('50 zones and 1,000 rich rules: the right rule decides', () => {
    const s = bigState();
    const r = explainFlow(s, { protocol: 'tcp', dport: 30999, src: '10.49.0.9', iface: 'eth49' }, { defaultZone: 'z00' });
    expect(r.zone?.name).toBe('z49');
    expect(r.verdict).toBe('accept');
    expect(r.decidedBy.richRule?.text).toBe('rule family="ipv4" source address="10.49.0.0/24" port port="30999" protocol="tcp" accept');
    const miss = explainFlow(s, { protocol: 'tcp', dport: 29999, src: '10.49.0.9', iface: 'eth49' }, { defaultZone: 'z00' });
    expect(miss.verdict).toBe('drop');
  });
});

describe('explainFlow: ipsets', () => {
  const ipsets = { bad: { name: 'bad', version: '', short: '', description: '', type: 'hash:net', options: {}, entryCount: 1, entriesHash: '' } };
  it('matches a rich rule whose source is an ipset by its entries', () => {
    const s: LayerState = { ...layer([zone('public', { interfaces: ['eth0'], target: 'ACCEPT', richRules: ['rule priority="2" family="ipv4" source ipset="bad" drop'] })]), ipsets };
    const withEntries = { defaultZone: 'public', ipsetEntries: { bad: ['192.0.2.0/29'] } };
    expect(explainFlow(s, tcp(80), withEntries)).toMatchObject({ verdict: 'drop', decidedBy: { chain: 'filter_IN_public_post' } });
    expect(explainFlow(s, tcp(80, { src: '192.0.2.9' }), withEntries).verdict).toBe('accept');
    // Without its entries the answer says what it depends on instead of guessing.
    const r = explainFlow(s, tcp(80), opts);
    expect(r.verdict).toBe('accept');
    expect(r.alternatives[0]).toMatchObject({ verdict: 'drop', when: expect.stringContaining('ipset bad') });
  });
  it('dispatches by an ipset source binding', () => {
    const s: LayerState = { ...layer([zone('public', { interfaces: ['eth0'] }), zone('drop', { target: 'DROP', sources: ['ipset:bad'] })]), ipsets };
    expect(explainFlow(s, tcp(80), { defaultZone: 'public', ipsetEntries: { bad: ['192.0.2.0/29'] } }).zone?.name).toBe('drop');
    expect(explainFlow(s, tcp(80), opts).assumptions.join(' ')).toMatch(/Zone drop takes the packet instead if/);
  });
});

describe('clientSees', () => {
  it('says when the client cannot see a reject', () => {
    const s = layer([zone('public', { interfaces: ['eth0'] })]);
    expect(explainFlow(s, tcp(80, { src: '2001:db8::7' }), opts).clientSees).toMatch(/ignores while connecting: it retries and times out/);
    expect(explainFlow(s, tcp(80), opts).clientSees).toMatch(/no route to host/);
    const udp = layer([zone('public', { interfaces: ['eth0'], richRules: ['rule family="ipv4" source address="192.0.2.7" reject type="icmp-net-unreachable"'] })]);
    expect(explainFlow(udp, { protocol: 'udp', dport: 53, src: '192.0.2.7', iface: 'eth0' }, opts).clientSees).toMatch(/most UDP programs never see/);
  });
});
