import { z } from 'zod';
import type { Snapshot, SnapshotLayer } from '../compare/snapshot';
import { isVolatileKey } from '../compare/volatile';
import { countsInSummary } from '../compare/summary-facts';
import { normValue } from '../compare/diff';
import { sysctlKeyError, sysctlValueError } from '../helper/rules';
import { parseSysctlFile } from '../kernel/sysctld';

/**
 * "Back to this point": from the facts of a point and the host as it is now, the operations
 * that return the host to the point, each an ordinary HostDeck operation (so each is checked,
 * authorized and recorded as any change is): firewall zone and policy edits per layer, the
 * default zone, permanent zones, policies, services and ipsets created, changed or deleted,
 * ipset entries (from a layer that holds the point's entries now: history keeps only their count
 * and hash), the live sysctls in one apply, /etc/sysctl.d profiles saved or deleted through the
 * profile save path, resolv.conf saved with the point's text. What cannot be returned this way
 * is a note, never silently left out.
 */

export const restoreStepSchema = z.object({
  /** The operation that makes this step (`firewall.updateZone`, `kernel.apply`, `dns.save`...). */
  operation: z.string(),
  input: z.record(z.string(), z.unknown()),
  /** In people's words. */
  text: z.string(),
  /**
   * Input the operation needs that is read from the host when the step runs, not kept in the
   * plan: an ipset's entries from a layer whose entries hash to the point's (they are read for
   * every step before any step runs), a profile's version for its save (CONFLICT if it changes).
   */
  fill: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('ipsetEntries'), layer: z.enum(['runtime', 'permanent']), name: z.string(), sha256: z.string() }),
    z.object({ kind: z.literal('profileSha256'), name: z.string() }),
  ]).optional(),
});
export type RestoreStep = z.infer<typeof restoreStepSchema>;

export const restorePlanSchema = z.object({
  point: z.string(),
  steps: z.array(restoreStepSchema),
  notes: z.array(z.string()),
});
export type RestorePlan = z.infer<typeof restorePlanSchema>;

type Obj = Record<string, unknown>;
const ZONE_LISTS = ['services', 'ports', 'protocols', 'sourcePorts', 'icmpBlocks', 'forwardPorts', 'richRules', 'interfaces', 'sources'];
const ZONE_SCALARS = ['target', 'short', 'description', 'masquerade', 'forward', 'icmpBlockInversion', 'ingressPriority', 'egressPriority'];
const POLICY_LISTS = ['services', 'ports', 'protocols', 'sourcePorts', 'icmpBlocks', 'forwardPorts', 'richRules', 'ingressZones', 'egressZones'];
const POLICY_SCALARS = ['target', 'priority', 'short', 'description', 'masquerade', 'disable'];

const key = (v: unknown) => JSON.stringify(v);
const itemText = (v: unknown) => (typeof v === 'string' ? v : typeof (v as Obj).port === 'string' ? `${String((v as Obj).port)}/${String((v as Obj).protocol)}` : key(v));

/** The patch that turns `now` into `then` (null when they are the same). */
export function objectPatch(then: Obj, now: Obj, lists: string[], scalars: string[]): { patch: Obj; words: string[] } | null {
  const add: Record<string, unknown[]> = {};
  const remove: Record<string, unknown[]> = {};
  const patch: Obj = {};
  const words: string[] = [];
  for (const f of lists) {
    const a = (then[f] as unknown[] | undefined) ?? [];
    const b = (now[f] as unknown[] | undefined) ?? [];
    const ka = new Set(a.map(key));
    const kb = new Set(b.map(key));
    const plus = a.filter((x) => !kb.has(key(x)));
    const minus = b.filter((x) => !ka.has(key(x)));
    if (plus.length) {
      add[f] = plus;
      words.push(...plus.map((x) => `add ${f} ${itemText(x)}`));
    }
    if (minus.length) {
      remove[f] = minus;
      words.push(...minus.map((x) => `remove ${f} ${itemText(x)}`));
    }
  }
  for (const f of scalars) {
    if (then[f] !== undefined && key(then[f]) !== key(now[f])) {
      patch[f] = then[f];
      words.push(`set ${f} to ${String(then[f])}`);
    }
  }
  if (Object.keys(add).length) patch.add = add;
  if (Object.keys(remove).length) patch.remove = remove;
  return words.length ? { patch, words } : null;
}

function creatable(o: Obj): Obj {
  const { name: _n, meta: _m, version: _v, ...settings } = o;
  return settings;
}

