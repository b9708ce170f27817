import { z } from 'zod';
import { planText } from '../dns/check';
import { classifySysctl } from '../kernel/k8s';
import { subsystemOf } from '../kernel/keys';
import type { ForwardPort, Port } from '../firewall/model';
import { isIdentityKey, isVolatileKey } from './volatile';
import { layerColumns } from './three-way';
import { firewallObjectKinds, type FirewallObjectKind, type Snapshot, type SnapshotLayer } from './snapshot';

/**
 * The N-way comparison of 2 to 50 hosts. Every section is a list of rows, one value per host
 * (in host order). A null value means "absent on that host" (a key that does not exist, an
 * item not in a zone's list); a host that does not know a section at all (an import of
 * `sysctl -a` has no firewall) is marked in `hosts[i].coverage` and never counts as different.
 * Sysctl values that differ only in whitespace are equal (the kernel prints vectors with tabs).
 */

import { MAX_COMPARE_HOSTS } from './limits';

export { MAX_COMPARE_HOSTS };

/** The firewall layer compared: one of them, or "both" (runtime and permanent against an image's files: three-way). */
export const compareLayerSchema = z.enum(['runtime', 'permanent', 'both']);
export type CompareLayer = z.infer<typeof compareLayerSchema>;

export const compareHostSchema = z.object({
  id: z.string(),
  label: z.string(),
  kind: z.string(),
  status: z.enum(['ok', 'unreachable']),
  error: z.string().nullable(),
  hostname: z.string(),
  kernel: z.string(),
  os: z.string(),
  takenAt: z.number().nullable(),
  source: z.enum(['live', 'import']).nullable(),
  coverage: z.object({
    sysctl: z.boolean(),
    sysctld: z.boolean(),
    dns: z.boolean(),
    firewall: z.array(z.enum(firewallObjectKinds)),
  }),
  /**
   * Sections the host did not answer (a timeout, a failed read): "not read", never "no difference".
   * Always given (hostOf): no default, so the answer is checked without a copy (api/output-check.ts).
   */
  notRead: z.array(z.object({ section: z.enum(['sysctl', 'sysctl.d', 'dns', 'firewall']), reason: z.string() })),
  /** Layer "both" (three-way): which firewall layer this column shows; the same host id then has one column per layer. */
  layer: z.enum(['runtime', 'permanent', 'configuration']).optional(),
  /** Its firewall was read from the configuration files, no daemon running (an image, a stopped firewalld): a fix edits the files. */
  firewallOffline: z.boolean().optional(),
  /** An image directory (a system root on this machine, `compare NAME=DIR`): a fix changes its files here, never over SSH. */
  imageRoot: z.string().optional(),
});
export type CompareHost = z.infer<typeof compareHostSchema>;

const values = z.array(z.string().nullable());
export const sysctlRowSchema = z.object({
  key: z.string(),
  subsystem: z.string(),
  namespace: z.enum(['net', 'ipc', 'uts', 'user']).nullable(),
  status: z.enum(['safe', 'unsafe', 'node-level']),
  /** A counter or per-read value (fs.file-nr, kernel.random.uuid): never counted as a difference. */
  volatile: z.boolean(),
  /** False when a host that knows says the key is read-only (kernel.osrelease); null when no host says. */
  writable: z.boolean().nullable(),
  values,
  differs: z.boolean(),
});
export type SysctlRow = z.infer<typeof sysctlRowSchema>;
export const sysctldRowSchema = z.object({ key: z.string(), values, sources: values, differs: z.boolean() });
export type SysctldRow = z.infer<typeof sysctldRowSchema>;
export const dnsRowSchema = z.object({ field: z.string(), values, differs: z.boolean() });
export type DnsRow = z.infer<typeof dnsRowSchema>;
export const firewallRowSchema = z.object({
  kind: z.enum(['global', 'zone', 'policy', 'service', 'ipset']),
  name: z.string(),
  field: z.string(),
  /** The list item for list fields (services, ports, rich rules...): values are "present" or null. Null for scalar fields. */
  item: z.string().nullable(),
  values,
  differs: z.boolean(),
});
export type FirewallRow = z.infer<typeof firewallRowSchema>;

