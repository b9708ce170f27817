import { isCSpace } from './bytes';
import { cLine, parseDocument, type RcDocument } from './document';
import { inetAtonExact, ipv4ToString, parseNameserverAddress } from './inet';

/**
 * How glibc 2.36 reads resolv.conf: a line-by-line port of resolv/res_init.c (res_vinit_1,
 * res_setoptions) and resolv_conf.c (update_from_conf), checked against the real glibc by
 * test/dns/glibc.int.test.ts. Keywords only at column 0 followed by space/tab, comments only at
 * column 0, no inline comments, options matched by prefix and accumulated over all lines.
 */

export const MAXNS = 3;
export const MAXDNSRCH = 6;
export const MAXRESOLVSORT = 10;
export const RES_MAXNDOTS = 15;
export const RES_MAXRETRANS = 30;
export const RES_MAXRETRY = 5;

/** Option bits of <resolv.h> (glibc 2.36). */
export const RES = {
  INIT: 0x1,
  USEVC: 0x8,
  RECURSE: 0x40,
  DEFNAMES: 0x80,
  DNSRCH: 0x200,
  ROTATE: 0x4000,
  USE_EDNS0: 0x100000,
  SNGLKUP: 0x200000,
  SNGLKUPREOP: 0x400000,
  NOTLDQUERY: 0x1000000,
  NORELOAD: 0x2000000,
  TRUSTAD: 0x4000000,
  NOAAAA: 0x8000000,
} as const;
export const RES_DEFAULT = RES.RECURSE | RES.DEFNAMES | RES.DNSRCH;

/** The flag options as written in resolv.conf, with their bits. */
export const FLAG_OPTIONS = [
  'rotate',
  'edns0',
  'single-request',
  'single-request-reopen',
  'no-tld-query',
  'use-vc',
  'no-reload',
  'trust-ad',
  'no-aaaa',
] as const;
export type FlagOption = (typeof FLAG_OPTIONS)[number];

/** res_setoptions' table in glibc 2.36, in its order (prefix match, first hit wins). */
const OPTION_TABLE: { str: string; flag: FlagOption | null; bit: number }[] = [
  { str: 'inet6', flag: null, bit: 0 }, // recognised, no effect since 2.30
  { str: 'rotate', flag: 'rotate', bit: RES.ROTATE },
  { str: 'edns0', flag: 'edns0', bit: RES.USE_EDNS0 },
  { str: 'single-request-reopen', flag: 'single-request-reopen', bit: RES.SNGLKUPREOP },
  { str: 'single-request', flag: 'single-request', bit: RES.SNGLKUP },
  { str: 'no_tld_query', flag: 'no-tld-query', bit: RES.NOTLDQUERY },
  { str: 'no-tld-query', flag: 'no-tld-query', bit: RES.NOTLDQUERY },
  { str: 'no-reload', flag: 'no-reload', bit: RES.NORELOAD },
  { str: 'use-vc', flag: 'use-vc', bit: RES.USEVC },
  { str: 'trust-ad', flag: 'trust-ad', bit: RES.TRUSTAD },
  { str: 'no-aaaa', flag: 'no-aaaa', bit: RES.NOAAAA },
];

export interface NameserverEntry {
  family: 4 | 6;
  address: string;
  scope?: string;
  /** 1-based line, or 0 for the built-in default 127.0.0.1. */
  line: number;
}

export interface SortlistEntry {
  address: string;
  mask: string;
  line: number;
}

/** One option token and what glibc did with it. */
export interface OptionToken {
  line: number; // 0 = RES_OPTIONS
  token: string;
  /** What it set: a flag, a number option, or nothing (unknown). */
  effect: { kind: 'flag'; name: FlagOption | 'inet6' } | { kind: 'number'; name: 'ndots' | 'timeout' | 'attempts'; raw: number; value: number } | { kind: 'unknown' };
}

