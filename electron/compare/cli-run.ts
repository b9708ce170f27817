import { ApiError } from '../../shared/api/errors';
import { cellState, MAX_COMPARE_HOSTS, type CompareResult } from '../../shared/compare/diff';
import { emptySummary, notReadLines, reportRows, toCsv, toMarkdown } from '../../shared/compare/report';
import { commentText } from '../../shared/compare/safe-text';
import type { CliContext } from '../cli/context';
import { resolveArg } from './import-arg';
import { expandHostArgs } from './host-args';
// Fixes, summaries and Ansible runs are loaded by the runs that ask for them: a plain live
// compare loads neither the YAML and XML libraries nor the agent's Ansible play.
import type { compareInventory } from './ansible-compare';
import type { CompareOpts, SnapshotOpts } from './cli-options';

/**
 * What `hostdeck snapshot` and `hostdeck compare` do, loaded once the command is known (and, for
 * a compare, once the hosts' first ssh sessions are under way: electron/hosts/head-start.ts).
 */

/** The comparison with only the rows that differ (what --json prints without --all, as the text output does). */
export function differencesOnly(r: CompareResult): CompareResult {
  return {
    ...r,
    sysctl: r.sysctl.filter((x) => x.differs),
    sysctld: r.sysctld.filter((x) => x.differs),
    dns: { ...r.dns, rows: r.dns.rows.filter((x) => x.differs) },
    firewall: r.firewall.filter((x) => x.differs),
  };
}

export function human(r: CompareResult, all: boolean): string {
  const rows = reportRows(r, !all);
  const out: string[] = [];
  for (const [i, h] of r.hosts.entries()) {
    out.push(`${i === r.baseline ? '*' : ' '} ${h.label}: ${h.status === 'ok' ? `${h.hostname || '?'} kernel ${h.kernel || '?'}` : `UNREACHABLE ${h.error ?? ''}`}`);
  }
  for (const l of notReadLines(r)) out.push(`! ${l}`);
  out.push(rows.length ? `${rows.length} ${all ? 'rows' : 'differences'} (baseline *${r.hosts[r.baseline]?.label}):` : emptySummary(r, !all));
  for (const row of rows) {
    out.push(`[${row.section}] ${row.fact}`);
    r.hosts.forEach((h, i) => {
      const mark = !row.known[i] ? '?' : i === r.baseline ? '*' : cellState(row.values, i, r.baseline, true) === 'same' ? '=' : '≠';
      out.push(`    ${mark} ${h.label}: ${row.notRead[i] ? '(not read)' : row.known[i] ? (row.values[i] ?? '(absent)') : '(not known)'}`);
    });
  }
  return out.join('\n');
}

/** `hostdeck snapshot` */
export async function snapshotCommand(cli: CliContext, o: SnapshotOpts): Promise<void> {
  if (o.inventory || o.out || o.limit || o.forks !== undefined) {
    const { snapshotInventoryCommand } = await import('./ansible-cli');
    await snapshotInventoryCommand(cli, o);
    return;
  }
  const rt = await cli.runtime(o.root ? { root: o.root } : {});
  try {
    const id = resolveArg(rt, cli.host ?? 'local').id;
    const snap = await rt.api.compare.snapshot({}, { host: id });
    cli.print(snap, true, () => '');
  } finally {
    await rt.dispose();
  }
}

