/**
 * Runtime vs permanent, object by object and field by field, in the contract's shape
 * (firewall.differences). The page marks differences with it and the Node side decides with
 * it which changes a reload would throw away, so both always agree.
 */
import type { ObjectDiff } from './contract';
import type { FullState, LayerState } from './model';
import { itemKey, itemText, type ListKey } from './patch';
import { itemWord, settingWord, valueWords } from './words';

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
  // Entries are compared by content (see entriesField), never by their number alone.
  ipset: { lists: [], scalars: ['type', 'options', 'short', 'description'] },
};

/** The exact entry differences of one ipset (the Node side has the entries; the page only their digest). */
export interface EntriesComparison {
  /** A sample of the entries only runtime / only permanent has (at most ENTRY_SAMPLE). */
  runtimeOnly: string[];
  permanentOnly: string[];
  runtimeOnlyCount: number;
  permanentOnlyCount: number;
}
export type CompareEntries = (name: string) => EntriesComparison | undefined;

/** How many differing entries a difference carries inline; the rest are paged. */
export const ENTRY_SAMPLE = 50;

/** Compares two entry sets exactly (Node side), keeping a sample of each side. */
export function compareEntrySets(runtime: ReadonlySet<string>, permanent: ReadonlySet<string>, sample = ENTRY_SAMPLE): EntriesComparison {
  const out: EntriesComparison = { runtimeOnly: [], permanentOnly: [], runtimeOnlyCount: 0, permanentOnlyCount: 0 };
  for (const e of runtime) {
    if (permanent.has(e)) continue;
    if (out.runtimeOnlyCount++ < sample) out.runtimeOnly.push(e);
  }
  for (const e of permanent) {
    if (runtime.has(e)) continue;
    if (out.permanentOnlyCount++ < sample) out.permanentOnly.push(e);
  }
  return out;
}

/**
 * The entries field of an ipset difference: exact when the entries are at hand, otherwise
 * judged by the digest (and count), with both sides' sizes as text.
 */
function entriesField(out: FieldDiff[], name: string, r: Obj, p: Obj, compare?: CompareEntries) {
  const exact = compare?.(name);
  if (exact) {
    if (exact.runtimeOnlyCount || exact.permanentOnlyCount) out.push({ field: 'entries', ...exact });
    return;
  }
  const rc = Number(r.entryCount ?? 0);
  const pc = Number(p.entryCount ?? 0);
  if (rc !== pc || String(r.entriesHash ?? '') !== String(p.entriesHash ?? '')) {
    out.push({ field: 'entries', runtimeOnly: [], permanentOnly: [], runtime: `${rc} entries`, permanent: `${pc} entries` });
  }
}

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

function fieldsOf(kind: DiffKind, name: string, r: Obj, p: Obj, compare?: CompareEntries): FieldDiff[] {
  const out: FieldDiff[] = [];
  for (const f of FIELDS[kind].lists) listDiff(out, f, (r[f] as unknown[] | undefined) ?? [], (p[f] as unknown[] | undefined) ?? []);
  if (kind === 'ipset') entriesField(out, name, r, p, compare);
  for (const f of FIELDS[kind].scalars) {
    const rv = scalarOf(r, f);
    const pv = scalarOf(p, f);
    if (!same(rv, pv)) out.push({ field: f, runtimeOnly: [], permanentOnly: [], runtime: String(rv ?? ''), permanent: String(pv ?? '') });
  }
  return out;
}

const LAYER_KEY = { zone: 'zones', policy: 'policies', service: 'services', ipset: 'ipsets' } as const;

/** One object's differences; undefined when both layers agree (or neither has it). */
export function diffObject(kind: DiffKind, name: string, runtime: object | undefined, permanent: object | undefined, compare?: CompareEntries): ObjectDiff | undefined {
  if (!runtime && !permanent) return undefined;
  if (!permanent) return { kind, name, status: 'runtimeOnly', fields: [] };
  if (!runtime) return { kind, name, status: 'permanentOnly', fields: [] };
  const fields = fieldsOf(kind, name, runtime as Obj, permanent as Obj, compare);
  return fields.length ? { kind, name, status: 'changed', fields } : undefined;
}

/** Names of one kind in either layer, sorted. */
export function objectNames(state: Pick<FullState, 'runtime' | 'permanent'>, kind: keyof typeof LAYER_KEY): string[] {
  const k = LAYER_KEY[kind];
  return [...new Set([...Object.keys(state.runtime[k]), ...Object.keys(state.permanent[k])])].sort();
}

