/**
 * `nft -j list ruleset` (libnftables-json(5), json_schema_version 1) read into tables, chains and
 * rules, each rule with nft-like text and normalised facts for attribution.
 *
 * Why normalise: the listing does not round-trip what firewalld sent. An anonymous set comes back
 * as `{"set": [...]}` from one nft and a bare array from another, a single-element set as a plain
 * value, a /32 prefix as an address, IPv6 addresses in nft's spelling. Facts compare by value,
 * never by JSON shape. Data read from a host is hostile: anything unexpected is rendered as
 * compact JSON (never thrown), and only the top level must have the shape nft gives.
 */

export interface NftCounter {
  packets: number;
  bytes: number;
}

export interface NftChain {
  family: string;
  table: string;
  name: string;
  handle?: number;
  /** Base chains only. */
  type?: string;
  hook?: string;
  prio?: number;
  policy?: string;
}

export type Verdict = 'accept' | 'drop' | 'reject' | 'jump' | 'goto' | 'return' | 'continue' | 'queue';

/** What a rule matches and does, normalised (values as nft prints them; sets sorted). */
export interface RuleFacts {
  /** ipv4 / ipv6 when the rule is limited to one family (ip/ip6 payload or meta nfproto). */
  family?: 'ipv4' | 'ipv6';
  saddr?: string;
  saddrNot?: boolean;
  daddr?: string;
  daddrNot?: boolean;
  smac?: string;
  /** tcp, udp, sctp, dccp (from a port match) or a meta l4proto value. */
  proto?: string;
  /** meta l4proto alone (a protocol item), e.g. "gre", or a sorted set "icmp,ipv6-icmp". */
  l4proto?: string;
  dport?: string;
  sport?: string;
  /** "icmp echo-request" / "icmpv6 echo-request". */
  icmpType?: string;
  iifname?: string;
  oifname?: string;
  oifnameNot?: string;
  ctState?: string;
  ctStatus?: string;
  verdict?: Verdict;
  /** jump/goto target. */
  target?: string;
  rejectWith?: string;
  log?: { prefix?: string; level?: string; group?: number };
  limit?: string;
  ctHelper?: string;
  masquerade?: boolean;
  redirectPort?: string;
  dnat?: { addr?: string; port?: string };
  markSet?: string;
  /** Something this reader does not classify (fib, raw payload, ...): the rule is only attributed by its place. */
  other: string[];
}

export interface NftRule {
  family: string;
  table: string;
  chain: string;
  handle?: number;
  /** The rule as nft prints it (counters left out: they are in `counter`). */
  text: string;
  counter?: NftCounter;
  comment?: string;
  facts: RuleFacts;
}

export interface NftRuleset {
  /** nft's version (metainfo), when listed. */
  version?: string;
  tables: { family: string; name: string }[];
  chains: NftChain[];
  rules: NftRule[];
  sets: { family: string; table: string; name: string; type?: string }[];
}

type J = unknown;
const isObj = (v: J): v is Record<string, J> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: J): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: J): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const compact = (v: J): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
};

/** Thrown for input that is not an nft JSON listing at all (the caller names where it came from). */
export class NftJsonError extends Error {}

