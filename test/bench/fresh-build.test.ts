import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertFreshBuild, staleBuildReason } from '../../scripts/bench/fresh-build';

// The bench times out/ (issue #22): a build older than its sources must be refused, naming the file.
describe('bench: fresh build check', () => {
  let root: string;
  const put = (rel: string, atSec: number) => {
    const f = path.join(root, rel);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, 'x');
    utimesSync(f, atSec, atSec);
  };
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'hostdeck-fresh-build-'));
    put('electron/cli.ts', 1000);
    put('shared/api/contract.ts', 1000);
    put('renderer/src/main.tsx', 1000);
    put('out/main/cli.js', 2000);
    put('out/preload/preload.cjs', 2000);
    put('out/renderer/index.html', 2000);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('accepts a build newer than every source', () => {
    expect(staleBuildReason(root)).toBeNull();
    expect(() => assertFreshBuild(root)).not.toThrow();
  });

  it('refuses when a source changed after the build, naming that source', () => {
    put('shared/api/contract.ts', 3000);
    expect(staleBuildReason(root)).toMatch(/^shared\/api\/contract\.ts .* is newer than the build/);
    expect(() => assertFreshBuild(root)).toThrow(/out\/ is stale: shared\/api\/contract\.ts.*npm run -s build/);
  });

  it('refuses when one output file is older than a source (a half-written build), and when out/ is missing', () => {
    put('out/renderer/assets/old.js', 500);
    expect(staleBuildReason(root)).toMatch(/is newer than the build \(out\/renderer\/assets\/old\.js/);
    rmSync(path.join(root, 'out'), { recursive: true });
    expect(staleBuildReason(root)).toBe('out/main/ is missing or empty');
  });
});
