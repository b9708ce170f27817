import { isIPv4, isIPv6 } from '../validate';

/**
 * Address and network matching for the explain engine: an address or CIDR (IPv4 netmask form
 * too, as firewalld accepts "10.0.0.0/255.0.0.0") parsed once into a bigint range.
 */
export type Family = 'ipv4' | 'ipv6';

export interface Net {
  family: Family;
  /** First address of the network. */
  base: bigint;
  bits: number;
}

const cache = new Map<string, Net | null>();

function v4(s: string): bigint | undefined {
  if (!isIPv4(s)) return undefined;
  return s.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
}

function v6(raw: string): bigint | undefined {
  const s = raw.replace(/^\[|\]$/g, '');
  if (!isIPv6(s)) return undefined;
  let head = s;
  const tail: number[] = [];
  if (s.includes('.')) {
    const i = s.lastIndexOf(':');
    const n = Number(v4(s.slice(i + 1)));
    tail.push((n >>> 16) & 0xffff, n & 0xffff);
    head = s.slice(0, i + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const parse = (p: string) => (p === '' ? [] : p.split(':').map((g) => parseInt(g, 16)));
  let groups: number[];
  const dbl = head.indexOf('::');
  if (dbl >= 0) {
    const left = parse(head.slice(0, dbl));
    const right = [...parse(head.slice(dbl + 2)), ...tail];
    groups = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  } else {
    groups = [...parse(head), ...tail];
  }
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** Parses "a.b.c.d", "a.b.c.d/24", "a.b.c.d/255.255.255.0", "fd00::1", "fd00::/64"; undefined when it is none of these. */
export function parseNet(text: string): Net | undefined {
  const hit = cache.get(text);
  if (hit !== undefined) return hit ?? undefined;
  const net = parseNetUncached(text.trim());
  if (cache.size > 100_000) cache.clear();
  cache.set(text, net ?? null);
  return net;
}

function parseNetUncached(text: string): Net | undefined {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const mask = slash < 0 ? undefined : text.slice(slash + 1);
  const a4 = v4(addr);
  if (a4 !== undefined) {
    let bits = 32;
    if (mask !== undefined) {
      if (mask.includes('.')) {
        const m = v4(mask);
        if (m === undefined) return undefined;
        bits = m.toString(2).replace(/0+$/, '').length;
        if (m === 0n) bits = 0;
      } else if (/^\d{1,2}$/.test(mask) && Number(mask) <= 32) bits = Number(mask);
      else return undefined;
    }
    return { family: 'ipv4', base: maskOff(a4, 32, bits), bits };
  }
  const a6 = v6(addr);
  if (a6 !== undefined) {
    let bits = 128;
    if (mask !== undefined) {
      if (!/^\d{1,3}$/.test(mask) || Number(mask) > 128) return undefined;
      bits = Number(mask);
    }
    return { family: 'ipv6', base: maskOff(a6, 128, bits), bits };
  }
  return undefined;
}

function maskOff(a: bigint, width: number, bits: number): bigint {
  const host = BigInt(width - bits);
  return (a >> host) << host;
}

/** Whether the single address `addr` lies in `net` (different families never match). */
export function inNet(addr: Net, net: Net): boolean {
  if (addr.family !== net.family) return false;
  const width = addr.family === 'ipv4' ? 32 : 128;
  return maskOff(addr.base, width, net.bits) === net.base;
}

/** The family of an address or network text, or undefined. */
export function familyOf(text: string): Family | undefined {
  return parseNet(text)?.family;
}

/** An address inside `net` for "what if the packet came from there" (the first host address, or the address itself). */
export function sampleAddress(text: string): string | undefined {
  const net = parseNet(text);
  if (!net) return undefined;
  const width = net.family === 'ipv4' ? 32 : 128;
  const a = net.bits < width - 1 ? net.base + 1n : net.base;
  return formatAddr(a, net.family);
}

export function formatAddr(a: bigint, family: Family): string {
  if (family === 'ipv4') return [24n, 16n, 8n, 0n].map((s) => String((a >> s) & 255n)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((a >> s) & 0xffffn).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}

export const isMacAddress = (s: string): boolean => /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(s);