/** Every object that differs between the layers, optionally only of one kind or name. */
export function diffLayers(state: { runtime: LayerState; permanent: LayerState }, kindFilter?: DiffKind, nameFilter?: string, compare?: CompareEntries): ObjectDiff[] {
  const out: ObjectDiff[] = [];
  for (const kind of Object.keys(LAYER_KEY) as DiffKind[]) {
    if (kindFilter && kind !== kindFilter) continue;
    for (const name of objectNames(state, kind)) {
      if (nameFilter && name !== nameFilter) continue;
      const d = diffObject(kind, name, state.runtime[LAYER_KEY[kind]][name], state.permanent[LAYER_KEY[kind]][name], compare);
      if (d) out.push(d);
    }
  }
  return out;
}

/** Number of differing items and settings: the badge next to an object (0 = the layers agree). */
export function diffCount(d: ObjectDiff | undefined): number {
  if (!d) return 0;
  if (d.status !== 'changed') return 1;
  return d.fields.reduce((n, f) => n + (f.runtime !== undefined ? 1 : (f.runtimeOnlyCount ?? f.runtimeOnly.length) + (f.permanentOnlyCount ?? f.permanentOnly.length)), 0);
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
  // Entries compared by digest only (direction unknown): runtime may hold some permanent lacks.
  ipset: ['entries'],
};

/** The differences a reload would throw away: runtime-only items, runtime edits of scalars, runtime-only objects. */
export function runtimeChangesLostOnReload(diffs: ObjectDiff[]): ObjectDiff[] {
  return diffs.filter(
    (d) =>
      d.status === 'runtimeOnly' ||
      (d.status === 'changed' &&
        d.fields.some((f) => f.runtimeOnly.length > 0 || (f.runtimeOnlyCount ?? 0) > 0 || (f.runtime !== undefined && RUNTIME_SCALARS[d.kind].includes(f.field)))),
  );
}

/** One line of what a reload does: "port 8080/tcp in zone public". */
export interface ReloadEffect {
  kind: DiffKind;
  name: string;
  /** In people's words, e.g. `port 8080/tcp` or `2 entries (1.2.3.4, 1.2.3.5)` or `masquerade on → off`. */
  text: string;
  /** How many items the line stands for (1 for a setting or an object). */
  count: number;
}

const OBJECT_WORDS: Record<DiffKind, string> = { zone: 'zone', policy: 'policy', service: 'service', ipset: 'ipset' };

function itemsText(field: string, items: string[], total: number): string {
  const shown = items.slice(0, 5).join(', ');
  const more = total > 5 ? `, … and ${(total - 5).toLocaleString('en-US')} more` : '';
  return total === 1 ? `${itemWord(field, 1)} ${items[0] ?? ''}`.trim() : `${total.toLocaleString('en-US')} ${itemWord(field, total)}${shown ? ` (${shown}${more})` : ''}`;
}

/**
 * What a reload does to each difference, in people's words: what is lost (only in runtime),
 * what it adds (only in permanent) and which settings change. The reload dialog, the host's
 * NEEDS_CONFIRMATION message and the CLI all say it this way.
 */
export function reloadEffects(diffs: ObjectDiff[]): { lost: ReloadEffect[]; gained: ReloadEffect[]; changed: ReloadEffect[] } {
  const lost: ReloadEffect[] = [];
  const gained: ReloadEffect[] = [];
  const changed: ReloadEffect[] = [];
  for (const d of diffs) {
    const base = { kind: d.kind, name: d.name };
    if (d.status === 'runtimeOnly') {
      lost.push({ ...base, text: `the whole ${OBJECT_WORDS[d.kind]} (it exists in runtime only)`, count: 1 });
      continue;
    }
    if (d.status === 'permanentOnly') {
      gained.push({ ...base, text: `the whole ${OBJECT_WORDS[d.kind]} (it exists in permanent only)`, count: 1 });
      continue;
    }
    for (const f of d.fields) {
      if (f.runtime !== undefined) {
        if (d.kind === 'ipset' && f.field === 'entries') {
          changed.push({ ...base, text: `entries: ${f.runtime} in runtime → ${f.permanent} from permanent`, count: 1 });
        } else {
          changed.push({ ...base, text: `${settingWord(f.field)} ${valueWords(f.runtime)} → ${valueWords(f.permanent)}`, count: 1 });
        }
        continue;
      }
      const rn = f.runtimeOnlyCount ?? f.runtimeOnly.length;
      const pn = f.permanentOnlyCount ?? f.permanentOnly.length;
      if (rn) lost.push({ ...base, text: itemsText(f.field, f.runtimeOnly, rn), count: rn });
      if (pn) gained.push({ ...base, text: itemsText(f.field, f.permanentOnly, pn), count: pn });
    }
  }
  return { lost, gained, changed };
}

