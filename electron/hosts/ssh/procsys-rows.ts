import { ApiError } from '../../../shared/api/errors';
import type { LiveEntry } from '../../../shared/kernel/contract';
import { pathToKey } from '../../../shared/kernel/keys';
import { procRelProblem } from '../proc-sys';

/**
 * The read agent's /proc/sys answer (hostdeck-agent.py procsys) made into the LiveEntry list the
 * local reader gives (electron/hosts/proc-sys.ts readLive): the agent sends each entry as a row
 *   [dir, name, mode, value]  or  [dir, name, mode, state, error?]
 * (dir: 0 for the top, k for dirs[k - 1]; state 1 write-only, 2 side-effect, 3 unreadable with its
 * error), and neither the key (the path with its separators swapped) nor whether it is writable
 * (its mode, unless it is no regular file). The answer comes from the host: anything that does not
 * have that shape is refused, naming the host and the row.
 */

export interface ProcSysListing {
  entries: LiveEntry[];
  dirs: string[];
}

const STATES: Record<number, LiveEntry['state'] | undefined> = { 1: 'write-only', 2: 'side-effect', 3: 'unreadable' };

/** Why a /proc/sys name (one path component) is unusable, or null. */
function nameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'its name is not a string';
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) return 'its name is not one path component';
  return null;
}

function rowProblem(row: unknown, dirs: number): string | null {
  if (!Array.isArray(row) || row.length < 4 || row.length > 5) return 'it is not a row of 4 or 5 items';
  const [d, name, mode, v, error] = row as unknown[];
  if (!Number.isInteger(d) || (d as number) < 0 || (d as number) > dirs) return 'its directory is not one of the answer';
  const bad = nameProblem(name);
  if (bad) return bad;
  if (!Number.isInteger(mode) || (mode as number) < 0 || (mode as number) > 0o777) return 'its mode is not a permission mode';
  if (typeof v === 'string') return row.length === 4 ? null : 'a value with an error';
  if (v === 3) return typeof error === 'string' && error !== '' ? null : 'unreadable without its error';
  if (STATES[v as number] === undefined) return 'its state is not one the agent sends';
  return row.length === 4 ? null : 'an error on an entry that was not read';
}

/** The entries and directories of a procsys answer of `host`; ApiError INTERNAL (naming the host and the row) when it is malformed. */
export function procSysOfRows(host: string, answer: unknown): ProcSysListing {
  const malformed = (what: string) => new ApiError('INTERNAL', `The read agent on ${host} answered a malformed /proc/sys listing: ${what}`);
  if (typeof answer !== 'object' || answer === null) throw malformed('not an object');
  const { rows, dirs } = answer as { rows?: unknown; dirs?: unknown };
  if (!Array.isArray(rows) || !Array.isArray(dirs)) throw malformed('no rows or no dirs');
  // The key of each directory once, not per entry.
  const dirKeys: string[] = [''];
  dirs.forEach((d: unknown, i) => {
    if (typeof d !== 'string' || procRelProblem(d)) throw malformed(`directory ${i + 1} (${JSON.stringify(d)?.slice(0, 200)}) is not a path under /proc/sys`);
    dirKeys.push(pathToKey(d));
  });
  const entries: LiveEntry[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as [number, string, number, string | number, string?];
    const problem = rowProblem(row, dirs.length);
    if (problem) throw malformed(`row ${i + 1} ${JSON.stringify(row)?.slice(0, 200)}: ${problem}`);
    const [d, name, mode, v, error] = row;
    const path = d === 0 ? name : `${dirs[d - 1] as string}/${name}`;
    const leaf = name.includes('.') ? name.replace(/\./g, '/') : name;
    const key = d === 0 ? leaf : `${dirKeys[d]}.${leaf}`;
    if (typeof v === 'string') {
      entries[i] = { key, path, state: 'ok', value: v, writable: (mode & 0o200) !== 0, mode };
    } else if (error !== undefined) {
      // Not writable when it is no regular file (a FIFO or link in a copy), as proc-sys.ts says.
      entries[i] = { key, path, state: 'unreadable', error, writable: (mode & 0o200) !== 0 && error !== 'NOT_REGULAR', mode };
    } else {
      entries[i] = { key, path, state: STATES[v]!, writable: (mode & 0o200) !== 0, mode };
    }
  }
  return { entries, dirs: dirs as string[] };
}

