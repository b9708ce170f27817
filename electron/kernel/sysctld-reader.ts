import path from 'node:path';
import { SYSCTL_DIRS, type DirEntryInput } from '../../shared/kernel/sysctld';
import type { FileFacts, HostTransport } from '../hosts/transport';
import { typeWords } from '../hosts/file-reader';

/** Files larger than this are refused (systemd reads lines of at most 1 MiB anyway). */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Lists the .conf entries of the host's sysctl.d directories with what systemd-sysctl would
 * see: readable content, a mask (symlink to /dev/null, empty file, device) or an error. Two
 * round trips to the host: the directories, then every entry. Paths resolve inside the host's
 * root (an image's symlinked etc/sysctl.d stays in the image), and a FIFO, socket or directory
 * in a sysctl.d directory is an error entry, never a read that blocks.
 * A directory reached twice (merged /usr: /lib -> usr/lib) is read once, under its first name.
 */
export async function readSysctlDirs(host: HostTransport, dirs: readonly string[] = SYSCTL_DIRS): Promise<{ entries: DirEntryInput[]; dirs: { dir: string; resolved: string | null; duplicateOf?: string }[] }> {
  const listings = await host.read(dirs.map((d) => ({ path: `/${d}`, list: true, follow: true })));
  const seen = new Map<string, string>();
  const dirInfo: { dir: string; resolved: string | null; duplicateOf?: string }[] = [];
  const wanted: { dir: string; name: string; path: string }[] = [];
  dirs.forEach((dir, i) => {
    const l = listings[i]!;
    // A transport that does not report `resolved` still listed the directory: its own path then.
    const resolved = l.type === 'missing' ? null : (l.resolved ?? (l.entries ? l.path : null));
    if (!resolved) return void dirInfo.push({ dir, resolved: null });
    const dup = seen.get(resolved);
    if (dup) return void dirInfo.push({ dir, resolved, duplicateOf: dup });
    seen.set(resolved, dir);
    dirInfo.push({ dir, resolved });
    for (const e of l.entries ?? []) {
      if (!e.name.endsWith('.conf') || e.name.startsWith('.')) continue;
      wanted.push({ dir, name: e.name, path: path.posix.join(resolved, e.name) });
    }
  });
  const facts = await host.read(wanted.map((w) => ({ path: w.path, content: true, follow: true, maxBytes: MAX_FILE_BYTES })));
  return { entries: wanted.map((w, i) => entryOf(w.dir, w.name, facts[i]!)), dirs: dirInfo };
}

function entryOf(dir: string, name: string, f: FileFacts): DirEntryInput {
  if (f.type === 'symlink' && f.linkTarget !== undefined && path.posix.normalize(f.linkTarget) === '/dev/null') return { dir, name, kind: 'mask' };
  // systemd's null_or_empty_path(): a device or an empty regular file masks the name.
  if (f.targetType === 'char' || f.targetType === 'block') return { dir, name, kind: 'mask' };
  if (f.bytes) return f.bytes.length === 0 ? { dir, name, kind: 'mask' } : { dir, name, kind: 'file', content: decodeBytes(f.bytes) };
  const code = f.error?.code;
  if (f.targetType === 'dir') return { dir, name, kind: 'error', error: 'Is a directory' };
  if (f.type === 'symlink' && !f.resolved) {
    return { dir, name, kind: 'error', error: code === 'ELOOP' ? 'Too many levels of symbolic links' : 'No such file or directory (dangling symbolic link)' };
  }
  if (code === 'NOT_REGULAR' && f.targetType) return { dir, name, kind: 'error', error: `${typeWords(f.targetType)}, not a regular file: not read` };
  return { dir, name, kind: 'error', error: f.error?.message ?? 'could not be read' };
}

/**
 * UTF-8 when the bytes are valid UTF-8, else Latin-1 so that every byte stays one character
 * and the parser still splits exactly where systemd does (its parser is byte-based).
 */
export function decodeBytes(buf: Buffer): string {
  const s = buf.toString('utf8');
  return Buffer.byteLength(s, 'utf8') === buf.length && !s.includes('\uFFFD') ? s : buf.toString('latin1');
}
