import protocolsData from '../data/protocols.json';
import type { LayerState, Policy, Zone } from '../model';
import { parseRichRule, type RichRule } from '../rich-rule';
import { getPortRange } from '../validate';
import { familyOf, inNet, isMacAddress, parseNet, sampleAddress, type Family } from './addr';
import type { ExplainCase, Explanation, Flow, Step, Verdict, ZoneChoice } from './flow';

/**
 * "Will this packet pass?" answered from HostDeck's model of one firewalld layer, in the order
 * firewalld 1.x's nftables backend (src/firewall/core/nftables.py) evaluates it:
 *
 * filter_INPUT: ct state established,related accept; ct status dnat accept; iifname "lo"
 * accept; ct state invalid drop; jump filter_INPUT_ZONES (goto the zone: sources first, in
 * zone-name order, then interfaces, then the default zone's catch-all); FINAL_REJECT.
 * filter_IN_<zone>: jump filter_INPUT_POLICIES_pre (policies with priority < 0), _pre (rich
 * rules priority < 0), _log (priority-0 log/audit), _deny (icmp blocks, priority-0
 * reject/drop), _allow (services, ports, source ports, rich accept, protocols), _post (rich
 * rules priority > 0), jump filter_INPUT_POLICIES_post, then the ICMP rule of the `default`
 * target (accept, or reject with icmp-block-inversion), the LogDenied log, the target.
 * Forwarded packets take filter_FORWARD / filter_FWD_<zone> the same way. forward-ports are
 * DNAT in nat_PREROUTING and accepted by `ct status dnat accept`.
 */

export interface ExplainOptions {
  /** The default zone (runtime: getDefaultZone; permanent: firewalld.conf DefaultZone). */
  defaultZone: string;
  /** LogDenied: all, unicast, broadcast, multicast, off. */
  logDenied?: string;
  /** Entries of ipsets when known (the state carries only counts). */
  ipsetEntries?: Readonly<Record<string, readonly string[]>>;
  /** Most cases to enumerate for unknown interface / source. */
  maxCases?: number;
}

/** true, false, or the reason it is unknown. */
type Tri = true | false | string;

const PROTO_NUM: Record<string, number> = { tcp: 6, udp: 17, sctp: 132, dccp: 33, icmp: 1, icmpv6: 58 };
const PROTOCOLS: Record<string, number> = Object.fromEntries(
  Object.entries((protocolsData as { protocols: Record<string, number> }).protocols).map(([k, v]) => [k.toLowerCase(), v]),
);
const REJECT_ADMIN = 'icmpx admin-prohibited';
/** firewalld's rich reject types (nftables.py _reject_types_fragment). */
const REJECT_TYPES: Record<string, string> = {
  'icmp-host-prohibited': 'icmp host-prohibited', 'host-prohib': 'icmp host-prohibited',
  'icmp-net-prohibited': 'icmp net-prohibited', 'net-prohib': 'icmp net-prohibited',
  'icmp-admin-prohibited': 'icmp admin-prohibited', 'admin-prohib': 'icmp admin-prohibited',
  'icmp6-adm-prohibited': 'icmpv6 admin-prohibited', 'adm-prohibited': 'icmpv6 admin-prohibited',
  'icmp-net-unreachable': 'icmp net-unreachable', 'net-unreach': 'icmp net-unreachable',
  'icmp-host-unreachable': 'icmp host-unreachable', 'host-unreach': 'icmp host-unreachable',
  'icmp-port-unreachable': 'icmp port-unreachable', 'icmp6-port-unreachable': 'icmpv6 port-unreachable',
  'port-unreach': 'icmpx port-unreachable', 'icmp-proto-unreachable': 'icmp prot-unreachable',
  'proto-unreach': 'icmp prot-unreachable', 'icmp6-addr-unreachable': 'icmpv6 addr-unreachable',
  'addr-unreach': 'icmpv6 addr-unreachable', 'icmp6-no-route': 'icmpv6 no-route', 'no-route': 'icmpv6 no-route',
  'tcp-reset': 'tcp reset', 'tcp-rst': 'tcp reset',
};

/** What a client sees for a verdict (the errno a connect/recv returns). */
export function clientSees(verdict: Verdict, rejectWith?: string, protocol?: string, family?: Family): string {
  if (verdict === 'accept') return 'the packet reaches its destination (a closed port there still answers "connection refused")';
  if (verdict === 'drop') return 'nothing: the client waits until it times out';
  if (!rejectWith) return 'an error at once';
  // Checked on Linux 6.18: a TCP connect over IPv6 ignores every ICMPv6 error firewalld can send
  // (admin-prohibited, port/addr unreachable, no route) and keeps retrying its SYN.
  if (protocol === 'tcp' && family === 'ipv6' && rejectWith !== 'tcp reset') return `an ICMPv6 ${rejectWith.split(' ').pop()} error, which a Linux TCP client ignores while connecting: it retries and times out, as if dropped (reject type "tcp-reset" refuses at once)`;
  // Linux treats ICMP net/host unreachable as soft errors: a UDP socket only reports them with
  // IP_RECVERR, so most UDP programs see a time-out although the packet was rejected.
  if (protocol === 'udp' && /(net|host)-unreachable$/.test(rejectWith)) return `an ICMP ${rejectWith.split(' ').pop()} error, which most UDP programs never see (Linux reports it only with IP_RECVERR): it looks like a time-out`;
  if (rejectWith === 'tcp reset' || rejectWith.endsWith('port-unreachable')) return '"connection refused" at once (ECONNREFUSED)';
  if (rejectWith.endsWith('net-unreachable') || rejectWith.endsWith('no-route')) return '"network is unreachable" at once';
  return '"no route to host" at once (EHOSTUNREACH: ICMP ' + rejectWith.split(' ').pop() + ')';
}

