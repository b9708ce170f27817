/**
 * Differential test: shared/firewall/validate.ts against firewalld's own Python checks
 * (firewall.functions, IPSet.check_entry, Zone/Policy/IPSet check_name) on this machine.
 * Needs the Debian package firewalld (which brings python3-firewall).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkIpsetEntry,
  checkName,
  isFirewalldPort,
  isIPv4,
  isIPv4Net,
  isIPv6,
  isIPv6Net,
  isMac,
  isProtocol,
  isUint32,
  normalizePort,
  type ObjectKind,
} from '../../shared/firewall/validate';

type Case = { fn: string; args: unknown[] };

const PY = `
import json, sys
from firewall import functions as f
from firewall.core.io.ipset import IPSet
from firewall.core.io.zone import Zone
from firewall.core.io.policy import Policy
from firewall.core.io.service import Service
cases = json.load(sys.stdin)
out = []
def ok(fn, *a):
    try:
        r = fn(*a)
        return r is not False
    except Exception:
        return False
def names(kind, name):
    obj = {'zone': Zone, 'policy': Policy, 'service': Service, 'ipset': IPSet}[kind]()
    return ok(obj.check_name, name)
for c in cases:
    fn, a = c['fn'], c['args']
    if fn == 'port': out.append(f.check_port(a[0]))
    elif fn == 'portStr': out.append(f.portStr(a[0], '-') if f.check_port(a[0]) else None)
    elif fn == 'ip4': out.append(f.checkIP(a[0]))
    elif fn == 'ip6': out.append(f.checkIP6(a[0]))
    elif fn == 'ip4net': out.append(f.checkIPnMask(a[0]))
    elif fn == 'ip6net': out.append(f.checkIP6nMask(a[0]))
    elif fn == 'mac': out.append(f.check_mac(a[0]))
    elif fn == 'proto': out.append(f.checkProtocol(a[0]))
    elif fn == 'uint32': out.append(f.checkUINT32(a[0]))
    elif fn == 'entry': out.append(ok(IPSet.check_entry, a[0], a[2], a[1]))
    elif fn == 'name': out.append(names(a[0], a[1]))
print(json.dumps(out))
`;

function firewalldSays(cases: Case[]): unknown[] {
  if (!existsSync('/usr/lib/python3/dist-packages/firewall/functions.py')) {
    throw new Error('firewalld\'s Python modules are missing. Run: sudo apt-get install -y firewalld');
  }
  const r = spawnSync('/usr/bin/python3', ['-c', PY], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown[];
}

function ours(c: Case): unknown {
  const [a, b, o] = c.args as [string, string, Record<string, string>];
  switch (c.fn) {
    case 'port': return isFirewalldPort(a);
    case 'portStr': return normalizePort(a) ?? null;
    case 'ip4': return isIPv4(a);
    case 'ip6': return isIPv6(a);
    case 'ip4net': return isIPv4Net(a);
    case 'ip6net': return isIPv6Net(a);
    case 'mac': return isMac(a);
    case 'proto': return isProtocol(a);
    case 'uint32': return isUint32(a);
    case 'entry': return checkIpsetEntry(a, b, o) === undefined;
    case 'name': return checkName(a as ObjectKind, b) === undefined;
  }
  throw new Error(c.fn);
}

/** The samples must hit both sides of every check, or the comparison proves little. */
function expectBothOutcomes(results: unknown[]) {
  expect(results.filter((r) => r === true || typeof r === 'string').length).toBeGreaterThan(results.length / 10);
  expect(results.filter((r) => r === false || r === null).length).toBeGreaterThan(results.length / 10);
}

const sample = <T>(arb: fc.Arbitrary<T>, n: number, seed: number) => fc.sample(arb, { numRuns: n, seed });

const portish = fc.oneof(
  fc.integer({ min: -5, max: 70000 }).map(String),
  fc.tuple(fc.integer({ min: 0, max: 70000 }), fc.integer({ min: 0, max: 70000 })).map(([a, b]) => `${a}-${b}`),
  fc.constantFrom('ssh', 'http', 'https', 'ssh-http', 'nope', 'ftp-data', '', ' 22', '+22', '22 ', '0', '65535', '65536', '1_0', '-', '22-', '-22', 'a-b-c', 'x11-ssh'),
  fc.stringMatching(/^[0-9a-z+ -]{0,8}$/),
);
const ip4ish = fc.oneof(
  fc.ipV4(),
  fc.ipV4Extended(),
  fc.tuple(fc.ipV4(), fc.oneof(fc.integer({ min: -1, max: 40 }).map(String), fc.ipV4(), fc.constantFrom('', '+8', '08', ' 8', 'x'))).map(([a, m]) => `${a}/${m}`),
  fc.stringMatching(/^[0-9./]{0,18}$/),
);
const ip6ish = fc.oneof(
  fc.ipV6(),
  fc.ipV6().map((a) => `[${a}]`),
  fc.tuple(fc.ipV6(), fc.integer({ min: -1, max: 140 })).map(([a, m]) => `${a}/${m}`),
  fc.stringMatching(/^[0-9a-fA-F:.[\]/]{0,24}$/),
  fc.constantFrom('::', ':::', '1::2::3', '::ffff:1.2.3.4', '1:2:3:4:5:6:7::', '::1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', '1:2:3:4:5:6:1.2.3.4', '1::1.2.3.4', '1.2.3.4::'),
);
const macish = fc.oneof(
  fc.mixedCase(fc.stringMatching(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/)),
  fc.stringMatching(/^[0-9a-fA-FgG:-]{15,19}$/),
);

