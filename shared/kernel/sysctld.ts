import { compileGlob, matchListing, type GlobStats } from './glob';
import { pathToKey } from './keys';

/**
 * sysctl.d as systemd-sysctl (v252) reads and applies it, and as procps `sysctl --system`
 * (4.0.2) does where they differ. Hand-written: no library models these rules, and the point
 * is to match the real tools byte for byte (proved by test/kernel/sysctld.int.test.ts).
 */

/** Directories systemd-sysctl reads, highest priority first (Debian adds /lib/sysctl.d). */
export const SYSCTL_DIRS = ['etc/sysctl.d', 'run/sysctl.d', 'usr/local/lib/sysctl.d', 'usr/lib/sysctl.d', 'lib/sysctl.d'] as const;

/** One directory entry ending in .conf, as the reader found it. */
export interface DirEntryInput {
  /** Directory as listed in SYSCTL_DIRS ("etc/sysctl.d"). */
  dir: string;
  name: string;
  /**
   * file: readable content; null: a mask (symlink to /dev/null, empty file, character device);
   * error: could not be read (a directory, a dangling symlink, EACCES...).
   */
  kind: 'file' | 'mask' | 'error';
  content?: string;
  error?: string;
}

export interface ConfFile {
  /** Path relative to the root, e.g. "etc/sysctl.d/99-sysctl.conf". */
  path: string;
  name: string;
  dir: string;
  status: 'applied' | 'masked' | 'overridden' | 'unreadable';
  /** For overridden or masked files: the file that wins. */
  by?: string;
  error?: string;
}

export interface Warning {
  file: string;
  line: number;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

export interface Assignment {
  /** /proc/sys path ("net/ipv4/ip_forward"), glob characters kept. */
  path: string;
  key: string;
  /** null = exclusion ("-key" without "="). */
  value: string | null;
  ignoreFailure: boolean;
  file: string;
  line: number;
}

export interface Setting {
  key: string;
  path: string;
  value: string;
  file: string;
  line: number;
  ignoreFailure: boolean;
  /** The glob assignment this came from, when expanded. */
  glob?: string;
  /** Earlier assignments of this key that lost (file:line and value). */
  overrides: { file: string; line: number; value: string | null }[];
}

/** One write systemd-sysctl performs, in order (a key matched by two globs is written twice). */
export interface Write {
  path: string;
  value: string;
  file: string;
  line: number;
  ignoreFailure: boolean;
  glob?: string;
}

export interface EffectiveConfig {
  files: ConfFile[];
  /** Assignments in systemd-sysctl's write order (last change last). */
  assignments: Assignment[];
  writes: Write[];
  /** What gets written, one entry per key, in write order. Globs expanded when a /proc/sys listing was given. */
  settings: Setting[];
  /** Glob assignments left unexpanded (no listing given). */
  globs: Assignment[];
  exclusions: Assignment[];
  warnings: Warning[];
  /** systemd-sysctl would exit non-zero because of the configuration (not counting write errors). */
  failed: boolean;
}

/** Max line length systemd's read_line accepts (LONG_LINE_MAX). */
export const LONG_LINE_MAX = 1024 * 1024;

/**
 * Splits text into lines the way systemd's read_line() does: "\n", "\r" and "\0" end a line,
 * and a run of *different* markers ("\r\n", "\n\r", "\n\0") is one line end; a NUL always
 * closes the run. tooLongAt is the number of the first line of LONG_LINE_MAX bytes or more
 * (systemd stops reading the file there).
 */
export function systemdLines(text: string): { lines: string[]; tooLongAt: number | null } {
  const TEN = 1;
  const THIRTEEN = 2;
  const ZERO = 4;
  const lines: string[] = [];
  let start = 0;
  let contentEnd = 0;
  let prev = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const eol = c === 10 ? TEN : c === 13 ? THIRTEEN : c === 0 ? ZERO : 0;
    if (prev & ZERO || (eol === 0 && prev !== 0) || (eol !== 0 && (prev & eol) !== 0)) {
      lines.push(text.slice(start, contentEnd));
      start = i;
      contentEnd = i;
      prev = 0;
    }
    if (eol) prev |= eol;
    else {
      contentEnd = i + 1;
      if (contentEnd - start >= LONG_LINE_MAX) return { lines, tooLongAt: lines.length + 1 };
    }
  }
  if (start < n) lines.push(text.slice(start, contentEnd));
  return { lines, tooLongAt: null };
}

