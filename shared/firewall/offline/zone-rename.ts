import type { FullState } from '../model';
import type { OfflineWriteOp } from './write-contract';

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
