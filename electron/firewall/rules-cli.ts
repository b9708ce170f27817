import type { Command } from 'commander';
import type { ChainView, RulesReport, RuleView } from '../../shared/firewall/rules';
import type { CliContext } from '../cli/context';

interface RulesOpts {
  json?: boolean;
  root?: string;
  zone?: string;
  policy?: string;
}

/** Control characters from a host (rule text, interface names) never reach the terminal as such. */
const safe = (s: string) =>
  [...s].map((c) => { const n = c.charCodeAt(0); return n < 0x20 || (n >= 0x7f && n <= 0x9f) ? `\\x${n.toString(16).padStart(2, '0')}` : c; }).join('');

function ruleLines(r: RuleView): string[] {
  const counter = r.counter ? `  [${r.counter.packets} packets, ${r.counter.bytes} bytes]` : '';
  const lines = [`    ${r.foreign ? '!! ' : ''}${safe(r.text)}${counter}`];
  if (r.foreign) lines.push(`         NOT MADE BY FIREWALLD: ${safe(r.note ?? '')}`);
  else for (const m of r.madeBy) lines.push(`         ← ${safe(m.words)}  [${safe(m.firewalld)}]`);
  return lines;
}

function chainLines(c: ChainView): string[] {
  const hook = c.hook ? ` (hook ${c.hook}, priority ${c.priority ?? '?'}${c.policy ? `, policy ${c.policy}` : ''})` : '';
  return [`  ${c.family} ${c.table} ${c.name}${hook}: ${c.words}`, ...(c.rules.length ? c.rules.flatMap(ruleLines) : ['    (empty)'])];
}

/** The report as text: firewalld's chains (empty ones left out unless asked for a zone), then the foreign rules. */
export function rulesText(r: RulesReport, all = false): string {
  const out: string[] = [`nft ${r.nftVersion ?? '?'}, firewalld chain layout ${r.layout}: ${r.totals.rules} rules, ${r.totals.attributed} made by firewalld, ${r.totals.foreign} not`];
  for (const n of r.notes) out.push(`note: ${n}`);
  out.push('', "firewalld's rules:");
  for (const c of r.chains) if (all || c.rules.length) out.push(...chainLines(c));
  const foreignInFw = r.chains.flatMap((c) => c.rules.filter((x) => x.foreign).map((x) => `  ${c.name}: ${safe(x.text)}`));
  const foreignTables = r.foreignTables.filter((t) => t.chains.length);
  out.push('', 'Not made by firewalld:');
  if (!foreignInFw.length && !foreignTables.length) out.push('  (none)');
  if (foreignInFw.length) out.push(' in firewalld\'s own chains:', ...foreignInFw);
  for (const t of foreignTables) out.push(` table ${t.family} ${safe(t.name)}:`, ...t.chains.flatMap((c) => chainLines(c).map((l) => ` ${l}`)));
  return out.join('\n');
}

/** `hostdeck firewall rules [--zone Z | --policy P] [--json]` (with the global --host). */
export function registerRulesCommand(cmd: Command, cli: CliContext, api: (o: object) => ReturnType<CliContext['api']>['firewall']): void {
  cmd
    .description('The nftables rules behind each zone and policy, each with the firewalld element that made it; rules firewalld did not make shown apart')
    .option('--zone <zone>', 'only this zone\'s chains (and the dispatch rules leading to them)')
    .option('--policy <policy>', 'only this policy\'s chains')
    .option('--root <dir>', 'an image (answers that an image has no running ruleset)')
    .action(
      cli.action(async (o: RulesOpts) => {
        const r = await api(o).rules({ zone: o.zone, policy: o.policy });
        cli.print(r, !!o.json, (x) => rulesText(x, !!(o.zone || o.policy)));
      }),
    );
}
