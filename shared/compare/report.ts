import { cellState, type CompareHost, type CompareResult } from './diff';

/**
 * The diff as Markdown (for a ticket or a post-mortem) and CSV (for a spreadsheet). One row
 * per compared fact; by default only the facts that differ between the hosts.
 */

export interface ReportRow {
  section: 'sysctl' | 'sysctl.d' | 'dns' | 'firewall';
  fact: string;
  values: (string | null)[];
  differs: boolean;
  /** Which hosts know this section at all. */
  known: boolean[];
}

export function reportRows(r: CompareResult, differencesOnly = true): ReportRow[] {
  const out: ReportRow[] = [];
  const cov = (f: (h: CompareHost) => boolean) => r.hosts.map(f);
  const ks = cov((h) => h.coverage.sysctl);
  for (const row of r.sysctl) if (!differencesOnly || row.differs) out.push({ section: 'sysctl', fact: row.key, values: row.values, differs: row.differs, known: ks });
  const kd = cov((h) => h.coverage.sysctld);
  for (const row of r.sysctld) {
    if (differencesOnly && !row.differs) continue;
    const values = row.values.map((v, i) => (v === null ? null : `${v} (${row.sources[i]})`));
    out.push({ section: 'sysctl.d', fact: row.key, values, differs: row.differs, known: kd });
  }
  const kn = cov((h) => h.coverage.dns);
  for (const row of r.dns.rows) if (!differencesOnly || row.differs) out.push({ section: 'dns', fact: row.field, values: row.values, differs: row.differs, known: kn });
  for (const row of r.firewall) {
    if (differencesOnly && !row.differs) continue;
    const kindKey = row.kind === 'global' ? null : (`${row.kind === 'policy' ? 'policies' : `${row.kind}s`}` as 'zones');
    const known = r.hosts.map((h) => (kindKey ? h.coverage.firewall.includes(kindKey) : h.coverage.firewall.length > 0));
    out.push({ section: 'firewall', fact: firewallFact(row), values: row.values, differs: row.differs, known });
  }
  return out;
}

export function firewallFact(row: { kind: string; name: string; field: string; item: string | null }): string {
  if (row.kind === 'global') return row.field;
  return `${row.kind} ${row.name} · ${row.field}${row.item !== null ? ` · ${row.item}` : ''}`;
}

function cellText(row: ReportRow, i: number, baseline: number): string {
  if (!row.known[i]) return '(not known)';
  const v = row.values[i] ?? null;
  const st = cellState(row.values, i, baseline, true);
  if (row.section === 'firewall' && (v === 'present' || v === null) && row.fact.split(' · ').length === 3) {
    return st === 'same' ? (v ? 'yes' : 'no') : st === 'extra' ? 'added' : st === 'missing' ? 'removed' : v ? 'yes' : 'no';
  }
  return v === null ? '(absent)' : v;
}

const mdEscape = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, '<br>').replace(/\t/g, ' ');

export function toMarkdown(r: CompareResult, differencesOnly = true): string {
  const rows = reportRows(r, differencesOnly);
  const base = r.hosts[r.baseline];
  const lines: string[] = [];
  lines.push(`# HostDeck comparison of ${r.hosts.length} hosts`, '');
  lines.push(`Baseline: **${base?.label ?? '-'}**. Firewall layer: ${r.layer}. Kubernetes verdicts for ${r.k8s}.`, '');
  for (const h of r.hosts) {
    const when = h.takenAt ? new Date(h.takenAt).toISOString() : '-';
    lines.push(`- **${mdEscape(h.label)}** (${h.kind}${h.source ? `, ${h.source}` : ''}): ${h.status === 'ok' ? `${h.hostname || '?'}, kernel ${h.kernel || '?'}, read ${when}` : `unreachable: ${mdEscape(h.error ?? '')}`}`);
  }
  lines.push('');
  const bySection = new Map<string, ReportRow[]>();
  for (const row of rows) bySection.set(row.section, [...(bySection.get(row.section) ?? []), row]);
  if (rows.length === 0) lines.push(differencesOnly ? 'No differences.' : 'Nothing to compare.');
  for (const [section, list] of bySection) {
    lines.push(`## ${section} (${list.length} ${differencesOnly ? 'differing' : ''} row${list.length === 1 ? '' : 's'})`.replace('  ', ' '), '');
    lines.push(`| ${section === 'firewall' ? 'object · field · item' : 'key'} | ${r.hosts.map((h, i) => mdEscape(h.label) + (i === r.baseline ? ' (baseline)' : '')).join(' | ')} |`);
    lines.push(`|---|${r.hosts.map(() => '---').join('|')}|`);
    for (const row of list) {
      lines.push(`| ${mdEscape(row.fact)} | ${r.hosts.map((_, i) => mdEscape(cellText(row, i, r.baseline))).join(' | ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

const csvCell = (s: string) => (/[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${(/^[=+\-@]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"` : s);

/** RFC 4180 CSV; cells that a spreadsheet would run as a formula are prefixed with a quote. */
export function toCsv(r: CompareResult, differencesOnly = true): string {
  const rows = reportRows(r, differencesOnly);
  const out = [['section', 'fact', 'differs', ...r.hosts.map((h) => h.label)].map(csvCell).join(',')];
  for (const row of rows) {
    out.push([row.section, row.fact, row.differs ? 'yes' : 'no', ...r.hosts.map((_, i) => cellText(row, i, r.baseline))].map(csvCell).join(','));
  }
  return `${out.join('\r\n')}\r\n`;
}
