/**
 * The conversions between firewalld's D-Bus settings and HostDeck's model, without a daemon:
 * dicts with Variants (as dbus-next delivers them), missing keys meaning empty, tuples, and
 * the signature table that decides what a dict sent to firewalld looks like.
 */
import { Variant } from '@jellybrick/dbus-next';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors';
import { entriesDigest } from '../../shared/firewall/ipset-digest';
import {
  compareVersions,
  helperFromTuple,
  icmpTypeFromTuple,
  ipsetFromTuple,
  ipsetToTuple,
  metaFromProps,
  policyDict,
  policyFromDict,
  serviceDict,
  serviceFromDict,
  unwrapDict,
  zoneDict,
  zoneFromDict,
} from '../../electron/firewall/settings';

const v = (signature: string, value: unknown) => new Variant(signature, value);
const plain = (d: Record<string, Variant>) => Object.fromEntries(Object.entries(d).map(([k, x]) => [k, [x.signature, x.value]]));

describe('zone dicts', () => {
  it('reads a getZoneSettings2 reply: snake_case keys, a(ss) ports, a(ssss) forward ports, rules_str', () => {
    const z = zoneFromDict('public', {
      version: v('s', ''),
      short: v('s', 'Public'),
      target: v('s', 'default'),
      services: v('as', ['ssh', 'dhcpv6-client']),
      ports: v('a(ss)', [['8080', 'tcp'], ['7000-8000', 'udp']]),
      source_ports: v('a(ss)', [['53', 'udp']]),
      forward_ports: v('a(ssss)', [['80', 'tcp', '8080', ''], ['443', 'tcp', '', '192.0.2.1']]),
      rules_str: v('as', ['rule service name="ftp" accept']),
      icmp_block_inversion: v('b', true),
      forward: v('b', true),
      masquerade: v('b', false),
      interfaces: v('as', ['eth0']),
    });
    expect(z).toEqual({
      name: 'public',
      version: '',
      short: 'Public',
      description: '',
      target: 'default',
      services: ['ssh', 'dhcpv6-client'],
      ports: [{ port: '8080', protocol: 'tcp' }, { port: '7000-8000', protocol: 'udp' }],
      protocols: [],
      sourcePorts: [{ port: '53', protocol: 'udp' }],
      icmpBlocks: [],
      icmpBlockInversion: true,
      forward: true,
      masquerade: false,
      forwardPorts: [
        { port: '80', protocol: 'tcp', toPort: '8080', toAddr: '' },
        { port: '443', protocol: 'tcp', toPort: '', toAddr: '192.0.2.1' },
      ],
      richRules: ['rule service name="ftp" accept'],
      interfaces: ['eth0'],
      sources: [],
    });
  });

  it('reads an empty export as an empty zone, and priorities only when firewalld sends them', () => {
    const z = zoneFromDict('empty', {});
    expect(z.target).toBe('default');
    expect(z.services).toEqual([]);
    expect('ingressPriority' in z).toBe(false);
    expect(zoneFromDict('p', { ingress_priority: v('i', -10), egress_priority: v('i', 5) })).toMatchObject({ ingressPriority: -10, egressPriority: 5 });
  });

  it('writes only the keys given, each with its D-Bus signature', () => {
    const d = zoneDict({ ports: [{ port: '8080', protocol: 'tcp' }], forwardPorts: [{ port: '80', protocol: 'tcp', toPort: '8080', toAddr: '' }], masquerade: true, richRules: [] }, '1.3.3');
    expect(plain(d)).toEqual({
      ports: ['a(ss)', [['8080', 'tcp']]],
      forward_ports: ['a(ssss)', [['80', 'tcp', '8080', '']]],
      masquerade: ['b', true],
      // [] is sent: it clears the list.
      rules_str: ['as', []],
    });
  });

  it('never sends a key the server is too old for (INVALID_OPTION otherwise), unless it holds its default', () => {
    expect(plain(zoneDict({ ingressPriority: 0 }, '1.3.3'))).toEqual({});
    expect(() => zoneDict({ ingressPriority: -5 }, '1.3.3')).toThrow(ApiError);
    expect(() => zoneDict({ ingressPriority: -5 }, '1.3.3')).toThrow(/needs firewalld 2.0.0 or later; this host runs 1.3.3/);
    expect(plain(zoneDict({ ingressPriority: -5 }, '2.0.0'))).toEqual({ ingress_priority: ['i', -5] });
  });
});