const richCache = new Map<string, RichRule | null>();
function rich(text: string): RichRule | undefined {
  let r = richCache.get(text);
  if (r === undefined) {
    const p = parseRichRule(text);
    r = p.ok ? p.rule : null;
    if (richCache.size > 50_000) richCache.clear();
    richCache.set(text, r);
  }
  return r ?? undefined;
}

interface Ctx {
  state: LayerState;
  opts: ExplainOptions;
  flow: Flow;
  family?: Family;
  /** The source is known to be in none of the zones' sources (the "any other source" case). */
  srcOutsideSources: boolean;
  path: Step[];
  alternatives: Explanation['alternatives'];
  assumptions: Set<string>;
}

interface Decision {
  verdict: Verdict;
  rejectWith?: string;
  step: Step;
  logPrefix?: string;
}

function and(...parts: Tri[]): Tri {
  const maybes: string[] = [];
  for (const p of parts) {
    if (p === false) return false;
    if (typeof p === 'string') maybes.push(p);
  }
  return maybes.length ? [...new Set(maybes)].join(' and ') : true;
}

// ------------------------------------------------------------------------------------------
// Matching one field

function matchAddress(ctx: Ctx, value: string, field: 'src' | 'dst', invert = false): Tri {
  const r = matchAddressPlain(ctx, value, field);
  if (!invert || typeof r === 'string') return r;
  return !r;
}

function matchAddressPlain(ctx: Ctx, value: string, field: 'src' | 'dst'): Tri {
  const what = field === 'src' ? 'the source address' : 'the destination address';
  if (value.startsWith('ipset:')) return matchIpset(ctx, value.slice(6), field);
  if (isMacAddress(value)) {
    if (field === 'dst') return false;
    if (!ctx.flow.srcMac) return 'the source MAC address';
    return ctx.flow.srcMac.toLowerCase() === value.toLowerCase();
  }
  const net = parseNet(value);
  if (!net) return false;
  if (ctx.family && ctx.family !== net.family) return false;
  const addr = ctx.flow[field];
  if (!addr) return field === 'src' && ctx.srcOutsideSources && isZoneSource(ctx, value) ? false : what;
  const a = parseNet(addr);
  return !!a && inNet(a, net);
}

function isZoneSource(ctx: Ctx, value: string): boolean {
  return Object.values(ctx.state.zones).some((z) => z.sources.includes(value));
}

function matchIpset(ctx: Ctx, name: string, field: 'src' | 'dst'): Tri {
  const set = ctx.state.ipsets[name];
  const setFamily: Family = set?.options.family === 'inet6' ? 'ipv6' : 'ipv4';
  if (set && !set.type.startsWith('hash:mac') && ctx.family && ctx.family !== setFamily) return false;
  const entries = ctx.opts.ipsetEntries?.[name];
  if (!entries) {
    ctx.assumptions.add(`The entries of ipset ${name} were not loaded: whether the packet matches it is unknown.`);
    return `whether the ${field === 'src' ? 'source' : 'destination'} is in ipset ${name}`;
  }
  if (set?.type.startsWith('hash:mac')) {
    if (field === 'dst') return false;
    if (!ctx.flow.srcMac) return 'the source MAC address';
    return entries.some((e) => e.toLowerCase() === ctx.flow.srcMac!.toLowerCase());
  }
  const addr = ctx.flow[field];
  if (!addr) return field === 'src' ? 'the source address' : 'the destination address';
  const a = parseNet(addr);
  if (!a) return false;
  // hash:ip,port and the like carry more than an address; the address is their first part.
  return entries.some((e) => {
    const n = parseNet(e.split(',')[0]!.trim());
    return !!n && inNet(a, n);
  });
}

function matchPort(ctx: Ctx, port: string, protocol: string, field: 'dport' | 'sport'): Tri {
  const f = ctx.flow;
  if (!f.protocol) return 'the protocol';
  if (f.protocol !== protocol) return false;
  const range = getPortRange(port);
  if (!Array.isArray(range)) return false;
  const value = f[field];
  if (value === undefined) return field === 'dport' ? 'the destination port' : 'the source port';
  return range.length === 1 ? value === range[0] : value >= range[0] && value <= range[1];
}

function protocolNumber(value: string): number | undefined {
  if (/^\d+$/.test(value)) return Number(value);
  return PROTOCOLS[value.toLowerCase()];
}

function matchProtocol(ctx: Ctx, value: string): Tri {
  if (!ctx.flow.protocol) return 'the protocol';
  const want = protocolNumber(value);
  return want !== undefined && want === PROTO_NUM[ctx.flow.protocol];
}

function icmpFamilies(ctx: Ctx, name: string): Family[] {
  const t = ctx.state.icmptypes[name];
  const d = t?.destinations ?? [];
  if (!d.length) return ['ipv4', 'ipv6'];
  return d.filter((x): x is Family => x === 'ipv4' || x === 'ipv6');
}

function matchIcmpType(ctx: Ctx, name: string): Tri {
  const f = ctx.flow;
  if (!f.protocol) return 'the protocol';
  if (f.protocol !== 'icmp' && f.protocol !== 'icmpv6') return false;
  const fam: Family = f.protocol === 'icmp' ? 'ipv4' : 'ipv6';
  if (!icmpFamilies(ctx, name).includes(fam)) return false;
  if (!f.icmpType) return 'the ICMP type';
  return f.icmpType === name;
}

function isIcmp(ctx: Ctx): Tri {
  if (!ctx.flow.protocol) return 'the protocol';
  return ctx.flow.protocol === 'icmp' || ctx.flow.protocol === 'icmpv6';
}

