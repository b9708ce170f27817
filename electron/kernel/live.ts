import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToKey } from '../../shared/kernel/keys';
import type { LiveEntry } from '../../shared/kernel/contract';

/** Entries whose read has a side effect: never read, only listed (reference §4). */
export const SIDE_EFFECT_ON_READ = new Set(['vm/stat_refresh']);

/**
 * Reads every entry under a /proc/sys tree. Synchronous on purpose: procfs reads are tiny and
 * never block on I/O, and one tight loop is what makes a full snapshot faster than `sysctl -a`.
 * Write-only entries (mode without read bits) and side-effect entries are listed, not read;
 * entries that fail (EIO for an unset stable_secret, EACCES unprivileged) carry their errno.
 * `dirsOut` collects the directories on the way (glob expansion needs them, as glob(3) sees them).
 */
export function readLive(procSys: string, dirsOut?: string[]): LiveEntry[] {
  const out: LiveEntry[] = [];
  const walk = (rel: string) => {
    let ents;
    try {
      ents = readdirSync(path.join(procSys, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        dirsOut?.push(p);
        walk(p);
        continue;
      }
      const full = path.join(procSys, p);
      let mode = 0;
      try {
        mode = statSync(full).mode & 0o777;
      } catch (err) {
        out.push({ key: pathToKey(p), path: p, state: 'unreadable', error: (err as NodeJS.ErrnoException).code ?? 'ERROR', writable: false, mode: 0 });
        continue;
      }
      const writable = (mode & 0o200) !== 0;
      if (SIDE_EFFECT_ON_READ.has(p)) {
        out.push({ key: pathToKey(p), path: p, state: 'side-effect', writable, mode });
        continue;
      }
      if ((mode & 0o444) === 0) {
        out.push({ key: pathToKey(p), path: p, state: 'write-only', writable, mode });
        continue;
      }
      try {
        const v = readFileSync(full, 'utf8');
        out.push({ key: pathToKey(p), path: p, state: 'ok', value: v.endsWith('\n') ? v.slice(0, -1) : v, writable, mode });
      } catch (err) {
        out.push({ key: pathToKey(p), path: p, state: 'unreadable', error: (err as NodeJS.ErrnoException).code ?? 'ERROR', writable, mode });
      }
    }
  };
  walk('');
  return out;
}