export interface GlibcReadOptions {
  /** gethostname(); the search list defaults to what follows its first dot. */
  hostname?: string;
  /** LOCALDOMAIN and RES_OPTIONS (others are ignored). */
  env?: Record<string, string | undefined>;
}

export interface GlibcConf {
  /** Every valid nameserver line, in order (glibc >= 2.26 stores them all). */
  nameservers: NameserverEntry[];
  /** The ones queried: the first MAXNS, or 127.0.0.1 when there is none. */
  used: NameserverEntry[];
  ignored: NameserverEntry[];
  /** True when no valid nameserver line exists and 127.0.0.1 is used. */
  defaultNameserver: boolean;
  /** The full search list used by getaddrinfo/res_search. */
  search: string[];
  searchSource: { kind: 'search' | 'domain' | 'hostname' | 'LOCALDOMAIN' | 'none'; line?: number };
  /** The legacy _res.dnsrch view (6 entries, 256 bytes). */
  legacyDnsrch: string[];
  /** All sortlist entries; the first MAXRESOLVSORT are used. */
  sortlist: SortlistEntry[];
  ndots: number;
  timeout: number;
  attempts: number;
  /** _res.options including RES_INIT. */
  optionBits: number;
  flags: Record<FlagOption, boolean>;
  optionTokens: OptionToken[];
  /** glibc 2.36 loops forever in res_init on this line (sortlist parser bug). */
  hang: { line: number } | null;
  /**
   * glibc 2.36 aborts every resolving program (assertion in update_from_conf) because a search
   * domain does not fit the legacy 256-byte buffer while fewer than 57 bytes precede it
   * (resolv_conf_matches compares against sizeof (resp->dnsrch), 56 on 64-bit, not defdname).
   */
  abort: { domain: string } | null;
}

/** C atoi: strtol(s, NULL, 10) (clamped to long) truncated to int; reads s from index `from`. */
export function cAtoi(s: string, from = 0): number {
  let i = from;
  while (isCSpace(s[i])) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  let v = 0n;
  const LMAX = (1n << 63n) - 1n;
  while (s[i] !== undefined && s[i]! >= '0' && s[i]! <= '9') {
    // Once saturated the value cannot change: skip the BigInt work for the remaining digits.
    if (v <= LMAX) {
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > LMAX + 1n) v = LMAX + 1n;
    }
    i++;
  }
  let l = neg ? -v : v;
  if (l > LMAX) l = LMAX;
  if (l < -LMAX - 1n) l = -LMAX - 1n;
  return Number(BigInt.asIntN(32, l));
}

function matchKeyword(line: string, kw: string): boolean {
  return line.startsWith(kw) && (line[kw.length] === ' ' || line[kw.length] === '\t');
}

function naturalMask(word: number): number {
  if (word < 0x80000000) return 0xff000000;
  if (word < 0xc0000000) return 0xffff0000;
  return 0xffffff00;
}

function isSortMask(c: string | undefined): boolean {
  return c === '/' || c === '&';
}

function isAsciiNonSpace(c: string | undefined): boolean {
  return c !== undefined && c.charCodeAt(0) < 0x80 && !isCSpace(c);
}

interface NumberState {
  ndots: number;
  timeout: number;
  attempts: number;
  bits: number;
}