/** A service: which of its ports (or protocols, source ports) matches, honouring its destination and includes. */
function matchService(ctx: Ctx, name: string, seen = new Set<string>()): { tri: Tri; port?: string } {
  const svc = ctx.state.services[name];
  if (seen.has(name)) return { tri: false };
  // A live firewalld refuses a zone naming a service it does not define: a service missing here
  // is one the record does not hold (an import of --list-all-zones), so its ports are unknown.
  if (!svc) {
    ctx.assumptions.add(`The definition of service ${name} is not known here (the record holds its name only): whether its ports match is unknown.`);
    return { tri: `the ports of service ${name}` };
  }
  seen.add(name);
  let dest: Tri = true;
  const d = svc.destination ?? {};
  if (d.ipv4 || d.ipv6) {
    // firewalld writes the service's rules only for the families it has a destination for.
    const fams: Family[] = [];
    if (d.ipv4) fams.push('ipv4');
    if (d.ipv6) fams.push('ipv6');
    if (ctx.family && !fams.includes(ctx.family)) return { tri: false };
    const target = ctx.family ? d[ctx.family] : undefined;
    dest = target ? matchAddress(ctx, target, 'dst') : 'the address family';
  }
  let maybe: { tri: string; port?: string } | undefined;
  const consider = (t: Tri, port: string) => {
    const all = and(dest, t);
    if (all === true) return { tri: true as Tri, port };
    if (typeof all === 'string' && !maybe) maybe = { tri: all, port };
    return undefined;
  };
  for (const p of svc.ports) {
    const hit = consider(matchPort(ctx, p.port, p.protocol, 'dport'), `${p.port}/${p.protocol}`);
    if (hit) return hit;
  }
  for (const p of svc.protocols) {
    const hit = consider(matchProtocol(ctx, p), `protocol ${p}`);
    if (hit) return hit;
  }
  for (const p of svc.sourcePorts) {
    const hit = consider(matchPort(ctx, p.port, p.protocol, 'sport'), `source port ${p.port}/${p.protocol}`);
    if (hit) return hit;
  }
  for (const inc of svc.includes) {
    const r = matchService(ctx, inc, seen);
    if (r.tri === true) return { tri: true, port: `${r.port} (from included service ${inc})` };
    if (typeof r.tri === 'string' && !maybe) maybe = { tri: r.tri, port: r.port };
  }
  return maybe ?? { tri: false };
}

function matchFamily(ctx: Ctx, family: Family | undefined): Tri {
  if (!family) return true;
  if (!ctx.family) return 'the address family';
  return ctx.family === family;
}

// ------------------------------------------------------------------------------------------
// Chains

/** One element of a chain, in firewalld's order. `decide` undefined = non-terminal (log, mark). */
interface Element {
  step: Omit<Step, 'outcome' | 'chain'>;
  match: () => Tri;
  decide?: { verdict: Verdict; rejectWith?: string };
}

interface ChainResult {
  decision?: Decision;
}

function runChain(ctx: Ctx, chain: string, elements: Element[]): ChainResult {
  let skipped = 0;
  for (const el of elements) {
    const m = el.match();
    if (m === false) {
      skipped++;
      continue;
    }
    if (typeof m === 'string') {
      const step: Step = { ...el.step, chain, outcome: 'maybe', dependsOn: m };
      if (el.decide) {
        step.rejectWith = el.decide.rejectWith;
        ctx.alternatives.push({ when: `if ${m} matches ${el.step.firewalld}`, verdict: el.decide.verdict, decidedBy: { ...step } });
      }
      ctx.path.push(step);
      continue;
    }
    if (!el.decide) {
      ctx.path.push({ ...el.step, chain, outcome: 'continue' });
      continue;
    }
    if (skipped) ctx.path.push(skippedStep(chain, skipped));
    const step: Step = { ...el.step, chain, outcome: el.decide.verdict, rejectWith: el.decide.rejectWith };
    ctx.path.push(step);
    return { decision: { verdict: el.decide.verdict, rejectWith: el.decide.rejectWith, step } };
  }
  if (skipped) ctx.path.push(skippedStep(chain, skipped));
  return {};
}

function skippedStep(chain: string, n: number): Step {
  return {
    kind: 'dispatch',
    words: `${n} element${n === 1 ? '' : 's'} in ${chain} did not match`,
    firewalld: chain,
    chain,
    outcome: 'no-match',
  };
}

type ChainPart = 'pre' | 'log' | 'deny' | 'allow' | 'post';

/** The part of a zone's chain a rich rule's action lands in (firewalld's nftables.py); the rules view attributes by it too. */
export function richChainPart(rule: RichRule): ChainPart | undefined {
  const el = rule.element?.type;
  if (rule.priority < 0) return 'pre';
  if (rule.priority > 0) return 'post';
  if (el === 'masquerade' || el === 'forward-port' || el === 'tcp-mss-clamp') return 'allow';
  if (rule.action?.type === 'accept' || rule.action?.type === 'mark') return 'allow';
  if (el === 'icmp-block' || rule.action?.type === 'reject' || rule.action?.type === 'drop') return 'deny';
  return undefined;
}

function rejectOf(rule: RichRule): string {
  if (rule.action?.type === 'reject') return rule.action.rejectType ? (REJECT_TYPES[rule.action.rejectType] ?? rule.action.rejectType) : 'icmpx port-unreachable';
  return REJECT_ADMIN;
}

/** A rich rule's source or destination in the form zone sources use ("ipset:NAME" for ipsets). */
function richAddress(a: { kind: string; value: string }): string {
  return a.kind === 'ipset' ? `ipset:${a.value}` : a.value;
}

/** The filter match of a rich rule (family, source, destination, element) for this packet. */
function matchRich(ctx: Ctx, rule: RichRule): { tri: Tri; port?: string } {
  const parts: Tri[] = [matchFamily(ctx, rule.family)];
  if (rule.source) parts.push(matchAddress(ctx, richAddress(rule.source), 'src', rule.source.invert));
  if (rule.destination) parts.push(matchAddress(ctx, richAddress(rule.destination), 'dst', rule.destination.invert));
  const el = rule.element;
  let port: string | undefined;
  if (el) {
    switch (el.type) {
      case 'service': {
        const s = matchService(ctx, el.name);
        parts.push(s.tri);
        port = s.port;
        break;
      }
      case 'port': parts.push(matchPort(ctx, el.port, el.protocol, 'dport')); break;
      case 'source-port': parts.push(matchPort(ctx, el.port, el.protocol, 'sport')); break;
      case 'protocol': parts.push(matchProtocol(ctx, el.value)); break;
      case 'icmp-block':
      case 'icmp-type': parts.push(matchIcmpType(ctx, el.name)); break;
      default: parts.push(false);
    }
  }
  return { tri: and(...parts), port };
}

