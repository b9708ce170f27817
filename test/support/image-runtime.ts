import { cpSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import { Runtime } from '../../electron/api/runtime';

/**
 * One in-process runtime over an image root for a whole test file: the /usr/lib/firewalld
 * defaults the cases use copied in once (a small tree reads fast), `restore()` rebuilding the
 * image's /etc before the first case and after each (spies undone first), the work dir removed
 * at the end. `set` hands the runtime to the file.
 */
export function imageRuntimeForFile(o: { work: string; root: string; defaults: string[]; restore: () => void; set: (rt: Runtime) => void }): void {
  let rt: Runtime | undefined;
  beforeAll(() => {
    for (const f of o.defaults) {
      mkdirSync(path.dirname(path.join(o.root, 'usr/lib/firewalld', f)), { recursive: true });
      cpSync(path.join('/usr/lib/firewalld', f), path.join(o.root, 'usr/lib/firewalld', f));
    }
    o.restore();
    rt = new Runtime({ mode: 'cli', local: { root: o.root } });
    o.set(rt);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    o.restore();
  });
  afterAll(async () => {
    await rt?.dispose();
    rmSync(o.work, { recursive: true, force: true });
  });
}