/** res_setoptions: tokens split on space/tab, each matched by prefix. */
function setOptions(s: string, line: number, st: NumberState, tokens: OptionToken[]): void {
  let i = 0;
  while (i < s.length) {
    while (s[i] === ' ' || s[i] === '\t') i++;
    let end = i;
    while (end < s.length && s[end] !== ' ' && s[end] !== '\t') end++;
    // The C code matches against the rest of the line; startsWith(x, i) does that without
    // copying the rest for every token (which made a long options line quadratic).
    const token = s.slice(i, end);
    if (i < s.length) {
      let effect: OptionToken['effect'] = { kind: 'unknown' };
      if (s.startsWith('ndots:', i)) {
        const raw = cAtoi(s, i + 6);
        st.ndots = raw <= RES_MAXNDOTS ? raw : RES_MAXNDOTS;
        effect = { kind: 'number', name: 'ndots', raw, value: st.ndots & 15 };
      } else if (s.startsWith('timeout:', i)) {
        const raw = cAtoi(s, i + 8);
        st.timeout = raw <= RES_MAXRETRANS ? raw : RES_MAXRETRANS;
        effect = { kind: 'number', name: 'timeout', raw, value: st.timeout };
      } else if (s.startsWith('attempts:', i)) {
        const raw = cAtoi(s, i + 9);
        st.attempts = raw <= RES_MAXRETRY ? raw : RES_MAXRETRY;
        effect = { kind: 'number', name: 'attempts', raw, value: st.attempts };
      } else {
        const hit = OPTION_TABLE.find((o) => s.startsWith(o.str, i));
        if (hit) {
          st.bits |= hit.bit;
          effect = { kind: 'flag', name: hit.flag ?? 'inet6' };
        }
      }
      tokens.push({ line, token, effect });
    }
    i = end;
  }
}

