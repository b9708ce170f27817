import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../shared/api/errors';
import { catalogEntry, validateValue } from '../../shared/kernel/catalog';
import type { ApplyOut, UndoEntry, UndoOut } from '../../shared/kernel/contract';
import { isGlob, keyProblem, keyToPath, normalizeKey } from '../../shared/kernel/keys';
import type { Host } from '../hosts/host';
import { sysctlSetResultSchema, type SysctlOutcome } from '../../shared/helper/protocol';
import { sysctlKeyError, sysctlValueError } from '../../shared/helper/rules';
import { unwrapHelper } from '../helper/call';
import { hostHelper } from '../helper/host';

/**
 * Writes sysctl values to a host's /proc/sys the way systemd-sysctl does (value + "\n", one
 * write per key, in the given order, equal values skipped), through the privileged helper
 * (sysctl-set), which records every previous value so the change can be undone and reports each
 * key's outcome with its errno; optionally it also arms a detached "revert unless confirmed"
 * timer. HostDeck validates first (catalog + helper rules); the helper validates again.
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

/** Validates every value with the catalog first: nothing is written if one is invalid. */
export function validateSettings(host: Host, settings: { key: string; value: string }[]): { key: string; value: string; file: string }[] {
  const errors: string[] = [];
  const seen = new Set<string>();
  const out = settings.map((s) => {
    const key = normalizeKey(s.key);
    if (isGlob(key)) errors.push(`${key}: apply takes exact keys, not globs`);
    if (seen.has(key)) errors.push(`${key} appears twice`);
    seen.add(key);
    const refused = sysctlKeyError(s.key) ?? sysctlValueError(key, s.value);
    if (refused) {
      errors.push(refused);
      return { key, value: s.value, file: '' };
    }
    const file = procPath(host.procSys, key);
    const cur = readCurrent(file);
    const check = validateValue(catalogEntry(key, cur.value ?? undefined), s.value);
    if (!check.ok) errors.push(check.error);
    return { key, value: check.ok ? check.value : s.value, file };
  });
  if (errors.length) throw new ApiError('INVALID_VALUE', errors.join('; '), { errors });
  return out;
}

export async function applySettings(host: Host, settings: { key: string; value: string }[], dryRun: boolean, revertAfterSeconds?: number): Promise<ApplyOut> {
  const checked = validateSettings(host, settings);
  const results: Result[] = [];
  if (dryRun) {
    for (const s of checked) {
      const cur = readCurrent(s.file);
      const base = { key: s.key, path: path.relative(host.procSys, s.file), value: s.value, previous: cur.value };
      if (cur.error) results.push({ ...base, outcome: 'failed', error: errorOf(cur.error), readBack: null, undoable: false });
      else if (cur.mode !== null && (cur.mode & 0o200) === 0) results.push({ ...base, outcome: 'failed', error: errorOf('EACCES'), readBack: cur.value, undoable: false });
      else if (cur.value !== null && norm(cur.value) === norm(s.value)) results.push({ ...base, outcome: 'unchanged', error: null, readBack: cur.value, undoable: false });
      else results.push({ ...base, outcome: 'planned', error: null, readBack: null, undoable: cur.value !== null });
    }
    return summarize(true, results, null);
  }
  // The helper writes (as root through pkexec, or directly when HostDeck is root), one write per key in order.
  const answer = await hostHelper(host, { verb: 'sysctl-set', settings: checked.map((s) => ({ key: s.key, value: s.value })), ...(revertAfterSeconds ? { revertAfterSeconds } : {}) }, { elevate: true });
  const r = unwrapHelper(answer, sysctlSetResultSchema);
  for (const o of r.results) results.push(fromHelper(host, o));
  return summarize(false, results, r.revert);
}

function fromHelper(host: Host, o: SysctlOutcome): Result {
  const outcome = o.outcome === 'conflict' ? 'failed' : o.outcome;
  const error = o.error ? errorOf(o.error.code, o.error.message) : null;
  return { key: o.key, path: keyToPath(o.key), value: o.value, previous: o.previous, outcome, error, readBack: o.readBack, undoable: outcome === 'applied' && o.previous !== null };
}

function summarize(dryRun: boolean, results: Result[], revert: ApplyOut['revert']): ApplyOut {
  const undo: UndoEntry[] = results
    .filter((r) => r.outcome === 'applied' && r.undoable && r.previous !== null)
    .map((r) => ({ key: r.key, previous: r.previous!, applied: r.readBack }));
  const count = (o: Result['outcome']) => results.filter((r) => r.outcome === o).length;
  return {
    dryRun,
    results,
    undo,
    summary: { planned: count('planned'), applied: count('applied'), unchanged: count('unchanged'), failed: count('failed') },
    revert,
  };
}

/**
 * Restores recorded previous values, last change first, through the helper. A key whose live
 * value is no longer the one HostDeck wrote was changed by someone else since: the helper leaves
 * it alone (conflict) unless `force`.
 */
export async function undoApply(host: Host, entries: UndoEntry[], force: boolean): Promise<UndoOut> {
  const ordered = [...entries].reverse().map((e) => ({ key: normalizeKey(e.key), value: e.previous, applied: force ? null : e.applied }));
  const errors = ordered.map((e) => sysctlKeyError(e.key) ?? sysctlValueError(e.key, e.value)).filter((x): x is string => x !== null);
  if (errors.length) throw new ApiError('INVALID_VALUE', errors.join('; '), { errors });
  const answer = await hostHelper(host, { verb: 'sysctl-set', settings: ordered }, { elevate: true });
  const r = unwrapHelper(answer, sysctlSetResultSchema);
  return {
    results: r.results.map((o) => ({
      key: o.key,
      outcome: o.outcome === 'applied' ? 'restored' : o.outcome === 'unchanged' ? 'unchanged' : o.outcome === 'conflict' ? 'conflict' : 'failed',
      live: o.outcome === 'applied' ? o.readBack : o.readBack ?? o.previous,
      error: o.error ? (o.outcome === 'conflict' ? o.error : errorOf(o.error.code, o.error.message)) : null,
    })),
  };
}
