/**
 * Reading `nft -j list ruleset` and attributing its rules, on a ruleset recorded from a real
 * firewalld 1.3.3 (fixtures/, re-recorded by `npx tsx test/firewall/rules/_dump.ts`: zones with
 * services, ports, sources, rich rules of every action, icmp blocks, masquerade, forward ports,
 * a policy, a rule added by hand and a foreign table), and on hand-written JSON in the other
 * shapes nft versions list the same thing in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attributeRuleset, chainOwner, layoutOf, NftJsonError, parseNftRuleset, type RulesReport } from '../../../shared/firewall/rules';
import type { LayerState } from '../../../shared/firewall/model';
import { richRuleKey } from '../../../shared/firewall/rich-rule';
import { WORK_RICH_RULES } from './configure';

const dir = join(import.meta.dirname, 'fixtures');
const json = readFileSync(join(dir, 'firewalld-1.3.3.json'), 'utf8');
const text = readFileSync(join(dir, 'firewalld-1.3.3.txt'), 'utf8');
const model = JSON.parse(readFileSync(join(dir, 'firewalld-1.3.3.model.json'), 'utf8')) as { defaultZone: string; runtime: LayerState };

const rs = parseNftRuleset(json);
const report = attributeRuleset(rs, model.runtime, { defaultZone: model.defaultZone });
const rulesOf = (r: RulesReport, chain: string) => r.chains.find((c) => c.name === chain)?.rules ?? [];
const rule = (r: RulesReport, chain: string, text: string) => {
  const x = rulesOf(r, chain).find((y) => y.text === text);
  if (!x) throw new Error(`no rule "${text}" in ${chain}: ${rulesOf(r, chain).map((y) => y.text).join(' | ')}`);
  return x;
};

describe('nft JSON → rules', () => {
  it("prints every rule exactly as nft itself does (differential against the recorded `nft -a list ruleset`)", () => {
    const byHandle = new Map<number, string>();
    for (const line of text.split('\n')) {
      const m = /^\s*(.*\S) # handle (\d+)$/.exec(line);
      if (m && !/^(chain|table|set|ct helper)\b/.test(m[1]!)) byHandle.set(Number(m[2]), m[1]!.replace(/ counter packets \d+ bytes \d+/, ''));
    }
    expect(rs.rules.length).toBeGreaterThan(250);
    expect(rs.rules.map((r) => `${r.handle} ${r.text}`)).toEqual(rs.rules.map((r) => `${r.handle} ${byHandle.get(r.handle!)}`));
    expect(rs.version).toBe('1.0.6');
  });

  it('normalises the shapes one set, prefix, range or address is listed in', () => {
    const facts = (right: unknown, field = 'saddr', proto = 'ip') =>
      parseNftRuleset({ nftables: [{ rule: { family: 'inet', table: 't', chain: 'c', expr: [{ match: { op: '==', left: { payload: { protocol: proto, field } }, right } }, { accept: null }] } }] }).rules[0]!;
    // firewalld sends {"set": [...]}; listings give that, a bare array, or a plain value for one element.
    expect(facts({ set: ['established', 'related'] }, 'state').facts).toEqual(facts(['related', 'established'], 'state').facts);
    const ct = parseNftRuleset({ nftables: [{ rule: { family: 'inet', table: 't', chain: 'c', expr: [{ match: { op: 'in', left: { ct: { key: 'state' } }, right: ['established', 'related'] } }, { accept: null }] } }] }).rules[0]!;
    expect(ct.facts.ctState).toBe('established,related');
    expect(ct.text).toBe('ct state { established, related } accept');
    expect(facts({ prefix: { addr: '192.0.2.7', len: 32 } }).facts.saddr).toBe('192.0.2.7');
    expect(facts({ prefix: { addr: '2001:0db8:0000::', len: 48 } }, 'saddr', 'ip6').facts.saddr).toBe('2001:db8::/48');
    expect(facts('2001:DB8:0:0:0:0:0:1', 'saddr', 'ip6').facts.saddr).toBe('2001:db8::1');
    expect(facts({ range: [7000, 7010] }, 'dport', 'udp').facts).toMatchObject({ proto: 'udp', dport: '7000-7010' });
    expect(facts({ set: [{ range: [1, 2] }, 80] }, 'dport', 'tcp').text).toBe('tcp dport { 1-2, 80 } accept');
    expect(facts({ set: [{ elem: { val: '10.0.0.1', timeout: 30 } }] }).facts.saddr).toBe('10.0.0.1');
    expect(facts({ concat: ['10.0.0.1', 80] }).text).toBe('ip saddr 10.0.0.1 . 80 accept');
    expect(facts('@hd-allow').facts.saddr).toBe('@hd-allow');
  });

  it('reads counters apart from the text', () => {
    const hand = rule(report, 'filter_IN_work_allow', 'tcp dport 31337 accept');
    expect(hand.counter).toEqual({ packets: 0, bytes: 0 });
    expect(report.counters).toBe(true);
  });

  it('names what is not an nft listing, and never throws on expressions it does not know', () => {
    expect(() => parseNftRuleset('{"nftables": ')).toThrow(NftJsonError);
    expect(() => parseNftRuleset('{"tables": []}')).toThrow(/top level must be \{"nftables": \[\.\.\.\]\}/);
    expect(() => parseNftRuleset({ nftables: [{ metainfo: { json_schema_version: 2 } }] })).toThrow(/json_schema_version 2/);
    const odd = parseNftRuleset({ nftables: [{ rule: { family: 'inet', table: 't', chain: 'c', expr: [{ flow: { op: 'add', flowtable: '@ft' } }, 42, { match: { op: '==', left: { osf: { key: 'name' } }, right: 'Linux' } }] } }] });
    expect(odd.rules[0]!.text).toContain('flow {"op":"add","flowtable":"@ft"}');
    expect(odd.rules[0]!.facts.other.length).toBeGreaterThan(1);
  });
});

describe('each rule attributed to the firewalld element that made it (firewalld 1.3.3)', () => {
  it('explains every rule of firewalld\'s table but the one added by hand; the foreign table is apart', () => {
    const foreign = report.chains.flatMap((c) => c.rules.filter((r) => r.foreign).map((r) => `${c.name}: ${r.text}`));
    expect(foreign).toEqual(['filter_IN_work_allow: tcp dport 31337 accept']);
    expect(report.foreignTables).toEqual([{ family: 'ip', name: 'hd_docker', chains: [expect.objectContaining({ name: 'FORWARD', rules: [expect.objectContaining({ text: 'ip daddr 172.17.0.0/16 accept', foreign: true, counter: { packets: 0, bytes: 0 } })] })] }]);
    expect(report.totals).toEqual({ rules: rs.rules.length, attributed: rs.rules.length - 2, foreign: 2 });
    expect(report.layout).toBe('1.x');
  });

  it('services (and which of their ports, through includes), ports, protocols, source ports', () => {
    expect(rule(report, 'filter_IN_work_allow', 'tcp dport 80 accept').madeBy).toEqual([expect.objectContaining({ kind: 'service', service: 'http', port: '80/tcp', zone: 'work' })]);
    expect(rule(report, 'filter_IN_work_allow', 'udp dport 137 ct helper set "helper-netbios-ns-udp"').madeBy[0]).toMatchObject({ kind: 'service', service: 'samba', words: expect.stringContaining('samba-client → netbios-ns') });
    expect(rule(report, 'filter_IN_work_allow', 'ip6 daddr fe80::/64 udp dport 546 accept').madeBy[0]).toMatchObject({ kind: 'service', service: 'dhcpv6-client' });
    expect(rule(report, 'filter_IN_work_allow', 'udp dport 7000-7010 accept').madeBy).toEqual([expect.objectContaining({ kind: 'port', port: '7000-7010/udp', words: 'Port 7000-7010/udp is open in zone work' })]);
    expect(rule(report, 'filter_IN_work_allow', 'meta l4proto gre accept').madeBy[0]).toMatchObject({ kind: 'protocol', firewalld: 'protocol gre' });
    expect(rule(report, 'filter_IN_work_allow', 'udp sport 5353 accept').madeBy[0]).toMatchObject({ kind: 'source-port' });
    expect(rule(report, 'filter_OUT_policy_hd-out_allow', 'tcp dport 443 accept').madeBy[0]).toMatchObject({ kind: 'service', policy: 'hd-out', service: 'https' });
  });

  it('every rich rule of zone work is matched to its own nft rules, in the part its priority and action choose', () => {
    const byRich = new Map<string, string[]>();
    const key = (t: string) => richRuleKey(t);
    for (const c of report.chains) for (const r of c.rules) for (const m of r.madeBy) if (m.richRule) byRich.set(richRuleKey(m.richRule), [...(byRich.get(richRuleKey(m.richRule)) ?? []), `${c.name}: ${r.text}`]);
    for (const text of WORK_RICH_RULES) expect(byRich.get(richRuleKey(text)), text).toBeDefined();
    expect(byRich.get(key(WORK_RICH_RULES[5]!))).toEqual(['filter_IN_work_pre: ip saddr 203.0.113.10 drop']);
    expect(byRich.get(key(WORK_RICH_RULES[2]!))).toEqual(['filter_IN_work_deny: ip saddr 198.51.100.8 reject with icmp host-prohibited']);
    expect(byRich.get(key(WORK_RICH_RULES[6]!))).toEqual(['filter_IN_work_allow: tcp dport 21 ct helper set "helper-ftp-tcp"', 'filter_IN_work_post: tcp dport 21 accept']);
    expect(byRich.get(key(WORK_RICH_RULES[7]!))).toEqual(['filter_IN_work_log: ip saddr 203.0.113.11 log level audit', 'filter_IN_work_allow: ip saddr 203.0.113.11 accept']);
    expect(byRich.get(key(WORK_RICH_RULES[9]!))).toEqual(['nat_POST_work_allow: ip saddr 203.0.113.13 oifname != "lo" masquerade']);
    expect(byRich.get(key(WORK_RICH_RULES[10]!))).toEqual(['nat_PRE_work_allow: meta nfproto ipv4 tcp dport 2222 redirect to :22']);
    // The two rejects differ only in their type: each is matched to its own.
    expect(rule(report, 'filter_IN_work_deny', 'ip saddr 198.51.100.7 reject with icmp port-unreachable').madeBy.map((m) => richRuleKey(m.richRule!))).toEqual([key(WORK_RICH_RULES[1]!)]);
  });

  it('bindings, the default zone, targets, icmp blocks, masquerade, forward ports, intra-zone forwarding, base rules', () => {
    expect(rule(report, 'filter_INPUT_ZONES', 'ip saddr @hd-allow goto filter_IN_internal').madeBy[0]).toMatchObject({ kind: 'source', zone: 'internal', firewalld: 'source ipset:hd-allow' });
    expect(rule(report, 'filter_INPUT_ZONES', 'ip6 saddr 2001:db8:1::/48 goto filter_IN_work').madeBy[0]).toMatchObject({ kind: 'source', zone: 'work' });
    expect(rule(report, 'filter_INPUT_ZONES', 'iifname "eth7" goto filter_IN_work').madeBy[0]).toMatchObject({ kind: 'interface', zone: 'work' });
    expect(rule(report, 'filter_INPUT_ZONES', 'goto filter_IN_public').madeBy[0]).toMatchObject({ kind: 'default-zone', zone: 'public' });
    expect(rule(report, 'filter_IN_dmz', 'drop').madeBy[0]).toMatchObject({ kind: 'target', firewalld: 'target DROP' });
    expect(rule(report, 'filter_OUT_policy_hd-out', 'reject with icmpx admin-prohibited').madeBy[0]).toMatchObject({ kind: 'target', policy: 'hd-out', firewalld: 'target REJECT' });
    expect(rule(report, 'filter_IN_work_deny', 'icmpv6 type echo-request reject with icmpx admin-prohibited').madeBy[0]).toMatchObject({ kind: 'icmp-block', firewalld: 'icmp-block echo-request' });
    expect(rule(report, 'filter_IN_dmz_allow', 'icmp type echo-reply accept').madeBy[0]).toMatchObject({ kind: 'icmp-block-inversion' });
    expect(rule(report, 'nat_POST_work_allow', 'meta nfproto ipv4 oifname != "lo" masquerade').madeBy[0]).toMatchObject({ kind: 'masquerade', zone: 'work' });
    expect(rule(report, 'nat_PRE_work_allow', 'meta nfproto ipv4 udp dport 5353 dnat ip to 10.20.0.5:53').madeBy[0]).toMatchObject({ kind: 'forward-port', port: '5353/udp' });
    expect(rule(report, 'filter_FWD_work_allow', 'oifname "eth7" accept').madeBy[0]).toMatchObject({ kind: 'forward', zone: 'work' });
    expect(rule(report, 'filter_INPUT', 'ct state { established, related } accept').madeBy[0]).toMatchObject({ kind: 'base' });
    expect(rule(report, 'filter_PREROUTING', 'meta nfproto ipv6 fib saddr . mark . iif oif missing drop').madeBy[0]).toMatchObject({ firewalld: 'IPv6_rpfilter' });
    expect(rule(report, 'filter_OUTPUT_POLICIES_pre', 'jump filter_OUT_policy_hd-out').madeBy[0]).toMatchObject({ kind: 'policy', policy: 'hd-out' });
  });

  it('a rule whose element is gone from the model is flagged, not guessed (the model is the reference)', () => {
    const without = structuredClone(model.runtime);
    without.zones.work!.ports = without.zones.work!.ports.filter((p) => p.port !== '8080');
    without.zones.work!.sources = without.zones.work!.sources.filter((s) => s !== '10.20.0.0/16');
    const r = attributeRuleset(rs, without, { defaultZone: model.defaultZone });
    expect(rule(r, 'filter_IN_work_allow', 'tcp dport 8080 accept').foreign).toBe(true);
    expect(rule(r, 'filter_INPUT_ZONES', 'ip saddr 10.20.0.0/16 goto filter_IN_work')).toMatchObject({ foreign: true, note: 'zone work has no source 10.20.0.0/16 in the runtime configuration' });
    const other = attributeRuleset(rs, model.runtime, { defaultZone: 'dmz' });
    expect(rule(other, 'filter_INPUT_ZONES', 'goto filter_IN_public').foreign).toBe(true);
  });

  it('--zone keeps the zone\'s chains and the dispatch rules leading to them', () => {
    const r = attributeRuleset(rs, model.runtime, { defaultZone: model.defaultZone, zone: 'dmz' });
    expect(new Set(r.chains.map((c) => c.zone ?? c.name))).toEqual(new Set(['dmz', 'mangle_PREROUTING_ZONES', 'nat_PREROUTING_ZONES', 'nat_POSTROUTING_ZONES', 'filter_INPUT_ZONES', 'filter_FORWARD_ZONES']));
    expect(rulesOf(r, 'filter_INPUT_ZONES').map((x) => x.text)).toEqual(['iifname "eth8" goto filter_IN_dmz']);
    expect(r.foreignTables).toHaveLength(1);
  });
});

describe('firewalld 2.x chain names', () => {
  const known = { zones: new Set(['public', 'my_allow']), policies: new Set(['allow-host-ipv6']) };
  it('reads the dispatch chains of 2.0-2.4 and 2.5+, and zone names that end like a part', () => {
    expect(layoutOf(['filter_INPUT', 'filter_INPUT_POLICIES', 'filter_INPUT_ZONES'])).toBe('2.0-2.4');
    expect(layoutOf(['filter_INPUT', 'filter_INPUT_dispatch', 'filter_INPUT_dispatch_stage2'])).toBe('2.5+');
    expect(chainOwner('filter_INPUT_dispatch_stage2', known)).toEqual({ kind: 'dispatch', table: 'filter', hook: 'INPUT', stage: 'dispatch_stage2' });
    expect(chainOwner('filter_IN_my_allow', known)).toEqual({ kind: 'zone', name: 'my_allow', table: 'filter', direction: 'IN' });
    expect(chainOwner('filter_IN_my_allow_allow', known)).toEqual({ kind: 'zone', name: 'my_allow', table: 'filter', direction: 'IN', part: 'allow' });
    expect(chainOwner('filter_IN_policy_allow-host-ipv6_deny', known)).toEqual({ kind: 'policy', name: 'allow-host-ipv6', table: 'filter', direction: 'IN', part: 'deny' });
  });

  it('attributes zone rules and the 2.x dispatch jumps alike', () => {
    const chain = (name: string, hook?: string) => ({ chain: { family: 'inet', table: 'firewalld', name, ...(hook ? { type: 'filter', hook, prio: 10, policy: 'accept' } : {}) } });
    const r = (ch: string, expr: unknown[]) => ({ rule: { family: 'inet', table: 'firewalld', chain: ch, expr } });
    const v2 = parseNftRuleset({
      nftables: [
        { table: { family: 'inet', name: 'firewalld' } },
        chain('filter_INPUT', 'input'),
        chain('filter_INPUT_POLICIES'),
        chain('filter_INPUT_ZONES'),
        chain('filter_IN_public'),
        chain('filter_IN_public_allow'),
        r('filter_INPUT', [{ jump: { target: 'filter_INPUT_POLICIES' } }]),
        r('filter_INPUT_POLICIES', [{ jump: { target: 'filter_INPUT_ZONES' } }]),
        r('filter_INPUT_ZONES', [{ match: { op: '==', left: { meta: { key: 'iifname' } }, right: 'eth0' } }, { goto: { target: 'filter_IN_public' } }]),
        r('filter_IN_public', [{ jump: { target: 'filter_IN_public_allow' } }]),
        r('filter_IN_public_allow', [{ match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 22 } }, { counter: { packets: 7, bytes: 420 } }, { accept: null }]),
      ],
    });
    const layer = structuredClone(model.runtime);
    layer.zones.public!.interfaces = ['eth0'];
    const out = attributeRuleset(v2, layer, { defaultZone: 'public' });
    expect(out.layout).toBe('2.0-2.4');
    expect(out.chains.flatMap((c) => c.rules.filter((x) => x.foreign))).toEqual([]);
    expect(rule(out, 'filter_IN_public_allow', 'tcp dport 22 accept')).toMatchObject({ counter: { packets: 7, bytes: 420 }, madeBy: [expect.objectContaining({ kind: 'service', service: 'ssh' })] });
    expect(rule(out, 'filter_INPUT_ZONES', 'iifname "eth0" goto filter_IN_public').madeBy[0]).toMatchObject({ kind: 'interface' });
  });
});

describe('LogDenied', () => {
  it("firewalld's log rules (all prefixes LogDenied adds) are firewalld's, not foreign", () => {
    const r = (chain: string, expr: unknown[]) => ({ rule: { family: 'inet', table: 'firewalld', chain, expr } });
    const log = (prefix: string) => ({ log: { prefix } });
    const unicast = { match: { op: '==', left: { meta: { key: 'pkttype' } }, right: 'host' } };
    const rs2 = parseNftRuleset({
      nftables: [
        { table: { family: 'inet', name: 'firewalld' } },
        { chain: { family: 'inet', table: 'firewalld', name: 'filter_INPUT', type: 'filter', hook: 'input', prio: 10, policy: 'accept' } },
        { chain: { family: 'inet', table: 'firewalld', name: 'filter_IN_public' } },
        r('filter_INPUT', [{ match: { op: 'in', left: { ct: { key: 'state' } }, right: 'invalid' } }, log('STATE_INVALID_DROP: ')]),
        r('filter_INPUT', [unicast, log('FINAL_REJECT: ')]),
        r('filter_IN_public', [unicast, log('filter_IN_public_REJECT: ')]),
        r('filter_IN_public', [log('filter_IN_other_REJECT: ')]),
      ],
    });
    const out = attributeRuleset(rs2, model.runtime, { defaultZone: 'public' });
    expect(out.chains.flatMap((c) => c.rules.map((x) => `${x.foreign ? 'foreign' : x.madeBy[0]!.kind}: ${x.text}`))).toEqual([
      'log-denied: ct state invalid log prefix "STATE_INVALID_DROP: "',
      'log-denied: pkttype host log prefix "FINAL_REJECT: "',
      'log-denied: pkttype host log prefix "filter_IN_public_REJECT: "',
      'foreign: log prefix "filter_IN_other_REJECT: "',
    ]);
  });
});