describe('validate.ts equals firewalld 1.3.3 on', () => {
  it('ports, addresses, MACs, protocols and marks', () => {
    const cases: Case[] = [
      ...sample(portish, 600, 1).map((p) => ({ fn: 'port', args: [p] })),
      ...sample(portish, 300, 2).map((p) => ({ fn: 'portStr', args: [p] })),
      ...sample(ip4ish, 400, 3).flatMap((a) => [{ fn: 'ip4', args: [a] }, { fn: 'ip4net', args: [a] }]),
      ...sample(ip6ish, 600, 4).flatMap((a) => [{ fn: 'ip6', args: [a] }, { fn: 'ip6net', args: [a] }]),
      ...sample(macish, 200, 5).map((m) => ({ fn: 'mac', args: [m] })),
      ...sample(fc.oneof(fc.constantFrom('tcp', 'TCP', 'gre', 'esp', 'ipv6-icmp', 'icmp', 'nope', '255', '256', '-1', '+6', ' 6'), fc.stringMatching(/^[a-z0-9-]{0,8}$/)), 200, 6)
        .map((p) => ({ fn: 'proto', args: [p] })),
      ...sample(fc.oneof(fc.constantFrom('0x10', '0o7', '0b11', '010', '1_000', '4294967295', '4294967296', '-1', ' 5', '0x', '00'), fc.stringMatching(/^[0-9a-fx_ob+-]{0,10}$/)), 200, 7)
        .map((v) => ({ fn: 'uint32', args: [v] })),
    ];
    const theirs = firewalldSays(cases);
    expectBothOutcomes(theirs);
    const diffs = cases.map((c, i) => ({ c, ours: ours(c), theirs: theirs[i] })).filter((d) => d.ours !== d.theirs);
    expect(diffs).toEqual([]);
  });

  it('ipset entries of every type', () => {
    const entries: Array<[string, string, Record<string, string>]> = [];
    const v4 = ['192.0.2.1', '192.0.2.0/24', '10.0.0.0/0', '0.0.0.0', '192.0.2.1-192.0.2.9', '300.1.1.1', '2001:db8::1', '2001:db8::/32'];
    const v6 = ['2001:db8::1', '2001:db8::/64', '::/0', '2001:db8::1-2001:db8::9', '192.0.2.1'];
    const ports = ['80', 'tcp:80', 'udp:53', 'icmp:ping', 'icmp:8/0', 'icmpv6:ping', 'icmpv6:128/0', 'sctp:1-100', 'gre:0', 'tcp:99999', 'x:1', 'tcp:80:1'];
    const macs = ['52:54:00:12:34:56', '00:00:00:00:00:00', '52:54:00:12:34'];
    const ifaces = ['eth0', 'a-very-long-interface', 'bad/if'];
    const marks = ['0x10', '17', '-1', '0xzz', '4294967296'];
    const types: Record<string, string[][]> = {
      'hash:ip': [v4], 'hash:net': [v4], 'hash:mac': [macs], 'hash:ip,port': [v4, ports], 'hash:net,port': [v4, ports],
      'hash:ip,mark': [v4, marks], 'hash:net,iface': [v4, ifaces], 'hash:ip,port,ip': [v4, ports, v4], 'hash:ip,port,net': [v4, ports, v4],
      'hash:net,net': [v4, v4], 'hash:net,port,net': [v4, ports, v4],
    };
    for (const [type, parts] of Object.entries(types)) {
      const combos = parts.reduce<string[]>((acc, p) => acc.flatMap((a) => p.map((x) => (a ? `${a},${x}` : x))), ['']);
      for (const e of combos.slice(0, 120)) entries.push([e, type, {}]);
      if (type !== 'hash:mac') {
        const six = parts.map((p) => (p === v4 ? v6 : p));
        const c6 = six.reduce<string[]>((acc, p) => acc.flatMap((a) => p.map((x) => (a ? `${a},${x}` : x))), ['']);
        for (const e of c6.slice(0, 80)) entries.push([e, type, { family: 'inet6' }]);
      }
    }
    entries.push(['192.0.2.1,80', 'hash:ip', {}], ['', 'hash:ip', {}]);
    const cases = entries.map((args) => ({ fn: 'entry', args }));
    const theirs = firewalldSays(cases);
    expectBothOutcomes(theirs);
    const diffs = cases.map((c, i) => ({ c, ours: ours(c), theirs: theirs[i] })).filter((d) => d.ours !== d.theirs);
    expect(diffs).toEqual([]);
    // Refusals name the value.
    expect(checkIpsetEntry('300.1.1.1', 'hash:ip')).toBe('"300.1.1.1" is not a valid IPv4 address or network.');
  });

  it('zone, policy, service and ipset names', () => {
    const names = sample(fc.oneof(
      fc.stringMatching(/^[a-zA-Z0-9_./:-]{0,24}$/),
      fc.constantFrom('public', 'a/b', '/a', 'a/', 'a/b/c', 'x'.repeat(17), 'x'.repeat(18), 'x'.repeat(19), 'zone with space', 'ünï', 'a:b', 'a.b', ''),
    ), 300, 8);
    const cases: Case[] = names.flatMap((n) => (['zone', 'policy', 'service', 'ipset'] as const).map((k) => ({ fn: 'name', args: [k, n] })));
    const theirs = firewalldSays(cases);
    expectBothOutcomes(theirs);
    const diffs = cases.map((c, i) => ({ c, ours: ours(c), theirs: theirs[i] })).filter((d) => d.ours !== d.theirs);
    expect(diffs).toEqual([]);
  });
});
