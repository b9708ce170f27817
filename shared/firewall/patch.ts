/**
 * Zone and policy patches as plain data: which items a patch really adds or removes from an
 * object, the object afterwards, and the patch that undoes it. Used by the Node side to plan
 * firewalld writes and by the page (previews, the lock-out guard), so both agree on what a
 * patch does.
 */
import { ApiError } from '../api/errors';
import type { ForwardPort, Policy, PolicyPatch, Port, Zone, ZonePatch } from './model';
import { richRuleKey } from './rich-rule';
import { normalizePort } from './validate';

/** How firewall-cmd prints a port ("8080/tcp") and a forward port (--list-forward-ports). */
export const portText = (p: Port) => `${p.port}/${p.protocol}`;
export const forwardPortText = (f: ForwardPort) => `port=${f.port}:proto=${f.protocol}:toport=${f.toPort ?? ''}:toaddr=${f.toAddr ?? ''}`;

/** Port identity across layers: firewalld stores "8000-7000" as "7000-8000". */
const portKey = (p: Port) => `${normalizePort(p.port) ?? p.port}/${p.protocol}`;
const forwardPortKey = (f: ForwardPort) =>
  forwardPortText({ ...f, port: normalizePort(f.port) ?? f.port, toPort: f.toPort ? (normalizePort(f.toPort) ?? f.toPort) : '' });

/** Every list of a zone or policy and the key under which two items are the same item. */
export const LIST_ITEM_KEY = {
  services: String,
  ports: (p: Port) => portKey(p),
  protocols: String,
  sourcePorts: (p: Port) => portKey(p),
  icmpBlocks: String,
  forwardPorts: (f: ForwardPort) => forwardPortKey(f),
  // Rich rules compare by firewalld's normalized form (runtime and permanent spell some rules differently).
  richRules: (r: string) => richRuleKey(r),
  interfaces: String,
  sources: String,
  ingressZones: String,
  egressZones: String,
} as const;
export type ListKey = keyof typeof LIST_ITEM_KEY;

export function itemKey(list: ListKey, item: unknown): string {
  return (LIST_ITEM_KEY[list] as (x: unknown) => string)(item);
}

/** Display text of an item: ports as "8080/tcp", forward ports as firewall-cmd prints them. */
export function itemText(list: ListKey, item: unknown): string {
  if (list === 'ports' || list === 'sourcePorts') return portText(item as Port);
  if (list === 'forwardPorts') return forwardPortText(item as ForwardPort);
  return String(item);
}

export function isEmptyPatch(p: ZonePatch | PolicyPatch): boolean {
  const lists = (i: object | undefined) => !i || Object.values(i).every((v) => !v || (v as unknown[]).length === 0);
  return lists(p.add) && lists(p.remove) && Object.entries(p).every(([k, v]) => k === 'add' || k === 'remove' || v === undefined);
}

/**
 * Applies a patch to a settings object in memory (removals first, then additions; an item is
 * added once even if listed twice). Returns the changed fields and the effective patch: what
 * was really added or removed (items already there or already absent left out) and the
 * scalars that really change.
 */
export function patchSettings<T extends Zone | Policy>(before: T, patch: ZonePatch | PolicyPatch): { changed: Partial<T>; effective: ZonePatch & PolicyPatch } {
  const changed: Record<string, unknown> = {};
  const effective: Record<string, unknown> = {};
  const lists = new Set([...Object.keys(patch.add ?? {}), ...Object.keys(patch.remove ?? {})]);
  for (const k of lists) {
    if (!(k in LIST_ITEM_KEY)) throw new ApiError('INVALID_INPUT', `Unknown list "${k}"`);
    const key = (x: unknown) => itemKey(k as ListKey, x);
    const cur = ((before as Record<string, unknown>)[k] ?? []) as unknown[];
    const rm = new Set((((patch.remove as Record<string, unknown[]>) ?? {})[k] ?? []).map(key));
    const removed = cur.filter((v) => rm.has(key(v)));
    const kept = cur.filter((v) => !rm.has(key(v)));
    const have = new Set(kept.map(key));
    const added: unknown[] = [];
    for (const v of ((patch.add as Record<string, unknown[]>) ?? {})[k] ?? []) {
      if (have.has(key(v))) continue;
      have.add(key(v));
      added.push(v);
    }
    if (!added.length && !removed.length) continue;
    changed[k] = [...kept, ...added];
    if (added.length) ((effective.add ??= {}) as Record<string, unknown>)[k] = added;
    if (removed.length) ((effective.remove ??= {}) as Record<string, unknown>)[k] = removed;
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'add' || k === 'remove' || v === undefined) continue;
    if ((before as Record<string, unknown>)[k] === v) continue;
    changed[k] = v;
    effective[k] = v;
  }
  return { changed: changed as Partial<T>, effective: effective as ZonePatch & PolicyPatch };
}

/** The zone after a patch. */
export function zoneAfterPatch(zone: Zone, patch: ZonePatch): Zone {
  return { ...zone, ...patchSettings(zone, patch).changed };
}

/** The policy after a patch. */
export function policyAfterPatch(policy: Policy, patch: PolicyPatch): Policy {
  return { ...policy, ...patchSettings(policy, patch).changed };
}

const ZONE_SCALARS = ['target', 'short', 'description', 'masquerade', 'forward', 'icmpBlockInversion', 'ingressPriority', 'egressPriority'] as const;

/** The patch that undoes an effective patch applied to `before`. */
export function invertZonePatch(p: ZonePatch, before: Zone): ZonePatch {
  const inv: ZonePatch = {};
  if (p.add) inv.remove = p.add;
  if (p.remove) inv.add = p.remove;
  for (const k of ZONE_SCALARS) {
    if (p[k] !== undefined) (inv as Record<string, unknown>)[k] = before[k];
  }
  return inv;
}