export function planRestore(pointId: string, then: Snapshot, now: Snapshot): RestorePlan {
  const steps: RestoreStep[] = [];
  const notes: string[] = [];
  // Firewall.
  const ft = then.firewall;
  const fn = now.firewall;
  if (ft?.running && fn?.running && !fn.error) {
    // Services and ipsets a zone or policy names exist before its edit; deleted ones go after the edits that drop them.
    const objects = [...(ft.permanent && fn.permanent ? serviceSteps(ft.permanent.services, fn.permanent.services, notes) : []), ...ipsetSteps(ft, fn, notes)];
    const deletions = objects.filter((x) => /^firewall\.delete/.test(x.operation));
    steps.push(...objects.filter((x) => !deletions.includes(x)));
    if (ft.defaultZone && ft.defaultZone !== fn.defaultZone) steps.push({ operation: 'firewall.setDefaultZone', input: { name: ft.defaultZone }, text: `Make ${ft.defaultZone} the default zone again` });
    // Permanent first: a zone created there exists for the runtime after a reload only, so runtime edits name zones that exist.
    for (const layer of ['permanent', 'runtime'] as const) {
      const lt = ft[layer];
      const ln = fn[layer];
      if (!lt || !ln) continue;
      for (const [kind, lists, scalars, op] of [
        ['zones', ZONE_LISTS, ZONE_SCALARS, 'Zone'],
        ['policies', POLICY_LISTS, POLICY_SCALARS, 'Policy'],
      ] as const) {
        const a = lt[kind] as Record<string, Obj>;
        const b = ln[kind] as Record<string, Obj>;
        const word = op.toLowerCase();
        for (const name of Object.keys(a).sort()) {
          if (!b[name]) {
            if (layer === 'permanent') steps.push({ operation: `firewall.create${op}`, input: { name, settings: creatable(a[name]!) }, text: `Create ${word} ${name} (permanent) as it was` });
            else notes.push(`${word} ${name} existed in the runtime and no longer does: it comes back with a reload of the permanent configuration`);
            continue;
          }
          const p = objectPatch(a[name]!, b[name]!, [...lists], [...scalars]);
          if (p) steps.push({ operation: `firewall.update${op}`, input: { name, layer, patch: p.patch }, text: `${word} ${name} (${layer}): ${p.words.join(', ')}` });
        }
        for (const name of Object.keys(b).sort()) {
          if (a[name]) continue;
          if (layer === 'permanent') steps.push({ operation: `firewall.delete${op}`, input: { name }, text: `Delete ${word} ${name} (permanent), which the point did not have` });
          else notes.push(`${word} ${name} exists in the runtime only since the point: a reload removes it`);
        }
      }
      const differ = layer === 'runtime' ? diffNames(lt.services, ln.services) : [];
      if (differ.length) notes.push(`services differ from the point in the runtime (${differ.join(', ')}): firewalld edits services in the permanent configuration only; a reload brings the permanent ones`);
    }
    steps.push(...deletions);
  } else if (ft && (!fn || fn.error || ft.running !== fn.running)) {
    notes.push(fn?.error ? `firewalld could not be read now (${fn.error}): the firewall is not part of this restore` : `firewalld was ${ft.running ? 'running' : 'not running'} at the point and is ${fn?.running ? 'running' : 'not running'} now: start or stop it first`);
  }
  // Live sysctls.
  if (then.sysctl && now.sysctl && !then.sysctl.error && !now.sysctl.error) {
    const nowVals = new Map(now.sysctl.entries.filter((e) => e.state === 'ok').map((e) => [e.key, { value: e.value ?? '', writable: e.writable }]));
    const settings: { key: string; value: string }[] = [];
    for (const e of then.sysctl.entries) {
      if (e.state !== 'ok' || isVolatileKey(e.key) || !countsInSummary(e.key)) continue;
      const cur = nowVals.get(e.key);
      if (!cur) {
        notes.push(`${e.key} existed at the point and does not now`);
        continue;
      }
      if (normValue(e.value ?? '') === normValue(cur.value)) continue;
      if (cur.writable === false) {
        notes.push(`${e.key} differs (${cur.value} now, ${e.value ?? ''} at the point) but is read-only`);
        continue;
      }
      const why = sysctlKeyError(e.key) ?? sysctlValueError(e.key, e.value ?? '');
      if (why) {
        notes.push(`${e.key} is left out: ${why}`);
        continue;
      }
      settings.push({ key: e.key, value: (e.value ?? '').replace(/\t/g, ' ') });
    }
    if (settings.length) steps.push({ operation: 'kernel.apply', input: { settings }, text: `Set ${settings.map((s) => `${s.key} = ${s.value}`).join(', ')} (live kernel)` });
  }
  if (then.sysctld && now.sysctld && !then.sysctld.error && !now.sysctld.error) {
    const ta = new Map(then.sysctld.texts.map((t) => [t.path, t.text]));
    const tb = new Map(now.sysctld.texts.map((t) => [t.path, t.text]));
    const differ = [...new Set([...ta.keys(), ...tb.keys()])].filter((p) => ta.get(p) !== tb.get(p)).sort();
    for (const p of differ) steps.push(...profileSteps(p, ta.get(p), tb.get(p), notes));
  }
  // resolv.conf.
  if (then.dns && now.dns && !then.dns.error && !now.dns.error && then.dns.text !== now.dns.text) {
    if (!then.dns.exists) notes.push(`${then.dns.path} did not exist at the point: remove it by hand if it should not`);
    else steps.push({ operation: 'dns.save', input: { path: then.dns.path, text: then.dns.text, confirm: true }, text: `Write ${then.dns.path} with its text at the point` });
  }
  return { point: pointId, steps, notes };
}

