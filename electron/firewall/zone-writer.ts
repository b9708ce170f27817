import { Variant } from '@jellybrick/dbus-next';
import { ApiError } from '../../shared/api/errors';
import type { ForwardPort, Port, Policy, PolicyPatch, Zone, ZoneItems, ZonePatch } from '../../shared/firewall/model';
import { itemText, patchSettings } from '../../shared/firewall/patch';
import type { FirewalldClient } from './client';
import { isIdempotentOutcome } from './errors';
import { readRuntimeZone } from './reader';
import { policyDict, policyFromDict, zoneDict, zoneFromDict } from './settings';

/**
 * Applies a ZonePatch / PolicyPatch. Runtime zones go item by item (firewalld's per-item
 * methods: they take timeouts and emit the granular signals other clients rely on); an item
 * firewalld reports as ALREADY_ENABLED / NOT_ENABLED was already as asked and is not part of
 * the effective patch. If an item fails, what was applied so far is undone, so a patch is
 * all-or-nothing from the user's view. Permanent zones are read, changed and written back in
 * one update2 (one XML rewrite).
 */

export interface PatchResult {
  /** What actually changed (items already present/absent left out). */
  effective: ZonePatch;
  notes: string[];
  /** Undoes exactly the effective change. */
  revert: () => Promise<void>;
}


type ItemKind = keyof ZoneItems;

/** Per-item runtime methods: [add key, add args, remove key, remove args, accepts timeout]. */
const RUNTIME_ITEM: Record<Exclude<ItemKind, 'interfaces' | 'sources'>, { add: string; remove: string; args: (v: never) => unknown[] }> = {
  services: { add: 'zone.addService', remove: 'zone.removeService', args: (s: string) => [s] },
  ports: { add: 'zone.addPort', remove: 'zone.removePort', args: (p: Port) => [p.port, p.protocol] },
  protocols: { add: 'zone.addProtocol', remove: 'zone.removeProtocol', args: (s: string) => [s] },
  sourcePorts: { add: 'zone.addSourcePort', remove: 'zone.removeSourcePort', args: (p: Port) => [p.port, p.protocol] },
  icmpBlocks: { add: 'zone.addIcmpBlock', remove: 'zone.removeIcmpBlock', args: (s: string) => [s] },
  forwardPorts: {
    add: 'zone.addForwardPort',
    remove: 'zone.removeForwardPort',
    args: (f: ForwardPort) => [f.port, f.protocol, f.toPort ?? '', f.toAddr ?? ''],
  },
  richRules: { add: 'zone.addRichRule', remove: 'zone.removeRichRule', args: (s: string) => [s] },
};

const ITEM_WORD: Record<ItemKind, string> = {
  services: 'service',
  ports: 'port',
  protocols: 'protocol',
  sourcePorts: 'source port',
  icmpBlocks: 'ICMP block',
  forwardPorts: 'forward port',
  richRules: 'rich rule',
  interfaces: 'interface',
  sources: 'source',
};

function pushItem(items: ZoneItems, kind: ItemKind, v: unknown) {
  ((items[kind] ??= []) as unknown[]).push(v);
}

