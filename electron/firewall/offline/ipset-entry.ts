/**
 * ipset entries as firewalld 1.3.3 stores them when they are added (core/ipset.py
 * normalize_ipset_entry, check_entry_overlaps_existing): each comma-separated part holding a
 * "/" becomes Python's str(ipaddress.ip_network(part, strict=False)) (host bits cleared, IPv6
 * compressed), and a single-part entry may not overlap one already there.
 */
import { isIPv4, isIPv6 } from '../../../shared/firewall/validate';

interface Net {
  v6: boolean;
  addr: bigint;
  prefix: number;
}

function v4ToBig(a: string): bigint {
  return a.split('.').reduce((n, o) => (n << 8n) | BigInt(Number(o)), 0n);
}

function v6ToBig(a: string): bigint | undefined {
  let s = a;
  // An embedded IPv4 tail (::ffff:192.0.2.1).
  const tail = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (tail) {
    if (!isIPv4(tail[2]!)) return undefined;
    const n = v4ToBig(tail[2]!);
    s = `${tail[1]}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  if (fill < 0 || (halves.length === 1 && head.length !== 8)) return undefined;
  const groups = [...head, ...Array(fill).fill('0'), ...rest];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** ipaddress.ip_network(text, strict=False), or undefined where Python raises ValueError. */
function network(text: string): Net | undefined {
  const [a, p, extra] = text.split('/');
  if (extra !== undefined || a === undefined) return undefined;
  const v6 = a.includes(':');
  if (v6 ? !isIPv6(a, false) : !isIPv4(a)) return undefined;
  const bits = v6 ? 128 : 32;
  let prefix = bits;
  if (p !== undefined) {
    if (!/^\d+$/.test(p) || Number(p) > bits) return undefined;
    prefix = Number(p);
  }
  const addr = v6 ? v6ToBig(a) : v4ToBig(a);
  if (addr === undefined) return undefined;
  const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
  return { v6, addr: addr & mask, prefix };
}

/** Python's IPv6Address.compressed: lower-case hex, the longest run of two or more zero groups (the first such) as "::". */
function v6Text(n: bigint): string {
  const g = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return g.join(':');
  const left = g.slice(0, best).join(':');
  const right = g.slice(best + bestLen).join(':');
  return `${left}::${right}`;
}

function netText(n: Net): string {
  const a = n.v6 ? v6Text(n.addr) : [24, 16, 8, 0].map((s) => Number((n.addr >> BigInt(s)) & 0xffn)).join('.');
  return `${a}/${n.prefix}`;
}

export function normalizeIpsetEntry(entry: string): string {
  return entry
    .split(',')
    .map((part) => {
      if (!part.includes('/')) return part;
      const n = network(part);
      return n ? netText(n) : part;
    })
    .join(',');
}

const contains = (a: Net, b: Net) => {
  const bits = a.v6 ? 128 : 32;
  const shift = BigInt(bits - a.prefix);
  return a.v6 === b.v6 && b.addr >> shift === a.addr >> shift;
};

/** The existing entry a new single-part entry overlaps (firewalld refuses it), if any. */
export function overlappingEntry(entry: string, entries: readonly string[]): string | undefined {
  if (entry.includes(',')) return undefined;
  const e = network(entry);
  if (!e) return undefined;
  for (const itr of entries) {
    const o = network(itr);
    if (o && (contains(e, o) || contains(o, e))) return itr;
  }
  return undefined;
}
