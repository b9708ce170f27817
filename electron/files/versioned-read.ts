import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { ApiError } from '../../shared/api/errors';

/*
 * Reading with a version (sha256) for a later write. Writes never happen here: every change to a
 * file goes through the privileged helper (electron/helper), which replaces files atomically,
 * keeps backups, refuses symlinks and checks this version under a lock.
 */

/** What a reader remembers about a file so a later write can tell whether it changed meanwhile. */
export interface FileVersion {
  /** sha256 of the bytes read, or null when the file did not exist. */
  sha256: string | null;
}

export interface ReadResult extends FileVersion {
  path: string;
  bytes: Buffer;
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function readWithVersion(path: string): Promise<ReadResult> {
  try {
    const bytes = await fs.readFile(path);
    return { path, bytes, sha256: sha256(bytes) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { path, bytes: Buffer.alloc(0), sha256: null };
    throw ioError(path, e);
  }
}

function ioError(path: string, e: unknown): ApiError {
  const err = e as NodeJS.ErrnoException;
  const code = err.code === 'EACCES' || err.code === 'EPERM' ? 'NOT_AUTHORIZED' : 'IO_ERROR';
  return new ApiError(code, `${path}: ${err.message}`, { path, errno: err.code });
}