export async function applyRuntimeZonePatch(c: FirewalldClient, zone: string, patch: ZonePatch, timeout = 0): Promise<PatchResult> {
  for (const k of ['target', 'short', 'description', 'ingressPriority', 'egressPriority'] as const) {
    if (patch[k] !== undefined) {
      throw new ApiError(
        'UNSUPPORTED',
        `The zone ${k === 'target' ? 'target' : k} exists only in the permanent configuration: change it there and reload (or use safe apply for the target).`,
      );
    }
  }
  const before = await readRuntimeZone(c, zone);
  const effective: ZonePatch = {};
  const notes: string[] = [];
  const undo: Array<() => Promise<unknown>> = [];
  const what = (verb: string, kind: ItemKind, v: unknown) => `${verb} ${ITEM_WORD[kind]} ${itemText(kind, v)} ${verb === 'adding' ? 'to' : 'from'} zone ${zone}`;
  /** Runs one call; false when firewalld said it was already so. */
  const step = async (key: string, body: unknown[], label: string): Promise<boolean> => {
    try {
      await c.call(key, body, { what: label });
      return true;
    } catch (e) {
      if (isIdempotentOutcome(e)) return false;
      throw e;
    }
  };
  try {
    // Removals first, so "replace A with B" in one patch never has both or neither for long.
    for (const [kind, list] of Object.entries(patch.remove ?? {}) as Array<[ItemKind, unknown[] | undefined]>) {
      for (const v of list ?? []) {
        if (kind === 'interfaces' || kind === 'sources') {
          const m = kind === 'interfaces' ? 'Interface' : 'Source';
          if (await step(`zone.remove${m}`, [zone, v], what('removing', kind, v))) {
            pushItem((effective.remove ??= {}), kind, v);
            undo.push(() => c.call(`zone.add${m}`, [zone, v]));
          }
          continue;
        }
        const spec = RUNTIME_ITEM[kind];
        const args = spec.args(v as never);
        if (await step(spec.remove, [zone, ...args], what('removing', kind, v))) {
          pushItem((effective.remove ??= {}), kind, v);
          undo.push(() => c.call(spec.add, [zone, ...args, 0]));
        }
      }
    }
    for (const [kind, list] of Object.entries(patch.add ?? {}) as Array<[ItemKind, unknown[] | undefined]>) {
      for (const v of list ?? []) {
        if (kind === 'interfaces' || kind === 'sources') {
          const m = kind === 'interfaces' ? 'Interface' : 'Source';
          const [current] = (await c.call(`zone.getZoneOf${m}`, [v])) as [string];
          if (current === zone) continue;
          // Moving a binding is what "add eth0 to work" means to a user; firewall-cmd's
          // --add-interface would refuse with ZONE_CONFLICT instead.
          await c.call(current ? `zone.changeZoneOf${m}` : `zone.add${m}`, [zone, v], { what: what('adding', kind, v) });
          pushItem((effective.add ??= {}), kind, v);
          if (current) {
            notes.push(`${ITEM_WORD[kind]} ${String(v)} moved from zone ${current} to ${zone}`);
            undo.push(() => c.call(`zone.changeZoneOf${m}`, [current, v]));
          } else {
            undo.push(() => c.call(`zone.remove${m}`, [zone, v]));
          }
          continue;
        }
        const spec = RUNTIME_ITEM[kind];
        const args = spec.args(v as never);
        if (await step(spec.add, [zone, ...args, timeout], what('adding', kind, v))) {
          pushItem((effective.add ??= {}), kind, v);
          undo.push(() => c.call(spec.remove, [zone, ...args]));
        }
      }
    }
    if (patch.masquerade !== undefined && patch.masquerade !== before.masquerade) {
      if (patch.masquerade) await c.call('zone.addMasquerade', [zone, timeout], { what: `enabling masquerade in zone ${zone}` });
      else await c.call('zone.removeMasquerade', [zone], { what: `disabling masquerade in zone ${zone}` });
      effective.masquerade = patch.masquerade;
      undo.push(() => (patch.masquerade ? c.call('zone.removeMasquerade', [zone]) : c.call('zone.addMasquerade', [zone, 0])));
    }
    if (patch.icmpBlockInversion !== undefined && patch.icmpBlockInversion !== before.icmpBlockInversion) {
      const m = patch.icmpBlockInversion ? 'zone.addIcmpBlockInversion' : 'zone.removeIcmpBlockInversion';
      await c.call(m, [zone], { what: `changing ICMP block inversion of zone ${zone}` });
      effective.icmpBlockInversion = patch.icmpBlockInversion;
      undo.push(() => c.call(patch.icmpBlockInversion ? 'zone.removeIcmpBlockInversion' : 'zone.addIcmpBlockInversion', [zone]));
    }
    if (patch.forward !== undefined && patch.forward !== before.forward) {
      // No per-item method for forward (reference §5): a one-key setZoneSettings2.
      const set = (b: boolean) => c.call('zone.setZoneSettings2', [zone, { forward: new Variant('b', b) }], { what: `changing forward of zone ${zone}` });
      await set(patch.forward);
      effective.forward = patch.forward;
      const old = before.forward;
      undo.push(() => set(old));
    }
  } catch (e) {
    await runUndo(undo);
    throw e;
  }
  return { effective, notes, revert: () => runUndo(undo, true) };
}

async function runUndo(undo: Array<() => Promise<unknown>>, strict = false): Promise<void> {
  const errors: unknown[] = [];
  for (const u of [...undo].reverse()) {
    try {
      await u();
    } catch (e) {
      if (!isIdempotentOutcome(e)) errors.push(e);
    }
  }
  if (strict && errors.length) throw errors[0];
}

export async function readPermanentZoneSettings(c: FirewalldClient, zone: string): Promise<Zone> {
  const [d] = await c.configCall('zone', zone, 'getSettings2', [], { what: `reading permanent zone ${zone}`, fresh: true });
  return zoneFromDict(zone, d);
}

