import { readdirSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import path from 'node:path';
import { ApiError } from '../../shared/api/errors';
import { IMPORT_MAX_BYTES, importFiles } from '../../shared/compare/imports';
import { inventoryNameError, nameFromFile } from '../../shared/compare/safe-text';
import { FleetSummaryBuilder, type FleetSummary, type SummaryOptions } from '../../shared/compare/summary';
import { naturalCompare } from '../../shared/compare/host-ranges';
import { readSnapshotFileSync } from './summary-read';
import { parseInPool, type PoolOptions } from './summary-pool';

export { readSnapshotFileSync };

/**
 * The fleet summary of snapshot files (a directory `hostdeck snapshot --out DIR` wrote, or
 * files on the command line): read, parsed and added one at a time, then dropped, so 1,000
 * files cost one file's memory plus the summary's. A file that cannot be read or parsed is
 * reported as a host not read; the others are summarized.
 */

/** Most hosts one summary takes (a fleet, not a typo of a path: `/` has no snapshots). */
export const MAX_SUMMARY_HOSTS = 100_000;

/** The files a directory holds for a summary: its regular files, naturally sorted (not recursive); hidden files left out. */
export function filesOfDir(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new ApiError('IO_ERROR', `${dir}: ${(e as Error).message}`);
  }
  return names
    .filter((n) => !n.startsWith('.'))
    .sort(naturalCompare)
    .map((n) => path.join(dir, n))
    .filter((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return false;
      }
    });
}

/** Whether the path is a directory (a missing path is not). */
export function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Command-line arguments with every directory replaced by its files (nothing is read yet). */
export function expandDirs(args: string[]): string[] {
  return args.flatMap((a) => (isDir(a) ? filesOfDir(a) : [a]));
}

/** A file's text, refused before reading when over the import limit (as every import is). */
export async function readSnapshotFile(file: string): Promise<string> {
  const st = await stat(file);
  if (!st.isFile()) throw new ApiError('IO_ERROR', `${file} is not a regular file`);
  if (st.size > IMPORT_MAX_BYTES) throw new ApiError('TOO_LARGE', `${file} is ${(st.size / 1024 / 1024).toFixed(0)} MiB: imports are limited to ${IMPORT_MAX_BYTES / 1024 / 1024} MiB`);
  return readFile(file, 'utf8');
}

/** A host is called by its file name (as imports are), else by a valid hostname. */
export function labelOf(file: string, hostname: string): string {
  return nameFromFile(path.basename(file)) || (hostname && !inventoryNameError(hostname) ? hostname : 'import');
}

export interface FileSummaryHooks {
  /** After each file (progress). */
  onFile?(done: number, total: number): void;
}

export async function summarizeFiles(files: { file: string; label?: string }[], o: SummaryOptions, hooks: FileSummaryHooks = {}, pool: PoolOptions = {}): Promise<FleetSummary> {
  const b = new FleetSummaryBuilder(o);
  await addFiles(b, files, hooks, pool);
  return b.finish();
}

/** From this many files on, the files are parsed in worker threads (starting them costs more than a few parses). */
export const POOL_MIN_FILES = 48;

/**
 * Adds the files' hosts to a summary under way, in the files' order: one file in memory at a
 * time (a few per worker when parsed in workers), and the event loop runs between files (a
 * server stays responsive while 1,000 files are summarized).
 */
export async function addFiles(b: FleetSummaryBuilder, files: { file: string; label?: string }[], hooks: FileSummaryHooks = {}, pool: PoolOptions = {}): Promise<void> {
  if (b.size + files.length > MAX_SUMMARY_HOSTS) throw new ApiError('INVALID_INPUT', `a summary takes at most ${MAX_SUMMARY_HOSTS.toLocaleString('en-US')} hosts (${(b.size + files.length).toLocaleString('en-US')} given)`);
  if (pool.workers !== 0 && (files.length >= POOL_MIN_FILES || pool.workers)) {
    await parseInPool(
      files.map((f) => f.file),
      b.factOptions,
      async (i, r) => {
        const { file, label } = files[i]!;
        if (i) await nextTurn();
        if (r.ok) b.addRecorded(label ?? labelOf(file, r.host.hostname), file, r.host);
        else b.add(label ?? labelOf(file, ''), file, null, r.error);
        hooks.onFile?.(i + 1, files.length);
      },
      pool,
    );
    return;
  }
  for (let i = 0; i < files.length; i++) {
    const { file, label } = files[i]!;
    if (i) await nextTurn();
    try {
      const { snapshot } = importFiles([{ name: file, text: readSnapshotFileSync(file) }]);
      b.add(label ?? labelOf(file, snapshot.identity.hostname), file, snapshot);
    } catch (e) {
      b.add(label ?? labelOf(file, ''), file, null, e instanceof ApiError ? e.message : `${file}: ${(e as Error).message}`);
    }
    hooks.onFile?.(i + 1, files.length);
  }
}
