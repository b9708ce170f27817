import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * One file in HostDeck's per-user cache directory (kernel/fresh-cache.ts, kernel/verdict-cache.ts,
 * hosts/ssh/head-guess.ts). The file is data another process could have written: it is read
 * only from a directory and file owned by this user that nobody else may write, never through a
 * symlink, and size-bounded; callers check its content themselves and use it only when its key
 * equals theirs. Writes are atomic (a temp file in the same directory, then rename); a cache
 * that cannot be written is only a slower next run.
 */

/** $XDG_CACHE_HOME/hostdeck (absolute XDG_CACHE_HOME only), else ~/.cache/hostdeck. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'hostdeck');
}

/** Why `dir` may not hold the cache (undefined: a real directory of ours that no one else can write). */
function dirProblem(dir: string): string | undefined {
  const st = lstatSync(dir);
  if (!st.isDirectory()) return `${dir} is not a directory`;
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) return `${dir} belongs to uid ${st.uid}`;
  if ((st.mode & 0o022) !== 0) return `${dir} is writable by others`;
  return undefined;
}

/** The file's text, or null when there is none we may trust (missing, foreign, a link, too big). */
export function readOwnCacheFile(dir: string, name: string, maxBytes: number): string | null {
  let fd: number | undefined;
  try {
    if (dirProblem(dir)) return null;
    fd = openSync(join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    const uid = process.getuid?.();
    if (!st.isFile() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0 || st.size > maxBytes) return null;
    return readFileSync(fd, 'utf8');
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Replaces the file with `body` (mode 0600, in a 0700 directory of ours); errors are swallowed. */
export function writeOwnCacheFile(dir: string, name: string, body: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (dirProblem(dir)) return;
    const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}`);
    writeFileSync(tmp, body, { flag: 'wx', mode: 0o600 });
    try {
      renameSync(tmp, join(dir, name));
    } catch {
      rmSync(tmp, { force: true });
    }
  } catch {
    // read-only home, full disk: the work is simply done again next time
  }
}

/** A plain JSON object (not an array, not null). */
export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
