import { constants, promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * The one place HostDeck turns a host path ("/etc/resolv.conf") into a path on this machine.
 * For another system's root (an image, a mounted disk) it resolves the path the way the kernel
 * would inside `chroot ROOT`: every component in turn, every symlink read and followed with
 * absolute targets taken relative to ROOT, ".." clamped at ROOT, at most 40 links (ELOOP).
 * The result can therefore never name a file outside ROOT; the readers still check the file
 * they actually opened (a link can be swapped after this resolution), see file-reader.ts.
 */

/** Linux's own limit on symlinks followed in one lookup (MAXSYMLINKS). */
export const MAX_LINKS = 40;
const MAX_PATH = 4096;

export type Resolution =
  | { ok: true; /** Host-absolute path with every link resolved. */ path: string }
  | { ok: false; code: 'ENOENT' | 'ELOOP' | 'ENOTDIR' | 'EINVAL' | 'EACCES' | 'EIO'; message: string };

/** Why a host path is unusable, or null. Host paths are absolute, bounded and NUL-free. */
export function hostPathProblem(p: unknown): string | null {
  if (typeof p !== 'string' || p === '') return 'a path must be a non-empty string';
  if (!p.startsWith('/')) return `"${p}" is not an absolute path`;
  if (p.includes('\0')) return 'a path must not contain a NUL byte';
  if (p.length > MAX_PATH) return `a path must be at most ${MAX_PATH} characters`;
  return null;
}

/** This machine's path of a host path under `root` (no resolution: callers resolve first). */
export function machinePath(root: string, hostPath: string): string {
  return root === '/' ? hostPath : path.join(root, hostPath);
}

/** Whether a path on this machine lies inside `realRoot` (the root's own realpath). */
export function insideRoot(realRoot: string, machine: string): boolean {
  return realRoot === '/' || machine === realRoot || machine.startsWith(`${realRoot}/`);
}

/**
 * Resolves `hostPath` inside `root`. With `followLast: false` the last component is not
 * followed (lstat semantics: a symlink is reported as itself) and need not exist, which is
 * what a writer wants: the directory resolved inside the root, the name taken as it is.
 */
export async function resolveInRoot(root: string, hostPath: string, opts: { followLast?: boolean } = {}): Promise<Resolution> {
  const problem = hostPathProblem(hostPath);
  if (problem) return { ok: false, code: 'EINVAL', message: problem };
  const followLast = opts.followLast ?? true;
  const parts = hostPath.split('/').filter(Boolean);
  const cur: string[] = [];
  let links = 0;
  while (parts.length) {
    const p = parts.shift()!;
    if (p === '.') continue;
    if (p === '..') {
      cur.pop(); // clamped: ".." of the root is the root, as in a chroot
      continue;
    }
    const last = parts.length === 0;
    if (last && !followLast) {
      cur.push(p);
      break;
    }
    let st;
    try {
      st = await fs.lstat(machinePath(root, `/${[...cur, p].join('/')}`));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const at = `/${[...cur, p].join('/')}`;
      if (code === 'ENOENT') return { ok: false, code: 'ENOENT', message: `${at} does not exist` };
      if (code === 'ENOTDIR') return { ok: false, code: 'ENOTDIR', message: `/${cur.join('/')} is not a directory` };
      if (code === 'EACCES') return { ok: false, code: 'EACCES', message: `${at}: permission denied` };
      return { ok: false, code: 'EIO', message: `${at}: ${(e as Error).message}` };
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) return { ok: false, code: 'ELOOP', message: `${hostPath}: too many levels of symbolic links (a link loop)` };
      let target: string;
      try {
        target = await fs.readlink(machinePath(root, `/${[...cur, p].join('/')}`));
      } catch (e) {
        // EINVAL/ENOENT: no longer a link (it changed under us): look at the component again
        // (bounded: the change counted as a link, so a flapping component ends in ELOOP).
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EINVAL' || code === 'ENOENT') {
          parts.unshift(p);
          continue;
        }
        return { ok: false, code: 'EIO', message: `/${[...cur, p].join('/')}: ${(e as Error).message}` };
      }
      if (target === '') return { ok: false, code: 'ENOENT', message: `/${[...cur, p].join('/')} is an empty symbolic link` };
      if (target.startsWith('/')) cur.length = 0; // absolute targets start again at the host's root
      parts.unshift(...target.split('/').filter(Boolean));
      continue;
    }
    if (!last && !st.isDirectory()) return { ok: false, code: 'ENOTDIR', message: `/${[...cur, p].join('/')} is not a directory` };
    cur.push(p);
  }
  return { ok: true, path: `/${cur.join('/')}` };
}

/** Linux's O_PATH (not in Node's constants). */
const O_PATH = 0o10000000;

/**
 * Runs a writer on `hostPath` inside `root` with the directory pinned: the directory is
 * resolved inside the root, opened with O_PATH, checked (through /proc/self/fd) to lie inside
 * the root, and `write` gets a path through that open directory (/proc/self/fd/N/name), so a
 * directory swapped for a link after the check cannot redirect the write. The name itself is
 * not followed (writers refuse a symlink there). `shown` maps a path `write` reports back to
 * the machine path people understand. On "/" the kernel's own lookup is the truth: the plain path.
 * Throws a plain Error naming the problem.
 */
export async function inRootForWrite<T>(root: string, hostPath: string, write: (file: string, shown: (p: string) => string) => Promise<T>): Promise<T> {
  const r = await resolveInRoot(root, hostPath, { followLast: false });
  if (!r.ok) throw new Error(r.message);
  if (r.path === '/') throw new Error(`${hostPath} names the root directory, not a file`);
  if (root === '/') return write(r.path, (p) => p);
  const dirHost = path.posix.dirname(r.path);
  const realRoot = await fs.realpath(root);
  const dh = await fs.open(machinePath(root, dirHost), O_PATH | constants.O_DIRECTORY | constants.O_NOFOLLOW).catch((e: Error) => {
    throw new Error(`${dirHost}: ${e.message}`);
  });
  try {
    const real = await fs.readlink(`/proc/self/fd/${dh.fd}`);
    if (!insideRoot(realRoot, real)) throw new Error(`${dirHost} leads outside the host root (it changed while being resolved)`);
    const pinned = `/proc/self/fd/${dh.fd}`;
    const shownDir = machinePath(root, dirHost);
    return await write(`${pinned}/${path.posix.basename(r.path)}`, (p) => p.split(pinned).join(shownDir));
  } finally {
    await dh.close();
  }
}
