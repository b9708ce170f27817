import { z } from 'zod';
import type { Snapshot, SnapshotLayer } from '../compare/snapshot';
import { isVolatileKey } from '../compare/volatile';
import { countsInSummary } from '../compare/summary-facts';
import { normValue } from '../compare/diff';
import { sysctlKeyError, sysctlValueError } from '../helper/rules';

/**
 * "Back to this point": from the facts of a point and the host as it is now, the operations
 * that return the host to the point, each an ordinary HostDeck operation (so each is checked,
 * authorized and recorded as any change is): firewall zone and policy edits per layer, the
 * default zone, permanent zones and policies created or deleted, the live sysctls in one
 * apply, resolv.conf saved with the point's text. What cannot be returned this way (ipset
 * entries, services, sysctl.d files) is a note, never silently left out.
 */

export const restoreStepSchema = z.object({
  /** The operation that makes this step (`firewall.updateZone`, `kernel.apply`, `dns.save`...). */
  operation: z.string(),
  input: z.record(z.string(), z.unknown()),
  /** In people's words. */
  text: z.string(),
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
      for (const kind of ['services', 'ipsets'] as const) {
        const differ = diffNames(lt[kind], ln[kind]);
        if (differ.length) notes.push(`${kind} differ from the point (${layer}: ${differ.join(', ')}): not returned here; compare them with hostdeck history diff`);
      }
    }
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
    if (differ.length) notes.push(`sysctl.d files differ from the point (${differ.join(', ')}): the live values are returned; save the file's old text (hostdeck history diff shows it) or restore it from the helper's backups (hostdeck helper backups)`);
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
