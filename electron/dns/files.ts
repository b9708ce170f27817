import { ApiError } from '../../shared/api/errors';
import { bytesToUtf8, utf8ToBytes } from '../../shared/dns/bytes';
import type { Host } from '../api/context';
import { hostPathProblem } from '../hosts/root-path';
import type { FileFacts } from '../hosts/transport';

export const DEFAULT_RESOLV = '/etc/resolv.conf';

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

/** The host path of a resolv.conf argument ("etc/resolv.conf" or "/etc/resolv.conf"); the transport resolves it inside the host. */
export function hostPath(p: string | undefined): string {
  const raw = p ?? DEFAULT_RESOLV;
  const abs = raw.startsWith('/') ? raw : `/${raw}`;
  const problem = hostPathProblem(abs);
  if (problem) throw new ApiError('INVALID_VALUE', `Not a usable path: ${problem}`, { path: p });
  return abs;
}

export interface ResolvFile {
  /** The path as shown to people (an image's file under the image directory). */
  path: string;
  /** The host path ("/etc/resolv.conf"). */
  hostPath: string;
  exists: boolean;
  /** Byte string (one char per byte). */
  bytes: string;
  sha256: string | null;
  /** What the transport reported (for the owner detection). */
  facts: FileFacts;
}

/**
 * Reads the file the resolver reads, through symlinks resolved inside the host, in one round
 * trip. `attrs` also asks for the owner facts (immutable attribute, bind mount). A missing
 * file (or dangling link) reads as empty, as glibc does; anything that is not a regular file
 * (a directory, a FIFO, a device) or is too large is an error naming the path and what it is.
 */
export async function readResolvFile(host: Host, p?: string, opts: { attrs?: boolean } = {}): Promise<ResolvFile> {
  const hp = hostPath(p);
  const shown = host.transport.displayPath(hp);
  const [f] = await host.transport.read([{ path: hp, content: true, follow: true, attrs: opts.attrs }]);
  const facts = f!;
  if (facts.bytes) return { path: shown, hostPath: hp, exists: true, bytes: facts.bytes.toString('latin1'), sha256: facts.sha256 ?? null, facts };
  const err = facts.error;
  if (!err || err.code === 'ENOENT') return { path: shown, hostPath: hp, exists: false, bytes: '', sha256: null, facts };
  if (facts.targetType === 'dir') throw new ApiError('IO_ERROR', `${shown} is a directory (glibc treats it as an empty file)`, { path: shown });
  const code = err.code === 'EACCES' || err.code === 'EPERM' ? 'NOT_AUTHORIZED' : 'IO_ERROR';
  throw new ApiError(code, err.message.startsWith(hp) && shown !== hp ? `${shown}${err.message.slice(hp.length)}` : err.message, { path: shown, errno: err.code });
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
