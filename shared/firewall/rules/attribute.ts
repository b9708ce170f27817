/**
 * Each nft rule of firewalld's table attributed to the firewalld element that produced it, from
 * HostDeck's model of the runtime layer. firewalld adds no comments (firewalld#1383), so the
 * rule's place (chain name: zone or policy, and pre/log/deny/allow/post) and its facts (addresses,
 * ports, verdict, ...) are compared with what each element of that zone or policy would install.
 * A rule no element explains is "not made by firewalld" (by hand, Docker, a model out of date).
 */
import type { LayerState, Policy, Service, Zone } from '../model';
import { parseRichRule, describeRichRule, type RichRule } from '../rich-rule';
import { richChainPart } from '../explain/explain';
import { chainOwner, chainWords, layoutOf, type ChainOwner, type ChainPart } from './chains';
import type { ChainView, MadeBy, RuleView, RulesReport } from './contract';
import { canonicalNet, type NftChain, type NftRule, type NftRuleset, type RuleFacts } from './nft';

export interface AttributeOptions {
  defaultZone: string;
  logDenied?: string;
  /** Only this zone's / policy's chains (and the dispatch rules that lead to them). */
  zone?: string;
  policy?: string;
}

/** Tables firewalld makes: `inet firewalld` (1.x, 2.x), `ip`/`ip6 firewalld` where used, and the drop table of a reload. */
export const isFirewalldTable = (family: string, name: string): boolean =>
  (name === 'firewalld' && ['inet', 'ip', 'ip6'].includes(family)) || name === 'firewalld_policy_drop';

type Owner = { kind: 'zone'; z: Zone } | { kind: 'policy'; p: Policy };

export function attributeRuleset(rs: NftRuleset, layer: LayerState, opts: AttributeOptions): RulesReport {
  const known = { zones: new Set(Object.keys(layer.zones)), policies: new Set(Object.keys(layer.policies)) };
  const rulesByChain = new Map<string, NftRule[]>();
  for (const r of rs.rules) {
    const k = `${r.family}\0${r.table}\0${r.chain}`;
    const list = rulesByChain.get(k) ?? [];
    list.push(r);
    rulesByChain.set(k, list);
  }
  const fwChains = rs.chains.filter((c) => isFirewalldTable(c.family, c.table));
  const ctx: Ctx = { layer, opts, known, services: layer.services, rich: new Map() };
  const chains: ChainView[] = [];
  let total = 0;
  let attributed = 0;
  for (const c of fwChains) {
    const owner = c.table === 'firewalld_policy_drop' ? ({ kind: 'unknown' } as const) : chainOwner(c.name, known);
    const rules = (rulesByChain.get(`${c.family}\0${c.table}\0${c.name}`) ?? []).map((r) => attributeRule(ctx, c, owner, r));
    total += rules.length;
    attributed += rules.filter((r) => !r.foreign).length;
    const view = chainView(c, owner, rules);
    if (c.table === 'firewalld_policy_drop') view.words = 'firewalld is reloading: this table drops everything until it is done';
    chains.push(view);
  }
  const foreignTables: RulesReport['foreignTables'] = [];
  for (const t of rs.tables) {
    if (isFirewalldTable(t.family, t.name)) continue;
    const tChains = rs.chains
      .filter((c) => c.family === t.family && c.table === t.name)
      .map((c) => {
        const rules = (rulesByChain.get(`${c.family}\0${c.table}\0${c.name}`) ?? []).map(
          (r): RuleView => ({ handle: r.handle, text: r.text, counter: r.counter, madeBy: [], foreign: true, note: `table ${t.family} ${t.name} is not firewalld's` }),
        );
        total += rules.length;
        return { ...chainView(c, { kind: 'unknown' }, rules), words: c.hook ? `hooked at ${c.hook}, priority ${c.prio ?? '?'}: runs besides firewalld's chains` : 'a regular chain' };
      });
    foreignTables.push({ family: t.family, name: t.name, chains: tChains });
  }
  const notes: string[] = [];
  const layout = layoutOf(fwChains.map((c) => c.name));
  if (!fwChains.length) notes.push('No firewalld table in the ruleset: firewalld is not running, or it uses the iptables backend (FirewallBackend=iptables).');
  if (layout === '2.0-2.4' || layout === '2.5+') notes.push(`firewalld ${layout} layout: zones are dispatched through ${layout === '2.5+' ? 'filter_INPUT_dispatch and _dispatch_stage2' : 'filter_INPUT_POLICIES'}.`);
  const counters = rs.rules.some((r) => r.counter);
  if (!counters && fwChains.length) notes.push('No counters: firewalld adds them with NftablesCounters=yes (firewalld 2.0 and later).');
  return {
    nftVersion: rs.version,
    layout,
    counters,
    chains: filterChains(chains, opts),
    foreignTables,
    totals: { rules: total, attributed, foreign: total - attributed },
    notes,
  };
}