/** "port 8080/tcp in zone public; 2 entries (…) in ipset block" */
export function effectsText(effects: ReloadEffect[]): string {
  return effects.map((e) => `${e.text} in ${OBJECT_WORDS[e.kind]} ${e.name}`).join('; ');
}

/**
 * One runtime-vs-permanent difference as a row: an item only one layer has, a setting that
 * differs, or a whole object only one layer has. The Differences view lists them and the
 * Runtime → permanent dialog says with them what becomes permanent.
 */
export interface DifferenceRow {
  kind: DiffKind;
  name: string;
  /** The list or setting ("ports", "masquerade", "entries"); "" for a whole object. */
  field: string;
  side: 'runtimeOnly' | 'permanentOnly' | 'setting';
  /** The item as firewall-cmd prints it (lists), or "" for settings, objects and entry groups. */
  item: string;
  /** In people's words: "port 8080/tcp", "masquerade on (runtime) / off (permanent)". */
  text: string;
  runtime?: string;
  permanent?: string;
  /** How many items the row stands for (ipset entries are one row per side). */
  count: number;
}

export function differenceRows(diffs: ObjectDiff[]): DifferenceRow[] {
  const rows: DifferenceRow[] = [];
  for (const d of diffs) {
    const base = { kind: d.kind, name: d.name };
    if (d.status !== 'changed') {
      rows.push({ ...base, field: '', side: d.status, item: '', text: `the whole ${OBJECT_WORDS[d.kind]}`, count: 1 });
      continue;
    }
    for (const f of d.fields) {
      if (f.runtime !== undefined) {
        const words = f.field === 'entries' ? (v?: string) => v ?? '' : valueWords;
        rows.push({ ...base, field: f.field, side: 'setting', item: '', text: `${settingWord(f.field)}: ${words(f.runtime)} in runtime, ${words(f.permanent)} in permanent`, runtime: f.runtime, permanent: f.permanent, count: 1 });
        continue;
      }
      for (const side of ['runtimeOnly', 'permanentOnly'] as const) {
        const items = f[side];
        const total = (side === 'runtimeOnly' ? f.runtimeOnlyCount : f.permanentOnlyCount) ?? items.length;
        if (!total) continue;
        if (f.field === 'entries') {
          rows.push({ ...base, field: f.field, side, item: '', text: itemsText(f.field, items, total), count: total });
          continue;
        }
        for (const item of items) rows.push({ ...base, field: f.field, side, item, text: `${itemWord(f.field)} ${item}`, count: 1 });
      }
    }
  }
  return rows;
}

/** How many differences each kind of object has: the counts on the Firewall page's tabs. */
export function differenceCounts(diffs: ObjectDiff[]): Record<DiffKind, number> {
  const out: Record<DiffKind, number> = { zone: 0, policy: 0, service: 0, ipset: 0 };
  for (const d of diffs) out[d.kind] += diffCount(d);
  return out;
}

/**
 * What "Runtime → permanent" (firewalld's runtimeToPermanent) does to each difference: items and
 * objects only runtime has become permanent, items only permanent has in an object both layers
 * have are dropped from permanent, settings take their runtime value. Objects only permanent has
 * are not touched (firewalld copies runtime objects; it deletes none).
 */
export function runtimeToPermanentEffects(diffs: ObjectDiff[]): { added: DifferenceRow[]; removed: DifferenceRow[]; changed: DifferenceRow[]; untouched: DifferenceRow[] } {
  const rows = differenceRows(diffs);
  return {
    added: rows.filter((r) => r.side === 'runtimeOnly'),
    removed: rows.filter((r) => r.side === 'permanentOnly' && r.field !== ''),
    changed: rows.filter((r) => r.side === 'setting'),
    untouched: rows.filter((r) => r.side === 'permanentOnly' && r.field === ''),
  };
}

/** The key under which a list item's text matches the same item written differently ("8000-7000/tcp" = "7000-8000/tcp"). */
export function itemTextKey(field: string, text: string): string {
  if (field === 'ports' || field === 'sourcePorts') {
    const i = text.lastIndexOf('/');
    return i < 0 ? text : itemKey(field, { port: text.slice(0, i), protocol: text.slice(i + 1) });
  }
  if (field === 'richRules') return itemKey('richRules', text);
  return text;
}
