import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The built CLI's `kernel list` with the verdict cache (electron/kernel/verdict-cache.ts,
 * issue #22): a cached run, and runs over a corrupt or foreign cache file, print exactly what
 * an uncached run prints. The host is this machine's `sysctl -a` output read as a file, so the
 * values cannot change between runs and the comparison is byte for byte (but for the time of
 * the read in liveSource.note).
 */
const root = path.join(import.meta.dirname, '../..');
const cliJs = path.join(root, 'out/main/cli.js');
let work: string;
let hostFile: string;
const cacheFile = () => path.join(work, 'cache', 'hostdeck', 'verdicts.json');

function list(): string {
  const r = spawnSync(process.execPath, [cliJs, '--host', `node1=${hostFile}`, 'kernel', 'list', '--json'], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, XDG_CACHE_HOME: path.join(work, 'cache') } });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  // The one thing that differs run by run: when the file was read (liveSource.note).
  return r.stdout.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/g, '<read at>');
}

beforeAll(() => {
  if (!existsSync(cliJs)) throw new Error(`${cliJs} is missing: run npm run build (npm test builds first)`);
  work = mkdtempSync(path.join(tmpdir(), 'hostdeck-list-cache-'));
  hostFile = path.join(work, 'sysctl-a.txt');
  writeFileSync(hostFile, execFileSync('sysctl', ['-a'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('kernel list with the verdict cache', () => {
  it('cached, corrupt and foreign cache files all give the uncached answer byte for byte; only our own file is read', () => {
    const uncached = list();
    expect(JSON.parse(uncached).entries.length).toBeGreaterThan(100);
    const stored = JSON.parse(readFileSync(cacheFile(), 'utf8')) as { key: unknown; verdicts: Record<string, unknown> };
    expect(Object.keys(stored.verdicts).length).toBeGreaterThan(100);
    expect(list()).toBe(uncached);

    // A planted file with the right key that calls every key safe and pod-settable.
    const planted = JSON.stringify({ version: 1, key: stored.key, verdicts: Object.fromEntries(Object.keys(stored.verdicts).map((k) => [k, ['net', 'safe', 'allowed', true]])) });
    const plant = (mode: number, uid?: number) => {
      rmSync(cacheFile(), { force: true });
      writeFileSync(cacheFile(), planted, { mode });
      chmodSync(cacheFile(), mode);
      if (uid !== undefined) chownSync(cacheFile(), uid, uid);
    };
    if (process.getuid?.() !== 0) throw new Error('This test needs root (chown), as CI runs it.');
    plant(0o600, 65534);
    expect(list()).toBe(uncached);
    // (writable by others, a symlink, a foreign directory: test/kernel/verdict-cache.test.ts, same reader)
    for (const junk of [JSON.stringify({ version: 1, key: stored.key, verdicts: { 'kernel.sem': ['ipc', 'safe'] } })]) {
      rmSync(cacheFile(), { force: true });
      writeFileSync(cacheFile(), junk, { mode: 0o600 });
      expect(list()).toBe(uncached);
      // ...and the run put a good file back
      expect(JSON.parse(readFileSync(cacheFile(), 'utf8'))).toEqual(stored);
    }

    // The same planted file as our own is believed: proof the runs above could have read it.
    plant(0o600);
    const believed = JSON.parse(list()) as { entries: { key: string; status: string }[] };
    expect(believed.entries.every((e) => e.status === 'safe')).toBe(true);
    // Five CLI runs: seconds on a quiet machine, more on a loaded one.
  }, 120_000);
});
