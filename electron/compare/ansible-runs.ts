import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { ApiError } from '../../shared/api/errors';
import { isOwnPrivateDir } from '../hosts/ssh/control-dir';

/**
 * Where `compare --inventory` and the Compare page's "Collect with Ansible" put the snapshots
 * Ansible collected: a new private directory per run under the user's cache,
 * `$XDG_CACHE_HOME/hostdeck/ansible-runs/run-XXXXXX` (else `~/.cache/...`). The snapshots hold
 * the hosts' configuration, so every level HostDeck makes is 0700 and must be a real directory
 * of this user (a planted symlink or a loosened mode is refused). A run is removed when the
 * command ends unless kept (`--keep` writes `.keep`); runs a killed HostDeck left behind are
 * removed after a day.
 */

export const RUN_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export function runsRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const cache = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || homedir(), '.cache');
  return path.join(cache, 'hostdeck', 'ansible-runs');
}

function ownDir(dir: string): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new ApiError('IO_ERROR', `${dir}: ${(e as Error).message}`);
  }
  const why = isOwnPrivateDir(dir);
  if (why) throw new ApiError('IO_ERROR', `Will not keep collected snapshots there: ${why} (it must be your own directory, mode 700)`, { path: dir });
}

/** Makes the runs directory (each HostDeck level checked) and a new run directory in it. */
export function newRunDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = runsRoot(env);
  mkdirSync(path.dirname(path.dirname(root)), { recursive: true, mode: 0o700 });
  ownDir(path.dirname(root));
  ownDir(root);
  pruneRuns(root);
  return mkdtempSync(path.join(root, 'run-'));
}

/** Removes runs older than `maxAgeMs` that were not kept (a HostDeck killed mid-run leaves its directory). */
export function pruneRuns(root: string, maxAgeMs = RUN_MAX_AGE_MS, now = Date.now()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return removed;
  }
  for (const n of names) {
    if (!n.startsWith('run-')) continue;
    const dir = path.join(root, n);
    try {
      const st = lstatSync(dir);
      if (!st.isDirectory() || now - st.mtimeMs < maxAgeMs) continue;
      if (lstatSync(path.join(dir, '.keep'), { throwIfNoEntry: false })) continue;
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // Another HostDeck removing it at the same moment.
    }
  }
  return removed;
}

/** Marks a run as kept: never pruned (the user asked for it with --keep). */
export function keepRun(dir: string): void {
  writeFileSync(path.join(dir, '.keep'), 'kept by hostdeck compare --keep\n', { mode: 0o600 });
}

export function removeRun(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
