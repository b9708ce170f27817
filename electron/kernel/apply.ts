import { ApiError } from '../../shared/api/errors';
import { catalogEntry, validateValue } from '../../shared/kernel/catalog';
import type { ApplyOut, UndoEntry, UndoOut } from '../../shared/kernel/contract';
import { isGlob, keyProblem, keyToPath, normalizeKey } from '../../shared/kernel/keys';
import type { Host } from '../hosts/host';
import { sysctlSetResultSchema, type SysctlOutcome } from '../../shared/helper/protocol';
import { sysctlKeyError, sysctlValueError } from '../../shared/helper/rules';
import { confirmationProblem, weakeningSettings, type Weakening } from '../../shared/helper/weakening';
import { unwrapHelper } from '../helper/call';
import { hostHelper } from '../helper/host';
import { errnoError } from './errno-text';

/**
 * Writes sysctl values to a host's /proc/sys the way systemd-sysctl does (value + "\n", one
 * write per key, in the given order, equal values skipped), through the privileged helper
 * (sysctl-set), which records every previous value so the change can be undone and reports each
 * key's outcome with its errno; optionally it also arms a detached "revert unless confirmed"
 * timer. HostDeck validates first (catalog + helper rules); the helper validates again.
 */

const norm = (v: string) => v.trim().replace(/\s+/g, ' ');

type Result = ApplyOut['results'][number];

/** A key checked for use as a /proc/sys name (no "..", empty components, NUL, blanks). */
function checkedPath(key: string): string {
  const problem = keyProblem(key, { allowGlob: true });
  if (problem) throw new ApiError('INVALID_VALUE', problem);
  return keyToPath(key);
}

type Current = { value: string | null; mode: number | null; error: string | null };

/**
 * The current values of these /proc/sys paths on the host, through its transport (this
 * machine's /proc/sys for a local host, the remote's for an SSH host), in one round trip.
 * Write-only and side-effect entries are listed, not read; a missing name is ENOENT, a
 * directory EISDIR, a failed read its errno.
 */
async function readCurrent(host: Host, paths: string[]): Promise<Map<string, Current>> {
  const wanted = [...new Set(paths)];
  const snap = wanted.length ? await host.transport.procSys(wanted) : { entries: [], dirs: [] };
  const entries = new Map(snap.entries.map((e) => [e.path, e]));
  const dirs = new Set(snap.dirs);
  const out = new Map<string, Current>();
  for (const p of wanted) {
    const e = entries.get(p);
    if (!e) out.set(p, { value: null, mode: null, error: dirs.has(p) ? 'EISDIR' : 'ENOENT' });
    else if (e.state === 'ok') out.set(p, { value: e.value ?? '', mode: e.mode, error: null });
    else if (e.state === 'unreadable') out.set(p, { value: null, mode: e.error === 'NOT_REGULAR' ? null : e.mode, error: e.error ?? 'EIO' });
    else out.set(p, { value: null, mode: e.mode, error: null });
  }
  return out;
}

/** Validates every value with the catalog first (against the host's current values): nothing is written if one is invalid. */
export async function validateSettings(host: Host, settings: { key: string; value: string }[]): Promise<{ key: string; value: string; path: string }[]> {
  const errors: string[] = [];
  const seen = new Set<string>();
  const named = settings.map((s) => {
    const key = normalizeKey(s.key);
    if (isGlob(key)) errors.push(`${key}: apply takes exact keys, not globs`);
    if (seen.has(key)) errors.push(`${key} appears twice`);
    seen.add(key);
    const refused = sysctlKeyError(s.key) ?? sysctlValueError(key, s.value);
    if (refused) errors.push(refused);
    return { key, value: s.value, path: refused ? '' : checkedPath(key) };
  });
  const current = await readCurrent(host, named.filter((s) => s.path).map((s) => s.path));
  const out = named.map((s) => {
    if (!s.path) return s;
    const check = validateValue(catalogEntry(s.key, current.get(s.path)?.value ?? undefined), s.value);
    if (!check.ok) errors.push(check.error);
    return { ...s, value: check.ok ? check.value : s.value };
  });
  if (errors.length) throw new ApiError('INVALID_VALUE', errors.join('; '), { errors });
  return out;
}

/**
 * Throws unless `confirmed` names exactly the security-weakening keys of a change: NEEDS_CONFIRMATION
 * (detail.weakening: every weakening setting with what it weakens) when one is missing,
 * INVALID_VALUE for a named key the change does not weaken. Returns what to hand the helper.
 */