export const compareResultSchema = z.object({
  hosts: z.array(compareHostSchema),
  /** Index into hosts of the host the others are compared with (an output only: no check that would make zod copy the whole answer). */
  baseline: z.number(),
  /** "both": the three-way view, one column per firewall layer of each host (shared/compare/three-way.ts). */
  layer: compareLayerSchema,
  k8s: z.string(),
  sysctl: z.array(sysctlRowSchema),
  sysctld: z.array(sysctldRowSchema),
  dns: z.object({ name: z.string(), rows: z.array(dnsRowSchema) }),
  firewall: z.array(firewallRowSchema),
});
export type CompareResult = z.infer<typeof compareResultSchema>;

export interface CompareInput {
  id: string;
  label: string;
  kind: string;
  snapshot: Snapshot | null;
  /** Why the host could not be read (unreachable, firewalld error...). */
  error?: string | null;
  /** The system root on this machine it was read from, when not "/" (an image directory). */
  root?: string;
}

export interface CompareOptions {
  baseline?: number;
  layer?: CompareLayer;
  /** The name whose query plan is compared (DNS). */
  dnsName?: string;
  k8s?: string;
  only?: ('sysctl' | 'dns' | 'firewall')[];
}

export const PRESENT = 'present';

/** The form in which two sysctl values are compared: blanks collapsed, ends trimmed. */
export function normValue(v: string | null): string | null {
  if (v === null) return null;
  // Most values are one word ("1", "cubic"): nothing to collapse (this runs hosts × keys times).
  return HAS_BLANK.test(v) ? v.trim().replace(/\s+/g, ' ') : v;
}
const HAS_BLANK = /\s/;

function differs(vals: (string | null)[], known: boolean[]): boolean {
  let first: string | null | undefined;
  for (let i = 0; i < vals.length; i++) {
    if (!known[i]) continue;
    const v = normValue(vals[i]!);
    if (first === undefined) first = v;
    else if (v !== first) return true;
  }
  return false;
}

const classifyCache = new Map<string, { namespace: SysctlRow['namespace']; status: SysctlRow['status'] }>();
function classify(key: string, k8s: string, kernel: string): { namespace: SysctlRow['namespace']; status: SysctlRow['status'] } {
  const ck = `${k8s}|${kernel}|${key}`;
  let c = classifyCache.get(ck);
  if (!c) {
    try {
      const r = classifySysctl(key, { k8s, kernel: kernel || null });
      c = { namespace: r.namespace, status: r.kubernetes.status };
    } catch {
      c = { namespace: null, status: 'node-level' };
    }
    if (classifyCache.size > 200_000) classifyCache.clear();
    classifyCache.set(ck, c);
  }
  return c;
}

export function hostOf(h: CompareInput): CompareHost {
  const s = h.snapshot;
  const fw = s?.firewall;
  return {
    id: h.id,
    label: h.label,
    kind: h.kind,
    status: s ? 'ok' : 'unreachable',
    error: h.error ?? null,
    hostname: s?.identity.hostname ?? '',
    kernel: s?.identity.kernel ?? '',
    os: s?.identity.os ?? '',
    takenAt: s?.identity.time ?? null,
    source: s?.source.kind ?? null,
    ...(fw?.offline ? { firewallOffline: true } : {}),
    ...(h.root && h.root !== '/' ? { imageRoot: h.root } : {}),
    coverage: {
      sysctl: !!s?.sysctl && !s.sysctl.error,
      sysctld: !!s?.sysctld && !s.sysctld.error,
      dns: !!s?.dns && !s.dns.error,
      firewall: fw && fw.running ? fw.coverage : [],
    },
    notRead: [
      ...(s?.sysctl?.error ? [{ section: 'sysctl' as const, reason: s.sysctl.error }] : []),
      ...(s?.sysctld?.error ? [{ section: 'sysctl.d' as const, reason: s.sysctld.error }] : []),
      ...(s?.dns?.error ? [{ section: 'dns' as const, reason: s.dns.error }] : []),
      ...(fw?.error ? [{ section: 'firewall' as const, reason: fw.error }] : []),
    ],
  };
}

/**
 * procps `sysctl -a` leaves out deprecated keys unless given --deprecated (procps-ng sysctl.c,
 * DEPRECATED[]: neigh.*.base_reachable_time and retrans_time, superseded by their _ms twins), so
 * their absence from an imported `sysctl -a` says nothing.
 */
