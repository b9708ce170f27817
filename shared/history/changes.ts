import { compareSnapshots, normValue, type CompareResult } from '../compare/diff';
import type { Snapshot } from '../compare/snapshot';
import { countsInSummary } from '../compare/summary-facts';
import { unflattenSnapshot, type Leaves } from './flatten';
import { featureOfSection, type HistoryChange, type HistoryFeature, type HistorySection } from './model';

/**
 * What differs between two points of one host, in the Compare view's terms: the same rows
 * compareSnapshots makes for two hosts (firewall rows for both layers), so counters
 * (`fs.file-nr`), values that differ only in blanks and the host's own identities
 * (`kernel.hostname`, `kernel.domainname`) never count, exactly as in Compare's summary.
 */

export type Sections = readonly ('sysctl' | 'dns' | 'firewall')[];

const input = (s: Snapshot, id: string) => ({ id, label: id, kind: 'history', snapshot: s });

/** The two-host comparisons (runtime and permanent layers) a history diff is made of. */
export function compareOverTime(a: Snapshot, b: Snapshot, only?: Sections): { runtime: CompareResult; permanent: CompareResult } {
  const hosts = [input(a, 'before'), input(b, 'after')];
  const runtime = compareSnapshots(hosts, { layer: 'runtime', only: only ? [...only] : undefined });
  const permanent = compareSnapshots(hosts, { layer: 'permanent', only: (only ?? ['sysctl', 'dns', 'firewall']).filter((x) => x === 'firewall') });
  return { runtime, permanent };
}

export function changesBetween(a: Snapshot, b: Snapshot, only?: Sections): HistoryChange[] {
  const { runtime, permanent } = compareOverTime(a, b, only);
  return changesOf(runtime, permanent);
}

export function changesOf(runtime: CompareResult, permanent: CompareResult): HistoryChange[] {
  const out: HistoryChange[] = [];
  for (const r of runtime.sysctl) if (r.differs && countsInSummary(r.key)) out.push({ section: 'sysctl', layer: null, key: r.key, from: r.values[0] ?? null, to: r.values[1] ?? null });
  for (const r of runtime.sysctld) if (r.differs) out.push({ section: 'sysctl.d', layer: null, key: r.key, from: withSource(r.values[0], r.sources[0]), to: withSource(r.values[1], r.sources[1]) });
  for (const r of runtime.dns.rows) if (r.differs) out.push({ section: 'dns', layer: null, key: r.field, from: r.values[0] ?? null, to: r.values[1] ?? null });
  for (const [layer, res] of [['runtime', runtime], ['permanent', permanent]] as const) {
    for (const r of res.firewall) {
      if (!r.differs) continue;
      const key = [r.kind, r.kind === 'global' ? '' : r.name, r.field, r.item ?? ''].filter(Boolean).join(' ');
      // A global row (default zone, log denied) is the same in both layers: once.
      if (r.kind === 'global' && layer === 'permanent') continue;
      out.push({ section: 'firewall', layer: r.kind === 'global' ? null : layer, key, from: r.values[0] ?? null, to: r.values[1] ?? null });
    }
  }
  return out;
}

/**
 * The changes between two points' leaves, looking only at the leaves that changed (what the
 * store's tree found): sysctls and sysctl.d settings by compare's rules directly, DNS and
 * firewall objects through compareSnapshots on the changed objects alone, so a one-key point
 * costs one key's work, not a comparison of the whole host.
 */
export function changesOfLeaves(a: Leaves, b: Leaves, changed: readonly string[]): HistoryChange[] {
  const out: HistoryChange[] = [];
  const sysctlValue = (v: unknown) => {
    const e = v as { state?: string; value?: string } | undefined;
    return e && e.state === 'ok' ? (e.value ?? '') : null;
  };
  const setting = (v: unknown) => {
    const e = v as { value: string; file: string; line: number } | undefined;
    return e ? { value: e.value, text: `${e.value} (${e.file}:${e.line})` } : null;
  };
  const mini: string[] = [];
  let fwOrDns = false;
  for (const path of [...changed].sort()) {
    if (path.startsWith('sysctl/')) {
      const key = path.slice('sysctl/'.length);
      if (!countsInSummary(key)) continue;
      const from = sysctlValue(a.get(path));
      const to = sysctlValue(b.get(path));
      if (normValue(from) !== normValue(to)) out.push({ section: 'sysctl', layer: null, key, from, to });
    } else if (path.startsWith('sysctld.setting/')) {
      const from = setting(a.get(path));
      const to = setting(b.get(path));
      if (from?.value !== to?.value) out.push({ section: 'sysctl.d', layer: null, key: path.slice('sysctld.setting/'.length), from: from?.text ?? null, to: to?.text ?? null });
    } else if (path === 'dns' || path === 'firewall') {
      fwOrDns = true;
    } else if (path.startsWith('firewall.')) {
      fwOrDns = true;
      mini.push(path);
    }
  }
  if (fwOrDns) {
    const pick = (l: Leaves) => {
      const m: Leaves = new Map();
      for (const k of ['identity', 'source', 'dns', 'firewall']) if (l.has(k)) m.set(k, l.get(k));
      for (const k of mini) if (l.has(k)) m.set(k, l.get(k));
      return unflattenSnapshot(m, 0);
    };
    const { runtime, permanent } = compareOverTime(pick(a), pick(b), ['dns', 'firewall']);
    out.push(...changesOf(runtime, permanent));
  }
  return out;
}

function withSource(v: string | null | undefined, src: string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  return src ? `${v} (${src})` : v;
}

export function featuresOf(changes: HistoryChange[], sections: readonly HistorySection[] = []): HistoryFeature[] {
  const f = new Set<HistoryFeature>();
  for (const c of changes) f.add(featureOfSection[c.section]);
  for (const s of sections) f.add(featureOfSection[s]);
  return [...f].sort();
}

/** One line per change, as the CLI and the timeline print it. */
export function changeText(c: HistoryChange): string {
  const where = c.layer ? ` (${c.layer})` : '';
  if (c.section === 'firewall' && (c.from === 'present' || c.to === 'present')) return `${c.to === 'present' ? 'added' : 'removed'} ${c.key}${where}`;
  return `${c.section === 'dns' ? 'resolv.conf ' : c.section === 'sysctl.d' ? 'sysctl.d ' : ''}${c.key}${where}: ${c.from ?? '(none)'} → ${c.to ?? '(none)'}`;
}
