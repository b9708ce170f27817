import { z } from 'zod';
import { foldHosts, naturalCompare } from './host-ranges';
import { emitFacts, knownSections, type FactOptions, type ScopeSection, type SummarySection } from './summary-facts';
import type { Snapshot } from './snapshot';

/**
 * The fleet summary: what 1,000 hosts hold, key by key, without 1,000 columns. Per key the
 * distinct values and how many hosts hold each (host lists folded into ranges), rare values and
 * keys with most variety first; the hosts grouped into kinds that share every setting in scope;
 * the majority value as the baseline.
 *
 * Snapshots are added one at a time and dropped by the caller: per key only its first value and
 * the hosts that do not hold it are kept, so memory grows with hosts × differing keys, not with
 * hosts × keys. Values are interned (one string per distinct value, not per host).
 */

export const summarySections = ['sysctl', 'sysctl.d', 'dns', 'firewall'] as const;

export const summaryValueSchema = z.object({
  /** null: the key is absent on these hosts (they know its section). */
  value: z.string().nullable(),
  count: z.number().int(),
  /** The baseline: the value most hosts hold (ties: the first one seen). */
  majority: z.boolean(),
  /** The hosts, folded into ranges ("web-[017-046]"). */
  hosts: z.array(z.string()),
  /** Indices into `hosts` of the summary; null for the majority value (every other host that knows the key). */
  members: z.array(z.number().int()).nullable(),
});
export type SummaryValue = z.infer<typeof summaryValueSchema>;

export const summaryKeySchema = z.object({
  section: z.enum(summarySections),
  key: z.string(),
  /** A yes/no fact (a firewall list item, an object that exists): values read "yes", absent reads "no". */
  presence: z.boolean(),
  /** How many hosts know this key's section (the others are not counted). */
  known: z.number().int(),
  values: z.array(summaryValueSchema),
});
export type SummaryKey = z.infer<typeof summaryKeySchema>;

export const summaryKindSchema = z.object({
  count: z.number().int(),
  hosts: z.array(z.string()),
  /** Indices into `hosts` of the summary. */
  members: z.array(z.number().int()),
  /** Where the kind differs from the majority: index into `keys` and the kind's value (null: absent). */
  differences: z.array(z.object({ key: z.number().int(), value: z.string().nullable() })),
  /** Sections in scope these hosts cannot answer (not known or not read). */
  unknown: z.array(z.enum(summarySections)),
});
export type SummaryKind = z.infer<typeof summaryKindSchema>;

export const fleetSummarySchema = z.object({
  /** Every summarized host, in the order read: its name and where it came from (host id or file). */
  hosts: z.array(z.object({ label: z.string(), ref: z.string() })),
  scope: z.array(z.enum(['sysctl', 'dns', 'firewall'])),
  layer: z.enum(['runtime', 'permanent']),
  dnsName: z.string(),
  /** Keys seen on any host (in scope, counters and identities left out). */
  keysCompared: z.number().int(),
  /** The keys whose value is not the same on every host that knows them. */
  keys: z.array(summaryKeySchema),
  kinds: z.array(summaryKindSchema),
  /** Hosts or sections that could not be read: never counted as "the same". */
  notRead: z.array(z.object({ host: z.string(), section: z.string(), reason: z.string() })),
});
export type FleetSummary = z.infer<typeof fleetSummarySchema>;

export interface SummaryOptions {
  only?: ScopeSection[];
  layer?: 'runtime' | 'permanent';
  dnsName?: string;
}

/** Value id of "absent". */
const ABSENT = 0;
const UNSET = -1;

interface KeyState {
  section: SummarySection;
  key: string;
  presence: boolean;
  domain: number;
  /** The first value recorded; hosts holding it are not stored. */
  base: number;
  /** Ordinal (within the domain) of the last host recorded. */
  last: number;
  /** Value id -> host indices, for hosts whose value is not `base`. */
  dev: Map<number, number[]> | null;
}

const sectionOrder: Record<SummarySection, number> = { sysctl: 0, 'sysctl.d': 1, dns: 2, firewall: 3 };

