import { diagnose, type Diagnostic } from './diagnostics';
import { readMusl, type MuslReadOptions } from './musl';
import type { GlibcReadOptions } from './glibc';
import { planGlibc, planMusl, type Libc, type PlanOptions, type QueryPlan } from './plan';
import { readGlibc } from './glibc';

/** What `dns check` reports about a file, for one C library (the owner is added by the Node side). */
export interface CheckCore {
  libc: Libc;
  nameservers: string[];
  ignoredNameservers: string[];
  search: string[];
  sortlist: string[];
  options: Record<string, number | boolean>;
  warnings: Diagnostic[];
  dangerous: boolean;
}

function fmtNs(s: { address: string; scope?: string }): string {
  return s.scope !== undefined ? `${s.address}%${s.scope}` : s.address;
}

export function checkText(bytes: string, libc: Libc = 'glibc', opts: GlibcReadOptions & MuslReadOptions = {}): CheckCore {
  const d = diagnose(bytes, opts);
  if (libc === 'musl') {
    const m = d.musl;
    const usedLines = new Set(m.nameservers.map((s) => s.line));
    return {
      libc,
      nameservers: m.nameservers.map(fmtNs),
      // musl stops at the first three valid lines: later valid ones are ignored.
      ignoredNameservers: d.glibc.nameservers.filter((s) => !usedLines.has(s.line) && s.line > Math.max(0, ...usedLines)).map(fmtNs),
      search: m.search,
      sortlist: [],
      options: { ndots: m.ndots, timeout: m.timeout, attempts: m.attempts },
      warnings: d.diagnostics,
      dangerous: d.dangerous,
    };
  }
  const g = d.glibc;
  return {
    libc,
    nameservers: g.used.map(fmtNs),
    ignoredNameservers: g.ignored.map(fmtNs),
    search: g.search,
    sortlist: g.sortlist.slice(0, 10).map((s) => `${s.address}/${s.mask}`),
    options: { ndots: g.ndots, timeout: g.timeout, attempts: g.attempts, ...g.flags },
    warnings: d.diagnostics,
    dangerous: d.dangerous,
  };
}

export function planText(name: string, bytes: string, libc: Libc = 'glibc', opts: GlibcReadOptions & MuslReadOptions & PlanOptions = {}): QueryPlan {
  return libc === 'musl' ? planMusl(name, readMusl(bytes, opts), opts) : planGlibc(name, readGlibc(bytes, opts), opts);
}