const WS = ' \t\n\r';
function strip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && WS.includes(s[a]!)) a++;
  while (b > a && WS.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

/** systemd's sysctl_normalize(): separator swap when the first separator is ".", then path_simplify(). */
export function normalizeSysctlPath(name: string): string {
  let s = name;
  const first = s.search(/[./]/);
  if (first >= 0 && s[first] === '.') {
    let out = s.slice(0, first);
    for (let i = first; i < s.length; i++) out += s[i] === '.' ? '/' : s[i] === '/' ? '.' : s[i];
    s = out;
  }
  const abs = s.startsWith('/');
  const parts = s.split('/').filter((p) => p !== '' && p !== '.');
  let out = parts.join('/');
  if (abs && out === '') out = '/';
  return out;
}

/** Parses one file into assignments (systemd-sysctl parse_file). */
export function parseSysctlFile(content: string, file: string): { assignments: Assignment[]; warnings: Warning[]; failed: boolean } {
  const assignments: Assignment[] = [];
  const warnings: Warning[] = [];
  let failed = false;
  const { lines, tooLongAt } = systemdLines(content);
  lines.forEach((raw, idx) => {
    const line = idx + 1;
    let p = strip(raw);
    if (p === '' || p[0] === '#' || p[0] === ';') return;
    const eq = p.indexOf('=');
    let value: string | null = null;
    let ignoreFailure = false;
    if (eq >= 0) {
      value = strip(p.slice(eq + 1));
      p = p.slice(0, eq);
      if (p[0] === '-') {
        ignoreFailure = true;
        p = p.slice(1);
      }
    } else if (p[0] === '-') {
      p = p.slice(1);
    } else {
      warnings.push({ file, line, severity: 'warning', message: `Line is not an assignment, ignoring: ${p}` });
      failed = true;
      return;
    }
    const path = normalizeSysctlPath(strip(p));
    assignments.push({ path, key: pathToKey(path), value, ignoreFailure, file, line });
  });
  if (tooLongAt !== null) {
    warnings.push({ file, line: tooLongAt, severity: 'error', message: `Failed to read file '${file}', ignoring: line longer than ${LONG_LINE_MAX} bytes` });
    failed = true;
  }
  return { assignments, warnings, failed };
}

/** Orders the files: highest-priority directory wins per name, masks hide lower ones, then strcmp order. */
export function orderFiles(entries: DirEntryInput[], dirs: readonly string[] = SYSCTL_DIRS): { files: ConfFile[]; active: DirEntryInput[] } {
  const byName = new Map<string, DirEntryInput>();
  const files: ConfFile[] = [];
  const rank = (d: string) => (dirs.indexOf(d) < 0 ? dirs.length : dirs.indexOf(d));
  const sorted = entries
    .filter((e) => e.name.endsWith('.conf') && !e.name.startsWith('.'))
    .sort((a, b) => rank(a.dir) - rank(b.dir) || cmpBytes(a.name, b.name));
  for (const e of sorted) {
    const path = `${e.dir}/${e.name}`;
    const winner = byName.get(e.name);
    if (winner) {
      files.push({ path, name: e.name, dir: e.dir, status: 'overridden', by: `${winner.dir}/${winner.name}` });
      continue;
    }
    byName.set(e.name, e);
  }
  const active = [...byName.values()].sort((a, b) => cmpBytes(a.name, b.name));
  const ordered: ConfFile[] = active.map((e) => ({
    path: `${e.dir}/${e.name}`,
    name: e.name,
    dir: e.dir,
    status: e.kind === 'mask' ? 'masked' : e.kind === 'error' ? 'unreadable' : 'applied',
    ...(e.error ? { error: e.error } : {}),
  }));
  for (const f of files) {
    const w = byName.get(f.name)!;
    if (w.kind === 'mask') f.status = 'masked';
  }
  return { files: [...ordered, ...files], active: active.filter((e) => e.kind !== 'mask') };
}

/** strcmp() on UTF-8 bytes: UTF-8 preserves code point order, so compare code points. */
export function cmpBytes(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d) return d;
  }
}