describe('policy, service, ipset, icmptype and helper settings', () => {
  it('round-trips a policy dict (rich_rules, not rules_str; disable only from 2.4)', () => {
    const p = policyFromDict('gw', {
      target: v('s', 'ACCEPT'),
      priority: v('i', 10),
      ingress_zones: v('as', ['internal']),
      egress_zones: v('as', ['HOST']),
      rich_rules: v('as', ['rule port port="22" protocol="tcp" accept']),
    });
    expect(p).toMatchObject({ name: 'gw', target: 'ACCEPT', priority: 10, ingressZones: ['internal'], egressZones: ['HOST'], richRules: ['rule port port="22" protocol="tcp" accept'] });
    expect(policyFromDict('d', {}).priority).toBe(-1);
    expect(policyFromDict('d', {}).target).toBe('CONTINUE');
    const d = plain(policyDict({ target: 'DROP', richRules: ['rule drop'], ingressZones: ['ANY'], disable: false }, '1.3.3'));
    expect(d).toEqual({ target: ['s', 'DROP'], rich_rules: ['as', ['rule drop']], ingress_zones: ['as', ['ANY']] });
    expect(() => policyDict({ disable: true }, '2.3.0')).toThrow(/2.4.0/);
  });

  it('reads and writes service destinations as a{ss}, dropping empty ones', () => {
    const s = serviceFromDict('mdns', { ports: v('a(ss)', [['5353', 'udp']]), destination: v('a{ss}', { ipv4: '224.0.0.251', ipv6: '' }), includes: v('as', ['ssh']) });
    expect(s).toMatchObject({ ports: [{ port: '5353', protocol: 'udp' }], destination: { ipv4: '224.0.0.251' }, includes: ['ssh'], helpers: [] });
    expect(plain(serviceDict({ destination: { ipv4: '224.0.0.251', ipv6: '' }, helpers: ['ftp'] }, '1.3.3'))).toEqual({
      destination: ['a{ss}', { ipv4: '224.0.0.251' }],
      helpers: ['as', ['ftp']],
    });
  });

  it('reads tuples: ipset (entries counted, returned apart), icmptype, helper', () => {
    const { ipset, entries } = ipsetFromTuple('bl', ['', 'Blocklist', 'bad hosts', 'hash:net', { family: 'inet', maxelem: 65536 }, ['192.0.2.0/24', '198.51.100.7']]);
    expect(ipset).toEqual({ name: 'bl', version: '', short: 'Blocklist', description: 'bad hosts', type: 'hash:net', options: { family: 'inet', maxelem: '65536' }, entryCount: 2, entriesHash: entriesDigest(['198.51.100.7', '192.0.2.0/24']) });
    expect(entries).toEqual(['192.0.2.0/24', '198.51.100.7']);
    expect(ipsetToTuple(ipset, entries)).toEqual(['', 'Blocklist', 'bad hosts', 'hash:net', { family: 'inet', maxelem: '65536' }, entries]);
    expect(icmpTypeFromTuple('echo-request', ['', 'Echo Request', 'ping', ['ipv4', 'ipv6']])).toEqual({
      name: 'echo-request', version: '', short: 'Echo Request', description: 'ping', destinations: ['ipv4', 'ipv6'],
    });
    expect(helperFromTuple('ftp', ['', 'FTP', 'ftp helper', '', 'nf_conntrack_ftp', [['21', 'tcp']]])).toEqual({
      name: 'ftp', version: '', short: 'FTP', description: 'ftp helper', family: '', module: 'nf_conntrack_ftp', ports: [{ port: '21', protocol: 'tcp' }],
    });
  });

  it('unwraps plain and Variant values alike; reads object metadata; compares versions', () => {
    expect(unwrapDict({ a: v('s', 'x'), b: 3, c: { signature: 'b', value: true } })).toEqual({ a: 'x', b: 3, c: true });
    expect(metaFromProps({ builtin: true, default: false, filename: 'public.xml', path: '/usr/lib/firewalld/zones' })).toEqual({
      builtin: true, default: false, filename: 'public.xml', path: '/usr/lib/firewalld/zones',
    });
    expect(compareVersions('1.3.3', '2.0.0')).toBeLessThan(0);
    expect(compareVersions('2.0', '2.0.0')).toBe(0);
    expect(compareVersions('1.10.0', '1.9.9')).toBeGreaterThan(0);
  });
});
