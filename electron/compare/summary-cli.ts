import { existsSync } from 'node:fs';
import { ApiError } from '../../shared/api/errors';
import { MAX_COMPARE_HOSTS } from '../../shared/compare/diff';
import { FleetSummaryBuilder, type FleetSummary } from '../../shared/compare/summary';
import { summaryCsv, summaryMarkdown, summaryText } from '../../shared/compare/summary-report';
import { checkImportLabel } from './handlers';
import type { CliContext, CliRuntime } from '../cli/context';
import { addFiles, expandDirs, isDir, summarizeFiles } from './summary';

/**
 * `hostdeck compare ARGS --summary`: the fleet summary instead of the grid. Files and
 * directories of snapshots (any number) are read one at a time; live hosts (names, ssh
 * destinations) are read as compare reads them, at most 50 of them (past that, collect
 * snapshots with Ansible and summarize the directory).
 */

export interface SummaryCliOpts {
  only?: string[];
  layer: 'runtime' | 'permanent';
  dnsName: string;
  json?: boolean;
  markdown?: boolean;
  csv?: boolean;
}

type Source = { file: string; label?: string } | { live: string };

function sourcesOf(args: string[]): Source[] {
  return args.flatMap((a): Source[] => {
    if (isDir(a)) return expandDirs([a]).map((file) => ({ file }));
    const eq = /^([^=/]+)=(.+)$/.exec(a);
    if (eq && existsSync(eq[2]!)) return [{ file: eq[2]!, label: checkImportLabel(eq[2]!, eq[1]!) }];
    if (existsSync(a)) return [{ file: a }];
    return [{ live: a }];
  });
}

export async function fleetSummary(rt: CliRuntime, args: string[], o: SummaryCliOpts): Promise<FleetSummary> {
  const sources = sourcesOf(args);
  const live = sources.filter((s): s is { live: string } => 'live' in s);
  if (live.length > MAX_COMPARE_HOSTS) {
    throw new ApiError('INVALID_INPUT', `a summary reads at most ${MAX_COMPARE_HOSTS} live hosts itself (${live.length} given): collect snapshots of more into a directory (hostdeck snapshot --out DIR) and summarize it`);
  }
  if (sources.length < 2) throw new ApiError('INVALID_INPUT', 'a summary needs at least 2 hosts');
  const opts = { only: o.only as ('sysctl' | 'dns' | 'firewall')[] | undefined, layer: o.layer, dnsName: o.dnsName };
  if (!live.length) return await summarizeFiles(sources as { file: string; label?: string }[], opts);
  // Live hosts mixed with files: the live ones read in parallel first, files then one at a time.
  const b = new FleetSummaryBuilder(opts);
  const reads = await Promise.all(
    live.map(async (s) => {
      const id = rt.hostList.get(s.live).id;
      try {
        return { label: s.live, id, snapshot: await rt.api.compare.snapshot({}, { host: id }), error: undefined };
      } catch (e) {
        return { label: s.live, id, snapshot: null, error: (e as Error).message };
      }
    }),
  );
  for (const r of reads) b.add(r.label, r.id, r.snapshot, r.error);
  await addFiles(b, sources.filter((s): s is { file: string; label?: string } => 'file' in s));
  return b.finish();
}

export async function printFleetSummary(cli: CliContext, rt: CliRuntime, args: string[], o: SummaryCliOpts): Promise<void> {
  const s = await fleetSummary(rt, args, o);
  cli.print(s, !!o.json, (d) => (o.markdown ? summaryMarkdown(d) : o.csv ? summaryCsv(d) : summaryText(d)));
  for (const r of s.notRead) cli.note(`${r.host}: ${r.section === 'all' ? 'not read' : `${r.section} not read`} (${r.reason})`);
  if (s.notRead.length) process.exitCode = 2;
}
