import type { SafeChange } from '../../../shared/firewall/contract';
import { itemText, type ListKey } from '../../../shared/firewall/patch';
import { stage, type Draft, type DraftKey } from './draft';

/** Where a fix's change is staged: the zone or policy whose pending changes it joins. */
export type FixTarget = { kind: 'zone' | 'policy'; name: string };

/** The zone or policy a fix changes; undefined for a change the page's drafts cannot hold (panic, default zone). */
export function fixTarget(change: SafeChange): FixTarget | undefined {
  return change.type === 'zone' || change.type === 'policy' ? { kind: change.type, name: change.name } : undefined;
}

/**
 * A fix offered by firewall.explain as staged items of the object's draft, exactly as if the
 * admin had typed them into the editor: it is applied (or safe-applied, or discarded) with the
 * other pending changes, never on its own.
 */
export function stageFix(draft: Draft, change: SafeChange): Draft {
  if (change.type !== 'zone' && change.type !== 'policy') return draft;
  let d = draft;
  for (const op of ['remove', 'add'] as const) {
    for (const [list, items] of Object.entries(change.patch[op] ?? {})) {
      for (const item of (items as unknown[] | undefined) ?? []) d = stage(d, op, list as DraftKey, itemText(list as ListKey, item));
    }
  }
  const scalars = Object.fromEntries(Object.entries(change.patch).filter(([k, v]) => k !== 'add' && k !== 'remove' && v !== undefined));
  return Object.keys(scalars).length ? { ...d, scalars: { ...d.scalars, ...(scalars as Draft['scalars']) } } : d;
}