/** A rich rule's elements in one chain part: its log/audit (non-terminal), then its action. */
function richElements(ctx: Ctx, rule: RichRule, text: string, part: ChainPart, owner: { zone?: string; policy?: string }, forInput: boolean): Element[] {
  const out: Element[] = [];
  const el = rule.element?.type;
  // Which policy firewalld puts a zone's rich rule in (fw_zone.py _rich_rule_to_policies).
  const hostRule = el === undefined || ['service', 'port', 'protocol', 'source-port', 'icmp-block', 'icmp-type'].includes(el);
  if (owner.zone && forInput !== hostRule) return out;
  if (el === 'masquerade' || el === 'forward-port' || el === 'tcp-mss-clamp') return out;
  const base: Pick<Step, 'richRule' | 'zone' | 'policy' | 'service'> = { richRule: { text, priority: rule.priority }, ...owner };
  const m = () => matchRich(ctx, rule).tri;
  const logPart: ChainPart = rule.priority === 0 ? 'log' : rule.priority < 0 ? 'pre' : 'post';
  if ((rule.log || rule.audit) && logPart === part) {
    out.push({ step: { ...base, kind: 'log', words: `Logged by a rich rule${rule.priority ? ` (priority ${rule.priority})` : ''}`, firewalld: `rich rule '${text}'` }, match: m });
  }
  const actionPart = richChainPart(rule);
  if (actionPart !== part) return out;
  const action = rule.action?.type;
  if (action === 'mark') {
    out.push({ step: { ...base, kind: 'rich-rule', words: 'Marked by a rich rule (the packet goes on)', firewalld: `rich rule '${text}'` }, match: m });
    return out;
  }
  let decide: Element['decide'];
  if (action === 'accept') decide = { verdict: 'accept' };
  else if (action === 'drop') decide = { verdict: 'drop' };
  else if (action === 'reject' || el === 'icmp-block') decide = { verdict: 'reject', rejectWith: rejectOf(rule) };
  if (!decide) return out;
  const verb = decide.verdict === 'accept' ? 'Allowed' : decide.verdict === 'drop' ? 'Dropped' : 'Rejected';
  const where = owner.zone ? `zone ${owner.zone}` : `policy ${owner.policy}`;
  const actionEl: Element = {
    step: {
      ...base,
      kind: el === 'icmp-block' ? 'icmp-block' : 'rich-rule',
      words: `${verb} by a rich rule in ${where}${rule.priority ? ` (priority ${rule.priority})` : ''}`,
      firewalld: `rich rule '${text}'`,
    },
    match: () => {
      const r = matchRich(ctx, rule);
      if (r.port) actionEl.step.service = { name: rule.element?.type === 'service' ? rule.element.name : '', port: r.port };
      return r.tri;
    },
    decide,
  };
  out.push(actionEl);
  return out;
}

/** Rich rules of an owner sorted as firewalld inserts them: by priority, equal priorities in list order. */
function sortedRich(list: readonly string[]): Array<{ rule: RichRule; text: string }> {
  const out: Array<{ rule: RichRule; text: string; i: number }> = [];
  list.forEach((text, i) => {
    const rule = rich(text);
    if (rule) out.push({ rule, text, i });
  });
  return out.sort((a, b) => a.rule.priority - b.rule.priority || a.i - b.i);
}

interface Owner {
  zone?: string;
  policy?: string;
  services: string[];
  ports: Zone['ports'];
  protocols: string[];
  sourcePorts: Zone['ports'];
  icmpBlocks: string[];
  icmpBlockInversion: boolean;
  richRules: string[];
}

