import { afterAll, beforeAll } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import type { Snapshot } from '../../shared/compare/snapshot';
import { fleetBase } from './fleet';

/**
 * For a test file: one in-process runtime, and this machine's real snapshot (fleetBase) handed
 * to `set` once before the file's cases; the runtime is disposed after them.
 */
export function realSnapshotForFile(set: (real: Snapshot) => void): Runtime {
  const rt = new Runtime({ mode: 'cli' });
  beforeAll(async () => {
    set(fleetBase(await rt.api.compare.snapshot({})));
  }, 60_000);
  afterAll(() => rt.dispose());
  return rt;
}