export class FleetSummaryBuilder {
  private readonly opts: FactOptions;
  private readonly hosts: { label: string; ref: string }[] = [];
  private readonly labels = new Set<string>();
  private readonly valueIds = new Map<string, number>([['', 1]]);
  private readonly values: (string | null)[] = [null, ''];
  private readonly domainIds = new Map<string, number>();
  private readonly domainHosts: number[][] = [];
  /** Every key, in the order first seen, and per section by name. */
  private readonly keyList: KeyState[] = [];
  private readonly keys: Record<SummarySection, Map<string, KeyState>> = { sysctl: new Map(), 'sysctl.d': new Map(), dns: new Map(), firewall: new Map() };
  /** Per host, a bit per section it cannot answer (in scope). */
  private readonly unknownMask: number[] = [];
  private readonly notRead: FleetSummary['notRead'] = [];
  private readonly ordinals = new Map<number, number>();

  constructor(o: SummaryOptions = {}) {
    this.opts = { only: o.only?.length ? o.only : ['sysctl', 'dns', 'firewall'], layer: o.layer ?? 'runtime', dnsName: o.dnsName ?? 'example' };
  }

  get size(): number {
    return this.hosts.length;
  }

  /** Adds one host; `snapshot` null when it could not be read (`error` says why). */
  add(label: string, ref: string, snapshot: Snapshot | null, error?: string): void {
    const h = this.hosts.length;
    let name = label;
    for (let n = 2; this.labels.has(name); n++) name = `${label}_${n}`;
    this.labels.add(name);
    this.hosts.push({ label: name, ref });
    const scope = this.scopeSections();
    if (!snapshot) {
      this.unknownMask.push(scope.reduce((m, s) => m | (1 << sectionOrder[s]), 0));
      this.notRead.push({ host: name, section: 'all', reason: error ?? 'not read' });
      return;
    }
    const known = knownSections(snapshot, this.opts.layer);
    let mask = 0;
    for (const s of scope) {
      if (known[s]) continue;
      mask |= 1 << sectionOrder[s];
      const reason = s === 'sysctl' ? snapshot.sysctl?.error : s === 'sysctl.d' ? snapshot.sysctld?.error : s === 'dns' ? snapshot.dns?.error : snapshot.firewall?.error;
      if (reason) this.notRead.push({ host: name, section: s, reason });
    }
    this.unknownMask.push(mask);
    this.ordinals.clear();
    // Facts come in runs of one domain (1,000s of sysctls): its id and this host's ordinal in it, looked up once per run.
    let lastDomain = '';
    let d = -1;
    let ord = -1;
    emitFacts(snapshot, this.opts, {
      know: (domain) => {
        let id = this.domainIds.get(domain);
        if (id === undefined) {
          id = this.domainHosts.length;
          this.domainIds.set(domain, id);
          this.domainHosts.push([]);
        }
        if (this.ordinals.has(id)) return;
        this.ordinals.set(id, this.domainHosts[id]!.length);
        this.domainHosts[id]!.push(h);
      },
      fact: (section, domain, key, value, presence) => {
        if (domain !== lastDomain) {
          lastDomain = domain;
          d = this.domainIds.get(domain)!;
          ord = this.ordinals.get(d)!;
        }
        const keys = this.keys[section];
        let st = keys.get(key);
        if (!st) {
          st = { section, key, presence, domain: d, base: UNSET, last: -1, dev: null };
          keys.set(key, st);
          this.keyList.push(st);
        }
        if (st.last === ord) return; // the same list item twice on one host
        this.fillAbsent(st, ord);
        this.record(st, h, this.intern(value));
        st.last = ord;
      },
    });
  }

  /** The hosts of the key's domain between its last recorded one and `upto` do not have it. */
  private fillAbsent(st: KeyState, upto: number): void {
    if (st.last + 1 >= upto) return;
    if (st.base === UNSET) st.base = ABSENT;
    if (st.base === ABSENT) return;
    const hosts = this.domainHosts[st.domain]!;
    for (let o = st.last + 1; o < upto; o++) this.record(st, hosts[o]!, ABSENT);
  }

  private record(st: KeyState, h: number, v: number): void {
    if (st.base === UNSET) st.base = v;
    if (v === st.base) return;
    st.dev ??= new Map();
    const list = st.dev.get(v);
    if (list) list.push(h);
    else st.dev.set(v, [h]);
  }

