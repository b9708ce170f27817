import { rmSync } from 'node:fs';
import { killedSaves, racingSaves } from '../../test/helper/support/races';
import { scratchRoot } from '../../test/helper/support/run';
import { firstSeed } from '../../test/support/seeded-random';
import type { BenchReporter } from './harness';

/**
 * The helper's save races at full size (test/helper/write.int.test.ts runs a seeded slice of 10
 * pairs and 20 kills): HOSTDECK_HELPER_RACE_PAIRS (100) pairs of racing saves and
 * HOSTDECK_HELPER_RACE_KILLS (200) saves SIGKILLed at seeded points, on a scratch root.
 * HOSTDECK_HELPER_RACE_SEED replays a run. Any broken guarantee fails the suite.
 */
export default async function bench(r: BenchReporter): Promise<void> {
  const seed = firstSeed(process.env.HOSTDECK_HELPER_RACE_SEED);
  const pairs = size('HOSTDECK_HELPER_RACE_PAIRS', 100);
  const kills = size('HOSTDECK_HELPER_RACE_KILLS', 200);
  r.note(`helper-races: seed ${seed} (HOSTDECK_HELPER_RACE_SEED=${seed} replays it)`);
  const failures: string[] = [];

  let root = scratchRoot('hostdeck-bench-races-');
  try {
    const t = performance.now();
    const p = await racingSaves(root, pairs, seed);
    r.value(`helper-races: ${pairs} racing pairs, per pair`, (performance.now() - t) / pairs, `${p.oneWinner}/${pairs} had exactly one winner`);
    if (p.oneWinner !== pairs) failures.push(`${pairs - p.oneWinner} pairs without exactly one winner and one CONFLICT`);
    failures.push(...p.wrongWinner);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }

  root = scratchRoot('hostdeck-bench-races-');
  try {
    const t = performance.now();
    const k = await killedSaves(root, kills, seed);
    r.value(`helper-races: ${kills} SIGKILLed saves, per kill`, (performance.now() - t) / kills, `kills spread over ${k.spanMs.toFixed(0)} ms; old ${k.old}, new ${k.new}, partial ${k.partial.length}; stale temps removed by the next save: ${k.after.staleTempsRemoved}`);
    failures.push(...k.partial, ...k.badBackups);
    if (!k.after.ok) failures.push('the save after the kills failed');
    if (k.after.leftInEtc.length || k.after.leftTempBackups.length) failures.push(`left behind after the next save: ${[...k.after.leftInEtc, ...k.after.leftTempBackups].join(', ')}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  if (failures.length) throw new Error(`seed ${seed}:\n${failures.join('\n')}`);
}

function size(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}="${v}" is not a positive whole number`);
  return n;
}