/** Reads resolv.conf bytes (or a parsed document) the way glibc 2.36's res_ninit does. */
export function readGlibc(input: string | RcDocument, opts: GlibcReadOptions = {}): GlibcConf {
  const doc = typeof input === 'string' ? parseDocument(input) : input;
  const env = opts.env ?? {};
  const nameservers: NameserverEntry[] = [];
  let search: string[] = [];
  let searchSource: GlibcConf['searchSource'] = { kind: 'none' };
  const sortlist: SortlistEntry[] = [];
  const st: NumberState = { ndots: 1, timeout: 5, attempts: 2, bits: RES_DEFAULT | RES.INIT };
  const optionTokens: OptionToken[] = [];
  let hang: GlibcConf['hang'] = null;

  const localdomain = env.LOCALDOMAIN;
  const haveenv = localdomain !== undefined;
  if (haveenv) {
    const nl = localdomain.indexOf('\n');
    const ld = nl >= 0 ? localdomain.slice(0, nl) : localdomain;
    search = splitLikeGlibc(ld);
    searchSource = { kind: 'LOCALDOMAIN' };
  }

  doc.lines.forEach((l, idx) => {
    if (hang) return;
    const lineNo = idx + 1;
    const line = cLine(l);
    if (line[0] === ';' || line[0] === '#') return;
    if (matchKeyword(line, 'domain')) {
      if (haveenv) return;
      let cp = 6;
      while (line[cp] === ' ' || line[cp] === '\t') cp++;
      if (cp >= line.length || line[cp] === '\n') return;
      const rest = line.slice(cp);
      const m = /[ \t\n]/.exec(rest);
      search = [m ? rest.slice(0, m.index) : rest];
      searchSource = { kind: 'domain', line: lineNo };
      return;
    }
    if (matchKeyword(line, 'search')) {
      if (haveenv) return;
      let cp = 6;
      while (line[cp] === ' ' || line[cp] === '\t') cp++;
      if (cp >= line.length || line[cp] === '\n') return;
      let rest = line.slice(cp);
      const nl = rest.indexOf('\n');
      if (nl >= 0) rest = rest.slice(0, nl);
      search = splitLikeGlibc(rest);
      searchSource = { kind: 'search', line: lineNo };
      return;
    }
    if (matchKeyword(line, 'nameserver')) {
      let cp = 10;
      while (line[cp] === ' ' || line[cp] === '\t') cp++;
      const rest = line.slice(cp);
      const m = /[ \t\n]/.exec(rest);
      const token = m ? rest.slice(0, m.index) : rest;
      const a = parseNameserverAddress(token);
      if (a) nameservers.push({ ...a, line: lineNo });
      return;
    }
    if (matchKeyword(line, 'sortlist')) {
      let cp = 8;
      for (;;) {
        const start = cp;
        while (line[cp] === ' ' || line[cp] === '\t') cp++;
        if (cp >= line.length || line[cp] === '\n' || line[cp] === ';') break;
        const net = cp;
        while (cp < line.length && !isSortMask(line[cp]) && line[cp] !== ';' && isAsciiNonSpace(line[cp])) cp++;
        let sep = line[cp];
        const addr = inetAtonExact(line.slice(net, cp));
        if (addr !== null) {
          let mask = naturalMask(addr);
          if (isSortMask(sep)) {
            cp++;
            const mnet = cp;
            while (cp < line.length && line[cp] !== ';' && isAsciiNonSpace(line[cp])) cp++;
            sep = line[cp];
            const m = inetAtonExact(line.slice(mnet, cp));
            if (m !== null) mask = m;
          }
          sortlist.push({ address: ipv4ToString(addr), mask: ipv4ToString(mask), line: lineNo });
        }
        void sep;
        if (cp === start) {
          // No progress: glibc 2.36 spins here forever (res_init never returns).
          hang = { line: lineNo };
          break;
        }
      }
      return;
    }
    if (matchKeyword(line, 'options')) {
      setOptions(line.slice(7), lineNo, st, optionTokens);
    }
  });

  const defaultNameserver = nameservers.length === 0;
  const used = defaultNameserver ? [{ family: 4 as const, address: '127.0.0.1', line: 0 }] : nameservers.slice(0, MAXNS);
  const ignored = nameservers.slice(MAXNS);

  if (search.length === 0 && opts.hostname !== undefined) {
    const dot = opts.hostname.slice(0, 255).indexOf('.');
    if (dot >= 0) {
      search = [opts.hostname.slice(dot + 1)];
      searchSource = { kind: 'hostname' };
    }
  }

  if (env.RES_OPTIONS !== undefined) setOptions(env.RES_OPTIONS, 0, st, optionTokens);

  const flags = Object.fromEntries(FLAG_OPTIONS.map((f) => [f, false])) as Record<FlagOption, boolean>;
  for (const o of OPTION_TABLE) if (o.flag && st.bits & o.bit) flags[o.flag] = true;

  return {
    nameservers,
    used,
    ignored,
    defaultNameserver,
    search,
    searchSource,
    legacyDnsrch: legacyDnsrch(search),
    abort: legacyAbort(search),
    sortlist,
    // _res.ndots is a 4-bit field: negative values wrap (-1 -> 15).
    ndots: st.ndots & 15,
    timeout: st.timeout,
    attempts: st.attempts,
    optionBits: st.bits >>> 0,
    flags,
    optionTokens,
    hang,
  };
}

/** The search/LOCALDOMAIN splitter: the first entry starts at the first byte, blanks separate. */
function splitLikeGlibc(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inName = true;
  for (const c of s) {
    if (c === ' ' || c === '\t') {
      if (inName) out.push(cur);
      cur = '';
      inName = false;
    } else {
      if (!inName) inName = true;
      cur += c;
    }
  }
  if (inName) out.push(cur);
  return out;
}

/** _res.dnsrch: at most 6 entries that fit, NUL-terminated, in the 256-byte defdname. */
function legacyDnsrch(search: string[]): string[] {
  const out: string[] = [];
  let used = 0;
  for (const d of search.slice(0, MAXDNSRCH)) {
    if (used + d.length + 1 > 256) break;
    used += d.length + 1;
    out.push(d);
  }
  return out;
}

function legacyAbort(search: string[]): { domain: string } | null {
  let used = 0;
  for (const d of search.slice(0, MAXDNSRCH)) {
    if (used + d.length + 1 > 256) return used <= 56 ? { domain: d } : null;
    used += d.length + 1;
  }
  return null;
}

export function optionsSummary(c: GlibcConf): Record<string, number | boolean> {
  return { ndots: c.ndots, timeout: c.timeout, attempts: c.attempts, ...c.flags };
}