const PROCPS_HIDDEN = /^net\.ipv[46]\.neigh\.[^.]+\.(base_reachable_time|retrans_time)$/;

function compareSysctl(inputs: CompareInput[], known: boolean[], k8s: string, kernel: string): SysctlRow[] {
  const fromSysctlA = inputs.map((h, i) => known[i]! && h.snapshot!.sysctl!.from === 'sysctl -a');
  const n = inputs.length;
  const byKey = new Map<string, (string | null)[]>();
  const writable = new Map<string, boolean>();
  inputs.forEach((h, i) => {
    if (!known[i]) return;
    for (const e of h.snapshot!.sysctl!.entries) {
      if (e.writable !== undefined && writable.get(e.key) !== false) writable.set(e.key, e.writable);
      if (e.state !== 'ok') continue;
      let row = byKey.get(e.key);
      if (!row) {
        row = new Array<string | null>(n).fill(null);
        byKey.set(e.key, row);
      }
      row[i] = e.value ?? '';
    }
  });
  const keys = [...byKey.keys()].sort();
  return keys.map((key) => {
    const vals = byKey.get(key)!;
    const c = classify(key, k8s, kernel);
    const vol = isVolatileKey(key);
    const k = fromSysctlA.some(Boolean) && PROCPS_HIDDEN.test(key) ? known.map((x, i) => x && !(fromSysctlA[i] && vals[i] === null)) : known;
    return { key, subsystem: subsystemOf(key), namespace: c.namespace, status: c.status, volatile: vol, writable: writable.get(key) ?? null, values: vals, differs: !vol && !isIdentityKey(key) && differs(vals, k) };
  });
}

function compareSysctld(inputs: CompareInput[], known: boolean[]): SysctldRow[] {
  const n = inputs.length;
  const byKey = new Map<string, { values: (string | null)[]; sources: (string | null)[] }>();
  inputs.forEach((h, i) => {
    if (!known[i]) return;
    for (const s of h.snapshot!.sysctld!.settings) {
      let row = byKey.get(s.key);
      if (!row) {
        row = { values: new Array<string | null>(n).fill(null), sources: new Array<string | null>(n).fill(null) };
        byKey.set(s.key, row);
      }
      row.values[i] = s.value;
      row.sources[i] = `${s.file}:${s.line}`;
    }
  });
  return [...byKey.keys()].sort().map((key) => {
    const r = byKey.get(key)!;
    return { key, values: r.values, sources: r.sources, differs: differs(r.values, known) };
  });
}

function compareDns(inputs: CompareInput[], known: boolean[], name: string): DnsRow[] {
  const rows: DnsRow[] = [];
  const row = (field: string, f: (d: NonNullable<Snapshot['dns']>, s: Snapshot) => string | null) => {
    const vals = inputs.map((h, i) => (known[i] ? f(h.snapshot!.dns!, h.snapshot!) : null));
    rows.push({ field, values: vals, differs: differs(vals, known) });
  };
  row('nameservers', (d) => d.glibc.nameservers.join(' ') || null);
  row('ignored nameservers', (d) => d.glibc.ignoredNameservers.join(' ') || null);
  row('search', (d) => d.glibc.search.join(' ') || null);
  const optionKeys = new Set<string>();
  inputs.forEach((h, i) => known[i] && Object.keys(h.snapshot!.dns!.glibc.options).forEach((k) => optionKeys.add(k)));
  for (const k of [...optionKeys].sort()) {
    row(`options ${k}`, (d) => {
      const v = d.glibc.options[k];
      return v === undefined ? null : String(v);
    });
  }
  row('owner', (d) => (d.owner ? d.owner.name : null));
  row(`query plan for "${name}"`, (d, s) => {
    const p = planText(name, d.text, 'glibc', { hostname: s.identity.hostname || undefined });
    return `${p.queries.map((q) => q.name).join(' → ')} (${p.packets} packet${p.packets === 1 ? '' : 's'})`;
  });
  return rows;
}

