import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToKey } from '../../shared/kernel/keys';
import type { LiveEntry } from '../../shared/kernel/contract';

/** Entries whose read has a side effect: never read, only listed (reference §4). */
export const SIDE_EFFECT_ON_READ = new Set(['vm/stat_refresh']);

/** No /proc/sys value comes near this; a bigger "entry" is a planted file in a copy, refused. */
const MAX_ENTRY_BYTES = 256 * 1024;
/** Bytes asked per read(2): every value fits, and a small ask keeps procfs's per-read buffer small. */
const CHUNK = 4096;
/** One buffer for the whole pass: procfs values are read into it and decoded, never kept. */
const buf = Buffer.allocUnsafe(MAX_ENTRY_BYTES + 1);
/**
 * O_NONBLOCK: a FIFO planted in a /proc/sys copy opens and reads at once instead of blocking
 * the process; O_NOFOLLOW: a symlink in a copy is not followed to a file elsewhere; O_NOCTTY:
 * a terminal device does not become our controlling terminal.
 */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW | constants.O_NOCTTY;

const errnoOf = (e: unknown) => (e as NodeJS.ErrnoException).code ?? 'ERROR';

/** One entry, open -> fstat -> read -> close; the fstat (of the opened file) decides what it is. */
function readEntry(full: string, p: string): LiveEntry {
  const key = pathToKey(p);
  if (SIDE_EFFECT_ON_READ.has(p)) {
    let mode = 0;
    try {
      mode = statSync(full).mode & 0o777;
    } catch {
      /* listed anyway */
    }
    return { key, path: p, state: 'side-effect', writable: (mode & 0o200) !== 0, mode };
  }
  let fd: number;
  try {
    fd = openSync(full, OPEN_FLAGS);
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'ELOOP') return { key, path: p, state: 'unreadable', error: 'NOT_REGULAR', writable: false, mode: 0 };
    // procfs refuses to open a write-only entry for reading, even for root: its mode says why.
    let mode = 0;
    try {
      mode = statSync(full).mode & 0o777;
    } catch {
      return { key, path: p, state: 'unreadable', error: code, writable: false, mode: 0 };
    }
    const writable = (mode & 0o200) !== 0;
    if ((mode & 0o444) === 0) return { key, path: p, state: 'write-only', writable, mode };
    return { key, path: p, state: 'unreadable', error: code, writable, mode };
  }
  let mode = 0;
  let writable = false;
  try {
    const st = fstatSync(fd);
    mode = st.mode & 0o777;
    writable = (mode & 0o200) !== 0;
    if (!st.isFile()) return { key, path: p, state: 'unreadable', error: 'NOT_REGULAR', writable: false, mode };
    if ((mode & 0o444) === 0) return { key, path: p, state: 'write-only', writable, mode };
    let len = 0;
    for (;;) {
      // Small reads: procfs allocates (and zeroes) a kernel buffer of the size asked for each read.
      const n = readSync(fd, buf, len, Math.min(CHUNK, buf.length - len), null);
      if (n === 0) break;
      len += n;
      if (len > MAX_ENTRY_BYTES) return { key, path: p, state: 'unreadable', error: 'TOO_LARGE', writable, mode };
    }
    if (len > 0 && buf[len - 1] === 0x0a) len--;
    return { key, path: p, state: 'ok', value: buf.toString('utf8', 0, len), writable, mode };
  } catch (err) {
    // EIO for an unset stable_secret and the like: the entry exists, its mode stands.
    return { key, path: p, state: 'unreadable', error: errnoOf(err), writable, mode };
  } finally {
    closeSync(fd);
  }
}

/** Why a path relative to /proc/sys is unusable, or null: no "..", ".", empty components or NUL. */
export function procRelProblem(rel: string): string | null {
  if (rel === '' || rel.includes('\0')) return 'an empty name or a NUL byte';
  if (rel.split('/').some((c) => c === '' || c === '.' || c === '..')) return 'an empty, "." or ".." component';
  return null;
}

/**
 * Reads every entry under a /proc/sys tree. Synchronous on purpose: procfs reads are tiny and
 * never block (and O_NONBLOCK keeps a planted FIFO in a copy from blocking), and one tight loop
 * is what makes a full snapshot faster than `sysctl -a`. Write-only entries (mode without read
 * bits) and side-effect entries are listed, not read; entries that fail (EIO for an unset
 * stable_secret, EACCES unprivileged) carry their errno; anything that is not a regular file
 * (a FIFO, device or symlink in a copy) is unreadable with NOT_REGULAR.
 * `dirsOut` collects the directories on the way (glob expansion needs them, as glob(3) sees them).
 * With `only`, just those relative paths are read (missing ones are left out, directories go to dirsOut).
 */
export function readLive(procSys: string, dirsOut?: string[], only?: readonly string[]): LiveEntry[] {
  const out: LiveEntry[] = [];
  if (only) {
    for (const rel of only) {
      if (procRelProblem(rel)) continue;
      const full = path.join(procSys, rel);
      let isDir = false;
      try {
        isDir = statSync(full).isDirectory();
      } catch (e) {
        const code = errnoOf(e);
        if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      }
      if (isDir) dirsOut?.push(rel);
      else out.push(readEntry(full, rel));
    }
    return out;
  }
  const walk = (rel: string) => {
    let ents;
    try {
      ents = readdirSync(rel ? path.join(procSys, rel) : procSys, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        dirsOut?.push(p);
        walk(p);
        continue;
      }
      out.push(readEntry(`${procSys}/${p}`, p));
    }
  };
  walk('');
  return out;
}
