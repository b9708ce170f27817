import { ApiError } from '../../shared/api/errors';
import type { OpParsedInput } from '../../shared/api/contract';
import { MAX_COMPARE_HOSTS } from '../../shared/compare/diff';
import { importFiles } from '../../shared/compare/imports';
import { FleetSummaryBuilder } from '../../shared/compare/summary';
import type { CollectResult } from '../../shared/compare/collect';
import type { HandlerContext, HostList } from '../api/context';
import { createUnreadHost } from '../hosts/unread';
import { inventoryPath } from '../hosts/inventory';
import { collectedLabel, collectInventory, plannedHosts, type Collection } from './ansible-collect';
import { newRunDir, removeRun } from './ansible-runs';
import { rememberCollected } from './fix-target';
import { addSnapshotHost } from './snapshot-hosts';
import { addFiles, readSnapshotFileSync } from './summary';
import { rememberSummarized } from './summary-op';

/**
 * compare.collect / compare.collectCancel: the Compare page's "Collect with Ansible". The run is
 * `compare --inventory` (electron/compare/ansible-compare.ts) with the page's run id: each host
 * is announced as it answers, Cancel and the deadline end ansible-playbook's whole process
 * group, and the result is handed over as the page shows it (the grid's hosts up to 50, the
 * fleet summary past that). Only an inventory saved hosts were imported from is run: a page
 * cannot make HostDeck execute any file as an inventory script.
 */

interface Running {
  abort: AbortController;
}

const runs = new WeakMap<HostList, Map<string, Running>>();
/** The directory of this runtime's last summary collect: kept for its kinds to open, removed by the next collect. */
const summaryDirs = new WeakMap<HostList, string>();

function runsOf(hosts: HostList): Map<string, Running> {
  let m = runs.get(hosts);
  if (!m) runs.set(hosts, (m = new Map()));
  return m;
}

/** The inventory as saved hosts remember it, or INVALID_INPUT naming the ones that may be collected. */
function savedInventory(ctx: HandlerContext, given: string): string {
  const known = [...new Set(ctx.remote.list().flatMap((h) => (h.inventory ? [h.inventory] : [])))];
  const abs = inventoryPath(given);
  if (!known.includes(abs)) {
    throw new ApiError(
      'INVALID_INPUT',
      `${given} is not an inventory saved hosts were imported from: import it on the Hosts page first (hostdeck hosts import --inventory FILE)${known.length ? `; known: ${known.join(', ')}` : ''}`,
    );
  }
  return abs;
}

export async function collect(ctx: HandlerContext, i: OpParsedInput<'compare', 'collect'>): Promise<CollectResult> {
  const inventory = savedInventory(ctx, i.inventory);
  const mine = runsOf(ctx.hosts);
  if (mine.has(i.run)) throw new ApiError('CONFLICT', `A collect run "${i.run}" is already under way`);
  const running: Running = { abort: new AbortController() };
  mine.set(i.run, running);
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    running.abort.abort();
  }, i.timeoutSeconds * 1000);
  let dir: string | null = null;
  try {
    const planned = await plannedHosts(inventory, i.limit);
    dir = newRunDir();
    const c = await collectInventory({
      rt: { api: ctx.api, hostList: ctx.hosts },
      inventory,
      limit: i.limit,
      forks: i.forks,
      planned,
      dir,
      signal: running.abort.signal,
      processGroup: true,
      unanswered: () => (timedOut ? `not answered within the deadline of ${i.timeoutSeconds} s` : running.abort.signal.aborted ? 'cancelled before it answered' : 'Ansible ended without an answer for it'),
      onHost: (o, done, total) => ctx.events.emit('compare.collectProgress', 'local', { run: i.run, host: o.host, ok: o.ok, error: o.ok ? null : (o.error ?? 'not read'), done, total }),
    });
    const base = { run: i.run, inventory, limit: i.limit ?? null, cancelled: running.abort.signal.aborted && !timedOut, timedOut };
    const answered = c.hosts.filter((h) => h.ok).length;
    if (c.hosts.length > MAX_COMPARE_HOSTS) {
      const summary = await summaryOf(c, i);
      const previous = summaryDirs.get(ctx.hosts);
      if (previous && previous !== dir) removeRun(previous);
      summaryDirs.set(ctx.hosts, dir);
      rememberSummarized(ctx.hosts, dir);
      const out: CollectResult = { ...base, view: 'summary', ids: [], summary, dir, hosts: c.hosts.map((h) => ({ host: h.host, ok: h.ok, error: h.ok ? null : (h.error ?? 'not read'), id: null })) };
      dir = null; // kept for the summary's kinds
      return out;
    }
    if (c.hosts.length < 2 || answered === 0) {
      return { ...base, view: 'none', ids: [], summary: null, dir: null, hosts: c.hosts.map((h) => ({ host: h.host, ok: h.ok, error: h.ok ? null : (h.error ?? 'not read'), id: null })) };
    }
    // The grid: each snapshot becomes a read-only host (held in memory: the run directory goes), each failure an unread host with its reason.
    const entries: { id: string; name: string }[] = [];
    const hosts = c.hosts.map((h, n) => {
      const label = collectedLabel(h);
      const host = h.ok
        ? addSnapshotHost(ctx, importFiles([{ name: `${label}.json`, text: readSnapshotFileSync(h.file!) }]).snapshot, label, false)
        : ctx.hosts.add(createUnreadHost(`ansible-unread:${i.run}:${n}`, label, h.error ?? 'not read'));
      entries.push({ id: host.id, name: h.host });
      return { host: h.host, ok: h.ok, error: h.ok ? null : (h.error ?? 'not read'), id: host.id };
    });
    rememberCollected(ctx.hosts, entries, inventory, i.limit);
    ctx.events.emit('app.hostsChanged', 'local', {});
    return { ...base, view: 'grid', ids: hosts.map((h) => h.id), summary: null, dir: null, hosts };
  } finally {
    clearTimeout(deadline);
    mine.delete(i.run);
    if (dir) removeRun(dir);
  }
}

async function summaryOf(c: Collection, i: OpParsedInput<'compare', 'collect'>) {
  const b = new FleetSummaryBuilder({ only: i.only, layer: i.layer, dnsName: i.dnsName });
  await addFiles(b, c.hosts.filter((h) => h.ok).map((h) => ({ file: h.file!, label: collectedLabel(h) })));
  for (const h of c.hosts) if (!h.ok) b.add(collectedLabel(h), `ansible:${h.host}`, null, h.error ?? 'not read');
  return b.finish();
}

export function collectCancel(ctx: HandlerContext, i: OpParsedInput<'compare', 'collectCancel'>): { cancelled: boolean } {
  const r = runsOf(ctx.hosts).get(i.run);
  if (!r) return { cancelled: false };
  r.abort.abort();
  return { cancelled: true };
}
