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
  /** Which hosts did not answer this section (timeout, failed read): "not read", not "not known". */
  notRead: boolean[];
}

/** Per host, the compared sections it did not answer, as "firewall (why)". */
export function notReadLines(r: CompareResult): string[] {
  return r.hosts.flatMap((h) => (h.notRead ?? []).map((n) => `${h.label}: ${n.section} not read (${n.reason})`));
}

/** The summary when no row is listed: "No differences" only for what was compared. */
export function emptySummary(r: CompareResult, differencesOnly: boolean): string {
  const missing = r.hosts.flatMap((h) => (h.notRead ?? []).map((n) => `${h.label} ${n.section}`));
  const base = differencesOnly ? 'No differences' : 'Nothing to compare';
  return missing.length ? `${base} in what was read; not read: ${missing.join(', ')}.` : `${base}.`;
}

export function reportRows(r: CompareResult, differencesOnly = true): ReportRow[] {
  const out: ReportRow[] = [];
  const cov = (f: (h: CompareHost) => boolean) => r.hosts.map(f);
  const nr = (section: ReportRow['section']) => r.hosts.map((h) => (h.notRead ?? []).some((n) => n.section === section));
  const ks = cov((h) => h.coverage.sysctl);
  for (const row of r.sysctl) if (!differencesOnly || row.differs) out.push({ section: 'sysctl', fact: row.key, values: row.values, differs: row.differs, known: ks, notRead: nr('sysctl') });
  const kd = cov((h) => h.coverage.sysctld);
  for (const row of r.sysctld) {
    if (differencesOnly && !row.differs) continue;
    const values = row.values.map((v, i) => (v === null ? null : `${v} (${row.sources[i]})`));
    out.push({ section: 'sysctl.d', fact: row.key, values, differs: row.differs, known: kd, notRead: nr('sysctl.d') });
  }
  const kn = cov((h) => h.coverage.dns);
  for (const row of r.dns.rows) if (!differencesOnly || row.differs) out.push({ section: 'dns', fact: row.field, values: row.values, differs: row.differs, known: kn, notRead: nr('dns') });
  for (const row of r.firewall) {
    if (differencesOnly && !row.differs) continue;
    const kindKey = row.kind === 'global' ? null : (`${row.kind === 'policy' ? 'policies' : `${row.kind}s`}` as 'zones');
    const known = r.hosts.map((h) => (kindKey ? h.coverage.firewall.includes(kindKey) : h.coverage.firewall.length > 0));
    out.push({ section: 'firewall', fact: firewallFact(row), values: row.values, differs: row.differs, known, notRead: nr('firewall') });
  }
  return out;
}

export function firewallFact(row: { kind: string; name: string; field: string; item: string | null }): string {
  if (row.kind === 'global') return row.field;
  return `${row.kind} ${row.name} · ${row.field}${row.item !== null ? ` · ${row.item}` : ''}`;
}

export function cellText(row: ReportRow, i: number, baseline: number): string {
  if (row.notRead[i]) return '(not read)';
  if (!row.known[i]) return '(not known)';
  const v = row.values[i] ?? null;
  const st = cellState(row.values, i, baseline, true);
  if (row.section === 'firewall' && (v === 'present' || v === null) && row.fact.split(' · ').length === 3) {
    return st === 'same' ? (v ? 'yes' : 'no') : st === 'extra' ? 'added' : st === 'missing' ? 'removed' : v ? 'yes' : 'no';
  }
  return v === null ? '(absent)' : v;
}

/**
 * Host data as inert Markdown text: HTML special characters as entities (no tag, no attribute
 * ever reaches a renderer), the punctuation Markdown reads as syntax backslash-escaped (pipes
 * cannot split a table cell, backticks open no code span, brackets make no link or image,
 * * and _ no emphasis), line breaks as <br>, other control characters as spaces.
 */
export function mdEscape(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)
    .replace(/[\\`*[\]|~]/g, '\\$&')
    // "_" inside a word (tcp_fin_timeout) is never emphasis: only the others are escaped.
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_')
    .replace(/\n/g, '<br>')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}

export function toMarkdown(r: CompareResult, differencesOnly = true): string {
  const rows = reportRows(r, differencesOnly);
  const base = r.hosts[r.baseline];
  const lines: string[] = [];
  lines.push(`# HostDeck comparison of ${r.hosts.length} hosts`, '');
  lines.push(`Baseline: **${mdEscape(base?.label ?? '-')}**. Firewall layer: ${r.layer === 'both' ? 'runtime and permanent, one column each (three-way)' : r.layer}. Kubernetes verdicts for ${mdEscape(r.k8s)}.`, '');
  for (const h of r.hosts) {
    const when = h.takenAt ? new Date(h.takenAt).toISOString() : '-';
    const about = h.status === 'ok' ? `${mdEscape(h.hostname || '?')}, kernel ${mdEscape(h.kernel || '?')}, read ${when}` : `unreachable: ${mdEscape(h.error ?? '')}`;
    const missing = (h.notRead ?? []).map((n) => `${n.section} not read: ${n.reason}`).join('; ');
    lines.push(`- **${mdEscape(h.label)}** (${mdEscape(h.kind)}${h.source ? `, ${h.source}` : ''}): ${about}${missing ? ` (**${mdEscape(missing)}**)` : ''}`);
  }
  lines.push('');
  const bySection = new Map<string, ReportRow[]>();
  for (const row of rows) bySection.set(row.section, [...(bySection.get(row.section) ?? []), row]);
  if (rows.length === 0) lines.push(mdEscape(emptySummary(r, differencesOnly)));
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

/** A plain decimal number ("-1", "+0.5", "1e3") is data in every spreadsheet, never a formula. */
const PLAIN_NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
/**
 * What a spreadsheet may run as a formula (OWASP CSV injection): a cell starting with = + - @,
 * a tab, CR or LF, also after leading blanks; the full-width forms Excel also reads.
 */
const FORMULA_START = /^(?:[=+\-@\t\r\n\uff1d\uff0b\uff0d\uff20]|\s+[=+\-@\uff1d\uff0b\uff0d\uff20])/;

/** One RFC 4180 cell; a cell a spreadsheet would run as a formula gets a leading quote. */
export function csvCell(s: string): string {
  const v = FORMULA_START.test(s) && !PLAIN_NUMBER.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(v) || v !== s ? `"${v.replace(/"/g, '""')}"` : v;
}

/** RFC 4180 CSV; cells that a spreadsheet would run as a formula are prefixed with a quote. */
export function toCsv(r: CompareResult, differencesOnly = true): string {
  const rows = reportRows(r, differencesOnly);
  const out = [['section', 'fact', 'differs', ...r.hosts.map((h) => h.label)].map(csvCell).join(',')];
  for (const row of rows) {
    out.push([row.section, row.fact, row.differs ? 'yes' : 'no', ...r.hosts.map((_, i) => cellText(row, i, r.baseline))].map(csvCell).join(','));
  }
  // A section a host did not answer: one row saying so, so that no CSV reads as "all the same".
  for (const section of ['sysctl', 'sysctl.d', 'dns', 'firewall'] as const) {
    const missing = r.hosts.map((h) => (h.notRead ?? []).find((n) => n.section === section));
    if (missing.some(Boolean)) out.push([section, '(not read)', 'unknown', ...missing.map((n) => (n ? `(not read) ${n.reason}` : ''))].map(csvCell).join(','));
  }
  return `${out.join('\r\n')}\r\n`;
}