function chainView(c: NftChain, owner: ChainOwner, rules: RuleView[]): ChainView {
  return {
    family: c.family,
    table: c.table,
    name: c.name,
    hook: c.hook,
    priority: c.prio,
    policy: c.policy,
    zone: owner.kind === 'zone' ? owner.name : undefined,
    firewallPolicy: owner.kind === 'policy' ? owner.name : undefined,
    part: owner.kind === 'zone' || owner.kind === 'policy' ? owner.part : undefined,
    words: chainWords(owner),
    rules,
  };
}

/** One zone's or policy's chains, plus the dispatch rules that lead into them. */
function filterChains(chains: ChainView[], opts: AttributeOptions): ChainView[] {
  if (!opts.zone && !opts.policy) return chains;
  const mine = (c: ChainView) => (opts.zone ? c.zone === opts.zone : c.firewallPolicy === opts.policy);
  const mineNames = new Set(chains.filter(mine).map((c) => c.name));
  const out: ChainView[] = [];
  for (const c of chains) {
    if (mine(c)) out.push(c);
    else if (!c.zone && !c.firewallPolicy) {
      const leading = c.rules.filter((r) => /\b(jump|goto) (\S+)$/.test(r.text) && mineNames.has(r.text.split(' ').pop()!));
      if (leading.length) out.push({ ...c, rules: leading });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

interface Ctx {
  layer: LayerState;
  opts: AttributeOptions;
  known: { zones: Set<string>; policies: Set<string> };
  services: Record<string, Service>;
  /** Rich rules parsed once per call (a host may have thousands). */
  rich: Map<string, RichRule | null>;
}

function parsedRich(ctx: Ctx, text: string): RichRule | null {
  let r = ctx.rich.get(text);
  if (r === undefined) {
    const p = parseRichRule(text);
    r = p.ok ? p.rule : null;
    ctx.rich.set(text, r);
  }
  return r;
}

function attributeRule(ctx: Ctx, chain: NftChain, owner: ChainOwner, r: NftRule): RuleView {
  const f = r.facts;
  let madeBy: MadeBy[] = [];
  let note: string | undefined;
  if (owner.kind === 'base') madeBy = baseRule(ctx, chain, owner.table, f);
  else if (owner.kind === 'dispatch') ({ madeBy, note } = dispatchRule(ctx, f));
  else if (owner.kind === 'zone' || owner.kind === 'policy') {
    const o: Owner | undefined = owner.kind === 'zone' ? (ctx.layer.zones[owner.name] ? { kind: 'zone', z: ctx.layer.zones[owner.name]! } : undefined) : ctx.layer.policies[owner.name] ? { kind: 'policy', p: ctx.layer.policies[owner.name]! } : undefined;
    if (!o) note = `${owner.kind} ${owner.name} is not in firewalld's runtime configuration as HostDeck read it`;
    else madeBy = owner.part ? partRule(ctx, o, owner, f) : ownerBaseRule(ctx, o, owner, chain, f);
  } else note = chain.table === 'firewalld_policy_drop' ? undefined : `chain ${chain.name} is not one firewalld names`;
  if (chain.table === 'firewalld_policy_drop') madeBy = [{ kind: 'base', words: 'firewalld drops everything while it reloads', firewalld: 'firewalld_policy_drop' }];
  const foreign = madeBy.length === 0;
  if (foreign && !note) note = 'No firewalld element of this zone or policy makes this rule: added by hand or by another program (or the configuration changed since it was read).';
  return { handle: r.handle, text: r.text, counter: r.counter, madeBy, foreign, note };
}

// --- base and dispatch chains ------------------------------------------------------------------

const noMatch = (f: RuleFacts, ...allowed: (keyof RuleFacts)[]) =>
  (['family', 'saddr', 'daddr', 'smac', 'proto', 'l4proto', 'dport', 'sport', 'icmpType', 'iifname', 'oifname', 'oifnameNot', 'ctState', 'ctStatus'] as (keyof RuleFacts)[]).every(
    (k) => allowed.includes(k) || f[k] === undefined,
  ) && f.other.every((o) => allowed.includes(o as keyof RuleFacts));

function logDenied(f: RuleFacts, prefix: RegExp, what: string): MadeBy[] {
  return f.log?.prefix && prefix.test(f.log.prefix) && !f.verdict
    ? [{ kind: 'log-denied', words: `Logs ${what} (LogDenied)`, firewalld: `LogDenied, prefix "${f.log.prefix}"` }]
    : [];
}

function baseRule(ctx: Ctx, chain: NftChain, table: string, f: RuleFacts): MadeBy[] {
  const b = (words: string, firewalld: string): MadeBy[] => [{ kind: 'base', words, firewalld }];
  if (f.ctState === 'established,related' && f.verdict === 'accept' && noMatch(f, 'ctState')) return b('Replies to connections already allowed pass', 'ct state established,related accept');
  if (f.ctStatus === 'dnat' && f.verdict === 'accept' && noMatch(f, 'ctStatus')) return b('Connections a forward-port redirected pass', 'ct status dnat accept');
  if ((f.iifname === 'lo' || f.oifname === 'lo') && f.verdict === 'accept') return b('Loopback traffic passes', 'loopback accept');
  if (f.ctState === 'invalid') {
    if (f.verdict === 'drop' && noMatch(f, 'ctState')) return b('Invalid packets are dropped', 'ct state invalid drop');
    const l = logDenied(f, /^STATE_INVALID_DROP/, 'invalid packets');
    if (l.length) return l;
  }
  if ((f.verdict === 'jump' || f.verdict === 'goto') && f.target && noMatch(f)) {
    const o = chainOwner(f.target, ctx.known);
    if (o.kind === 'dispatch') return [{ kind: 'layout', words: chainWords(o), firewalld: f.target }];
  }
  if (f.verdict === 'reject' && noMatch(f) && chain.hook !== 'prerouting') return b('Whatever no zone or policy decided is rejected', 'FINAL_REJECT');
  const fl = logDenied(f, /^FINAL_REJECT/, 'what no zone decided');
  if (fl.length) return fl;
  if (chain.hook === 'prerouting' && table === 'filter') {
    if (f.other.includes('fib')) return f.verdict === 'drop' ? b('IPv6 packets that fail the reverse-path check are dropped', 'IPv6_rpfilter') : logDenied(f, /^rpfilter_DROP/, 'reverse-path drops');
    if (f.icmpType?.startsWith('icmpv6 ') && f.verdict === 'accept') return b('IPv6 neighbour discovery passes before the reverse-path check', 'IPv6_rpfilter');
  }
  if (f.daddr && f.family === 'ipv6' && f.verdict === 'reject' && /addr-unreachable/.test(f.rejectWith ?? '')) return b('IPv6 packets to IPv4-mapped and 6to4 addresses are refused', 'RFC3964_IPv4');
  return [];
}

function dispatchRule(ctx: Ctx, f: RuleFacts): { madeBy: MadeBy[]; note?: string } {
  if ((f.verdict !== 'jump' && f.verdict !== 'goto') || !f.target) return { madeBy: [] };
  const o = chainOwner(f.target, ctx.known);
  if (o.kind === 'dispatch') return { madeBy: [{ kind: 'layout', words: chainWords(o), firewalld: f.target }] };
  if (o.kind === 'policy') {
    const p = ctx.layer.policies[o.name];
    if (!p) return { madeBy: [], note: `policy ${o.name} is not in the runtime configuration` };
    return { madeBy: [{ kind: 'policy', policy: o.name, words: `Policy ${o.name} applies (${p.ingressZones.join(', ') || '?'} → ${p.egressZones.join(', ') || '?'}, priority ${p.priority})`, firewalld: `policy ${o.name}` }] };
  }
  if (o.kind !== 'zone') return { madeBy: [] };
  const z = ctx.layer.zones[o.name];
  if (!z) return { madeBy: [], note: `zone ${o.name} is not in the runtime configuration` };
  const addr = f.saddr ?? f.daddr;
  if (addr) {
    const src = z.sources.find((s) => sourceKey(s) === addr);
    if (!src) return { madeBy: [], note: `zone ${o.name} has no source ${addr} in the runtime configuration` };
    return { madeBy: [{ kind: 'source', zone: o.name, words: `Source ${src} is bound to zone ${o.name}`, firewalld: `source ${src}` }] };
  }
  if (f.smac) {
    const src = z.sources.find((s) => s.toLowerCase() === f.smac);
    return src ? { madeBy: [{ kind: 'source', zone: o.name, words: `Source ${src} (MAC) is bound to zone ${o.name}`, firewalld: `source ${src}` }] } : { madeBy: [] };
  }
  const iface = f.iifname ?? f.oifname;
  if (iface) {
    const active = ctx.layer.zones[o.name]?.interfaces ?? [];
    if (!active.includes(iface)) return { madeBy: [], note: `zone ${o.name} has no interface ${iface} in the runtime configuration` };
    return { madeBy: [{ kind: 'interface', zone: o.name, words: `Interface ${iface} is bound to zone ${o.name}`, firewalld: `interface ${iface}` }] };
  }
  if (noMatch(f)) {
    if (o.name !== ctx.opts.defaultZone) return { madeBy: [], note: `the catch-all leads to zone ${o.name}, but the default zone is ${ctx.opts.defaultZone}` };
    return { madeBy: [{ kind: 'default-zone', zone: o.name, words: `Everything else goes to zone ${o.name}, the default zone`, firewalld: `default zone ${o.name}` }] };
  }
  return { madeBy: [] };
}

/** A zone source as nft lists it: a canonical network, or "@set" for ipset:NAME. */
function sourceKey(s: string): string {
  return s.startsWith('ipset:') ? `@${s.slice(6)}` : canonicalNet(s);
}

// --- a zone's or policy's own chains -----------------------------------------------------------

const ownerName = (o: Owner) => (o.kind === 'zone' ? o.z.name : o.p.name);
const where = (o: Owner) => `${o.kind} ${ownerName(o)}`;
const who = (o: Owner): Pick<MadeBy, 'zone' | 'policy'> => (o.kind === 'zone' ? { zone: o.z.name } : { policy: o.p.name });

/** The chain filter_IN_<zone> itself: the jumps into its parts and into the policies, then its target. */
function ownerBaseRule(ctx: Ctx, o: Owner, owner: Extract<ChainOwner, { kind: 'zone' | 'policy' }>, chain: NftChain, f: RuleFacts): MadeBy[] {
  if ((f.verdict === 'jump' || f.verdict === 'goto') && f.target && noMatch(f)) {
    const t = chainOwner(f.target, ctx.known);
    if ((t.kind === 'zone' || t.kind === 'policy') && t.name === ownerName(o) && t.part) {
      return [{ kind: 'layout', ...who(o), words: `Then ${chainWords(t).replace(/^.*?, /, '')}`, firewalld: f.target }];
    }
    if (t.kind === 'dispatch') return [{ kind: 'layout', ...who(o), words: chainWords(t), firewalld: f.target }];
  }
  const target = o.kind === 'zone' ? o.z.target : o.p.target;
  const tWords = `The target of ${where(o)} (${target})`;
  const l = logDenied(f, new RegExp(`^${escapeRe(chain.name)}_(REJECT|DROP|ACCEPT)`), `what ${where(o)} ${/DROP/.test(f.log?.prefix ?? '') ? 'drops' : 'rejects'}`);
  if (l.length) return l.map((m) => ({ ...m, ...who(o) }));
  if (owner.table !== 'filter') return [];
  if (f.l4proto === 'icmp,ipv6-icmp' && f.verdict === 'accept' && noMatch(f, 'l4proto', 'proto')) {
    return [{ kind: 'target', ...who(o), words: `ICMP is let in by ${where(o)}'s default target`, firewalld: `target ${target}` }];
  }
  if (f.icmpType && o.kind === 'zone' && o.z.icmpBlockInversion) {
    return [{ kind: 'icmp-block-inversion', ...who(o), words: `ICMP other than the listed types is handled by ${where(o)}'s icmp-block-inversion`, firewalld: 'icmp-block-inversion' }];
  }
  if (!noMatch(f, 'l4proto', 'proto')) return [];
  const expected = o.kind === 'zone' ? ({ default: 'reject', '%%REJECT%%': 'reject', REJECT: 'reject', DROP: 'drop', ACCEPT: 'accept' } as Record<string, string>)[target] : ({ REJECT: 'reject', DROP: 'drop', ACCEPT: 'accept' } as Record<string, string>)[target];
  if (f.verdict && f.verdict === expected) return [{ kind: 'target', ...who(o), words: `${tWords}: ${f.verdict} what nothing above decided`, firewalld: `target ${target}` }];
  return [];
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface OwnerItems {
  services: string[];
  ports: { port: string; protocol: string }[];
  protocols: string[];
  sourcePorts: { port: string; protocol: string }[];
  icmpBlocks: string[];
  masquerade: boolean;
  forwardPorts: { port: string; protocol: string; toPort: string; toAddr: string }[];
  richRules: string[];
}

function partRule(ctx: Ctx, o: Owner, owner: Extract<ChainOwner, { kind: 'zone' | 'policy' }>, f: RuleFacts): MadeBy[] {
  const items: OwnerItems = o.kind === 'zone' ? o.z : o.p;
  const w = where(o);
  const part = owner.part!;
  const out: MadeBy[] = [];
  const filter = owner.table === 'filter';
  // The zone items of filter_FWD_<zone> are only intra-zone forwarding; services and ports are for the host.
  const hostSide = o.kind === 'policy' || owner.direction === 'IN';
  if (filter && part === 'allow' && hostSide) {
    for (const s of items.services) {
      const m = serviceMatch(ctx, s, f);
      if (m) {
        const via = m.via.length ? `, from its included service ${m.via.join(' → ')}` : '';
        out.push({ kind: 'service', ...who(o), service: s, port: m.port, words: `Service ${s} is allowed in ${w} (its ${m.what} ${m.port}${via})`, firewalld: `service ${s}` });
      }
    }
    for (const p of items.ports) {
      if (f.verdict === 'accept' && plain(f, 'proto', 'dport') && f.proto === p.protocol && f.dport === p.port) out.push({ kind: 'port', ...who(o), port: `${p.port}/${p.protocol}`, words: `Port ${p.port}/${p.protocol} is open in ${w}`, firewalld: `port ${p.port}/${p.protocol}` });
    }
    for (const p of items.protocols) {
      if (f.verdict === 'accept' && plain(f, 'proto', 'l4proto') && f.l4proto === p) out.push({ kind: 'protocol', ...who(o), words: `Protocol ${p} is allowed in ${w}`, firewalld: `protocol ${p}` });
    }
    for (const p of items.sourcePorts) {
      if (f.verdict === 'accept' && plain(f, 'proto', 'sport') && f.proto === p.protocol && f.sport === p.port) out.push({ kind: 'source-port', ...who(o), port: `${p.port}/${p.protocol}`, words: `Source port ${p.port}/${p.protocol} is allowed in ${w}`, firewalld: `source-port ${p.port}/${p.protocol}` });
    }
  }
  const inversion = o.kind === 'zone' && o.z.icmpBlockInversion;
  if (filter && f.icmpType && plain(f, 'icmpType', 'family')) {
    for (const name of items.icmpBlocks) {
      if (!icmpNameMatches(name, f.icmpType)) continue;
      if (!inversion && part === 'deny' && f.verdict === 'reject') out.push({ kind: 'icmp-block', ...who(o), words: `ICMP ${name} is blocked in ${w}`, firewalld: `icmp-block ${name}` });
      if (inversion && part === 'allow' && f.verdict === 'accept') out.push({ kind: 'icmp-block-inversion', ...who(o), words: `ICMP ${name} is let in by ${w} (icmp-block-inversion turns the blocks into the only ICMP allowed)`, firewalld: `icmp-block ${name} with icmp-block-inversion` });
    }
  }
  if (filter && part === 'allow' && owner.direction === 'FWD' && o.kind === 'zone' && o.z.forward && f.verdict === 'accept') {
    if (f.oifname && plain(f, 'oifname') && o.z.interfaces.includes(f.oifname)) out.push({ kind: 'forward', zone: o.z.name, words: `Forwarding inside zone ${o.z.name}: to its interface ${f.oifname}`, firewalld: 'forward yes' });
    if (f.daddr && plain(f, 'daddr', 'family') && o.z.sources.some((s) => sourceKey(s) === f.daddr)) out.push({ kind: 'forward', zone: o.z.name, words: `Forwarding inside zone ${o.z.name}: to its source ${f.daddr}`, firewalld: 'forward yes' });
  }
  if (owner.table === 'nat' && part === 'allow') {
    if (items.masquerade && f.masquerade && plain(f, 'family', 'oifnameNot')) out.push({ kind: 'masquerade', ...who(o), words: `Masquerading of ${w}: traffic leaving by it gets this host's address`, firewalld: 'masquerade' });
    for (const fp of items.forwardPorts) {
      if (fp.protocol === f.proto && fp.port === f.dport && plain(f, 'family', 'proto', 'dport') && forwardTargetMatches(f, fp.toPort, fp.toAddr)) {
        const to = [fp.toAddr, fp.toPort].filter(Boolean).join(':');
        out.push({ kind: 'forward-port', ...who(o), port: `${fp.port}/${fp.protocol}`, words: `Port ${fp.port}/${fp.protocol} is forwarded to ${to} in ${w}`, firewalld: `forward-port port=${fp.port}:proto=${fp.protocol}:toport=${fp.toPort}:toaddr=${fp.toAddr}` });
      }
    }
  }
  for (const text of items.richRules) {
    const rule = parsedRich(ctx, text);
    if (rule && richMatches(ctx, rule, part, owner.table, f)) out.push({ kind: 'rich-rule', ...who(o), richRule: text, words: `Rich rule of ${w}: ${describeRichRule(rule)}`, firewalld: text });
  }
  return out;
}

/** No match facts besides the allowed ones. */
function plain(f: RuleFacts, ...allowed: (keyof RuleFacts)[]): boolean {
  return noMatch(f, ...allowed);
}

function forwardTargetMatches(f: RuleFacts, toPort: string, toAddr: string): boolean {
  if (toAddr) return !!f.dnat && f.dnat.addr === canonicalNet(toAddr) && (f.dnat.port ?? '') === (toPort ?? '');
  return f.redirectPort === (toPort || undefined) || (!!toPort && f.redirectPort === toPort);
}

/** firewalld's ICMP type names and nft's where they differ (ICMPv6 neighbour discovery). */
const ICMP_NFT: Record<string, string[]> = {
  'neighbour-advertisement': ['nd-neighbor-advert'],
  'neighbour-solicitation': ['nd-neighbor-solicit'],
  'router-advertisement': ['router-advertisement', 'nd-router-advert'],
  'router-solicitation': ['router-solicitation', 'nd-router-solicit'],
  redirect: ['redirect', 'nd-redirect'],
  'packet-too-big': ['packet-too-big'],
  'time-exceeded': ['time-exceeded'],
};

function icmpNameMatches(name: string, icmpType: string): boolean {
  const t = icmpType.split(' ')[1] ?? '';
  return t === name || (ICMP_NFT[name] ?? []).includes(t);
}

function serviceMatch(ctx: Ctx, name: string, f: RuleFacts, seen = new Set<string>()): { port: string; what: string; via: string[] } | undefined {
  const s = ctx.services[name];
  if (!s || seen.has(name)) return undefined;
  seen.add(name);
  const dest = [s.destination.ipv4, s.destination.ipv6].filter(Boolean).map((d) => canonicalNet(d!));
  const destOk = f.daddr === undefined ? true : dest.includes(f.daddr);
  if (f.saddr || f.smac || !destOk) return undefined;
  const helperOk = f.ctHelper && (s.helpers.some((h) => f.ctHelper!.startsWith(`helper-${h}-`)) || s.modules.some((m) => f.ctHelper!.startsWith(`helper-${m.replace(/^nf_conntrack_/, '').replace(/_/g, '-')}-`)));
  const own = f.verdict === 'accept' || helperOk;
  for (const p of own ? s.ports : []) {
    if (!p.port && f.l4proto === p.protocol && plain(f, 'proto', 'l4proto', 'daddr', 'family')) return { port: p.protocol, what: 'protocol', via: [] };
    if (p.port && f.proto === p.protocol && f.dport === p.port && plain(f, 'proto', 'dport', 'daddr', 'family')) return { port: `${p.port}/${p.protocol}`, what: helperOk && f.ctHelper ? 'connection-tracking helper on port' : 'port', via: [] };
  }
  for (const p of own ? s.protocols : []) if (f.l4proto === p && plain(f, 'proto', 'l4proto', 'daddr', 'family')) return { port: p, what: 'protocol', via: [] };
  for (const p of own ? s.sourcePorts : []) if (f.proto === p.protocol && f.sport === p.port && plain(f, 'proto', 'sport', 'daddr', 'family')) return { port: `${p.port}/${p.protocol}`, what: 'source port', via: [] };
  for (const inc of s.includes) {
    const m = serviceMatch(ctx, inc, f, seen);
    if (m) return { ...m, via: [inc, ...m.via] };
  }
  return undefined;
}

const actionPart = (rule: RichRule): ChainPart | undefined => richChainPart(rule);

const rejectStem = (s: string) =>
  s
    .replace(/^(icmpx|icmpv6|icmp6|icmp)[- ]/, '')
    .replace(/^adm-/, 'admin-')
    .replace(/^proto-/, 'prot-')
    .replace(/-(prohibited|prohib)$/, '-p')
    .replace(/-(unreachable|unreach)$/, '-u')
    .replace(/^tcp[- ](reset|rst)$/, 'tcp');

function richMatches(ctx: Ctx, rule: RichRule, part: ChainPart, table: string, f: RuleFacts): boolean {
  // Family and addresses.
  if (rule.family && f.family && rule.family !== f.family) return false;
  const src = rule.source;
  if (src) {
    if (src.kind === 'mac') {
      if (f.smac !== src.value.toLowerCase()) return false;
    } else if (f.saddr !== (src.kind === 'ipset' ? `@${src.value}` : canonicalNet(src.value)) || !!f.saddrNot !== src.invert) return false;
  } else if (f.saddr || f.smac) return false;
  const dst = rule.destination;
  if (dst) {
    if (f.daddr !== (dst.kind === 'ipset' ? `@${dst.value}` : canonicalNet(dst.value)) || !!f.daddrNot !== dst.invert) return false;
  } else if (f.daddr && rule.element?.type !== 'service') return false;
  // The element.
  const el = rule.element;
  const rest: (keyof RuleFacts)[] = ['family', 'saddr', 'daddr', 'smac'];
  if (!el) {
    if (!noMatch(f, ...rest)) return false;
  } else if (el.type === 'service') {
    if (!serviceMatch({ ...ctx }, el.name, { ...f, saddr: undefined, smac: undefined, daddr: dst ? undefined : f.daddr, verdict: f.verdict === undefined && !f.ctHelper ? 'accept' : f.verdict === 'accept' || f.ctHelper ? 'accept' : f.verdict })) return false;
  } else if (el.type === 'port') {
    if (f.proto !== el.protocol || f.dport !== el.port || !noMatch(f, ...rest, 'proto', 'dport')) return false;
  } else if (el.type === 'source-port') {
    if (f.proto !== el.protocol || f.sport !== el.port || !noMatch(f, ...rest, 'proto', 'sport')) return false;
  } else if (el.type === 'protocol') {
    if (f.l4proto !== el.value || !noMatch(f, ...rest, 'proto', 'l4proto')) return false;
  } else if (el.type === 'icmp-block' || el.type === 'icmp-type') {
    if (!f.icmpType || !icmpNameMatches(el.name, f.icmpType) || !noMatch(f, ...rest, 'icmpType')) return false;
  } else if (el.type === 'masquerade') {
    return table === 'nat' && !!f.masquerade && noMatch(f, ...rest, 'oifnameNot');
  } else if (el.type === 'forward-port') {
    return table === 'nat' && f.proto === el.protocol && f.dport === el.port && forwardTargetMatches(f, el.toPort ?? '', el.toAddr ?? '') && noMatch(f, ...rest, 'proto', 'dport');
  } else return false;
  // What it does: a log/audit rule lands in _log (priority 0), the action in its own part.
  if (f.log && !f.verdict) {
    const isAudit = f.log.level === 'audit';
    if (isAudit ? !rule.audit : rule.log?.type !== 'log') return false;
    if (!isAudit && rule.log?.type === 'log' && (rule.log.prefix ?? '') !== (f.log.prefix ?? '')) return false;
    return part === (rule.priority < 0 ? 'pre' : rule.priority > 0 ? 'post' : 'log');
  }
  if (f.log?.group !== undefined && !f.verdict) return rule.log?.type === 'nflog';
  if (f.ctHelper && !f.verdict) return el?.type === 'service' && part === 'allow';
  const a = rule.action;
  if (el?.type === 'icmp-block') return f.verdict === 'reject' && part === actionPart(rule);
  if (!a) return false;
  if (part !== actionPart(rule)) return false;
  if (a.type === 'accept') return f.verdict === 'accept';
  if (a.type === 'drop') return f.verdict === 'drop';
  if (a.type === 'mark') return f.markSet !== undefined;
  if (a.type === 'reject') {
    if (f.verdict !== 'reject') return false;
    if (!a.rejectType) return /port-unreachable/.test(f.rejectWith ?? 'port-unreachable');
    return rejectStem(a.rejectType) === rejectStem(f.rejectWith ?? '');
  }
  return false;
}