export function isGlobPath(p: string): boolean {
  return /[*?[]/.test(p);
}

/**
 * glob(3) with GLOB_BRACE on a listing of /proc/sys paths (see glob.ts: no backtracking, braces
 * never multiplied out). systemd-sysctl uses GLOB_NOSORT (directory order); we return byte
 * order, which only changes the order of writes within one glob, never a result.
 */
export function expandGlob(pattern: string, listing: readonly string[], stats?: GlobStats, budget = Infinity): string[] | null {
  return matchListing(compileGlob(pattern), listing, stats, budget)?.sort(cmpBytes) ?? null;
}

/**
 * Step budgets for matching globs against a listing (see glob.ts): per glob and for a whole
 * tree, growing with the listing. Real globs stay far below (`*.*.*.*.*` over a full /proc/sys
 * takes a few steps per listed character); a hostile pattern (a million stars, thousands of
 * lines of them) stops there with a warning instead of freezing HostDeck.
 */
export function globBudgets(listing: readonly string[]): { perGlob: number; total: number } {
  let chars = 0;
  for (const p of listing) chars += p.length;
  return { perGlob: 250_000 + 8 * chars, total: 4_000_000 + 32 * chars };
}

function globTooComplex(a: { file: string; line: number; key: string }): Warning {
  return {
    file: a.file,
    line: a.line,
    severity: 'warning',
    message: `${shortKey(a.key)}: this glob is too complex for HostDeck to match against /proc/sys (it stopped, so the keys it sets are not shown). systemd-sysctl still expands it when it runs. Simplify the pattern.`,
  };
}

/**
 * Above this many brace combinations a glob gets a warning: glob(3) searches /proc/sys once
 * per combination, so systemd-sysctl spends that many searches on the line at every boot
 * (HostDeck matches the pattern without expanding it).
 */
export const BRACE_COMBINATIONS_WARN = 1024;

/** A key for a message: hostile keys can be a megabyte long. */
function shortKey(key: string): string {
  return key.length > 120 ? `${key.slice(0, 120)}… (${key.length} characters)` : key;
}

function braceWarning(a: Assignment, combinations: number): Warning {
  const count = Number.isFinite(combinations) && combinations < 1e15 ? combinations.toLocaleString('en-US') : 'more than 10^15';
  return {
    file: a.file,
    line: a.line,
    severity: 'warning',
    message: `${shortKey(a.key)}: its braces make ${count} patterns, and systemd-sysctl's glob(3) searches /proc/sys once for each of them every time it runs (at boot, and for each new network interface), which can take minutes. Use fewer {a,b} groups, or one wildcard.`,
  };
}

export interface ResolveOptions {
  /** Paths under /proc/sys (files and directories) used to expand globs; omit to leave globs unexpanded. */
  listing?: readonly string[];
  /** Directory priority (default SYSCTL_DIRS). */
  dirs?: readonly string[];
}

/** The effective configuration systemd-sysctl applies from a set of sysctl.d entries. */
export function resolveSystemd(entries: DirEntryInput[], opts: ResolveOptions = {}): EffectiveConfig {
  const { files, active } = orderFiles(entries, opts.dirs);
  const warnings: Warning[] = [];
  let failed = false;
  // Insertion-ordered map: a changed value re-inserts the key at the end (ordered_hashmap remove + put).
  const options = new Map<string, Assignment>();
  const history = new Map<string, { file: string; line: number; value: string | null }[]>();
  for (const e of active) {
    const path = `${e.dir}/${e.name}`;
    if (e.kind === 'error') {
      warnings.push({ file: path, line: 0, severity: 'error', message: `Failed to open file '${path}', ignoring: ${e.error ?? 'unreadable'}` });
      failed = true;
      continue;
    }
    const parsed = parseSysctlFile(e.content ?? '', path);
    warnings.push(...parsed.warnings);
    failed ||= parsed.failed;
    for (const a of parsed.assignments) {
      const existing = options.get(a.path);
      if (existing) {
        if (existing.value === a.value) {
          existing.ignoreFailure ||= a.ignoreFailure;
          continue;
        }
        warnings.push({ file: a.file, line: a.line, severity: 'info', message: `Overwriting earlier assignment of ${a.key} at ${existing.file}:${existing.line}` });
        const h = history.get(a.path) ?? [];
        h.push({ file: existing.file, line: existing.line, value: existing.value });
        history.set(a.path, h);
        options.delete(a.path);
      }
      options.set(a.path, { ...a });
    }
  }
  const assignments = [...options.values()];
  const writes: Write[] = [];
  const globs: Assignment[] = [];
  const exclusions = assignments.filter((a) => a.value === null);
  const budgets = opts.listing ? globBudgets(opts.listing) : { perGlob: 0, total: 0 };
  let budgetLeft = budgets.total;
  for (const a of assignments) {
    if (a.value === null) continue;
    if (isGlobPath(a.path)) {
      const glob = compileGlob(a.path);
      if (glob.combinations > BRACE_COMBINATIONS_WARN) warnings.push(braceWarning(a, glob.combinations));
      if (!opts.listing) {
        globs.push(a);
        continue;
      }
      const stats: GlobStats = { steps: 0 };
      const found = matchListing(glob, opts.listing, stats, Math.min(budgets.perGlob, budgetLeft));
      budgetLeft -= stats.steps;
      if (!found) {
        warnings.push(globTooComplex(a));
        globs.push(a);
        continue;
      }
      const matches = found.sort(cmpBytes);
      // GLOB_NOCHECK: no match writes the pattern itself (ENOENT warning at apply time)
      for (const m of matches.length ? matches : [a.path]) {
        if (options.has(m)) continue; // explicit setting or exclusion for this exact key
        writes.push({ path: m, value: a.value, file: a.file, line: a.line, ignoreFailure: a.ignoreFailure, glob: a.key });
      }
      continue;
    }
    writes.push({ path: a.path, value: a.value, file: a.file, line: a.line, ignoreFailure: a.ignoreFailure });
  }
  const settings = new Map<string, Setting>();
  for (const w of writes) {
    settings.delete(w.path);
    settings.set(w.path, {
      key: pathToKey(w.path),
      path: w.path,
      value: w.value,
      file: w.file,
      line: w.line,
      ignoreFailure: w.ignoreFailure,
      ...(w.glob ? { glob: w.glob } : {}),
      overrides: history.get(w.path) ?? [],
    });
  }
  return { files, assignments, writes, settings: [...settings.values()], globs, exclusions, warnings, failed };
}

/** One write procps `sysctl --system` performs, in order. */
export interface ProcpsWrite {
  key: string;
  path: string;
  value: string;
  file: string;
  line: number;
}

/**
 * What procps 4.0.2 `sysctl --system` writes: every assignment in file order (no "last wins"
 * merge), /etc/sysctl.conf again at the end, exclusions only skip glob matches.
 */
export function resolveProcps(
  entries: DirEntryInput[],
  etcSysctlConf: string | null,
  opts: ResolveOptions = {},
): { writes: ProcpsWrite[]; final: Map<string, ProcpsWrite>; warnings: Warning[] } {
  const { active } = orderFiles(entries, opts.dirs);
  const warnings: Warning[] = [];
  const writes: ProcpsWrite[] = [];
  const sources: { path: string; content: string }[] = active.filter((e) => e.kind === 'file').map((e) => ({ path: `${e.dir}/${e.name}`, content: e.content ?? '' }));
  if (etcSysctlConf !== null) sources.push({ path: 'etc/sysctl.conf', content: etcSysctlConf });
  const excluded = new Set<string>();
  const budgets = opts.listing ? globBudgets(opts.listing) : { perGlob: 0, total: 0 };
  let budgetLeft = budgets.total;
  for (const src of sources) {
    src.content.split('\n').forEach((raw, idx) => {
      const line = idx + 1;
      let t = raw.replace(/^[\s]+/, '');
      if (t.length < 2 || t[0] === '#' || t[0] === ';') return;
      t = t.replace(/\s+$/, '');
      const eq = t.indexOf('=');
      if (eq < 0) {
        if (t[0] === '-') {
          excluded.add(normalizeSysctlPath(t.slice(1).trim()));
          return;
        }
        warnings.push({ file: src.path, line, severity: 'warning', message: `${src.path}(${line}): invalid syntax, continuing...` });
        return;
      }
      let name = t.slice(0, eq).replace(/\s+$/, '');
      const value = t.slice(eq + 1).replace(/^\s+/, '');
      if (name[0] === '-') name = name.slice(1); // " key" keeps its blank: written to a path that does not exist
      const path = normalizeSysctlPath(name);
      let targets = [path];
      if (isGlobPath(path) && opts.listing) {
        const stats: GlobStats = { steps: 0 };
        const found = expandGlob(path, opts.listing, stats, Math.min(budgets.perGlob, budgetLeft));
        budgetLeft -= stats.steps;
        targets = found ? found.filter((m) => !excluded.has(m)) : [];
        if (!found) warnings.push(globTooComplex({ file: src.path, line, key: pathToKey(path) }));
      }
      for (const p of targets) writes.push({ key: pathToKey(p), path: p, value, file: src.path, line });
    });
  }
  const final = new Map<string, ProcpsWrite>();
  for (const w of writes) final.set(w.path, w);
  return { writes, final, warnings };
}