/** The pre/log/deny/allow/post chains of a zone (input or forward side) or a policy. */
function ownerParts(ctx: Ctx, o: Owner, base: string, forInput: boolean): Array<[string, Element[]]> {
  const who = o.zone ? { zone: o.zone } : { policy: o.policy };
  const where = o.zone ? `zone ${o.zone}` : `policy ${o.policy}`;
  const rules = sortedRich(o.richRules);
  const parts: Record<ChainPart, Element[]> = { pre: [], log: [], deny: [], allow: [], post: [] };
  for (const part of ['pre', 'log', 'deny', 'allow', 'post'] as ChainPart[]) {
    // A zone's icmp-blocks (and their inversion) live in its zone->HOST policy only
    // (fw_zone.py copies them there and nowhere else): forwarded packets never meet them.
    const icmpBlocksApply = forInput || !!o.policy;
    if (part === 'deny' && !o.icmpBlockInversion && icmpBlocksApply) {
      for (const name of o.icmpBlocks) {
        parts.deny.push({
          step: { ...who, kind: 'icmp-block', words: `ICMP ${name} is blocked in ${where}`, firewalld: `icmp-block ${name}` },
          match: () => matchIcmpType(ctx, name),
          decide: { verdict: 'reject', rejectWith: REJECT_ADMIN },
        });
      }
    }
    if (part === 'allow' && (forInput || o.policy)) {
      for (const s of o.services) {
        const el: Element = {
          step: { ...who, kind: 'service', words: `Service ${s} is allowed in ${where}`, firewalld: `service ${s}`, service: { name: s } },
          match: () => {
            const r = matchService(ctx, s);
            el.step.service = { name: s, port: r.port };
            if (r.port) el.step.words = `Service ${s} is allowed in ${where} (its port ${r.port})`;
            return r.tri;
          },
          decide: { verdict: 'accept' },
        };
        parts.allow.push(el);
      }
      for (const p of o.ports) {
        parts.allow.push({
          step: { ...who, kind: 'port', words: `Port ${p.port}/${p.protocol} is open in ${where}`, firewalld: `port ${p.port}/${p.protocol}` },
          match: () => matchPort(ctx, p.port, p.protocol, 'dport'),
          decide: { verdict: 'accept' },
        });
      }
      for (const p of o.sourcePorts) {
        parts.allow.push({
          step: { ...who, kind: 'source-port', words: `Source port ${p.port}/${p.protocol} is allowed in ${where}`, firewalld: `source-port ${p.port}/${p.protocol}` },
          match: () => matchPort(ctx, p.port, p.protocol, 'sport'),
          decide: { verdict: 'accept' },
        });
      }
    }
    if (part === 'allow' && o.icmpBlockInversion && icmpBlocksApply) {
      for (const name of o.icmpBlocks) {
        parts.allow.push({
          step: { ...who, kind: 'icmp-block-inversion', words: `ICMP ${name} is allowed in ${where} (ICMP blocks are inverted)`, firewalld: `icmp-block ${name} with icmp-block-inversion` },
          match: () => matchIcmpType(ctx, name),
          decide: { verdict: 'accept' },
        });
      }
    }
    for (const { rule, text } of rules) parts[part].push(...richElements(ctx, rule, text, part, who, forInput));
    if (part === 'allow' && (forInput || o.policy)) {
      for (const p of o.protocols) {
        parts.allow.push({
          step: { ...who, kind: 'protocol', words: `Protocol ${p} is allowed in ${where}`, firewalld: `protocol ${p}` },
          match: () => matchProtocol(ctx, p),
          decide: { verdict: 'accept' },
        });
      }
    }
  }
  return (['pre', 'log', 'deny', 'allow', 'post'] as ChainPart[]).map((p) => [`${base}_${p}`, parts[p]]);
}

function zoneOwner(z: Zone): Owner {
  return { ...z, zone: z.name };
}

// ------------------------------------------------------------------------------------------
// Dispatch

function ifaceMatches(bound: string, iface: string): boolean {
  return bound.endsWith('+') ? iface.startsWith(bound.slice(0, -1)) : bound === iface;
}

/** The zone firewalld dispatches the packet to (filter_INPUT_ZONES / filter_FORWARD_ZONES). */
function chooseZone(ctx: Ctx, iface: string | undefined): ZoneChoice | undefined {
  const zones = Object.values(ctx.state.zones).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const z of zones) {
    for (const s of z.sources) {
      const m = matchAddress(ctx, s, 'src');
      if (typeof m === 'string') {
        ctx.assumptions.add(`Zone ${z.name} takes the packet instead if ${m} matches its source ${s}; the answer assumes it does not.`);
      }
      if (m === true) {
        return { name: z.name, by: 'source', why: `the source is in ${s}, bound to zone ${z.name} (zones bound by source are checked before interfaces${zonesWithSources(ctx) > 1 ? ', in order of zone name' : ''})` };
      }
    }
  }
  if (iface !== undefined) {
    for (const exact of [true, false]) {
      for (const z of zones) {
        const hit = z.interfaces.find((i) => i.endsWith('+') !== exact && ifaceMatches(i, iface));
        if (hit) return { name: z.name, by: 'interface', why: `the packet arrives on ${iface}, ${hit === iface ? '' : `matching ${hit}, `}bound to zone ${z.name}` };
      }
    }
  }
  const def = ctx.state.zones[ctx.opts.defaultZone];
  if (!def) return undefined;
  const why = iface === undefined
    ? `no zone's source matches and the interface is not bound to a zone, so the default zone ${def.name} takes it`
    : `no zone's source matches and ${iface} is bound to no zone, so the default zone ${def.name} takes it`;
  return { name: def.name, by: 'default', why };
}

function zonesWithSources(ctx: Ctx): number {
  return Object.values(ctx.state.zones).filter((z) => z.sources.length).length;
}

// ------------------------------------------------------------------------------------------
// Policies

function activeZones(state: LayerState): Set<string> {
  return new Set(Object.values(state.zones).filter((z) => z.interfaces.length || z.sources.length).map((z) => z.name));
}

/** Whether a packet belongs to a zone for policy dispatch: its interfaces (iifname/oifname) or sources (saddr/daddr). */
function inZoneForPolicy(ctx: Ctx, zone: string, side: 'ingress' | 'egress'): Tri {
  const z = ctx.state.zones[zone];
  if (!z) return false;
  const iface = side === 'ingress' ? ctx.flow.iface : ctx.flow.outIface;
  const maybes: Tri[] = [];
  for (const i of z.interfaces) {
    if (iface === undefined) maybes.push(side === 'ingress' ? 'the ingress interface' : 'the egress interface');
    else if (ifaceMatches(i, iface)) return true;
  }
  for (const s of z.sources) {
    const m = matchAddress(ctx, s, side === 'ingress' ? 'src' : 'dst');
    if (m === true) return true;
    maybes.push(m);
  }
  const firstMaybe = maybes.find((m) => typeof m === 'string');
  return firstMaybe ?? false;
}

function policyApplies(ctx: Ctx, p: Policy, direction: 'input' | 'forward', active: Set<string>): Tri {
  if (p.disable) return false;
  const ing = p.ingressZones;
  const eg = p.egressZones;
  const usable = (zs: string[]) => zs.some((z) => z === 'HOST' || z === 'ANY' || active.has(z));
  if (!usable(ing) || !usable(eg)) return false;
  if (ing.includes('HOST')) return false; // OUTPUT: traffic from this host
  if (direction === 'input' && !eg.includes('HOST')) return false;
  if (direction === 'forward' && eg.includes('HOST')) return false;
  const ingress: Tri = ing.includes('ANY') ? true : orTri(ing.map((z) => inZoneForPolicy(ctx, z, 'ingress')));
  const egress: Tri = eg.includes('ANY') || eg.includes('HOST') ? true : orTri(eg.map((z) => inZoneForPolicy(ctx, z, 'egress')));
  return and(ingress, egress);
}