function diffNames(a: SnapshotLayer[keyof SnapshotLayer], b: SnapshotLayer[keyof SnapshotLayer]): string[] {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].filter((n) => key((a as Record<string, unknown>)[n]) !== key((b as Record<string, unknown>)[n])).sort();
}

type Layers = NonNullable<Snapshot['firewall']>;
type Ipset = SnapshotLayer['ipsets'][string];

/** Permanent services as they were: created, replaced (settings) or deleted; a built-in back to its defaults. */
function serviceSteps(then: SnapshotLayer['services'], now: SnapshotLayer['services'], notes: string[]): RestoreStep[] {
  const steps: RestoreStep[] = [];
  for (const name of Object.keys(then).sort()) {
    const a = then[name]!;
    const b = now[name];
    if (!b) {
      steps.push({ operation: 'firewall.createService', input: { name, settings: creatable(a) }, text: `Create service ${name} (permanent) as it was` });
      continue;
    }
    if (key(creatable(a)) === key(creatable(b)) && !!a.meta?.default === !!b.meta?.default) continue;
    if (a.meta?.builtin && a.meta.default) steps.push({ operation: 'firewall.loadServiceDefaults', input: { name }, text: `Service ${name} (permanent): back to its built-in definition` });
    else steps.push({ operation: 'firewall.updateService', input: { name, settings: creatable(a) }, text: `Service ${name} (permanent): its settings at the point (${serviceWords(a)})` });
  }
  for (const name of Object.keys(now).sort()) {
    if (then[name]) continue;
    if (now[name]!.meta?.builtin) notes.push(`service ${name} is built in to firewalld now and was not at the point: left as it is`);
    else steps.push({ operation: 'firewall.deleteService', input: { name }, text: `Delete service ${name} (permanent), which the point did not have` });
  }
  return steps;
}

function serviceWords(s: SnapshotLayer['services'][string]): string {
  const ports = s.ports.map(itemText);
  return ports.length ? `ports ${ports.join(' ')}` : 'no ports';
}

/**
 * Ipsets: permanent ones created or deleted as they were; entries that differ from the point
 * set again from the layer that holds the point's entries now (the other layer, or the same
 * ipset's entries before a change to one layer only), found by the hash the point keeps.
 */
