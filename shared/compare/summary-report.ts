import { csvCell, mdEscape } from './report';
import { kindsLine, valueText, type FleetSummary } from './summary';

/**
 * The fleet summary as text (CLI), Markdown (a ticket) and CSV (a spreadsheet). Values, host
 * names and reasons come from hosts: Markdown escapes them (mdEscape), CSV neutralises
 * formulas (csvCell), as the grid's reports do.
 */

const plural = (n: number, w: string) => `${n.toLocaleString('en-US')} ${w}${n === 1 ? '' : 's'}`;

function headline(s: FleetSummary): string {
  return `${plural(s.hosts.length, 'host')}, ${plural(s.keysCompared, 'key')} compared (${s.scope.join(', ')}; firewall ${s.layer}), ${plural(s.keys.length, 'key')} differ; ${kindsLine(s)}.`;
}

export function summaryText(s: FleetSummary): string {
  const out: string[] = [headline(s)];
  for (const r of s.notRead) out.push(`! ${r.host}: ${r.section} not read (${r.reason})`);
  s.kinds.forEach((k, i) => {
    out.push(`kind ${i + 1}: ${k.count} host${k.count === 1 ? '' : 's'} ${k.hosts.join(' ')}${k.unknown.length ? ` (cannot answer: ${k.unknown.join(', ')})` : ''}`);
    for (const d of k.differences.slice(0, 20)) {
      const key = s.keys[d.key]!;
      out.push(`    [${key.section}] ${key.key} = ${valueText(key, d.value)}`);
    }
    if (k.differences.length > 20) out.push(`    … ${k.differences.length - 20} more`);
  });
  if (s.keys.length === 0) out.push(s.notRead.length ? 'No differences in what was read.' : 'No differences.');
  for (const k of s.keys) {
    out.push(`[${k.section}] ${k.key}: ${k.values.length} values on ${k.known} hosts`);
    for (const v of k.values) out.push(`    ${v.majority ? '*' : ' '} ${String(v.count).padStart(5)}  ${valueText(k, v.value)}  ${v.hosts.join(' ')}`);
  }
  return out.join('\n');
}

export function summaryMarkdown(s: FleetSummary): string {
  const lines: string[] = [`# HostDeck fleet summary of ${s.hosts.length} hosts`, '', mdEscape(headline(s)), ''];
  if (s.notRead.length) {
    lines.push('## Not read', '');
    for (const r of s.notRead) lines.push(`- **${mdEscape(r.host)}**: ${mdEscape(r.section)} not read (${mdEscape(r.reason)})`);
    lines.push('');
  }
  lines.push('## Kinds', '', '| kind | hosts | count | differs from the majority in |', '|---|---|---|---|');
  s.kinds.forEach((k, i) => {
    const diffs = k.differences.map((d) => `${s.keys[d.key]!.key} = ${valueText(s.keys[d.key]!, d.value)}`);
    const text = diffs.length ? diffs.join('; ') : k.unknown.length ? `cannot answer ${k.unknown.join(', ')}` : '(the majority)';
    lines.push(`| ${i + 1} | ${mdEscape(k.hosts.join(' '))} | ${k.count} | ${mdEscape(text)} |`);
  });
  lines.push('', `## Keys that differ (${s.keys.length})`, '');
  if (s.keys.length) {
    lines.push('| section | key | value | hosts | which |', '|---|---|---|---|---|');
    for (const k of s.keys) {
      for (const v of k.values) {
        lines.push(`| ${k.section} | ${mdEscape(k.key)} | ${mdEscape(valueText(k, v.value))}${v.majority ? ' (majority)' : ''} | ${v.count} of ${k.known} | ${mdEscape(v.hosts.join(' '))} |`);
      }
    }
  } else lines.push(s.notRead.length ? 'No differences in what was read.' : 'No differences.');
  lines.push('');
  return lines.join('\n');
}

/** One row per (key, value): section, key, value, hosts holding it, of how many, majority, the hosts folded. */
export function summaryCsv(s: FleetSummary): string {
  const rows = [['section', 'key', 'value', 'count', 'known', 'majority', 'hosts']];
  for (const k of s.keys) for (const v of k.values) rows.push([k.section, k.key, valueText(k, v.value), String(v.count), String(k.known), v.majority ? 'yes' : 'no', v.hosts.join(' ')]);
  for (const r of s.notRead) rows.push([r.section, '(not read)', r.reason, '1', '', '', r.host]);
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