const portText = (p: Port) => `${p.port}/${p.protocol}`;
/** As firewall-cmd --add-forward-port takes it (empty toport/toaddr left out). */
export const fwdText = (f: ForwardPort) =>
  [`port=${f.port}`, `proto=${f.protocol}`, f.toPort ? `toport=${f.toPort}` : '', f.toAddr ? `toaddr=${f.toAddr}` : ''].filter(Boolean).join(':');

type ObjKind = 'zone' | 'policy' | 'service' | 'ipset';
const kindOf: Record<FirewallObjectKind, ObjKind> = { zones: 'zone', policies: 'policy', services: 'service', ipsets: 'ipset' };

/** The list fields and scalar fields of each kind of object, printed as firewall-cmd shows them (the grid and the fleet summary). */
export function fieldsOf(kind: ObjKind, o: Record<string, unknown>): { lists: Record<string, string[]>; scalars: Record<string, string> } {
  const arr = (k: string) => (o[k] as string[] | undefined) ?? [];
  const ports = (k: string) => ((o[k] as Port[] | undefined) ?? []).map(portText);
  if (kind === 'zone' || kind === 'policy') {
    const lists: Record<string, string[]> = {
      services: arr('services'),
      ports: ports('ports'),
      protocols: arr('protocols'),
      'source-ports': ports('sourcePorts'),
      'icmp-blocks': arr('icmpBlocks'),
      'forward-ports': ((o.forwardPorts as ForwardPort[] | undefined) ?? []).map(fwdText),
      'rich rules': arr('richRules'),
    };
    const scalars: Record<string, string> = { target: String(o.target ?? ''), masquerade: o.masquerade ? 'yes' : 'no' };
    if (kind === 'zone') {
      lists.interfaces = arr('interfaces');
      lists.sources = arr('sources');
      scalars.forward = o.forward ? 'yes' : 'no';
      scalars['icmp-block-inversion'] = o.icmpBlockInversion ? 'yes' : 'no';
      if (o.ingressPriority !== undefined) scalars['ingress-priority'] = String(o.ingressPriority);
      if (o.egressPriority !== undefined) scalars['egress-priority'] = String(o.egressPriority);
    } else {
      lists['ingress-zones'] = arr('ingressZones');
      lists['egress-zones'] = arr('egressZones');
      scalars.priority = String(o.priority ?? '');
    }
    return { lists, scalars };
  }
  if (kind === 'service') {
    const d = (o.destination as { ipv4?: string; ipv6?: string } | undefined) ?? {};
    return {
      lists: { ports: ports('ports'), protocols: arr('protocols'), 'source-ports': ports('sourcePorts'), helpers: arr('helpers'), includes: arr('includes') },
      scalars: { destination: [d.ipv4 && `ipv4:${d.ipv4}`, d.ipv6 && `ipv6:${d.ipv6}`].filter(Boolean).join(' ') },
    };
  }
  const opts = (o.options as Record<string, string> | undefined) ?? {};
  return {
    lists: {},
    scalars: {
      type: String(o.type ?? ''),
      options: Object.keys(opts).sort().map((k) => `${k}=${opts[k]}`).join(' '),
      entries: String(o.entryCount ?? 0),
      'entries sha256': String(o.entriesSha256 ?? ''),
    },
  };
}

