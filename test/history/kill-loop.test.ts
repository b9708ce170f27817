import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../electron/history/store';

/**
 * SIGKILL while points are written, as the helper's backups are tested: a writer is killed at
 * random moments, again and again, and after every kill the store must read: every point it
 * lists gives back exactly the facts it was recorded with, at most the point being written
 * is lost per kill, and the loss is said.
 */
let work: string;
let bundle: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'hostdeck-history-kill-'));
  bundle = path.join(work, 'record-loop.mjs');
  // One bundle, started with plain node: a kill loop of tsx start-ups would cost seconds each.
  buildSync({ entryPoints: [path.join(import.meta.dirname, 'support/record-loop.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'error' });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function runUntilKilled(dir: string, start: number, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, dir, String(start)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    child.stdout.on('data', () => setTimeout(() => child.kill('SIGKILL'), delayMs));
    child.on('close', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`the writer ended by itself: ${err}`))));
  });
}

describe('history store under SIGKILL', () => {
  it('10 kills at random moments: every listed point is whole and the losses are said', async () => {
    const dir = path.join(work, 'store');
    const kills = 10;
    for (let i = 0; i < kills; i++) {
      await runUntilKilled(dir, i * 100_000, Math.random() * 60);
      // A reader after the crash (its clock past the moment a writer could still be syncing).
      const h = new HistoryStore({ dir, now: () => Date.now() + 60_000 }).host('node-7');
      const r = h.read();
      expect(r.points.length).toBeGreaterThan(i);
      const lost = r.notices.filter((n) => /cut off|was being written/.test(n.message));
      expect(lost.length).toBeLessThanOrEqual(i + 1);
      // The last point and a few at random give back their own facts.
      const sample = [r.points.at(-1)!, ...Array.from({ length: 3 }, () => r.points[Math.floor(Math.random() * r.points.length)]!)];
      for (const p of sample) {
        const n = p.what.slice('set '.length);
        expect(h.snapshotAt(p.id).sysctl!.entries.find((e) => e.key === 'vm.param_1')!.value, p.what).toBe(n);
      }
    }
    const r = new HistoryStore({ dir, now: () => Date.now() + 60_000 }).host('node-7').read();
    if (process.env.HOSTDECK_HISTORY_DEBUG) console.log(r.points.length, r.notices);
    // Points are in the order written: each writer's numbers go up, and writers come one after another.
    const nums = r.points.map((p) => Number(p.what.slice('set '.length)));
    expect(nums).toEqual([...nums].sort((a, b) => a - b));
  }, 90_000);
});
