import { ApiError } from '../../shared/api/errors';
import { inRootForWrite } from '../hosts/root-path';
import { writeFileAtomic, type WriteOptions, type WriteResult } from './atomic-write';

/**
 * writeFileAtomic for a host path inside a host root ("/" or an image): the directory is
 * resolved inside the root and pinned while writing (inRootForWrite), so a hostile image's
 * symlinked etc (or one swapped in meanwhile) cannot redirect the write to this machine's
 * files. Paths in the answer and in errors are the ones people know, never /proc/self/fd/N.
 */
export async function writeFileInRoot(root: string, hostPath: string, content: string | Buffer, opts: WriteOptions): Promise<WriteResult> {
  try {
    return await inRootForWrite(root, hostPath, async (file, shown) => {
      try {
        const r = await writeFileAtomic(file, content, opts);
        return { ...r, path: shown(r.path), backupPath: r.backupPath === null ? null : shown(r.backupPath) };
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        const d = e.detail;
        const detail = d && typeof d === 'object' ? Object.fromEntries(Object.entries(d).map(([k, v]) => [k, typeof v === 'string' ? shown(v) : v])) : d;
        throw new ApiError(e.code, shown(e.message), detail);
      }
    });
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError('IO_ERROR', `Cannot write ${hostPath}: ${(e as Error).message}`, { path: hostPath });
  }
}
