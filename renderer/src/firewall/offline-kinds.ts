import type { FullState, Helper, IcmpType } from '../../../shared/firewall/model';
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

/** What names a zone besides its file: the policies whose ingress or egress zones list it, and DefaultZone. */
export function zoneReferences(full: FullState, name: string): { policies: string[]; defaultZone: boolean } {
  const policies = Object.values(full.permanent.policies)
    .filter((p) => p.ingressZones.includes(name) || p.egressZones.includes(name))
    .map((p) => p.name)
    .sort();
  return { policies, defaultZone: full.global.defaultZone === name };
}

/**
 * A zone renamed as firewalld renames it (the file under the new name, the old one removed;
 * no reference changed), and, when asked, its references moved to the new name in the same
 * all-or-nothing request: each policy's ingress/egress zone and DefaultZone.
 */
export function zoneRenameOps(full: FullState, name: string, to: string, withReferences: boolean): OfflineWriteOp[] {
  const ops: OfflineWriteOp[] = [{ op: 'zone.rename', name, to }];
  if (!withReferences) return ops;
  const refs = zoneReferences(full, name);
  for (const p of refs.policies) {
    const pol = full.permanent.policies[p]!;
    const ingress = pol.ingressZones.includes(name);
    const egress = pol.egressZones.includes(name);
    ops.push({
      op: 'policy.patch',
      name: p,
      patch: {
        remove: { ...(ingress ? { ingressZones: [name] } : {}), ...(egress ? { egressZones: [name] } : {}) },
        add: { ...(ingress ? { ingressZones: [to] } : {}), ...(egress ? { egressZones: [to] } : {}) },
      },
    });
  }
  if (refs.defaultZone) ops.push({ op: 'default-zone', name: to });
  return ops;
}