function ipsetSteps(ft: Layers, fn: Layers, notes: string[]): RestoreStep[] {
  const steps: RestoreStep[] = [];
  const sourceOf = (sha: string | null): 'runtime' | 'permanent' | null => {
    if (!sha) return null;
    for (const l of ['permanent', 'runtime'] as const) if (Object.values(fn[l]?.ipsets ?? {}).some((x) => x.entriesSha256 === sha)) return l;
    return null;
  };
  const entries = (name: string, layer: 'runtime' | 'permanent', a: Ipset, b: Ipset | null) => {
    if (b && a.entriesSha256 !== null && a.entriesSha256 === b.entriesSha256) return;
    if (!b && a.entryCount === 0) return;
    // The layer and ipset whose entries are the point's: this ipset's first, then any.
    const own = (['permanent', 'runtime'] as const).find((l) => fn[l]?.ipsets[name]?.entriesSha256 === a.entriesSha256 && a.entriesSha256 !== null);
    const from = own ?? sourceOf(a.entriesSha256);
    const source = own ? name : from ? Object.entries(fn[from]!.ipsets).find(([, x]) => x.entriesSha256 === a.entriesSha256)![0] : null;
    if (!from || !source) {
      notes.push(`ipset ${name} (${layer}) had ${a.entryCount} entries at the point and ${b ? b.entryCount : 'none'} now: history keeps only their count and hash, and no ipset holds them now, so they are not returned`);
      return;
    }
    steps.push({
      operation: 'firewall.ipsetSetEntries',
      input: { name, layer, entries: [] },
      fill: { kind: 'ipsetEntries', layer: from, name: source, sha256: a.entriesSha256! },
      text: `ipset ${name} (${layer}): its ${a.entryCount} entries at the point (${b ? `${b.entryCount} now; ` : ''}the same as ${source} ${from} has now)`,
    });
  };
  for (const layer of ['permanent', 'runtime'] as const) {
    const lt = ft[layer];
    const ln = fn[layer];
    if (!lt || !ln) continue;
    for (const name of Object.keys(lt.ipsets).sort()) {
      const a = lt.ipsets[name]!;
      const b = ln.ipsets[name];
      if (!b) {
        if (layer === 'runtime') {
          notes.push(`ipset ${name} existed in the runtime and no longer does: it comes back with a reload of the permanent configuration`);
          continue;
        }
        steps.push({ operation: 'firewall.createIpset', input: { name, type: a.type, options: a.options, short: a.short ?? '', description: a.description ?? '' }, text: `Create ipset ${name} (permanent) as it was` });
        entries(name, layer, a, null);
        continue;
      }
      if (a.type !== b.type || key(a.options) !== key(b.options)) notes.push(`ipset ${name} (${layer}) was ${a.type} ${key(a.options)} at the point and is ${b.type} ${key(b.options)} now: delete and create it again to change its type or options`);
      entries(name, layer, a, b);
    }
    for (const name of Object.keys(ln.ipsets).sort()) {
      if (lt.ipsets[name]) continue;
      if (layer === 'permanent') steps.push({ operation: 'firewall.deleteIpset', input: { name }, text: `Delete ipset ${name} (permanent), which the point did not have` });
      else notes.push(`ipset ${name} exists in the runtime only since the point: a reload removes it`);
    }
  }
  return steps;
}

const PROFILE = /^\/etc\/sysctl\.d\/([A-Za-z0-9][A-Za-z0-9_.@-]*)\.conf$/;

/**
 * One sysctl.d file back to its text at the point, through the profile save path (validated,
 * weakening values confirmed as usual, atomic, backed up by the helper, CONFLICT if the file
 * changes after it is read): HostDeck writes /etc/sysctl.d profiles only, and writes them as
 * settings, so a text it would not write the same way is a note.
 */
function profileSteps(file: string, then: string | undefined, now: string | undefined, notes: string[]): RestoreStep[] {
  const m = PROFILE.exec(file);
  if (!m) {
    notes.push(`${file} differs from the point: HostDeck writes /etc/sysctl.d/*.conf profiles only; restore it from its package or by hand (hostdeck history diff shows the point's text)`);
    return [];
  }
  const name = m[1]!;
  if (then === undefined) return [{ operation: 'kernel.deleteProfile', input: { name }, fill: { kind: 'profileSha256', name }, text: `Delete ${file}, which the point did not have (the helper keeps a backup)` }];
  const parsed = parseSysctlFile(then, file);
  const kept = parsed.assignments.filter((a) => a.value !== null && !a.ignoreFailure && !a.key.includes('*'));
  if (kept.length !== parsed.assignments.length || parsed.failed) {
    notes.push(`${file} at the point has lines a profile cannot hold (exclusions, "-key", globs or errors): not returned; hostdeck history diff shows its text`);
    return [];
  }
  const lines = then.split('\n').filter((l) => l.trim() !== '' && !/^[#;]\s*Written by HostDeck\b/.test(l));
  if (lines.length !== kept.length) notes.push(`${file} is saved with its settings at the point; its comments and layout are not kept (hostdeck history diff shows the point's text)`);
  const settings = kept.map((a) => ({ key: a.key, value: a.value! }));
  return [
    {
      operation: 'kernel.saveProfile',
      input: { name, settings, expectedSha256: null },
      fill: { kind: 'profileSha256', name },
      text: `${now === undefined ? 'Create' : 'Write'} ${file} with its settings at the point (${settings.map((s) => `${s.key} = ${s.value}`).join(', ') || 'none'})`,
    },
  ];
}
