import { closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../shared/api/errors';
import { catalogEntry, validateValue } from '../../shared/kernel/catalog';
import type { ApplyOut, UndoEntry, UndoOut } from '../../shared/kernel/contract';
import { isGlob, keyProblem, keyToPath, normalizeKey } from '../../shared/kernel/keys';
import type { Host } from '../hosts/host';

/**
 * Writes sysctl values to a host's /proc/sys, the way systemd-sysctl does (value + "\n", one
 * write per key, in the given order, equal values skipped) but recording every previous value
 * so the change can be undone, and reporting each key's outcome with its errno. Writes to
 * host.procSys only: the real /proc/sys of the process's namespaces, or a copy in tests.
 */

const norm = (v: string) => v.trim().replace(/\s+/g, ' ');

type Result = ApplyOut['results'][number];

const ERRNO_TEXT: Record<string, string> = {
  EINVAL: 'the kernel refused the value (EINVAL)',
  EPERM: 'not permitted (EPERM): this namespace or capability set may not change it',
  EACCES: 'read-only in this namespace (EACCES)',
  EROFS: '/proc/sys is mounted read-only here (EROFS)',
  ENOENT: 'no such parameter on this host or in this network namespace (ENOENT)',
  EISDIR: 'this name is a directory, not a parameter (EISDIR)',
};

function errorOf(code: string, detail?: string): { code: string; message: string } {
  return { code, message: ERRNO_TEXT[code] ?? detail ?? code };
}

/** The file of a key inside procSys; refuses names that would leave it. */
export function procPath(procSys: string, key: string): string {
  const problem = keyProblem(key, { allowGlob: true });
  if (problem) throw new ApiError('INVALID_VALUE', problem);
  return path.join(procSys, keyToPath(key));
}

function readCurrent(file: string): { value: string | null; mode: number | null; error: string | null } {
  let mode: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) return { value: null, mode: null, error: 'EISDIR' };
    mode = st.mode & 0o777;
  } catch (e) {
    return { value: null, mode: null, error: (e as NodeJS.ErrnoException).code ?? 'ENOENT' };
  }
  if ((mode & 0o444) === 0 || file.endsWith('/vm/stat_refresh')) return { value: null, mode, error: null }; // write-only or side effect: not read
  try {
    const v = readFileSync(file, 'utf8');
    return { value: v.endsWith('\n') ? v.slice(0, -1) : v, mode, error: null };
  } catch (e) {
    return { value: null, mode, error: (e as NodeJS.ErrnoException).code ?? 'EIO' };
  }
}

/** One write as the kernel expects it: a single write(2) of value + "\n" (O_TRUNC matters only for a test copy). */
function writeValue(file: string, value: string): void {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, `${value}\n`);
  } finally {
    closeSync(fd);
  }
}

/** Validates every value with the catalog first: nothing is written if one is invalid. */
export function validateSettings(host: Host, settings: { key: string; value: string }[]): { key: string; value: string; file: string }[] {
  const errors: string[] = [];
  const seen = new Set<string>();
  const out = settings.map((s) => {
    const key = normalizeKey(s.key);
    if (isGlob(key)) errors.push(`${key}: apply takes exact keys, not globs`);
    if (seen.has(key)) errors.push(`${key} appears twice`);
    seen.add(key);
    const file = procPath(host.procSys, key);
    const cur = readCurrent(file);
    const check = validateValue(catalogEntry(key, cur.value ?? undefined), s.value);
    if (!check.ok) errors.push(check.error);
    return { key, value: check.ok ? check.value : s.value, file };
  });
  if (errors.length) throw new ApiError('INVALID_VALUE', errors.join('; '), { errors });
  return out;
}

export function applySettings(host: Host, settings: { key: string; value: string }[], dryRun: boolean): ApplyOut {
  if (!dryRun && !host.privileged) {
    throw new ApiError(
      'NOT_AUTHORIZED',
      'Applying kernel parameters needs root; the privileged helper is not available yet. Run HostDeck as root to apply.',
    );
  }
  const checked = validateSettings(host, settings);
  const results: Result[] = [];
  for (const s of checked) {
    const cur = readCurrent(s.file);
    const base = { key: s.key, path: path.relative(host.procSys, s.file), value: s.value, previous: cur.value };
    if (cur.error) {
      results.push({ ...base, outcome: 'failed', error: errorOf(cur.error), readBack: null, undoable: false });
      continue;
    }
    if (cur.mode !== null && (cur.mode & 0o200) === 0) {
      results.push({ ...base, outcome: 'failed', error: errorOf('EACCES'), readBack: cur.value, undoable: false });
      continue;
    }
    if (cur.value !== null && norm(cur.value) === norm(s.value)) {
      results.push({ ...base, outcome: 'unchanged', error: null, readBack: cur.value, undoable: false });
      continue;
    }
    if (dryRun) {
      results.push({ ...base, outcome: 'planned', error: null, readBack: null, undoable: cur.value !== null });
      continue;
    }
    try {
      writeValue(s.file, s.value);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      results.push({ ...base, outcome: 'failed', error: errorOf(code, (e as Error).message), readBack: readCurrent(s.file).value, undoable: false });
      continue;
    }
    const after = readCurrent(s.file).value;
    results.push({ ...base, outcome: 'applied', error: null, readBack: after, undoable: cur.value !== null });
  }
  const undo: UndoEntry[] = results
    .filter((r) => r.outcome === 'applied' && r.undoable && r.previous !== null)
    .map((r) => ({ key: r.key, previous: r.previous!, applied: r.readBack }));
  const count = (o: Result['outcome']) => results.filter((r) => r.outcome === o).length;
  return {
    dryRun,
    results,
    undo,
    summary: { planned: count('planned'), applied: count('applied'), unchanged: count('unchanged'), failed: count('failed') },
  };
}

/**
 * Restores recorded previous values, last change first. A key whose live value is no longer
 * the one HostDeck wrote was changed by someone else since: it is left alone (conflict) unless
 * `force`.
 */
export function undoApply(host: Host, entries: UndoEntry[], force: boolean): UndoOut {
  if (!host.privileged) {
    throw new ApiError('NOT_AUTHORIZED', 'Undoing needs root; the privileged helper is not available yet. Run HostDeck as root.');
  }
  const results: UndoOut['results'] = [];
  for (const e of [...entries].reverse()) {
    const key = normalizeKey(e.key);
    const file = procPath(host.procSys, key);
    const cur = readCurrent(file);
    if (cur.error) {
      results.push({ key, outcome: 'failed', live: null, error: errorOf(cur.error) });
      continue;
    }
    if (cur.value !== null && norm(cur.value) === norm(e.previous)) {
      results.push({ key, outcome: 'unchanged', live: cur.value, error: null });
      continue;
    }
    if (!force && e.applied !== null && cur.value !== null && norm(cur.value) !== norm(e.applied)) {
      results.push({
        key,
        outcome: 'conflict',
        live: cur.value,
        error: { code: 'CONFLICT', message: `changed since the apply (now "${cur.value}", HostDeck wrote "${e.applied}"); not restored` },
      });
      continue;
    }
    try {
      writeValue(file, e.previous);
      results.push({ key, outcome: 'restored', live: readCurrent(file).value, error: null });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      results.push({ key, outcome: 'failed', live: readCurrent(file).value, error: errorOf(code, (err as Error).message) });
    }
  }
  return { results };
}
