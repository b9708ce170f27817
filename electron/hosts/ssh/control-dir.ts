import { lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envSeconds } from '../../../shared/app/env-seconds';

/**
 * Where the CLI keeps ControlMaster sockets between runs: one fixed directory per user,
 * `$XDG_RUNTIME_DIR/hostdeck/ssh` or else `/tmp/hostdeck-ssh-UID`. A socket there lets anyone who
 * can reach it run commands as the user on the host, so the directory must be a real directory
 * (not a symlink), owned by this user and closed to everyone else (0700). Anything else (a
 * planted symlink, a directory another user made first, a loosened mode) is refused: the run then
 * keeps its master in its own fresh private temp dir and ends it, as the app does.
 */
export type ControlDir = { dir: string; refused?: undefined } | { dir?: undefined; refused: string };

export function fixedControlDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg && xdg.startsWith('/') && isOwnPrivateDir(xdg) === undefined) return join(xdg, 'hostdeck', 'ssh');
  return join(tmpdir(), `hostdeck-ssh-${process.getuid?.() ?? 'user'}`);
}

/** undefined when `dir` is a real directory owned by this user with no group/other access; else why not. */
export function isOwnPrivateDir(dir: string): string | undefined {
  let st;
  try {
    st = lstatSync(dir);
  } catch (e) {
    return `${dir}: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (st.isSymbolicLink()) return `${dir} is a symlink`;
  if (!st.isDirectory()) return `${dir} is not a directory`;
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) return `${dir} is owned by uid ${st.uid}, not ${uid}`;
  if ((st.mode & 0o077) !== 0) return `${dir} has mode ${(st.mode & 0o777).toString(8)}, not 700`;
  return undefined;
}

/** Makes (0700, each missing level) and checks the fixed directory; why not when it fails the checks. */
export function controlDir(env: NodeJS.ProcessEnv = process.env): ControlDir {
  const dir = fixedControlDir(env);
  let refused: string | undefined;
  try {
    const parent = join(dir, '..');
    // The hostdeck/ level under XDG_RUNTIME_DIR is ours too: check it, never follow a symlink there.
    if (dir.endsWith(join('hostdeck', 'ssh'))) {
      mkdirSync(parent, { mode: 0o700, recursive: true });
      refused = isOwnPrivateDir(parent);
    }
    if (!refused) {
      try {
        mkdirSync(dir, { mode: 0o700 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      refused = isOwnPrivateDir(dir);
    }
  } catch (e) {
    refused = e instanceof Error ? e.message : String(e);
  }
  return refused ? { refused } : { dir };
}

/**
 * How long (s) the CLI keeps a master after its last session: HOSTDECK_SSH_PERSIST (seconds;
 * 0, "no" or "off" turns it off), default 60.
 */
export const persistSeconds = (env: NodeJS.ProcessEnv = process.env): number => envSeconds(env, 'HOSTDECK_SSH_PERSIST', 60, 86_400);
