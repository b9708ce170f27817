import type { GlibcConf } from './glibc';
import type { MuslConf } from './musl';

/**
 * The exact sequence of names a stub resolver queries for one lookup, assuming every candidate
 * is answered NXDOMAIN (the worst case, what a typo or an external name costs) unless it is
 * listed in `existing`. glibc: port of __res_context_search (resolv/res_query.c, 2.36). musl:
 * port of name_from_dns_search (src/network/lookup_name.c, 1.2.3). Checked against the real
 * libraries by test/dns/plan.int.test.ts with a logging DNS server.
 */

export type Libc = 'glibc' | 'musl';
export type Family = 'unspec' | 'inet' | 'inet6';

export interface PlannedQuery {
  /** Absolute name as sent, ending with ".". */
  name: string;
  reason: string;
  kind: 'as-is-first' | 'search' | 'as-is-last';
  /** The search domain appended, for kind "search". */
  domain?: string;
}

export interface QueryPlan {
  libc: Libc;
  input: string;
  queries: PlannedQuery[];
  /** Query types per candidate: A, AAAA or both. */
  types: ('A' | 'AAAA')[];
  /** Packets the lookup sends when nothing exists (no retransmissions). */
  packets: number;
  /** Why the lookup stops where it stops, when not at the end of the list. */
  stop?: string;
  advice: string[];
}

export interface PlanOptions {
  family?: Family;
  /** FQDNs (with or without the final dot) that exist: the lookup ends there. */
  existing?: string[];
}

const MAXDNAME = 1025;

/** Whether the resolver can encode the name in a query (labels 1-63 bytes, 255 bytes on the wire). */
export function encodable(name: string): boolean {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  if (n === '') return name === '.';
  const labels = n.split('.');
  if (labels.some((l) => l.length === 0 || l.length > 63)) return false;
  return labels.reduce((s, l) => s + l.length + 1, 1) <= 255;
}

function fqdn(n: string): string {
  return n.endsWith('.') ? n : `${n}.`;
}

function existsSet(opts: PlanOptions): Set<string> {
  return new Set((opts.existing ?? []).map((e) => fqdn(e).toLowerCase()));
}

function typesFor(family: Family, noAaaa: boolean): ('A' | 'AAAA')[] {
  if (family === 'inet') return ['A'];
  if (family === 'inet6') return ['AAAA'];
  return noAaaa ? ['A'] : ['A', 'AAAA'];
}

export function planGlibc(name: string, conf: GlibcConf, opts: PlanOptions = {}): QueryPlan {
  const types = typesFor(opts.family ?? 'unspec', conf.flags['no-aaaa']);
  const exists = existsSet(opts);
  const queries: PlannedQuery[] = [];
  const advice: string[] = [];
  let stop: string | undefined;
  const dots = [...name].filter((c) => c === '.').length;
  const trailing = name.endsWith('.');
  const defnames = true;
  const dnsrch = true;

  // Returns 'found' | 'nxdomain' | 'norecovery' (no packet: the name cannot be encoded).
  const send = (q: PlannedQuery, raw: string): 'found' | 'nxdomain' | 'norecovery' => {
    if (!encodable(raw) || raw.length >= MAXDNAME) return 'norecovery';
    queries.push(q);
    return exists.has(q.name.toLowerCase()) ? 'found' : 'nxdomain';
  };

  let done = false;
  let triedAsIs = false;
  let rootOnList = false;
  let searched = false;
  if (dots >= conf.ndots || trailing) {
    const r = send(
      {
        name: fqdn(name),
        kind: 'as-is-first',
        reason: trailing ? 'trailing dot: the name is absolute, no search list' : `${dots} dot(s) >= ndots ${conf.ndots}: tried as is first`,
      },
      name,
    );
    if (r === 'found') done = true;
    if (trailing) {
      done = true;
      if (r !== 'found') stop = 'a name ending with "." is never searched';
    }
    triedAsIs = true;
  }
  if (!done && ((dots === 0 && defnames) || (dots > 0 && !trailing && dnsrch))) {
    for (const entry of conf.search) {
      searched = true;
      let d = entry;
      if (d.startsWith('.')) d = d.slice(1);
      if (d === '') rootOnList = true;
      const raw = `${name}.${d}`;
      const q: PlannedQuery =
        d === ''
          ? { name: fqdn(name), kind: 'search', domain: entry, reason: `search entry "${entry}" is the root: the bare name, in search order` }
          : { name: fqdn(raw), kind: 'search', domain: d, reason: `search domain ${d}` };
      if (raw.length + 0 >= MAXDNAME) {
        stop = `"${raw}" is too long; glibc stops searching`;
        break;
      }
      const r = send(q, d === '' ? `${name}.` : raw);
      if (r === 'found') {
        done = true;
        break;
      }
      if (r === 'norecovery') {
        stop = `"${raw}" is not a valid DNS name; glibc stops searching there`;
        break;
      }
    }
  }
  if (!done && (dots > 0 || !searched || !conf.flags['no-tld-query']) && !(triedAsIs || rootOnList)) {
    send({ name: fqdn(name), kind: 'as-is-last', reason: dots < conf.ndots ? `${dots} dot(s) < ndots ${conf.ndots}: the name as is comes last` : 'the name as is' }, name);
  } else if (!done && dots === 0 && searched && conf.flags['no-tld-query'] && !(triedAsIs || rootOnList)) {
    stop = 'no-tld-query: a single-label name is never sent as is';
  }

  if (conf.attempts <= 0) {
    // res_send's retry loop runs `attempts` times: with 0 or less not one packet leaves, so the
    // search list (and any advice about its cost) is moot.
    return {
      libc: 'glibc',
      input: name,
      queries: [],
      types,
      packets: 0,
      stop: `attempts:${conf.attempts}: glibc sends no query at all, every lookup fails at once`,
      advice: [`attempts:${conf.attempts} means glibc sends nothing at all: every lookup fails at once. Set attempts to 1 or more (the default is 2).`],
    };
  }
  addAmplificationAdvice(advice, name, queries.length, conf.ndots, dots, trailing);
  const plan: QueryPlan = { libc: 'glibc', input: name, queries, types, packets: queries.length * types.length, advice };
  if (stop) plan.stop = stop;
  return plan;
}

