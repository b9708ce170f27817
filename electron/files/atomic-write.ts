import { createHash } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ApiError } from '../../shared/api/errors';

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

export interface WriteOptions {
  /** The version the caller read; the write is refused (CONFLICT) if the file is different now. */
  expected: FileVersion;
  /** Keep the previous content as <name>.hostdeck-bak beside it (default true). */
  backup?: boolean;
  /** Mode for a new file (default 0644); an existing file keeps its mode and owner. */
  mode?: number;
}

export interface WriteResult extends FileVersion {
  path: string;
  backupPath: string | null;
}

/**
 * Replaces a file atomically: temp file in the same directory, fsync, rename, fsync the
 * directory. Refuses when the file changed since it was read, and never follows a symlink at
 * the target (resolv.conf is often one: the caller decides where the change really belongs).
 */
export async function writeFileAtomic(path: string, content: string | Buffer, opts: WriteOptions): Promise<WriteResult> {
  const current = await readWithVersion(path);
  if (current.sha256 !== opts.expected.sha256) {
    throw new ApiError('CONFLICT', `${path} changed since it was read; reload it and apply your change again`, {
      path,
      expected: opts.expected.sha256,
      actual: current.sha256,
    });
  }
  let mode = opts.mode ?? 0o644;
  let owner: { uid: number; gid: number } | undefined;
  try {
    const st = await fs.lstat(path);
    if (st.isSymbolicLink()) {
      throw new ApiError('CONFLICT', `${path} is a symbolic link; refusing to replace it (edit its target or its owner's configuration instead)`, { path });
    }
    mode = st.mode & 0o7777;
    owner = { uid: st.uid, gid: st.gid };
  } catch (e) {
    if (e instanceof ApiError) throw e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(path, e);
  }
  const dir = dirname(path);
  let backupPath: string | null = null;
  if ((opts.backup ?? true) && current.sha256 !== null) {
    backupPath = join(dir, `${basename(path)}.hostdeck-bak`);
    await writeDurably(backupPath, current.bytes, mode);
  }
  const tmp = join(dir, `.${basename(path)}.hostdeck-${process.pid}-${Date.now()}`);
  try {
    await writeDurably(tmp, content, mode);
    if (owner) await fs.chown(tmp, owner.uid, owner.gid).catch(() => undefined);
    await fs.rename(tmp, path);
    const d = await fs.open(dir, constants.O_RDONLY);
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw ioError(path, e);
  }
  return { path, backupPath, sha256: sha256(content) };
}

async function writeDurably(path: string, content: string | Buffer, mode: number): Promise<void> {
  const fh = await fs.open(path, 'w', mode);
  try {
    await fh.writeFile(content);
    await fh.chmod(mode);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function ioError(path: string, e: unknown): ApiError {
  const err = e as NodeJS.ErrnoException;
  const code = err.code === 'EACCES' || err.code === 'EPERM' ? 'NOT_AUTHORIZED' : 'IO_ERROR';
  return new ApiError(code, `${path}: ${err.message}`, { path, errno: err.code });
}