  private intern(v: string): number {
    let id = this.valueIds.get(v);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(v);
      this.valueIds.set(v, id);
    }
    return id;
  }

  private scopeSections(): SummarySection[] {
    const only = new Set(this.opts.only);
    return summarySections.filter((s) => only.has(s === 'sysctl.d' ? 'sysctl' : s));
  }

  finish(): FleetSummary {
    const n = this.hosts.length;
    const label = (i: number) => this.hosts[i]!.label;
    interface Out {
      st: KeyState;
      vals: { id: number; members: number[] }[];
      majority: number;
      known: number;
    }
    const out: Out[] = [];
    const mark = new Uint8Array(n);
    for (const st of this.keyList) {
      const domain = this.domainHosts[st.domain]!;
      this.fillAbsent(st, domain.length);
      if (!st.dev) continue;
      const vals: Out['vals'] = [];
      for (const [id, members] of st.dev) {
        vals.push({ id, members });
        for (const m of members) mark[m] = 1;
      }
      const baseMembers = domain.filter((m) => !mark[m]);
      for (const v of vals) for (const m of v.members) mark[m] = 0;
      vals.unshift({ id: st.base, members: baseMembers });
      let majority = 0;
      for (let i = 1; i < vals.length; i++) if (vals[i]!.members.length > vals[majority]!.members.length) majority = i;
      out.push({ st, vals, majority: vals[majority]!.id, known: domain.length });
    }
    const rarest = (o: Out) => Math.min(...o.vals.map((v) => v.members.length));
    out.sort((a, b) => rarest(a) - rarest(b) || b.vals.length - a.vals.length || sectionOrder[a.st.section] - sectionOrder[b.st.section] || naturalCompare(a.st.key, b.st.key));

    // Kinds: hosts with the same non-majority values everywhere (and the same unknown sections).
    const sig: string[][] = Array.from({ length: n }, () => []);
    out.forEach((o, k) => {
      for (const v of o.vals) if (v.id !== o.majority) for (const m of v.members) sig[m]!.push(`${k}=${v.id}`);
    });
    const groups = new Map<string, number[]>();
    for (let h = 0; h < n; h++) {
      const s = `${this.unknownMask[h]}|${sig[h]!.join(',')}`;
      const g = groups.get(s);
      if (g) g.push(h);
      else groups.set(s, [h]);
    }
    const kinds: SummaryKind[] = [...groups.values()]
      .sort((a, b) => b.length - a.length || a[0]! - b[0]!)
      .map((members) => {
        const first = members[0]!;
        const mask = this.unknownMask[first]!;
        return {
          count: members.length,
          hosts: foldHosts(members.map(label)),
          members,
          differences: sig[first]!.map((p) => {
            const [k, v] = p.split('=');
            return { key: Number(k), value: this.values[Number(v)]! };
          }),
          unknown: summarySections.filter((s) => mask & (1 << sectionOrder[s])),
        };
      });

    const keys: SummaryKey[] = out.map((o) => ({
      section: o.st.section,
      key: o.st.key,
      presence: o.st.presence,
      known: o.known,
      values: o.vals
        .map((v) => ({
          value: this.values[v.id]!,
          count: v.members.length,
          majority: v.id === o.majority,
          hosts: foldHosts(v.members.map(label)),
          members: v.id === o.majority ? null : [...v.members].sort((a, b) => a - b),
        }))
        .sort((a, b) => a.count - b.count || Number(a.majority) - Number(b.majority) || String(a.value).localeCompare(String(b.value))),
    }));
    return {
      hosts: this.hosts,
      scope: this.opts.only,
      layer: this.opts.layer,
      dnsName: this.opts.dnsName,
      keysCompared: this.keyList.length,
      keys,
      kinds,
      notRead: this.notRead,
    };
  }
}

/** The summary of snapshots already in memory (the in-process API, tests). */
export function summarize(hosts: { label: string; ref?: string; snapshot: Snapshot | null; error?: string }[], o: SummaryOptions = {}): FleetSummary {
  const b = new FleetSummaryBuilder(o);
  for (const h of hosts) b.add(h.label, h.ref ?? h.label, h.snapshot, h.error);
  return b.finish();
}

/** "3 kinds: 970 / 25 / 5" (the first few sizes). */
export function kindsLine(s: FleetSummary, most = 8): string {
  const sizes = s.kinds.map((k) => k.count);
  const shown = sizes.slice(0, most).join(' / ') + (sizes.length > most ? ` / … (${sizes.length - most} more)` : '');
  return `${s.kinds.length} kind${s.kinds.length === 1 ? '' : 's'} of host: ${shown}`;
}

/** A value as people read it: yes/no for presence facts, "(absent)" otherwise. */
export function valueText(k: Pick<SummaryKey, 'presence'>, v: string | null): string {
  if (k.presence) return v === null ? 'no' : 'yes';
  return v === null ? '(absent)' : v === '' ? '(empty)' : v;
}