export function planMusl(name: string, conf: MuslConf, opts: PlanOptions = {}): QueryPlan {
  const types = typesFor(opts.family ?? 'unspec', false);
  const exists = existsSet(opts);
  const queries: PlannedQuery[] = [];
  const advice: string[] = [];
  let stop: string | undefined;
  const dots = [...name].filter((c) => c === '.').length;
  const trailing = name.endsWith('.');
  let l = name.length;
  if (trailing) l--;
  if (l === 0 || name[l - 1] === '.') {
    return { libc: 'musl', input: name, queries: [], types, packets: 0, stop: 'musl rejects an empty name or several trailing dots', advice };
  }
  const base = name.slice(0, l);
  if (conf.attempts === 0) {
    // musl divides the timeout by attempts before its first send (res_msend_rc): SIGFPE, no packet.
    return {
      libc: 'musl',
      input: name,
      queries: [],
      types,
      packets: 0,
      stop: 'attempts:0 crashes every musl lookup (SIGFPE) before any query is sent',
      advice: ['attempts:0 crashes every musl lookup (SIGFPE): nothing is sent. Set attempts to 1 or more (the default is 2).'],
    };
  }
  const doSearch = !(dots >= conf.ndots || trailing);
  let done = false;
  if (doSearch) {
    for (const d of conf.search) {
      if (d.length >= 256 - l - 1) continue; // silently skipped: does not fit musl's 256-byte buffer
      const cand = `${base}.${d}`;
      if (!encodable(cand) || cand.replace(/\.$/, '').length > 253) {
        stop = `"${cand}" is not a valid DNS name; musl gives up (EAI_NONAME)`;
        done = true;
        break;
      }
      queries.push({ name: fqdn(cand), kind: 'search', domain: d, reason: `search domain ${d} (${dots} dot(s) < ndots ${conf.ndots})` });
      if (exists.has(fqdn(cand).toLowerCase())) {
        done = true;
        break;
      }
    }
  }
  if (!done) {
    if (!encodable(base)) stop = `"${base}" is not a valid DNS name`;
    else
      queries.push({
        name: fqdn(base),
        kind: doSearch ? 'as-is-last' : 'as-is-first',
        reason: doSearch ? 'after the search list, the name as is' : trailing ? 'trailing dot: absolute name only' : `${dots} dot(s) >= ndots ${conf.ndots}: musl queries only the name as is, no search`,
      });
  }
  advice.push(
    ...(conf.nameservers.length > 1 ? [`musl sends every query to all ${conf.nameservers.length} nameservers at once.`] : []),
  );
  addAmplificationAdvice(advice, name, queries.length, conf.ndots, dots, trailing);
  const plan: QueryPlan = {
    libc: 'musl',
    input: name,
    queries,
    types,
    packets: queries.length * types.length * conf.nameservers.length,
    advice,
  };
  if (stop) plan.stop = stop;
  return plan;
}

function addAmplificationAdvice(advice: string[], name: string, n: number, ndots: number, dots: number, trailing: boolean): void {
  if (n <= 1 || trailing) return;
  if (dots > 0) {
    advice.push(`"${name}" costs ${n} lookups. If it is a full name, write it with a trailing dot ("${name}.") so it is queried once.`);
    if (dots < ndots) advice.push(`ndots:${ndots} makes names with fewer than ${ndots} dots go through the search list first; ndots:${Math.max(1, dots)} or lower would try "${name}" first.`);
  } else {
    advice.push(`"${name}" has no dot, so every search domain is tried; use a full name where you can.`);
  }
}
