import { promises as fs } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { ApiError } from '../../shared/api/errors';
import { bytesToUtf8, utf8ToBytes } from '../../shared/dns/bytes';
import { readWithVersion } from '../files/versioned-read';
import type { Host } from '../hosts/host';
import { targetUnderRoot } from './owner';

export const DEFAULT_RESOLV = 'etc/resolv.conf';

/**
 * The resolver files HostDeck reads on behalf of the UI (Electron or browser mode): the live
 * file and what resolved, NetworkManager and resolvconf generate. Any other path is read only
 * when the user names it on the command line (CLI mode): an HTTP caller holding a token cannot
 * make HostDeck, perhaps running as root, read /etc/shadow or a user's private file.
 */
export const READABLE_RESOLV_FILES = [
  '/etc/resolv.conf',
  '/run/systemd/resolve/stub-resolv.conf',
  '/run/systemd/resolve/resolv.conf',
  '/run/NetworkManager/resolv.conf',
  '/run/NetworkManager/no-stub-resolv.conf',
  '/run/resolvconf/resolv.conf',
  '/etc/resolvconf/run/resolv.conf',
];

export function checkReadablePath(mode: 'electron' | 'browser' | 'cli', p: string | undefined): void {
  if (p === undefined || mode === 'cli') return;
  const norm = `/${p.replace(/^\/+/, '')}`;
  if (!READABLE_RESOLV_FILES.includes(norm)) {
    throw new ApiError('NOT_AUTHORIZED', `HostDeck's UI reads only resolver files (${READABLE_RESOLV_FILES.join(', ')}), not ${p}. To check another file, paste its text or use the CLI: hostdeck dns check FILE`, {
      path: p,
      allowed: READABLE_RESOLV_FILES,
    });
  }
}

/** A path under the host root ("etc/resolv.conf" or "/etc/resolv.conf"); refuses escaping the root. */
export function hostPath(host: Host, p: string | undefined): { rel: string; abs: string } {
  const rel = (p ?? DEFAULT_RESOLV).replace(/^\/+/, '');
  const abs = join(host.root, rel);
  const back = relative(host.root, abs);
  if (back.startsWith('..') || isAbsolute(back)) throw new ApiError('INVALID_VALUE', `${p} is outside the host root ${host.root}`, { path: p });
  return { rel, abs };
}

export interface ResolvFile {
  path: string;
  exists: boolean;
  /** Byte string (one char per byte). */
  bytes: string;
  sha256: string | null;
}

/** Reads the file the resolver reads: through a symlink, resolved inside the host root. */
export async function readResolvFile(host: Host, p?: string): Promise<ResolvFile> {
  const { abs } = hostPath(host, p);
  let target = abs;
  for (let hops = 0; hops < 8; hops++) {
    try {
      const st = await fs.lstat(target);
      if (!st.isSymbolicLink()) break;
      target = targetUnderRoot(host.root, target, await fs.readlink(target));
    } catch {
      break;
    }
  }
  try {
    const st = await fs.stat(target);
    if (st.isDirectory()) throw new ApiError('IO_ERROR', `${abs} is a directory (glibc treats it as an empty file)`, { path: abs });
  } catch (e) {
    if (e instanceof ApiError) throw e;
  }
  const r = await readWithVersion(target);
  return { path: abs, exists: r.sha256 !== null, bytes: r.bytes.toString('latin1'), sha256: r.sha256 };
}

/** Text for people: UTF-8 when the bytes are UTF-8, else one character per byte. */
export function toText(bytes: string): { text: string; encoding: 'utf8' | 'latin1' } {
  const u = bytesToUtf8(bytes);
  return u !== undefined ? { text: u, encoding: 'utf8' } : { text: bytes, encoding: 'latin1' };
}

export function fromText(text: string, encoding: 'utf8' | 'latin1'): string {
  if (encoding === 'latin1') {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) > 255) throw new ApiError('INVALID_VALUE', `character ${JSON.stringify(text[i])} at offset ${i} cannot be written in a latin1 file`);
    }
    return text;
  }
  return utf8ToBytes(text);
}
