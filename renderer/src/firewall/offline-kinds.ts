import type { Helper, IcmpType } from '../../../shared/firewall/model';
import type { OfflineWriteOp } from '../../../shared/firewall/offline/write-contract';

/**
 * ICMP types, helpers and zone renames of an offline configuration as firewall.offlineWrite
 * operations (firewall-offline-cmd's --icmptype=X --add-destination, --helper=X --add-port,
 * --set-module, --set-family, ...): what the page's editors send, reviewed like every save.
 */

type HelperPatch = Extract<OfflineWriteOp, { op: 'helper.patch' }>['patch'];
type IcmpPatch = Extract<OfflineWriteOp, { op: 'icmptype.patch' }>['patch'];
type Family = 'ipv4' | 'ipv6';

const FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];

/** The families an ICMP type applies to: none listed means both (firewalld's "empty means all"). */
export function icmpFamilies(t: Pick<IcmpType, 'destinations'>): Family[] {
  return t.destinations.length ? FAMILIES.filter((f) => t.destinations.includes(f)) : [...FAMILIES];
}

/** The edit of an ICMP type (before, and the families and texts after) as one icmptype.patch, or undefined when nothing changed. */
export function icmptypeOp(name: string, before: IcmpType, after: { short: string; description: string; families: Family[] }): OfflineWriteOp | undefined {
  const patch: IcmpPatch = {};
  const had = icmpFamilies(before);
  // Adding to "none listed" changes nothing in firewalld: removals go first (both -> one), then additions.
  const removed = had.filter((f) => !after.families.includes(f));
  const added = after.families.filter((f) => !had.includes(f));
  if (removed.length) patch.removeDestinations = removed;
  if (added.length) patch.addDestinations = added;
  if (after.short !== before.short) patch.short = after.short;
  if (after.description !== before.description) patch.description = after.description;
  return Object.keys(patch).length ? { op: 'icmptype.patch', name, patch } : undefined;
}

/** The edit of a helper (its settings before and after) as one helper.patch, or undefined when nothing changed. */
export function helperOp(name: string, before: Helper, after: Helper): OfflineWriteOp | undefined {
  const pk = (p: { port: string; protocol: string }) => `${p.port}/${p.protocol}`;
  const patch: HelperPatch = {};
  const had = new Set(before.ports.map(pk));
  const has = new Set(after.ports.map(pk));
  const gone = before.ports.filter((p) => !has.has(pk(p)));
  const added = after.ports.filter((p) => !had.has(pk(p)));
  if (gone.length) patch.remove = { ports: gone };
  if (added.length) patch.add = { ports: added };
  if (after.module !== before.module) patch.module = after.module;
  if (after.family !== before.family) patch.family = after.family as '' | Family;
  if (after.short !== before.short) patch.short = after.short;
  if (after.description !== before.description) patch.description = after.description;
  return Object.keys(patch).length ? { op: 'helper.patch', name, patch } : undefined;
}

export { zoneReferences, zoneRenameOps } from '../../../shared/firewall/offline/zone-rename';