function orTri(parts: Tri[]): Tri {
  if (parts.includes(true)) return true;
  return parts.find((p) => typeof p === 'string') ?? false;
}

function runPolicies(ctx: Ctx, direction: 'input' | 'forward', stage: 'pre' | 'post'): Decision | undefined {
  const active = activeZones(ctx.state);
  const hook = direction === 'input' ? 'INPUT' : 'FORWARD';
  const short = direction === 'input' ? 'IN' : 'FWD';
  const policies = Object.values(ctx.state.policies)
    .filter((p) => (stage === 'pre' ? p.priority < 0 : p.priority >= 0))
    .sort((a, b) => a.priority - b.priority || (a.name < b.name ? -1 : 1));
  for (const p of policies) {
    const applies = policyApplies(ctx, p, direction, active);
    if (applies === false) continue;
    const dispatchChain = `filter_${hook}_POLICIES_${stage}`;
    if (typeof applies === 'string') {
      ctx.path.push({ kind: 'policy', policy: p.name, words: `Policy ${p.name} applies if ${applies} belongs to its zones`, firewalld: `policy ${p.name} (priority ${p.priority})`, chain: dispatchChain, outcome: 'maybe', dependsOn: applies });
      continue;
    }
    ctx.path.push({ kind: 'policy', policy: p.name, words: `Policy ${p.name} applies (from ${p.ingressZones.join(', ')} to ${p.egressZones.join(', ')}, priority ${p.priority})`, firewalld: `policy ${p.name}`, chain: dispatchChain, outcome: 'continue' });
    const base = `filter_${short}_policy_${p.name}`;
    const owner: Owner = { ...p, policy: p.name, icmpBlockInversion: false };
    for (const [chain, els] of ownerParts(ctx, owner, base, direction === 'input')) {
      const r = runChain(ctx, chain, els);
      if (r.decision) return r.decision;
    }
    const t = p.target.toUpperCase();
    if (t === 'ACCEPT' || t === 'DROP' || t === 'REJECT' || t === '%%REJECT%%') {
      const verdict: Verdict = t === 'ACCEPT' ? 'accept' : t === 'DROP' ? 'drop' : 'reject';
      const rejectWith = verdict === 'reject' ? REJECT_ADMIN : undefined;
      const step: Step = { kind: 'policy-target', policy: p.name, words: `Policy ${p.name}'s target ${t} ${verdict === 'accept' ? 'accepts' : verdict === 'drop' ? 'drops' : 'rejects'} what its rules did not decide`, firewalld: `policy ${p.name} target ${t}`, chain: base, outcome: verdict, rejectWith };
      ctx.path.push(step);
      const logPrefix = verdict !== 'accept' && logs(ctx) ? `filter_${short}_policy_${p.name}_${verdict === 'drop' ? 'DROP' : 'REJECT'}: ` : undefined;
      return { verdict, rejectWith, step, logPrefix };
    }
    ctx.path.push({ kind: 'policy-target', policy: p.name, words: `Policy ${p.name}'s target CONTINUE passes the packet on`, firewalld: `policy ${p.name} target CONTINUE`, chain: base, outcome: 'continue' });
  }
  return undefined;
}

function logs(ctx: Ctx): boolean {
  const l = ctx.opts.logDenied ?? 'off';
  return l === 'all' || l === 'unicast';
}

// ------------------------------------------------------------------------------------------
// The walk for one known interface / source

interface Walk {
  decision: Decision;
  zone?: ZoneChoice;
}

function dnat(ctx: Ctx, zone: Zone): Decision | undefined {
  const chain = `nat_PRE_${zone.name}`;
  const els: Element[] = [];
  for (const { rule, text } of sortedRich(zone.richRules)) {
    const el = rule.element;
    if (el?.type !== 'forward-port') continue;
    els.push({
      step: { zone: zone.name, kind: 'forward-port', richRule: { text, priority: rule.priority }, words: `Forwarded by a rich rule in zone ${zone.name} to ${el.toAddr || 'this host'}${el.toPort ? ` port ${el.toPort}` : ''}`, firewalld: `rich rule '${text}'` },
      match: () => and(matchFamily(ctx, rule.family), rule.source ? matchAddress(ctx, richAddress(rule.source), 'src', rule.source.invert) : true, rule.destination ? matchAddress(ctx, richAddress(rule.destination), 'dst', rule.destination.invert) : true, matchPort(ctx, el.port, el.protocol, 'dport')),
      decide: { verdict: 'accept' },
    });
  }
  for (const fp of zone.forwardPorts) {
    // firewalld 1.3.3 installs a forward-port without to-addr for IPv4 only ("meta nfproto
    // ipv4 tcp dport 9100 redirect to :8081"): IPv6 packets go on to the zone's rules.
    const toAddrFamily = fp.toAddr ? familyOf(fp.toAddr) : 'ipv4';
    els.push({
      step: { zone: zone.name, kind: 'forward-port', words: `Port ${fp.port}/${fp.protocol} is forwarded in zone ${zone.name} to ${fp.toAddr || 'this host'}${fp.toPort ? ` port ${fp.toPort}` : ''} (then accepted as DNAT traffic)`, firewalld: `forward-port port=${fp.port}:proto=${fp.protocol}${fp.toPort ? `:toport=${fp.toPort}` : ''}${fp.toAddr ? `:toaddr=${fp.toAddr}` : ''}` },
      match: () => and(matchFamily(ctx, toAddrFamily), matchPort(ctx, fp.port, fp.protocol, 'dport')),
      decide: { verdict: 'accept' },
    });
  }
  if (!els.length) return undefined;
  return runChain(ctx, chain, els).decision;
}

