import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SYSCTL_DIRS, type DirEntryInput } from '../../shared/kernel/sysctld';
import { resolveInRoot } from './root-path';

/** Files larger than this are read only up to it (systemd reads lines of at most 1 MiB anyway). */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Lists the .conf entries of the sysctl.d directories under `root` with what systemd-sysctl
 * would see: readable content, a mask (symlink to /dev/null, empty file, device) or an error.
 * A directory reached twice (merged /usr: /lib -> usr/lib) is read once, under its first name.
 */
export async function readSysctlDirs(root: string, dirs: readonly string[] = SYSCTL_DIRS): Promise<{ entries: DirEntryInput[]; dirs: { dir: string; resolved: string | null; duplicateOf?: string }[] }> {
  const entries: DirEntryInput[] = [];
  const seen = new Map<string, string>();
  const dirInfo: { dir: string; resolved: string | null; duplicateOf?: string }[] = [];
  for (const dir of dirs) {
    const resolved = await resolveInRoot(root, dir);
    if (!resolved) {
      dirInfo.push({ dir, resolved: null });
      continue;
    }
    const dup = seen.get(resolved);
    if (dup) {
      dirInfo.push({ dir, resolved, duplicateOf: dup });
      continue;
    }
    seen.set(resolved, dir);
    dirInfo.push({ dir, resolved });
    let names: string[];
    try {
      names = await fs.readdir(resolved);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.endsWith('.conf') || name.startsWith('.')) continue;
      entries.push(await readEntry(root, dir, resolved, name));
    }
  }
  return { entries, dirs: dirInfo };
}

async function readEntry(root: string, dir: string, resolvedDir: string, name: string): Promise<DirEntryInput> {
  const full = path.join(resolvedDir, name);
  try {
    const lst = await fs.lstat(full);
    if (lst.isSymbolicLink()) {
      const target = await fs.readlink(full);
      if (path.posix.normalize(target) === '/dev/null') return { dir, name, kind: 'mask' };
    }
    const real = await resolveInRoot(root, path.relative(root, full));
    if (!real) return { dir, name, kind: 'error', error: 'No such file or directory (dangling symbolic link)' };
    const st = await fs.stat(real);
    if (st.isCharacterDevice() || st.isBlockDevice() || (st.isFile() && st.size === 0)) return { dir, name, kind: 'mask' };
    if (st.isDirectory()) return { dir, name, kind: 'error', error: 'Is a directory' };
    const fh = await fs.open(real, 'r');
    try {
      const buf = Buffer.alloc(Math.min(st.size, MAX_FILE_BYTES));
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      return { dir, name, kind: 'file', content: decodeBytes(buf.subarray(0, bytesRead)) };
    } finally {
      await fh.close();
    }
  } catch (e) {
    return { dir, name, kind: 'error', error: (e as Error).message };
  }
}

/** Every path under a /proc/sys tree (files and directories), relative, for glob expansion. */
export async function listProcSys(procSys: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    let ents;
    try {
      ents = await fs.readdir(path.join(procSys, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      out.push(p);
      if (e.isDirectory()) await walk(p);
    }
  }
  await walk('');
  return out;
}

/**
 * UTF-8 when the bytes are valid UTF-8, else Latin-1 so that every byte stays one character
 * and the parser still splits exactly where systemd does (its parser is byte-based).
 */
export function decodeBytes(buf: Buffer): string {
  const s = buf.toString('utf8');
  return Buffer.byteLength(s, 'utf8') === buf.length && !s.includes('\uFFFD') ? s : buf.toString('latin1');
}
