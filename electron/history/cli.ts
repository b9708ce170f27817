import { createInterface } from 'node:readline/promises';
import { Option } from 'commander';
import { ApiError } from '../../shared/api/errors';
import { changeText } from '../../shared/history/changes';
import type { HistoryPoint } from '../../shared/history/model';
import type { RestorePlan } from '../../shared/history/restore';
import type { RegisterCommands } from '../cli/context';

/**
 * `hostdeck history`: the timeline of a host (--host, default this machine), the difference
 * between two points, and "back to this point" (previewed; applied with --yes or on a yes at
 * the prompt).
 */

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** "2d", "36h", "90m", or a date/time (2026-12-01, 2026-12-01T10:00). */
export function sinceArg(v: string, now = Date.now()): number {
  const m = /^(\d+)([smhdw])$/.exec(v.trim());
  if (m) return now - Number(m[1]) * UNITS[m[2]!]!;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new ApiError('INVALID_INPUT', `--since ${JSON.stringify(v)}: give a duration (30m, 36h, 2d, 1w) or a date (2026-12-01 or 2026-12-01T10:00)`);
  return t;
}

const time = (t: number) => new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
const kindText = (p: HistoryPoint) => (p.kind === 'change' ? `HostDeck change${p.result && p.result !== 'applied' ? ` (${p.result})` : ''}` : p.kind === 'outside' ? `changed outside HostDeck between ${time(p.since ?? p.time)} and ${time(p.time)}` : 'first read');
const whoText = (p: HistoryPoint) => (p.who ? `${p.who.user}@${p.who.machine}${p.who.login ? ` as ${p.who.login}` : ''}${p.who.hostUser ? ` (${p.who.hostUser} on the host)` : ''}${p.who.from ? ` from ${p.who.from}` : ''}` : '');

export function timelineText(points: HistoryPoint[]): string {
  if (!points.length) return 'No points yet: HostDeck records one when it changes this host or finds it changed.\n';
  return points
    .map((p) => {
      const head = `${p.id}  ${time(p.time)}  ${kindText(p)}${p.kind === 'change' ? `: ${p.what}` : ''}${whoText(p) ? `  by ${whoText(p)}` : ''}${p.error ? `  error: ${p.error}` : ''}`;
      const changes = p.changes.map((c) => `    ${changeText(c)}`);
      if (p.changesTotal > p.changes.length) changes.push(`    … and ${p.changesTotal - p.changes.length} more (hostdeck history diff)`);
      return [head, ...changes].join('\n');
    })
    .join('\n') + '\n';
}

function planText(p: RestorePlan): string {
  const lines = p.steps.length ? [`To return to point ${p.point}:`, ...p.steps.map((s) => `  ${s.text}`)] : [`The host is as it was at point ${p.point}: nothing to change.`];
  for (const n of p.notes) lines.push(`  note: ${n}`);
  return lines.join('\n') + '\n';
}

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export const registerHistoryCommands: RegisterCommands = (program, cli) => {
  const history = program
    .command('history')
    .description("what changed on a host, when and by whom (points HostDeck recorded around its changes and on reads), oldest first; kept in $XDG_DATA_HOME/hostdeck/history")
    .option('--since <when>', 'only points since a duration ago (30m, 36h, 2d, 1w) or a date')
    .addOption(new Option('--feature <feature>', 'only points that touch this feature').choices(['firewall', 'dns', 'kernel']))
    .addOption(new Option('--kind <kind>', 'only this kind of point').choices(['change', 'outside', 'first']))
    .option('--text <words>', 'only points whose request, author or changes contain these words')
    .option('--json', 'print { "points": [...] } (oldest first; each point with id, time, who, kind and changes)')
    .action(
      cli.action(async (o: { since?: string; feature?: 'firewall' | 'dns' | 'kernel'; kind?: 'change' | 'outside' | 'first'; text?: string; json?: boolean }) => {
        const r = await cli.api().history.list({ since: o.since ? sinceArg(o.since) : undefined, feature: o.feature, kind: o.kind, text: o.text });
        cli.print(r, !!o.json, (d) => timelineText(d.points));
        for (const n of r.notices) cli.note(n.message);
      }),
    );
  history
    .command('diff')
    .description("what differs between two points (or a point and the host now: POINT now), in compare's terms")
    .argument('<from>', 'a point id (or a unique start of one)')
    .argument('<to>', 'a point id, or "now"')
    .option('--json', 'print the changes and both layers as compare --json does')
    .action(
      cli.action(async (from: string, to: string, o: { json?: boolean }) => {
        const r = await cli.api().history.diff({ from, to: to as 'now' });
        cli.print(r, !!o.json, (d) => (d.changes.length ? d.changes.map((c) => changeText(c)).join('\n') + '\n' : `No differences between ${d.from.id} and ${d.to?.id ?? 'now'}.\n`));
      }),
    );
  history
    .command('restore')
    .description('return the host to a point: prints the changes, applies them with --yes or on a yes at the prompt (recorded as a point)')
    .argument('<point>', 'a point id (or a unique start of one)')
    .option('--dry-run', 'only print the changes')
    .option('--yes', 'apply without asking')
    .option('--json', 'print the plan (and the results) as JSON')
    .action(
      cli.action(async (point: string, o: { dryRun?: boolean; yes?: boolean; json?: boolean }) => {
        const api = cli.api();
        const plan = await api.history.restorePreview({ point });
        if (o.dryRun || !plan.steps.length) {
          cli.print(plan, !!o.json, planText);
          return;
        }
        if (!o.json) process.stderr.write(planText(plan));
        if (!o.yes) {
          if (!process.stdin.isTTY) throw new ApiError('NEEDS_CONFIRMATION', 'restore changes the host: run it again with --yes (or --dry-run to only see the changes)');
          if (!(await ask(`Apply these ${plan.steps.length} change${plan.steps.length === 1 ? '' : 's'}? [y/N] `))) {
            cli.note('nothing changed');
            return;
          }
        }
        const r = await api.history.restore({ point: plan.point, confirm: true });
        cli.print(r, !!o.json, (d) => d.results.map((x) => `${x.ok ? 'done' : 'FAILED'}: ${x.text}${x.error ? ` (${x.error})` : ''}`).join('\n') + '\n');
        if (r.results.some((x) => !x.ok)) process.exitCode = 1;
      }),
    );
};