function walk(ctx: Ctx, direction: 'input' | 'forward'): Walk {
  const hook = direction === 'input' ? 'INPUT' : 'FORWARD';
  const short = direction === 'input' ? 'IN' : 'FWD';
  const f = ctx.flow;
  ctx.path.push({ kind: 'conntrack', words: 'Not part of an established connection (a new one); replies to accepted connections always pass', firewalld: 'ct state established,related accept', chain: `filter_${hook}`, outcome: 'no-match' });
  ctx.assumptions.add('The packet opens a new connection: packets of established or related connections are accepted before any zone is consulted.');
  if (f.iface === 'lo') {
    const step: Step = { kind: 'loopback', words: 'Loopback traffic is always accepted', firewalld: 'iifname "lo" accept', chain: `filter_${hook}`, outcome: 'accept' };
    ctx.path.push(step);
    return { decision: { verdict: 'accept', step } };
  }
  const zone = chooseZone(ctx, f.iface);
  if (!zone) {
    const step: Step = { kind: 'final-reject', words: 'No zone takes the packet (the default zone is missing) and it is rejected at the end', firewalld: 'FINAL_REJECT', chain: `filter_${hook}`, outcome: 'reject', rejectWith: REJECT_ADMIN };
    ctx.path.push(step);
    return { decision: { verdict: 'reject', rejectWith: REJECT_ADMIN, step, logPrefix: logs(ctx) ? 'FINAL_REJECT: ' : undefined } };
  }
  const z = ctx.state.zones[zone.name]!;
  // forward-ports are DNAT in nat_PREROUTING (dispatched like the filter zones); the filter
  // chains then accept them with `ct status dnat accept` before any zone rule.
  const fwd = dnat(ctx, z);
  if (fwd) {
    ctx.path.push({ kind: 'dnat', words: 'Destination rewritten by a forward-port: accepted as DNAT traffic', firewalld: 'ct status dnat accept', chain: `filter_${hook}`, outcome: 'accept' });
    return { decision: fwd, zone };
  }
  ctx.path.push({ kind: 'invalid', words: 'A valid packet (invalid ones are dropped)', firewalld: 'ct state invalid drop', chain: `filter_${hook}`, outcome: 'no-match' });
  if (ctx.family === 'ipv6' && direction === 'input') {
    ctx.path.push({ kind: 'rpfilter', words: 'IPv6 reverse-path filter: passes when replies to the source would leave by the same interface (assumed)', firewalld: 'IPv6_rpfilter (filter_PREROUTING, fib saddr . iif oif missing drop)', chain: 'filter_PREROUTING', outcome: 'continue' });
  }
  ctx.path.push({ kind: 'dispatch', zone: zone.name, words: `Zone ${zone.name} takes the packet: ${zone.why}`, firewalld: `filter_${hook}_ZONES goto filter_${short}_${zone.name}`, chain: `filter_${hook}_ZONES`, outcome: 'continue' });

  const pre = runPolicies(ctx, direction, 'pre');
  if (pre) return { decision: pre, zone };
  const base = `filter_${short}_${z.name}`;
  for (const [chain, els] of ownerParts(ctx, zoneOwner(z), base, direction === 'input')) {
    if (direction === 'forward' && chain.endsWith('_allow') && z.forward) els.push(...intraZone(ctx, z));
    const r = runChain(ctx, chain, els);
    if (r.decision) return { decision: r.decision, zone };
  }
  const post = runPolicies(ctx, direction, 'post');
  if (post) return { decision: post, zone };

  const target = z.target === 'default' || !z.target ? 'default' : z.target;
  if (direction === 'input' && (target === 'default' || target === 'ACCEPT')) {
    // nftables.py build_policy_icmp_block_inversion_rules: the zone accepts all ICMP in the
    // `default` target; with icmp-block-inversion it rejects all ICMP not allowed above.
    const inv = z.icmpBlockInversion;
    if (inv || target === 'default') {
      const r = runChain(ctx, base, [{
        step: { zone: z.name, kind: inv ? 'icmp-block-inversion' : 'icmp-default', words: inv ? `ICMP not listed is rejected in zone ${z.name} (ICMP blocks are inverted)` : `ICMP is accepted in zone ${z.name} (its target "default" lets ICMP through)`, firewalld: inv ? 'icmp-block-inversion: meta l4proto { icmp, ipv6-icmp } reject' : 'target default: meta l4proto { icmp, ipv6-icmp } accept' },
        match: () => isIcmp(ctx),
        decide: inv ? { verdict: 'reject', rejectWith: REJECT_ADMIN } : { verdict: 'accept' },
      }]);
      if (r.decision) {
        if (inv && logs(ctx)) r.decision.logPrefix = `filter_zone_${z.name}_HOST_ICMP_BLOCK: `;
        return { decision: r.decision, zone };
      }
    }
  }
  const verdict: Verdict = target === 'ACCEPT' ? 'accept' : target === 'DROP' ? 'drop' : 'reject';
  const rejectWith = verdict === 'reject' ? REJECT_ADMIN : undefined;
  const shown = target === '%%REJECT%%' ? 'REJECT' : target;
  const step: Step = {
    kind: 'target',
    zone: z.name,
    words: verdict === 'accept' ? `Zone ${z.name} accepts everything (target ACCEPT)` : `Nothing in zone ${z.name} allows it, so its target ${shown} ${verdict === 'drop' ? 'drops' : 'rejects'} it`,
    firewalld: `zone ${z.name} target ${z.target || 'default'}`,
    chain: base,
    outcome: verdict,
    rejectWith,
  };
  ctx.path.push(step);
  const logPrefix = verdict !== 'accept' && logs(ctx) ? `filter_${short}_${z.name}_${verdict === 'drop' ? 'DROP' : 'REJECT'}: ` : undefined;
  return { decision: { verdict, rejectWith, step, logPrefix }, zone };
}

