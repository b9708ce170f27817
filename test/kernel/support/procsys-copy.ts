import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readLive } from '../../../electron/kernel/live';

/**
 * A copy of this machine's /proc/sys with its real values and modes (readable entries only),
 * for tests that write: writes land in the copy, never in the host's kernel. Root may write a
 * 0444 file of a copy, so the code under test must honour the mode itself, as procfs does.
 */
export function copyProcSysWithValues(dest: string, only?: RegExp): void {
  for (const e of readLive('/proc/sys')) {
    if (e.state !== 'ok' || (only && !only.test(e.path))) continue;
    const f = path.join(dest, e.path);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, `${e.value}\n`);
    chmodSync(f, e.mode);
  }
}
