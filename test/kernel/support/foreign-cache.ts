import { chmodSync, chownSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

/**
 * The planted cache files a cache of our own must never read (electron/cache/own-cache-file.ts),
 * each made in turn at `file` inside `dir` and checked with `read` (null: not read): another
 * owner, writable by others, a symlink to a file that would pass every other check, a directory
 * writable by others, a directory of another owner (left so: the caller's next run must leave it
 * alone). `each` runs after each planted file case, for what the caller checks besides.
 */
export function expectForeignCachesIgnored(o: { dir: string; file: string; work: string; planted: string; read: () => unknown; each?: () => void }): void {
  const plant = (setup: () => void) => {
    rmSync(o.file, { force: true });
    writeFileSync(o.file, o.planted, { mode: 0o600 });
    setup();
    expect(o.read()).toBeNull();
    o.each?.();
  };
  plant(() => chownSync(o.file, 65534, 65534));
  plant(() => chmodSync(o.file, 0o666));
  const elsewhere = path.join(o.work, 'elsewhere.json');
  writeFileSync(elsewhere, o.planted, { mode: 0o600 });
  rmSync(o.file);
  symlinkSync(elsewhere, o.file);
  expect(o.read()).toBeNull();
  rmSync(o.file);
  writeFileSync(o.file, o.planted, { mode: 0o600 });
  chmodSync(o.dir, 0o777);
  expect(o.read()).toBeNull();
  chmodSync(o.dir, 0o700);
  chownSync(o.dir, 65534, 65534);
  expect(o.read()).toBeNull();
}