/** Reads `nft -j list ruleset` output (text or parsed). */
export function parseNftRuleset(input: string | J): NftRuleset {
  let doc: J = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (e) {
      throw new NftJsonError(`not JSON: ${(e as Error).message}`);
    }
  }
  if (!isObj(doc) || !Array.isArray(doc.nftables)) throw new NftJsonError('not an nft JSON listing: the top level must be {"nftables": [...]}');
  const out: NftRuleset = { tables: [], chains: [], rules: [], sets: [] };
  doc.nftables.forEach((item, i) => {
    if (!isObj(item)) throw new NftJsonError(`nftables[${i}] is not an object`);
    const meta = item.metainfo;
    if (isObj(meta)) {
      out.version = str(meta.version);
      const schema = num(meta.json_schema_version);
      if (schema !== undefined && schema !== 1) throw new NftJsonError(`json_schema_version ${schema} is not supported (HostDeck reads version 1)`);
      return;
    }
    if (isObj(item.table)) {
      const t = item.table;
      out.tables.push({ family: str(t.family) ?? '?', name: str(t.name) ?? '?' });
    } else if (isObj(item.chain)) {
      const c = item.chain;
      out.chains.push({
        family: str(c.family) ?? '?',
        table: str(c.table) ?? '?',
        name: str(c.name) ?? '?',
        handle: num(c.handle),
        type: str(c.type),
        hook: str(c.hook),
        prio: num(c.prio),
        policy: str(c.policy),
      });
    } else if (isObj(item.set) || isObj(item.map)) {
      const s = (item.set ?? item.map) as Record<string, J>;
      out.sets.push({ family: str(s.family) ?? '?', table: str(s.table) ?? '?', name: str(s.name) ?? '?', type: typeof s.type === 'string' ? s.type : s.type === undefined ? undefined : compact(s.type) });
    } else if (isObj(item.rule)) {
      const r = item.rule;
      const expr = Array.isArray(r.expr) ? r.expr : [];
      const { text, counter, facts } = readExpressions(expr);
      out.rules.push({
        family: str(r.family) ?? '?',
        table: str(r.table) ?? '?',
        chain: str(r.chain) ?? '?',
        handle: num(r.handle),
        text,
        counter,
        comment: str(r.comment),
        facts,
      });
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Values

/** Meta keys nft prints without "meta" (src/meta.c: the unqualified ones). */
const BARE_META = new Set(['iif', 'oif', 'iifname', 'oifname', 'iiftype', 'oiftype', 'skuid', 'skgid', 'nftrace', 'rtclassid', 'ibrname', 'obrname', 'pkttype', 'cpu', 'iifgroup', 'oifgroup', 'cgroup']);
const QUOTED_KEYS = new Set(['iifname', 'oifname', 'ibrname', 'obrname']);

/** An IPv6 address in nft's spelling (lower case, longest zero run compressed) so that spellings compare equal. */
export function canonicalAddr(a: string): string {
  if (!a.includes(':') || a.includes('.')) return a.toLowerCase();
  const [head, tail] = a.toLowerCase().split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  if (tail === undefined && h.length !== 8) return a.toLowerCase();
  const groups = [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t].map((g) => g.replace(/^0+(?=.)/, ''));
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return a.toLowerCase();
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** A network as firewalld writes it, in nft's spelling: /32 and /128 dropped, IPv6 compressed. */
export function canonicalNet(text: string): string {
  const m = /^([^/]+)(?:\/(\d+))?$/.exec(text.trim());
  if (!m) return text;
  const addr = canonicalAddr(m[1]!);
  const full = addr.includes(':') ? '128' : '32';
  return m[2] === undefined || m[2] === full ? addr : `${addr}/${m[2]}`;
}

/** Elements of an anonymous set in any of the listings' shapes, or undefined when `v` is not a set. */
function setElements(v: J): J[] | undefined {
  if (Array.isArray(v)) return v;
  if (isObj(v) && 'set' in v) return Array.isArray(v.set) ? v.set : [v.set];
  return undefined;
}

function valueText(v: J, key?: string): string {
  if (typeof v === 'number' || typeof v === 'boolean') return key === 'fib' && v === false ? 'missing' : String(v);
  if (typeof v === 'string') return v.startsWith('@') ? v : key && QUOTED_KEYS.has(key) ? JSON.stringify(v) : /[\s"{}]/.test(v) ? JSON.stringify(v) : v;
  const elems = setElements(v);
  if (elems) return `{ ${elems.map((e) => valueText(e, key)).join(', ')} }`;
  if (isObj(v)) {
    if (isObj(v.prefix)) return `${valueText(v.prefix.addr)}/${num(v.prefix.len) ?? '?'}`;
    if (Array.isArray(v.range)) return v.range.map((x) => valueText(x, key)).join('-');
    if (Array.isArray(v.concat)) return v.concat.map((x) => valueText(x, key)).join(' . ');
    if (isObj(v.elem)) return valueText(v.elem.val, key);
  }
  return compact(v);
}

/** A value as a comparable string: sets sorted and joined by ",", networks and addresses canonical. */
function valueKey(v: J): string {
  const elems = setElements(v);
  if (elems) return elems.map(valueKey).sort().join(',');
  if (typeof v === 'string') return /^[0-9a-f:.]+$/i.test(v) && /[:.]/.test(v) ? canonicalAddr(v) : v;
  if (isObj(v) && isObj(v.prefix)) return canonicalNet(`${str(v.prefix.addr) ?? '?'}/${num(v.prefix.len) ?? '?'}`);
  if (isObj(v) && Array.isArray(v.range)) return v.range.map(valueKey).join('-');
  if (isObj(v) && isObj(v.elem)) return valueKey(v.elem.val);
  if (isObj(v) && Array.isArray(v.concat)) return v.concat.map(valueKey).join(' . ');
  return typeof v === 'number' ? String(v) : compact(v);
}

function leftText(l: J): { text: string; key?: string } {
  if (!isObj(l)) return { text: valueText(l) };
  if (isObj(l.payload)) {
    const p = l.payload;
    if (str(p.protocol)) return { text: `${p.protocol} ${str(p.field) ?? '?'}`, key: `${p.protocol}.${p.field}` };
    return { text: `@${str(p.base) ?? '?'},${num(p.offset) ?? '?'},${num(p.len) ?? '?'}` };
  }
  if (isObj(l.meta)) {
    const k = str(l.meta.key) ?? '?';
    return { text: BARE_META.has(k) ? k : `meta ${k}`, key: k };
  }
  if (isObj(l.ct)) {
    const k = str(l.ct.key) ?? '?';
    return { text: `ct ${l.ct.dir ? `${str(l.ct.dir)} ` : ''}${k}`, key: `ct.${k}` };
  }
  if (isObj(l.fib)) {
    const flags = Array.isArray(l.fib.flags) ? l.fib.flags.map((f) => String(f)) : [];
    return { text: `fib ${flags.join(' . ')} ${str(l.fib.result) ?? '?'}`, key: 'fib' };
  }
  if (isObj(l.exthdr)) return { text: `exthdr ${str(l.exthdr.name) ?? '?'} ${str(l.exthdr.field) ?? ''}`.trim() };
  if (isObj(l['tcp option'])) return { text: `tcp option ${str(l['tcp option'].name) ?? '?'} ${str(l['tcp option'].field) ?? ''}`.trim() };
  if (Array.isArray(l.concat)) {
    const parts = l.concat.map(leftText);
    return { text: parts.map((p) => p.text).join(' . '), key: parts.map((p) => p.key ?? '?').join('.') };
  }
  return { text: compact(l) };
}

const ADDR_FIELDS: Record<string, ['saddr' | 'daddr', 'ipv4' | 'ipv6']> = {
  'ip.saddr': ['saddr', 'ipv4'],
  'ip.daddr': ['daddr', 'ipv4'],
  'ip6.saddr': ['saddr', 'ipv6'],
  'ip6.daddr': ['daddr', 'ipv6'],
};
const PORT_PROTOCOLS = new Set(['tcp', 'udp', 'sctp', 'dccp', 'th']);

function limitText(l: Record<string, J>): { text: string; key: string } {
  const rate = num(l.rate) ?? 0;
  const per = str(l.per) ?? 'second';
  const unit = str(l.rate_unit);
  const burst = num(l.burst);
  const rateText = `${rate}${unit && unit !== 'packets' ? ` ${unit}` : ''}/${per}`;
  // nft prints the burst only when it is not the default (5 packets).
  const burstText = burst !== undefined && burst !== 5 && burst !== 0 ? ` burst ${burst} packets` : '';
  return { text: `limit rate ${l.inv ? 'over ' : ''}${rateText}${burstText}`, key: `${rate}/${per[0]}` };
}

/** One rule's expressions: its text, counter and facts. */
export function readExpressions(expr: J[]): { text: string; counter?: NftCounter; facts: RuleFacts } {
  const facts: RuleFacts = { other: [] };
  const parts: string[] = [];
  let counter: NftCounter | undefined;
  for (const e of expr) {
    if (!isObj(e)) {
      parts.push(compact(e));
      facts.other.push('?');
      continue;
    }
    const [kind] = Object.keys(e);
    const v = kind === undefined ? undefined : e[kind];
    switch (kind) {
      case 'match': {
        if (!isObj(v)) break;
        const op = str(v.op) ?? '==';
        const left = leftText(v.left);
        const right = valueText(v.right, left.key === 'fib' ? 'fib' : left.key);
        const neg = op === '!=';
        parts.push(`${left.text} ${op === '==' || op === 'in' ? '' : `${op} `}${right}`);
        const rk = valueKey(v.right);
        const k = left.key ?? '';
        const addr = ADDR_FIELDS[k];
        if (addr) {
          facts.family = addr[1];
          facts[addr[0]] = rk.startsWith('@') ? rk : canonicalNet(rk);
          if (neg) facts[addr[0] === 'saddr' ? 'saddrNot' : 'daddrNot'] = true;
        } else if (k === 'ether.saddr') facts.smac = rk.toLowerCase();
        else if (k === 'nfproto') facts.family = rk === 'ipv6' ? 'ipv6' : 'ipv4';
        else if (k === 'l4proto') {
          facts.l4proto = rk;
          if (!rk.includes(',')) facts.proto = rk;
        } else if (/^(tcp|udp|sctp|dccp|th)\.(dport|sport)$/.test(k)) {
          const [proto, field] = k.split('.') as [string, 'dport' | 'sport'];
          if (PORT_PROTOCOLS.has(proto) && proto !== 'th') facts.proto = proto;
          facts[field] = rk.replace(/,/g, ',');
        } else if (k === 'icmp.type' || k === 'icmpv6.type') {
          const fam = k.startsWith('icmpv6') ? 'icmpv6' : 'icmp';
          facts.icmpType = `${fam} ${rk}`;
          facts.family ??= fam === 'icmp' ? 'ipv4' : 'ipv6';
        } else if (k === 'iifname') facts.iifname = rk;
        else if (k === 'oifname') {
          if (neg) facts.oifnameNot = rk;
          else facts.oifname = rk;
        } else if (k === 'ct.state') facts.ctState = rk;
        else if (k === 'ct.status') facts.ctStatus = rk;
        else if (k === 'ip6.nexthdr' || k === 'ip.protocol') facts.l4proto = rk;
        else facts.other.push(left.key ?? left.text);
        break;
      }
      case 'counter':
        if (isObj(v)) counter = { packets: num(v.packets) ?? 0, bytes: num(v.bytes) ?? 0 };
        else if (typeof v === 'string') parts.push(`counter name ${v}`);
        break;
      case 'accept':
      case 'drop':
      case 'return':
      case 'continue':
        facts.verdict = kind;
        parts.push(kind);
        break;
      case 'jump':
      case 'goto':
        facts.verdict = kind;
        facts.target = isObj(v) ? str(v.target) : undefined;
        parts.push(`${kind} ${facts.target ?? '?'}`);
        break;
      case 'queue':
        facts.verdict = 'queue';
        parts.push(`queue${isObj(v) && v.num !== undefined ? ` num ${valueText(v.num)}` : ''}`);
        break;
      case 'reject': {
        facts.verdict = 'reject';
        const type = isObj(v) ? str(v.type) : undefined;
        const code = isObj(v) ? str(v.expr) : undefined;
        facts.rejectWith = type === 'tcp reset' ? 'tcp reset' : type && code ? `${type} ${code}` : type;
        parts.push(facts.rejectWith ? `reject with ${facts.rejectWith}` : 'reject');
        break;
      }
      case 'log': {
        const l = isObj(v) ? v : {};
        facts.log = { prefix: str(l.prefix), level: str(l.level), group: num(l.group) };
        const bits = ['log'];
        if (l.prefix !== undefined) bits.push(`prefix ${JSON.stringify(str(l.prefix) ?? '')}`);
        if (l.group !== undefined) bits.push(`group ${num(l.group)}`);
        if (l.level !== undefined) bits.push(`level ${str(l.level)}`);
        if (l.queue_threshold !== undefined) bits.push(`queue-threshold ${num(l.queue_threshold)}`);
        parts.push(bits.join(' '));
        break;
      }
      case 'limit': {
        const t = limitText(isObj(v) ? v : {});
        facts.limit = t.key;
        parts.push(t.text);
        break;
      }
      case 'masquerade':
        facts.masquerade = true;
        parts.push(`masquerade${isObj(v) && v.port !== undefined ? ` to :${valueText(v.port)}` : ''}`);
        break;
      case 'redirect':
        facts.redirectPort = isObj(v) && v.port !== undefined ? valueKey(v.port) : undefined;
        parts.push(`redirect${facts.redirectPort ? ` to :${facts.redirectPort}` : ''}`);
        break;
      case 'dnat':
      case 'snat': {
        const d = isObj(v) ? v : {};
        const addr = d.addr !== undefined ? valueKey(d.addr) : undefined;
        const port = d.port !== undefined ? valueKey(d.port) : undefined;
        if (kind === 'dnat') facts.dnat = { addr, port };
        else facts.other.push('snat');
        const fam = str(d.family);
        const a = addr && addr.includes(':') && port ? `[${addr}]` : addr ?? '';
        parts.push(`${kind}${fam ? ` ${fam}` : ''} to ${a}${port ? `:${port}` : ''}`);
        break;
      }
      case 'ct helper':
        facts.ctHelper = str(v) ?? compact(v);
        parts.push(`ct helper set ${JSON.stringify(facts.ctHelper)}`);
        break;
      case 'mangle': {
        const m = isObj(v) ? v : {};
        const l = leftText(m.key);
        if (l.key === 'mark' || l.key === 'ct.mark') facts.markSet = valueKey(m.value);
        else facts.other.push(`${l.text} set`);
        parts.push(`${l.text} set ${valueText(m.value)}`);
        break;
      }
      case 'xt':
        facts.other.push('xt');
        parts.push(`xt ${isObj(v) ? str(v.type) ?? '' : ''} ${isObj(v) ? str(v.name) ?? '' : ''}`.trim());
        break;
      default:
        facts.other.push(kind ?? '?');
        parts.push(`${kind ?? '?'} ${compact(v)}`);
    }
  }
  return { text: parts.join(' ').replace(/\s+/g, ' ').trim(), counter, facts };
}
