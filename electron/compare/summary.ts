import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import path from 'node:path';
import { ApiError } from '../../shared/api/errors';
import { IMPORT_MAX_BYTES, importFiles } from '../../shared/compare/imports';
import { inventoryNameError, nameFromFile } from '../../shared/compare/safe-text';
import { FleetSummaryBuilder, type FleetSummary, type SummaryOptions } from '../../shared/compare/summary';
import { naturalCompare } from '../../shared/compare/host-ranges';

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

/**
 * The same, read synchronously: for 1,000 small files the thread pool's open/stat/read/close
 * round trips cost more than the reads (the summary yields to the event loop between files).
 */
export function readSnapshotFileSync(file: string): string {
  // Non-blocking: a FIFO among the files must not hang the summary (it is then refused as not a regular file).
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ApiError('IO_ERROR', `${file} is not a regular file`);
    if (st.size > IMPORT_MAX_BYTES) throw new ApiError('TOO_LARGE', `${file} is ${(st.size / 1024 / 1024).toFixed(0)} MiB: imports are limited to ${IMPORT_MAX_BYTES / 1024 / 1024} MiB`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** A host is called by its file name (as imports are), else by a valid hostname. */
export function labelOf(file: string, hostname: string): string {
  return nameFromFile(path.basename(file)) || (hostname && !inventoryNameError(hostname) ? hostname : 'import');
}

export interface FileSummaryHooks {
  /** After each file (progress). */
  onFile?(done: number, total: number): void;
}

export async function summarizeFiles(files: { file: string; label?: string }[], o: SummaryOptions, hooks: FileSummaryHooks = {}): Promise<FleetSummary> {
  const b = new FleetSummaryBuilder(o);
  await addFiles(b, files, hooks);
  return b.finish();
}

/**
 * Adds the files' hosts to a summary under way: one file in memory at a time, and the event
 * loop runs between files (a server stays responsive while 1,000 files are summarized).
 */
export async function addFiles(b: FleetSummaryBuilder, files: { file: string; label?: string }[], hooks: FileSummaryHooks = {}): Promise<void> {
  if (b.size + files.length > MAX_SUMMARY_HOSTS) throw new ApiError('INVALID_INPUT', `a summary takes at most ${MAX_SUMMARY_HOSTS.toLocaleString('en-US')} hosts (${(b.size + files.length).toLocaleString('en-US')} given)`);
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