function compareFirewall(inputs: CompareInput[], hosts: CompareHost[], layer: 'runtime' | 'permanent'): FirewallRow[] {
  const n = inputs.length;
  const rows: FirewallRow[] = [];
  const layers: (SnapshotLayer | null)[] = inputs.map((h, i) => (hosts[i]!.coverage.firewall.length ? (h.snapshot!.firewall![layer] ?? null) : null));
  const anyKnown = layers.map((l) => l !== null);
  const dz = inputs.map((h, i) => (anyKnown[i] ? (h.snapshot!.firewall!.defaultZone ?? null) : null));
  const dzKnown = inputs.map((h, i) => anyKnown[i]! && h.snapshot!.firewall!.defaultZone !== null);
  if (dzKnown.some(Boolean)) rows.push({ kind: 'global', name: '', field: 'default zone', item: null, values: dz, differs: differs(dz, dzKnown) });
  for (const k of firewallObjectKinds) {
    const kind = kindOf[k];
    const known = layers.map((l, i) => l !== null && hosts[i]!.coverage.firewall.includes(k));
    if (!known.some(Boolean)) continue;
    const names = new Set<string>();
    layers.forEach((l, i) => known[i] && Object.keys(l![k]).forEach((nm) => names.add(nm)));
    for (const name of [...names].sort()) {
      const objs = layers.map((l, i) => (known[i] ? ((l![k] as Record<string, Record<string, unknown>>)[name] ?? null) : null));
      const exists = objs.map((o, i) => (known[i] ? (o ? 'yes' : 'no') : null));
      rows.push({ kind, name, field: 'exists', item: null, values: exists, differs: differs(exists, known) });
      const f = objs.map((o) => (o ? fieldsOf(kind, o) : null));
      const scalarNames = new Set<string>();
      const listNames = new Set<string>();
      f.forEach((x) => {
        if (!x) return;
        Object.keys(x.scalars).forEach((s) => scalarNames.add(s));
        Object.keys(x.lists).forEach((s) => listNames.add(s));
      });
      // Fields are compared only between hosts where the object exists.
      const has = objs.map((o) => o !== null);
      for (const s of scalarNames) {
        const vals = f.map((x) => (x ? (x.scalars[s] ?? null) : null));
        rows.push({ kind, name, field: s, item: null, values: vals, differs: differs(vals, has) });
      }
      for (const l of listNames) {
        const items = new Map<string, (string | null)[]>();
        f.forEach((x, i) => {
          for (const it of x?.lists[l] ?? []) {
            let v = items.get(it);
            if (!v) {
              v = new Array<string | null>(n).fill(null);
              items.set(it, v);
            }
            v[i] = PRESENT;
          }
        });
        for (const [it, vals] of items) rows.push({ kind, name, field: l, item: it, values: vals, differs: differs(vals, has) });
      }
    }
  }
  return rows;
}

export function compareSnapshots(inputs: CompareInput[], opts: CompareOptions = {}): CompareResult {
  if (inputs.length > MAX_COMPARE_HOSTS) throw new RangeError(`Compare takes at most ${MAX_COMPARE_HOSTS} hosts (${inputs.length} given)`);
  if (opts.layer === 'both') {
    // One column per firewall layer of each host, compared as the runtime layer of so many hosts.
    const c = layerColumns(inputs, opts.baseline ?? 0);
    const r = compareSnapshots(c.inputs, { ...opts, layer: 'runtime', baseline: c.baseline });
    return { ...r, layer: 'both', hosts: r.hosts.map((h, i) => (c.columns[i]!.layer ? { ...h, layer: c.columns[i]!.layer! } : h)) };
  }
  const only = new Set(opts.only ?? ['sysctl', 'dns', 'firewall']);
  // Only the compared sections count as not read.
  const hosts = inputs.map(hostOf).map((h) => ({ ...h, notRead: h.notRead.filter((n) => only.has(n.section === 'sysctl.d' ? 'sysctl' : n.section)) }));
  const baseline = opts.baseline ?? 0;
  const layer = opts.layer ?? 'runtime';
  const k8s = opts.k8s ?? '1.33';
  const dnsName = opts.dnsName ?? 'example';
  const base = hosts[baseline] ?? hosts[0];
  return {
    hosts,
    baseline: Math.min(Math.max(baseline, 0), Math.max(hosts.length - 1, 0)),
    layer,
    k8s,
    sysctl: only.has('sysctl') ? compareSysctl(inputs, hosts.map((h) => h.coverage.sysctl), k8s, base?.kernel ?? '') : [],
    sysctld: only.has('sysctl') ? compareSysctld(inputs, hosts.map((h) => h.coverage.sysctld)) : [],
    dns: { name: dnsName, rows: only.has('dns') ? compareDns(inputs, hosts.map((h) => h.coverage.dns), dnsName) : [] },
    firewall: only.has('firewall') ? compareFirewall(inputs, hosts, layer) : [],
  };
}

/** Cell state against the baseline: what the UI colours and the reports print. */
export function cellState(values: (string | null)[], i: number, baseline: number, known: boolean): 'same' | 'differs' | 'missing' | 'extra' | 'unknown' {
  if (!known) return 'unknown';
  const v = normValue(values[i] ?? null);
  const b = normValue(values[baseline] ?? null);
  if (v === b) return 'same';
  if (v === null) return 'missing';
  if (b === null) return 'extra';
  return 'differs';
}