export function requireWeakeningConfirmed(weak: Weakening[], confirmed: string[] | undefined): { confirmWeakening?: string[] } {
  const problem = confirmationProblem(weak, confirmed);
  if (problem?.extra.length) {
    throw new ApiError('INVALID_VALUE', `Confirmed as weakening, but this change does not weaken ${problem.extra.join(', ')}`, { extra: problem.extra, weakening: weak });
  }
  if (problem) {
    const list = problem.missing.map((w) => `${w.key} = ${w.value} (${w.weakens})`).join('; ');
    throw new ApiError('NEEDS_CONFIRMATION', `This change weakens security: ${list} Confirm ${problem.missing.length === 1 ? 'it' : 'each of them'} to make it anyway.`, { weakening: weak, missing: problem.missing.map((w) => w.key) });
  }
  // Only when there is something to confirm: an older helper on a remote host knows no such field.
  return weak.length ? { confirmWeakening: weak.map((w) => w.key) } : {};
}

export async function applySettings(host: Host, settings: { key: string; value: string }[], dryRun: boolean, revertAfterSeconds?: number, confirmWeakening?: string[]): Promise<ApplyOut> {
  const checked = await validateSettings(host, settings);
  const weakening = weakeningSettings(checked);
  const results: Result[] = [];
  if (dryRun) {
    const current = await readCurrent(host, checked.map((s) => s.path));
    for (const s of checked) {
      const cur = current.get(s.path)!;
      const base = { key: s.key, path: s.path, value: s.value, previous: cur.value };
      if (cur.error) results.push({ ...base, outcome: 'failed', error: errnoError(cur.error), readBack: null, undoable: false });
      else if (cur.mode !== null && (cur.mode & 0o200) === 0) results.push({ ...base, outcome: 'failed', error: errnoError('EACCES'), readBack: cur.value, undoable: false });
      else if (cur.value !== null && norm(cur.value) === norm(s.value)) results.push({ ...base, outcome: 'unchanged', error: null, readBack: cur.value, undoable: false });
      else results.push({ ...base, outcome: 'planned', error: null, readBack: null, undoable: cur.value !== null });
    }
    return summarize(true, results, null, weakening);
  }
  const confirmed = requireWeakeningConfirmed(weakening, confirmWeakening);
  // The helper writes (as root through pkexec, or directly when HostDeck is root), one write per key in order.
  const answer = await hostHelper(host, { verb: 'sysctl-set', settings: checked.map((s) => ({ key: s.key, value: s.value })), ...(revertAfterSeconds ? { revertAfterSeconds } : {}), ...confirmed }, { elevate: true });
  const r = unwrapHelper(answer, sysctlSetResultSchema);
  for (const o of r.results) results.push(fromHelper(host, o));
  return summarize(false, results, r.revert, weakening);
}

function fromHelper(host: Host, o: SysctlOutcome): Result {
  const outcome = o.outcome === 'conflict' ? 'failed' : o.outcome;
  const error = o.error ? errnoError(o.error.code, o.error.message) : null;
  return { key: o.key, path: keyToPath(o.key), value: o.value, previous: o.previous, outcome, error, readBack: o.readBack, undoable: outcome === 'applied' && o.previous !== null };
}

function summarize(dryRun: boolean, results: Result[], revert: ApplyOut['revert'], weakening: Weakening[]): ApplyOut {
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
    weakening,
  };
}

/**
 * Restores recorded previous values, last change first, through the helper. A key whose live
 * value is no longer the one HostDeck wrote was changed by someone else since: the helper leaves
 * it alone (conflict) unless `force`.
 */
export async function undoApply(host: Host, entries: UndoEntry[], force: boolean, confirmWeakening?: string[]): Promise<UndoOut> {
  const ordered = [...entries].reverse().map((e) => ({ key: normalizeKey(e.key), value: e.previous, applied: force ? null : e.applied }));
  const errors = ordered.map((e) => sysctlKeyError(e.key) ?? sysctlValueError(e.key, e.value)).filter((x): x is string => x !== null);
  if (errors.length) throw new ApiError('INVALID_VALUE', errors.join('; '), { errors });
  // Putting back a weak previous value weakens security just the same.
  const confirmed = requireWeakeningConfirmed(weakeningSettings(ordered), confirmWeakening);
  const answer = await hostHelper(host, { verb: 'sysctl-set', settings: ordered, ...confirmed }, { elevate: true });
  const r = unwrapHelper(answer, sysctlSetResultSchema);
  return {
    results: r.results.map((o) => ({
      key: o.key,
      outcome: o.outcome === 'applied' ? 'restored' : o.outcome === 'unchanged' ? 'unchanged' : o.outcome === 'conflict' ? 'conflict' : 'failed',
      live: o.outcome === 'applied' ? o.readBack : o.readBack ?? o.previous,
      error: o.error ? (o.outcome === 'conflict' ? o.error : errnoError(o.error.code, o.error.message)) : null,
    })),
  };
}