/** Zone forward=yes: traffic between the zone's own interfaces and sources is accepted (build_zone_forward_rules). */
function intraZone(ctx: Ctx, z: Zone): Element[] {
  const out = ctx.flow.outIface;
  return [{
    step: { zone: z.name, kind: 'intra-zone-forward', words: `Forwarding within zone ${z.name} is allowed (forward=yes) and the packet leaves by one of its interfaces`, firewalld: `zone ${z.name} forward yes` },
    match: () => {
      const viaIface = out === undefined ? 'the egress interface' : z.interfaces.some((i) => i !== '+' && i !== '*' && ifaceMatches(i, out));
      if (viaIface === true) return true;
      const viaSource = orTri(z.sources.map((s) => matchAddress(ctx, s, 'dst')));
      return viaSource === true ? true : typeof viaIface === 'string' ? viaIface : viaSource;
    },
    decide: { verdict: 'accept' },
  }];
}

// ------------------------------------------------------------------------------------------
// Entry point with unknown interface / source

function deriveFamily(flow: Flow): Family | undefined {
  if (flow.family) return flow.family;
  const a = (flow.src && familyOf(flow.src)) || (flow.dst && familyOf(flow.dst));
  if (a) return a;
  if (flow.protocol === 'icmp') return 'ipv4';
  if (flow.protocol === 'icmpv6') return 'ipv6';
  return undefined;
}

interface Variant {
  flow: Flow;
  srcOutside: boolean;
  when: Array<{ field: 'iface' | 'src'; value: string; words: string }>;
}

function variants(state: LayerState, flow: Flow, family: Family | undefined, max: number): Variant[] {
  const ifaceOpts: Array<{ value?: string; words?: string }> = [];
  if (flow.iface === undefined) {
    const names = new Set<string>();
    for (const z of Object.values(state.zones)) for (const i of z.interfaces) names.add(i);
    for (const n of [...names].sort()) ifaceOpts.push({ value: n, words: n.endsWith('+') ? `the packet arrives on an interface matching ${n}` : `the packet arrives on ${n}` });
    ifaceOpts.push({ value: undefined, words: names.size ? 'the packet arrives on any other interface' : undefined });
  } else ifaceOpts.push({ value: flow.iface });
  const srcOpts: Array<{ value?: string; outside: boolean; words?: string; label?: string }> = [];
  if (flow.src === undefined) {
    const seen = new Set<string>();
    for (const z of Object.values(state.zones).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      for (const s of z.sources) {
        const fam = familyOf(s);
        if (!fam || (family && fam !== family) || seen.has(s)) continue;
        seen.add(s);
        const sample = sampleAddress(s);
        if (sample) srcOpts.push({ value: sample, outside: false, label: s, words: `the source is in ${s} (bound to zone ${z.name})` });
      }
    }
    srcOpts.push({ value: undefined, outside: seen.size > 0, words: seen.size ? 'the source is in none of the zones\' sources' : undefined });
  } else srcOpts.push({ value: flow.src, outside: false });
  const out: Variant[] = [];
  for (const i of ifaceOpts) {
    for (const s of srcOpts) {
      if (out.length >= max) return out;
      const when: Variant['when'] = [];
      if (i.words) when.push({ field: 'iface', value: i.value ?? '(other)', words: i.words });
      if (s.words) when.push({ field: 'src', value: s.label ?? '(other)', words: s.words });
      out.push({ flow: { ...flow, iface: i.value, src: s.value, family: family ?? (s.value ? familyOf(s.value) : undefined) }, srcOutside: s.outside, when });
    }
  }
  return out;
}

/** Explains what firewalld does to `flow` with the objects of one layer. Pure; never throws on odd data. */
export function explainFlow(state: LayerState, flow: Flow, opts: ExplainOptions): Explanation {
  const family = deriveFamily(flow);
  const direction = flow.outIface !== undefined ? 'forward' : 'input';
  const runs = variants(state, flow, family, opts.maxCases ?? 64).map((v) => {
    const ctx: Ctx = { state, opts, flow: v.flow, family: v.flow.family, srcOutsideSources: v.srcOutside, path: [], alternatives: [], assumptions: new Set() };
    const w = walk(ctx, direction);
    return { v, ctx, w };
  });
  const first = runs[0]!;
  const key = (r: typeof first) => `${r.w.decision.verdict}|${r.w.decision.step.firewalld}|${r.w.zone?.name ?? ''}`;
  const same = runs.every((r) => key(r) === key(first));
  const assumptions = new Set<string>();
  for (const r of runs) for (const a of r.ctx.assumptions) assumptions.add(a);
  if (flow.protocol === undefined) assumptions.add('The protocol is not given: rules for a port or protocol are shown as "depends".');
  const d = first.w.decision;
  const cases: ExplainCase[] = same
    ? []
    : runs.map((r) => ({
        when: r.v.when.map((w) => w.words).join(' and ') || 'otherwise',
        field: r.v.when[0]?.field ?? 'iface',
        value: r.v.when.map((w) => w.value).join(' + ') || '(any)',
        verdict: r.w.decision.verdict,
        rejectWith: r.w.decision.rejectWith,
        clientSees: clientSees(r.w.decision.verdict, r.w.decision.rejectWith, flow.protocol, r.v.flow.family),
        decidedBy: r.w.decision.step,
        zone: r.w.zone,
      }));
  return {
    verdict: same ? d.verdict : 'depends',
    rejectWith: same ? d.rejectWith : undefined,
    clientSees: same ? clientSees(d.verdict, d.rejectWith, flow.protocol, family) : 'it depends: see the cases',
    decidedBy: d.step,
    zone: first.w.zone,
    path: first.ctx.path,
    family,
    direction,
    cases,
    alternatives: first.ctx.alternatives.slice(0, 20),
    logPrefix: same ? d.logPrefix : undefined,
    assumptions: [...assumptions],
  };
}
