import { ApiError } from '../../shared/api/errors';
import type { Api } from '../../shared/api/contract';
import { inventoryNameError, nameFromFile } from '../../shared/compare/safe-text';
import type { HostList } from '../api/context';
import { inventoryPath, matchPattern } from '../hosts/inventory';
import { snapshotInventory, type HostOutcome } from './ansible-snapshot';
import { newRunDir } from './ansible-runs';

/**
 * Collecting an inventory's hosts into a run directory through Ansible, for `compare --inventory`
 * (electron/compare/ansible-compare.ts) and the Compare page's compare.collect
 * (electron/compare/collect.ts): every host the inventory and the pattern name is in the
 * result, one Ansible could not read with Ansible's reason, never left out.
 */

export interface CollectedHost {
  /** The host's name in the inventory (hostile: never a file name, never unquoted in YAML or shell). */
  host: string;
  ok: boolean;
  file?: string;
  error?: string;
}

export interface Collection {
  dir: string;
  /** The inventory as given to Ansible (absolute). */
  inventory: string;
  limit?: string;
  /** Every host the inventory and the pattern name, in Ansible's order. */
  hosts: CollectedHost[];
}

/** The hosts Ansible would run the play on: `ansible -i FILE --list-hosts PATTERN` (all without a pattern). */
export async function plannedHosts(inventory: string, limit?: string): Promise<string[]> {
  const inv = inventoryPath(inventory);
  const names = [...(await matchPattern(inv, limit ?? 'all'))];
  if (!names.length) throw new ApiError('INVALID_INPUT', `No host of ${inventory} matches${limit ? ` --limit ${JSON.stringify(limit)}` : ''}`);
  return names;
}

/** One line for the hosts that could not be read: "2 hosts could not be read: a (unreachable: ...), b (failed: ...)". */
export function unreadLine(failed: CollectedHost[]): string {
  const first = (s: string) => (s.split('\n').find((l) => l.trim()) ?? '').trim().slice(0, 200);
  return `${failed.length} host${failed.length === 1 ? '' : 's'} could not be read: ${failed.map((h) => `${JSON.stringify(h.host).slice(1, -1)} (${first(h.error ?? 'no answer')})`).join(', ')}`;
}

export async function collectInventory(opts: {
  rt: { api: Api; hostList: Pick<HostList, 'add' | 'remove'> };
  inventory: string;
  limit?: string;
  forks?: number;
  /** Names from plannedHosts(), when the caller already asked Ansible. */
  planned?: string[];
  dir?: string;
  onHost?: (o: HostOutcome, done: number, total: number) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** See snapshotInventory's processGroup. */
  processGroup?: boolean;
  /** Why a planned host Ansible gave no answer for was not read (default: cancelled, or Ansible ended). */
  unanswered?: () => string;
}): Promise<Collection> {
  const inventory = inventoryPath(opts.inventory);
  const planned = opts.planned ?? (await plannedHosts(inventory, opts.limit));
  const dir = opts.dir ?? newRunDir();
  let done = 0;
  const outcomes = await snapshotInventory({
    rt: opts.rt,
    inventory,
    limit: opts.limit,
    out: dir,
    forks: opts.forks,
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    processGroup: opts.processGroup,
    onHost: (o) => opts.onHost?.(o, ++done, planned.length),
  });
  const by = new Map(outcomes.map((o) => [o.host, o]));
  const why = opts.unanswered?.() ?? (opts.signal?.aborted ? 'cancelled before it answered' : 'Ansible ended without an answer for it');
  const hosts = planned.map((host): CollectedHost => {
    const o = by.get(host);
    return o ? { host, ok: o.ok, file: o.file, error: o.error } : { host, ok: false, error: why };
  });
  // A host Ansible answered for that --list-hosts did not name (an inventory script that changed between the two calls).
  for (const o of outcomes) if (!planned.includes(o.host)) hosts.push({ host: o.host, ok: o.ok, file: o.file, error: o.error });
  return { dir, inventory, limit: opts.limit, hosts };
}

/** The name a collected host is shown by: its inventory name when that is a plain one, else the file's. */
export function collectedLabel(h: CollectedHost): string {
  if (!inventoryNameError(h.host)) return h.host;
  return nameFromFile(h.file ? h.file.slice(h.file.lastIndexOf('/') + 1) : h.host) || 'host';
}