export async function applyPermanentZonePatch(c: FirewalldClient, version: string, zone: string, patch: ZonePatch): Promise<PatchResult> {
  const before = await readPermanentZoneSettings(c, zone);
  const { changed, effective } = patchSettings(before, patch);
  const notes: string[] = [];
  if (Object.keys(changed).length === 0) return { effective, notes, revert: async () => {} };
  // A permanent interface/source belongs to one zone: take it from its old zone first.
  const moved: Array<{ from: string; kind: 'interfaces' | 'sources'; value: string }> = [];
  for (const kind of ['interfaces', 'sources'] as const) {
    for (const v of effective.add?.[kind] ?? []) {
      const [owner] = (await c.call(kind === 'interfaces' ? 'config.getZoneOfInterface' : 'config.getZoneOfSource', [v])) as [string];
      if (owner && owner !== zone) moved.push({ from: owner, kind, value: v });
    }
  }
  for (const m of moved) {
    await applyPermanentZonePatch(c, version, m.from, { remove: { [m.kind]: [m.value] } });
    notes.push(`${m.kind === 'interfaces' ? 'interface' : 'source'} ${m.value} moved from zone ${m.from} to ${zone} (permanent)`);
  }
  await c.configCall('zone', zone, 'update2', [zoneDict(changed, version)], { what: `saving permanent zone ${zone}`, fresh: true });
  const old: Partial<Zone> = {};
  for (const k of Object.keys(changed) as Array<keyof Zone>) (old as Record<string, unknown>)[k] = before[k];
  return {
    effective,
    notes,
    revert: async () => {
      await c.configCall('zone', zone, 'update2', [zoneDict(old, version)], { what: `restoring permanent zone ${zone}`, fresh: true });
      for (const m of moved) await applyPermanentZonePatch(c, version, m.from, { add: { [m.kind]: [m.value] } });
    },
  };
}

// --- policies: no per-item runtime methods before 2.5, so read-modify-write like firewall-cmd.

export async function readPolicy(c: FirewalldClient, layer: 'runtime' | 'permanent', name: string): Promise<Policy> {
  const [d] =
    layer === 'runtime'
      ? await c.call('policy.getPolicySettings', [name], { what: `reading policy ${name}` })
      : await c.configCall('policy', name, 'getSettings', [], { what: `reading permanent policy ${name}`, fresh: true });
  return policyFromDict(name, d);
}

/** Runtime setPolicySettings handles only these keys, item by item (core/fw_policy.py set_config_with_settings_dict). */
const RUNTIME_POLICY_FIELDS = new Set(['services', 'ports', 'icmpBlocks', 'masquerade', 'forwardPorts', 'richRules', 'protocols', 'sourcePorts', 'ingressZones', 'egressZones']);

async function writePolicy(c: FirewalldClient, version: string, layer: 'runtime' | 'permanent', name: string, full: Policy, changed: Partial<Policy>): Promise<void> {
  if (layer === 'runtime') {
    // Diff-apply on firewalld's side: only the changed keys, omitted ones stay as they are.
    await c.call('policy.setPolicySettings', [name, policyDict(changed, version)], { what: `changing runtime policy ${name}` });
    return;
  }
  const { meta: _meta, name: _name, ...settings } = full;
  // The full dict: permanent update() replaces the whole policy.
  await c.configCall('policy', name, 'update', [policyDict(settings, version)], { what: `saving permanent policy ${name}`, fresh: true });
}

export async function applyPolicyPatch(
  c: FirewalldClient,
  version: string,
  layer: 'runtime' | 'permanent',
  name: string,
  patch: PolicyPatch,
): Promise<{ effective: PolicyPatch; revert: () => Promise<void>; after: Policy }> {
  if (layer === 'runtime') {
    for (const k of ['target', 'priority', 'short', 'description', 'disable'] as const) {
      if (patch[k] !== undefined) {
        throw new ApiError('UNSUPPORTED', `The policy ${k} exists only in the permanent configuration: change it there and reload.`);
      }
    }
  }
  const before = await readPolicy(c, layer, name);
  const { changed, effective } = patchSettings(before, patch);
  if (layer === 'runtime') for (const k of Object.keys(changed)) if (!RUNTIME_POLICY_FIELDS.has(k)) delete (changed as Record<string, unknown>)[k];
  const after = { ...before, ...changed } as Policy;
  if (Object.keys(changed).length) await writePolicy(c, version, layer, name, after, changed);
  return {
    effective,
    after,
    revert: async () => {
      if (!Object.keys(changed).length) return;
      const old: Record<string, unknown> = {};
      for (const k of Object.keys(changed)) old[k] = (before as Record<string, unknown>)[k];
      const now = await readPolicy(c, layer, name);
      await writePolicy(c, version, layer, name, { ...now, ...old } as Policy, old as Partial<Policy>);
    },
  };
}