/** `hostdeck compare` */
export async function compareCommand(cli: CliContext, given: string[], o: CompareOpts): Promise<void> {
  const rt = await cli.runtime(o.root ? { root: o.root } : {});
  let collected: Awaited<ReturnType<typeof compareInventory>> = null;
  try {
    let resolved: { id: string; name: string }[];
    let args: string[];
    if (o.inventory) {
      if (given.length || o.root) throw new ApiError('INVALID_INPUT', '--inventory compares the inventory\'s hosts: it takes no host arguments and no --root (narrow it with --limit)');
      if (o.summary && o.layer === 'both') throw new ApiError('INVALID_INPUT', '--summary compares one firewall layer: --layer runtime or permanent');
      const { compareInventory } = await import('./ansible-compare');
      collected = await compareInventory(cli, rt, { ...o, layer: o.layer === 'permanent' ? 'permanent' : 'runtime', inventory: o.inventory });
      if (!collected) return;
      resolved = collected.resolved;
      args = resolved.map((r) => r.name);
    } else {
      if (o.forks !== undefined || o.keep) throw new ApiError('INVALID_INPUT', '--forks and --keep go with --inventory');
      // @GROUP, --limit and a directory (its files, listed, not read) become hosts and files.
      args = await expandHostArgs(rt.api, given, o.limit);
      if (o.summary) {
        if (o.layer === 'both') throw new ApiError('INVALID_INPUT', '--summary compares one firewall layer: --layer runtime or permanent');
        const { printFleetSummary } = await import('./summary-cli');
        return await printFleetSummary(cli, rt, args, { ...o, layer: o.layer ?? 'runtime' });
      }
      if (args.length < 2) throw new ApiError('INVALID_INPUT', 'compare needs at least 2 hosts');
      // Before any file is read: 51 large imports would be read for nothing.
      if (args.length > MAX_COMPARE_HOSTS) throw new ApiError('INVALID_INPUT', `compare takes at most ${MAX_COMPARE_HOSTS} hosts (${args.length} given) side by side: add --summary for the fleet summary of any number of files`);
      resolved = args.map((a) => resolveArg(rt, a));
    }
    const ids = resolved.map((r) => r.id);
    let baseline: string | undefined;
    if (o.baseline) {
      const i = args.indexOf(o.baseline) >= 0 ? args.indexOf(o.baseline) : resolved.findIndex((r) => r.name === o.baseline);
      if (i < 0) throw new ApiError('INVALID_INPUT', `--baseline ${o.baseline} is not one of the compared hosts`);
      baseline = ids[i];
    }
    const base = { hosts: ids, baseline, layer: o.layer, dnsName: o.dnsName, k8s: o.k8s, only: o.only as ('sysctl' | 'dns' | 'firewall')[] | undefined };
    if (o.fix) {
      if (o.layer === 'both') throw new ApiError('INVALID_INPUT', '--fix is planned on one firewall layer: --layer runtime or permanent (the Ansible plays set both, permanent and immediate)');
      const r = await rt.api.compare.run({ ...base, layer: o.layer ?? 'runtime', refresh: false });
      const split = (s?: string) => s?.split(',').map((x) => x.trim()).filter(Boolean);
      const { defaultSelection } = await import('../../shared/compare/fix');
      const selection = defaultSelection(r, { keys: split(o.keys), objects: split(o.zones) });
      const names = Object.fromEntries(resolved.map((x) => [x.id, x.name]));
      // The pattern the hosts were chosen by: the playbook runs against their inventory with it.
      const groups = given.filter((a) => a.startsWith('@') && a.length > 1).map((a) => a.slice(1));
      const scope = o.limit ?? (groups.length ? groups.join(':') : undefined);
      const inventory = collected ? { file: collected.collection.inventory, limit: o.limit } : scope ? { limit: scope } : undefined;
      const f = await rt.api.compare.fix({ ...base, layer: o.layer ?? 'runtime', selection, format: o.fix, names, become: !!o.become, confirmWeakening: split(o.confirmWeakening), inventory });
      const notes = o.fix === 'ansible' ? '' : f.notes.map((n) => `# Note: ${commentText(n)}\n`).join('');
      cli.print(f, !!o.json, (d) => notes + d.text);
      if (f.command) cli.note(`save it as hostdeck-fix.yml and run: ${f.command}`);
      // What was left out for weakening security is said where a person reads, and how to include it.
      const unconfirmed = f.weakening.filter((w) => !w.confirmed);
      if (unconfirmed.length) {
        cli.note(
          `left out of the fix, because the baseline's value weakens security:\n${unconfirmed.map((w) => `  ${w.key} = ${w.value}: ${w.weakens}`).join('\n')}\n` +
            `  include them with --confirm-weakening ${unconfirmed.map((w) => w.key).join(',')}`,
        );
      }
      return;
    }
    // refresh: false said outright (a fresh CLI runtime has nothing cached, so it reads anyway): an input its check plan passes as is.
    const r = await rt.api.compare.run({ ...base, refresh: false });
    cli.print(o.json && !o.all ? differencesOnly(r) : r, !!o.json, (d) => (o.markdown ? toMarkdown(d, !o.all) : o.csv ? toCsv(d, !o.all) : human(d, !!o.all)));
    const down = r.hosts.filter((h) => h.status !== 'ok');
    for (const h of down) cli.note(`${h.label} is unreachable: ${h.error ?? ''}`);
    // A section a host did not answer is as incomplete as an unreachable host.
    const unread = notReadLines(r);
    for (const l of unread) cli.note(l);
    if (down.length || unread.length) process.exitCode = 2;
  } finally {
    collected?.done();
    await rt.dispose();
  }
}
