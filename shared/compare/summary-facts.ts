import { planText } from '../dns/check';
import { fieldsOf, normValue, PRESENT } from './diff';
import { firewallFact } from './report';
import { firewallObjectKinds, type Snapshot } from './snapshot';
import { isPerHostKey } from './volatile';

/**
 * One host's compared facts as flat (section, key, value) triples, for the fleet summary. The
 * same facts, and the same rules, as the N-way grid (diff.ts): blanks in sysctl values do not
 * count, counters never count, a list item is "present" or absent, fields of an object are
 * known only on hosts where the object exists. A fact is emitted inside a *domain*: the hosts
 * that know the domain and do not emit the fact hold it as absent; the others do not count.
 */

export type SummarySection = 'sysctl' | 'sysctl.d' | 'dns' | 'firewall';
export type ScopeSection = 'sysctl' | 'dns' | 'firewall';

export interface FactSink {
  /** This host knows the domain: a fact of it the host does not emit is absent on it. */
  know(domain: string): void;
  fact(section: SummarySection, domain: string, key: string, value: string, list: boolean): void;
}

export interface FactOptions {
  only: ScopeSection[];
  layer: 'runtime' | 'permanent';
  dnsName: string;
}

/** procps `sysctl -a` hides these deprecated twins of the *_ms keys (diff.ts): their absence says nothing. */
const PROCPS_HIDDEN = /^net\.ipv[46]\.neigh\.[^.]+\.(base_reachable_time|retrans_time)$/;

export function countsInSummary(key: string): boolean {
  // Counters and per-host identities (volatile.ts, the grid's list too) are never a difference.
  return !isPerHostKey(key) && !PROCPS_HIDDEN.test(key);
}

/** Which scope sections a snapshot can answer (the others are "not known" or "not read" on it). */
export function knownSections(s: Snapshot, layer: 'runtime' | 'permanent'): Record<SummarySection, boolean> {
  const fw = s.firewall;
  return {
    sysctl: !!s.sysctl && !s.sysctl.error,
    'sysctl.d': !!s.sysctld && !s.sysctld.error,
    dns: !!s.dns && !s.dns.error,
    firewall: !!fw && fw.running && !fw.error && fw.coverage.length > 0 && !!fw[layer],
  };
}

const kindOf = { zones: 'zone', policies: 'policy', services: 'service', ipsets: 'ipset' } as const;

export function emitFacts(s: Snapshot, o: FactOptions, sink: FactSink): void {
  const known = knownSections(s, o.layer);
  const only = new Set(o.only);
  if (only.has('sysctl') && known.sysctl) {
    sink.know('sysctl');
    for (const e of s.sysctl!.entries) {
      if (e.state !== 'ok' || !countsInSummary(e.key)) continue;
      sink.fact('sysctl', 'sysctl', e.key, normValue(e.value ?? '')!, false);
    }
  }
  if (only.has('sysctl') && known['sysctl.d']) {
    sink.know('sysctl.d');
    for (const st of s.sysctld!.settings) if (countsInSummary(st.key)) sink.fact('sysctl.d', 'sysctl.d', st.key, st.value, false);
  }
  if (only.has('dns') && known.dns) dnsFacts(s, o.dnsName, sink);
  if (only.has('firewall') && known.firewall) firewallFacts(s, o.layer, sink);
}

function dnsFacts(s: Snapshot, name: string, sink: FactSink): void {
  const d = s.dns!;
  sink.know('dns');
  const put = (field: string, v: string | null) => v !== null && sink.fact('dns', 'dns', field, v, false);
  put('nameservers', d.glibc.nameservers.join(' ') || null);
  put('ignored nameservers', d.glibc.ignoredNameservers.join(' ') || null);
  put('search', d.glibc.search.join(' ') || null);
  for (const [k, v] of Object.entries(d.glibc.options)) put(`options ${k}`, String(v));
  put('owner', d.owner ? d.owner.name : null);
  const p = planText(name, d.text, 'glibc', { hostname: s.identity.hostname || undefined });
  put(`query plan for "${name}"`, `${p.queries.map((q) => q.name).join(' → ')} (${p.packets} packet${p.packets === 1 ? '' : 's'})`);
}

function firewallFacts(s: Snapshot, layerName: 'runtime' | 'permanent', sink: FactSink): void {
  const fw = s.firewall!;
  const layer = fw[layerName]!;
  const put = (domain: string, row: { kind: string; name: string; field: string; item: string | null }, v: string, list: boolean) =>
    sink.fact('firewall', domain, firewallFact(row), v, list);
  if (fw.defaultZone !== null) {
    sink.know('fw:default');
    put('fw:default', { kind: 'global', name: '', field: 'default zone', item: null }, fw.defaultZone, false);
  }
  for (const k of firewallObjectKinds) {
    if (!fw.coverage.includes(k)) continue;
    const kind = kindOf[k];
    sink.know(`fw:${k}`);
    for (const [name, obj] of Object.entries(layer[k] as Record<string, Record<string, unknown>>)) {
      put(`fw:${k}`, { kind, name, field: 'exists', item: null }, 'yes', true);
      // The object's fields count only between hosts where it exists.
      const domain = `fw:${kind}:${name}`;
      sink.know(domain);
      const { lists, scalars } = fieldsOf(kind, obj);
      for (const [field, v] of Object.entries(scalars)) put(domain, { kind, name, field, item: null }, v, false);
      for (const [field, items] of Object.entries(lists)) for (const it of items) put(domain, { kind, name, field, item: it }, PRESENT, true);
    }
  }
}
