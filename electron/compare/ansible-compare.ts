import { ApiError } from '../../shared/api/errors';
import { MAX_COMPARE_HOSTS } from '../../shared/compare/diff';
import { FleetSummaryBuilder } from '../../shared/compare/summary';
import { summaryCsv, summaryMarkdown, summaryText } from '../../shared/compare/summary-report';
import type { Api } from '../../shared/api/contract';
import type { HandlerEvents, HostList } from '../api/context';
import type { CliContext } from '../cli/context';
import { createUnreadHost } from '../hosts/unread';
import { collectedLabel, collectInventory, plannedHosts, unreadLine, type Collection } from './ansible-collect';
import { keepRun, newRunDir, removeRun } from './ansible-runs';
import { resolveArg } from './import-arg';
import { addFiles } from './summary';

/**
 * `hostdeck compare --inventory FILE [--limit PATTERN] [--forks N] [--summary]`: Ansible reaches
 * the hosts (the play `snapshot --inventory` runs), each host's snapshot goes into a new private
 * run directory under the user's cache (electron/compare/ansible-runs.ts), and those are
 * compared. Every host the inventory and the pattern name is in the result: one Ansible could
 * not read is an unreachable host with Ansible's reason (exit code 2), never left out.
 */

export interface InventoryCompareOpts {
  inventory: string;
  limit?: string;
  forks?: number;
  keep?: boolean;
  summary?: boolean;
  only?: string[];
  layer: 'runtime' | 'permanent';
  dnsName: string;
  json?: boolean;
  markdown?: boolean;
  csv?: boolean;
}

/**
 * Collects the inventory's hosts and either prints their fleet summary (returns null) or
 * registers them as compared hosts (snapshot hosts, unread hosts for the failures) for the grid
 * and the fix. `done()` removes the run directory unless --keep.
 */
export async function compareInventory(
  cli: CliContext,
  rt: { api: Api; hostList: Pick<HostList, 'add' | 'remove' | 'list' | 'get'>; events: HandlerEvents },
  o: InventoryCompareOpts,
): Promise<null | { resolved: { id: string; name: string }[]; collection: Collection; done: () => void }> {
  const planned = await plannedHosts(o.inventory, o.limit);
  // Before anything is read: the grid shows at most 50 hosts.
  if (!o.summary && planned.length > MAX_COMPARE_HOSTS) {
    throw new ApiError('INVALID_INPUT', `compare takes at most ${MAX_COMPARE_HOSTS} hosts side by side (${planned.length} in ${o.inventory}${o.limit ? ` --limit ${JSON.stringify(o.limit)}` : ''}): add --summary for the fleet summary of any number of hosts`);
  }
  const dir = newRunDir();
  let kept = false;
  const done = () => {
    if (!kept) removeRun(dir);
  };
  try {
    const c = await collectInventory({
      rt: { api: rt.api, hostList: rt.hostList },
      inventory: o.inventory,
      limit: o.limit,
      forks: o.forks,
      planned,
      dir,
      onHost: (h, n, total) => cli.note(`[${n}/${total}] ${JSON.stringify(h.host).slice(1, -1)}: ${h.ok ? 'read' : h.error}`),
    });
    if (o.keep) {
      keepRun(dir);
      kept = true;
      cli.note(`snapshots kept in ${dir} (hostdeck compare ${dir}/ compares them again)`);
    }
    const failed = c.hosts.filter((h) => !h.ok);
    if (failed.length) cli.note(unreadLine(failed));
    if (o.summary) {
      const b = new FleetSummaryBuilder({ only: o.only as ('sysctl' | 'dns' | 'firewall')[] | undefined, layer: o.layer, dnsName: o.dnsName });
      await addFiles(b, c.hosts.filter((h) => h.ok).map((h) => ({ file: h.file!, label: collectedLabel(h) })));
      for (const h of failed) b.add(collectedLabel(h), `ansible:${h.host}`, null, h.error ?? 'not read');
      const s = b.finish();
      cli.print(s, !!o.json, (d) => (o.markdown ? summaryMarkdown(d) : o.csv ? summaryCsv(d) : summaryText(d)));
      if (s.notRead.length) process.exitCode = 2;
      done();
      return null;
    }
    if (c.hosts.length < 2) throw new ApiError('INVALID_INPUT', `compare needs at least 2 hosts: ${o.inventory}${o.limit ? ` --limit ${JSON.stringify(o.limit)}` : ''} names ${c.hosts.length}`);
    const resolved = c.hosts.map((h, i) => {
      const label = collectedLabel(h);
      if (h.ok) return { id: resolveArg(rt, `${label}=${h.file!}`).id, name: h.host };
      const host = rt.hostList.add(createUnreadHost(`ansible-unread:${i}`, label, h.error ?? 'not read'));
      return { id: host.id, name: h.host };
    });
    return { resolved, collection: c, done };
  } catch (e) {
    done();
    throw e;
  }
}
