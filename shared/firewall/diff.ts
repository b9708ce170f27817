/**
 * Runtime vs permanent, object by object and field by field, in the contract's shape
 * (firewall.differences). The page marks differences with it and the Node side decides with
 * it which changes a reload would throw away, so both always agree.
 */
import type { ObjectDiff } from './contract';
import type { FullState, LayerState } from './model';
import { itemKey, itemText, type ListKey } from './patch';

export type DiffKind = ObjectDiff['kind'];
export type FieldDiff = ObjectDiff['fields'][number];
type Obj = Record<string, unknown>;

const COMMON_LISTS: ListKey[] = ['services', 'ports', 'protocols', 'sourcePorts'];
const RULE_LISTS: ListKey[] = ['icmpBlocks', 'forwardPorts', 'richRules'];

/** Lists and scalars compared per kind (service lists that are not zone lists are plain strings). */
const FIELDS: Record<DiffKind, { lists: Array<ListKey | 'modules' | 'helpers' | 'includes'>; scalars: string[] }> = {
  zone: { lists: [...COMMON_LISTS, ...RULE_LISTS, 'interfaces', 'sources'], scalars: ['target', 'masquerade', 'forward', 'icmpBlockInversion', 'short', 'description'] },
  policy: { lists: [...COMMON_LISTS, ...RULE_LISTS, 'ingressZones', 'egressZones'], scalars: ['target', 'priority', 'masquerade', 'disable', 'short', 'description'] },
  service: { lists: [...COMMON_LISTS, 'modules', 'helpers', 'includes'], scalars: ['short', 'description', 'destination.ipv4', 'destination.ipv6'] },
  ipset: { lists: [], scalars: ['type', 'options', 'short', 'entryCount'] },
};

function listDiff(out: FieldDiff[], field: string, r: unknown[], p: unknown[]) {
  const known = field in { modules: 1, helpers: 1, includes: 1 } ? undefined : (field as ListKey);
  const key = (x: unknown) => (known ? itemKey(known, x) : String(x));
  const text = (x: unknown) => (known ? itemText(known, x) : String(x));
  const rk = new Set(r.map(key));
  const pk = new Set(p.map(key));
  const runtimeOnly = r.filter((x) => !pk.has(key(x))).map(text);
  const permanentOnly = p.filter((x) => !rk.has(key(x))).map(text);
  if (runtimeOnly.length || permanentOnly.length) out.push({ field, runtimeOnly, permanentOnly });
}

function scalarOf(o: Obj, field: string): unknown {
  if (field.startsWith('destination.')) return ((o.destination ?? {}) as Obj)[field.slice(12)];
  if (field === 'options') return JSON.stringify(Object.entries((o.options ?? {}) as Obj).sort(([a], [b]) => a.localeCompare(b)));
  return o[field];
}

/** A missing optional flag (firewalld too old to report it) equals false; a missing text equals "". */
const same = (r: unknown, p: unknown) => r === p || ((r === undefined || r === false || r === '') && (p === undefined || p === false || p === ''));

function fieldsOf(kind: DiffKind, r: Obj, p: Obj): FieldDiff[] {
  const out: FieldDiff[] = [];
  for (const f of FIELDS[kind].lists) listDiff(out, f, (r[f] as unknown[] | undefined) ?? [], (p[f] as unknown[] | undefined) ?? []);
  for (const f of FIELDS[kind].scalars) {
    const rv = scalarOf(r, f);
    const pv = scalarOf(p, f);
    if (!same(rv, pv)) out.push({ field: f, runtimeOnly: [], permanentOnly: [], runtime: String(rv ?? ''), permanent: String(pv ?? '') });
  }
  return out;
}

const LAYER_KEY = { zone: 'zones', policy: 'policies', service: 'services', ipset: 'ipsets' } as const;

/** One object's differences; undefined when both layers agree (or neither has it). */
export function diffObject(kind: DiffKind, name: string, runtime: object | undefined, permanent: object | undefined): ObjectDiff | undefined {
  if (!runtime && !permanent) return undefined;
  if (!permanent) return { kind, name, status: 'runtimeOnly', fields: [] };
  if (!runtime) return { kind, name, status: 'permanentOnly', fields: [] };
  const fields = fieldsOf(kind, runtime as Obj, permanent as Obj);
  return fields.length ? { kind, name, status: 'changed', fields } : undefined;
}

/** Names of one kind in either layer, sorted. */
export function objectNames(state: Pick<FullState, 'runtime' | 'permanent'>, kind: keyof typeof LAYER_KEY): string[] {
  const k = LAYER_KEY[kind];
  return [...new Set([...Object.keys(state.runtime[k]), ...Object.keys(state.permanent[k])])].sort();
}

/** Every object that differs between the layers, optionally only of one kind or name. */
export function diffLayers(state: { runtime: LayerState; permanent: LayerState }, kindFilter?: DiffKind, nameFilter?: string): ObjectDiff[] {
  const out: ObjectDiff[] = [];
  for (const kind of Object.keys(LAYER_KEY) as DiffKind[]) {
    if (kindFilter && kind !== kindFilter) continue;
    for (const name of objectNames(state, kind)) {
      if (nameFilter && name !== nameFilter) continue;
      const d = diffObject(kind, name, state.runtime[LAYER_KEY[kind]][name], state.permanent[LAYER_KEY[kind]][name]);
      if (d) out.push(d);
    }
  }
  return out;
}

/** Number of differing items and settings: the badge next to an object (0 = the layers agree). */
export function diffCount(d: ObjectDiff | undefined): number {
  if (!d) return 0;
  if (d.status !== 'changed') return 1;
  return d.fields.reduce((n, f) => n + (f.runtime !== undefined ? 1 : f.runtimeOnly.length + f.permanentOnly.length), 0);
}

/** The difference of one field, if any. */
export function fieldDiff(d: ObjectDiff | undefined, field: string): FieldDiff | undefined {
  return d?.fields.find((f) => f.field === field);
}

/** Scalars that runtime edits can change (zone metadata such as the target is permanent-only). */
const RUNTIME_SCALARS: Record<DiffKind, string[]> = {
  zone: ['masquerade', 'forward', 'icmpBlockInversion'],
  policy: ['masquerade', 'target', 'priority'],
  service: [],
  ipset: ['entryCount'],
};

/** The differences a reload would throw away: runtime-only items, runtime edits of scalars, runtime-only objects. */
export function runtimeChangesLostOnReload(diffs: ObjectDiff[]): ObjectDiff[] {
  return diffs.filter(
    (d) =>
      d.status === 'runtimeOnly' ||
      (d.status === 'changed' && d.fields.some((f) => f.runtimeOnly.length > 0 || (f.runtime !== undefined && RUNTIME_SCALARS[d.kind].includes(f.field)))),
  );
}
