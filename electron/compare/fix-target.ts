import type { CompareResult } from '../../shared/compare/diff';
import type { PlaybookTarget } from '../../shared/compare/fix-inventory';
import type { HandlerContext, HostList } from '../api/context';

/**
 * Which inventory a fix playbook runs against: the one given (`compare --inventory`), the one
 * the Compare page collected the hosts from (remembered here per runtime), or the one every
 * differing saved host was imported from (`hosts import --inventory`, then `@group`). Hosts from
 * different inventories, or not from one: none (the playbook names the hosts itself).
 */

const collected = new WeakMap<HostList, Map<string, { inventory: string; limit?: string; name: string }>>();

/** Hosts collected through Ansible from `inventory` (the Compare page), with their inventory names. */
export function rememberCollected(hosts: HostList, entries: { id: string; name: string }[], inventory: string, limit?: string): void {
  let m = collected.get(hosts);
  if (!m) collected.set(hosts, (m = new Map()));
  for (const e of entries) m.set(e.id, { inventory, limit, name: e.name });
}

/** The inventory name of a collected host (its snapshot host is labelled by a file-safe name). */
export function collectedName(hosts: HostList, id: string): string | undefined {
  return collected.get(hosts)?.get(id)?.name;
}

export async function fixTarget(
  ctx: Pick<HandlerContext, 'hosts' | 'api'>,
  r: CompareResult,
  differing: number[],
  given?: { file?: string; limit?: string },
): Promise<PlaybookTarget | null> {
  if (given?.file) return { inventory: given.file, limit: given.limit };
  if (!differing.length) return null;
  const ids = differing.map((i) => r.hosts[i]!.id);
  const fromRun = collected.get(ctx.hosts);
  const runs = ids.map((id) => fromRun?.get(id));
  if (runs.every((x) => x && x.inventory === runs[0]!.inventory)) return { inventory: runs[0]!.inventory, limit: given?.limit ?? runs[0]!.limit };
  let saved: { id: string; inventory: string | null }[];
  try {
    saved = (await ctx.api.hosts.list({}, { host: 'local' })).hosts;
  } catch {
    return null;
  }
  const inv = ids.map((id) => saved.find((h) => h.id === id)?.inventory ?? null);
  if (inv[0] && inv.every((x) => x === inv[0])) return { inventory: inv[0], limit: given?.limit };
  return null;
}
