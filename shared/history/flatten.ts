import { isVolatileKey } from '../compare/volatile';
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, firewallObjectKinds, type Snapshot, type SnapshotLayer } from '../compare/snapshot';

/**
 * A snapshot as a flat map of leaves (path → JSON value) and back. The store hashes leaves
 * into buckets, so a point that changes one sysctl or one zone writes about that leaf, not the
 * whole snapshot. Counters (compare's volatile keys) keep their key and state but no value:
 * they change on every read and never count as a difference. The snapshot's own clock is the
 * point's time, not a leaf.
 */

export type Leaves = Map<string, unknown>;

export type LeafSection = 'sysctl' | 'sysctld' | 'dns' | 'firewall';

/** The snapshot's leaves; with `only`, the identity and those sections' alone (what a point records anew). */
export function flattenSnapshot(s: Snapshot, only?: ReadonlySet<LeafSection>): Leaves {
  const out: Leaves = new Map();
  out.set('identity', { hostname: s.identity.hostname, os: s.identity.os, kernel: s.identity.kernel });
  out.set('source', s.source);
  if (s.sysctl && (!only || only.has('sysctl'))) {
    out.set('sysctl', { from: s.sysctl.from, ...(s.sysctl.error ? { error: s.sysctl.error } : {}) });
    for (const e of s.sysctl.entries) {
      const { key, ...rest } = e;
      if (isVolatileKey(key)) delete rest.value;
      out.set(`sysctl/${key}`, rest);
    }
  }
  if (s.sysctld && (!only || only.has('sysctld'))) {
    out.set('sysctld', { files: s.sysctld.files, ...(s.sysctld.error ? { error: s.sysctld.error } : {}) });
    for (const x of s.sysctld.settings) out.set(`sysctld.setting/${x.key}`, { value: x.value, file: x.file, line: x.line });
    for (const t of s.sysctld.texts) out.set(`sysctld.text/${t.path}`, t.text);
  }
  if (s.dns && (!only || only.has('dns'))) out.set('dns', s.dns);
  if (s.firewall && (!only || only.has('firewall'))) {
    const { runtime, permanent, ...top } = s.firewall;
    out.set('firewall', { ...top, runtime: !!runtime, permanent: !!permanent });
    for (const [layerName, layer] of [['runtime', runtime], ['permanent', permanent]] as const) {
      if (!layer) continue;
      for (const kind of firewallObjectKinds) {
        for (const [name, o] of Object.entries(layer[kind])) out.set(`firewall.${layerName}.${kind}/${name}`, o);
      }
    }
  }
  return out;
}

/** The snapshot a set of leaves stands for; `time` is the point's time. */
export function unflattenSnapshot(leaves: Leaves, time: number): Snapshot {
  const id = (leaves.get('identity') ?? { hostname: '', os: '', kernel: '' }) as { hostname: string; os: string; kernel: string };
  const s: Snapshot = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    source: (leaves.get('source') as Snapshot['source']) ?? { kind: 'live', detail: 'history' },
    identity: { ...id, time },
    sysctl: null,
    sysctld: null,
    dns: (leaves.get('dns') as Snapshot['dns']) ?? null,
    firewall: null,
  };
  const sys = leaves.get('sysctl') as { from: 'procsys' | 'sysctl -a'; error?: string } | undefined;
  if (sys) s.sysctl = { ...sys, entries: [] };
  const d = leaves.get('sysctld') as { files: { path: string; status: string }[]; error?: string } | undefined;
  if (d) s.sysctld = { ...d, settings: [], texts: [] };
  const fw = leaves.get('firewall') as (Omit<NonNullable<Snapshot['firewall']>, 'runtime' | 'permanent'> & { runtime: boolean; permanent: boolean }) | undefined;
  if (fw) {
    const empty = (): SnapshotLayer => ({ zones: {}, policies: {}, services: {}, ipsets: {} });
    s.firewall = { ...fw, runtime: fw.runtime ? empty() : null, permanent: fw.permanent ? empty() : null };
  }
  for (const path of [...leaves.keys()].sort()) {
    const slash = path.indexOf('/');
    if (slash < 0) continue;
    const head = path.slice(0, slash);
    const name = path.slice(slash + 1);
    const v = leaves.get(path);
    if (head === 'sysctl' && s.sysctl) s.sysctl.entries.push({ key: name, ...(v as object) } as NonNullable<Snapshot['sysctl']>['entries'][number]);
    else if (head === 'sysctld.setting' && s.sysctld) s.sysctld.settings.push({ key: name, ...(v as { value: string; file: string; line: number }) });
    else if (head === 'sysctld.text' && s.sysctld) s.sysctld.texts.push({ path: name, text: v as string });
    else if (head.startsWith('firewall.') && s.firewall) {
      const [, layer, kind] = head.split('.') as [string, 'runtime' | 'permanent', keyof SnapshotLayer];
      const l = s.firewall[layer];
      if (l && l[kind]) (l[kind] as Record<string, unknown>)[name] = v;
    }
  }
  // The order systemd-sysctl applies them in (file order), as the live read gives them.
  s.sysctld?.settings.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
  return s;
}

/** Top-level leaves of each section: a section carried over from an earlier point takes all of its leaves. */
export function sectionOfLeaf(path: string): 'identity' | 'sysctl' | 'sysctld' | 'dns' | 'firewall' {
  if (path === 'identity' || path === 'source') return 'identity';
  if (path === 'sysctl' || path.startsWith('sysctl/')) return 'sysctl';
  if (path.startsWith('sysctld')) return 'sysctld';
  if (path === 'dns') return 'dns';
  return 'firewall';
}
