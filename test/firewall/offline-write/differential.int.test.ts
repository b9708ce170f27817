/**
 * HostDeck's offline writes against firewall-offline-cmd itself (see differential.ts): seeded
 * random sequences over zones, policies, services, ipsets (entries and entry files), ICMP types,
 * helpers, the default zone and firewalld.conf; the same steps, the same files, the same
 * listings, and (for the first sequence) the same runtime state in a real firewalld.
 * A bounded slice that rotates: the first seed comes from the checkout's commit (`git rev-parse
 * HEAD`; a fixed seed without git), so each commit's run covers other sequences, and it is in
 * every test's name. HOSTDECK_DIFF_SEED=S replays a red run (HOSTDECK_OFFLINE_WRITE_SEED too);
 * HOSTDECK_OFFLINE_WRITE_COUNT=N sequences (default 2), HOSTDECK_OFFLINE_WRITE_RUNTIME=N how many
 * of them also load into firewalld (default 1). The 500: `npx tsx scripts/bench.ts offline-diff
 * --sequences 500 --seed S`. firewall-offline-cmd runs in one server for the file
 * (offline-cmd.ts: its modules imported once, each call a forked child), at the same time as
 * HostDeck's steps, which run in this process (runHostdeck: the CLI's own code, no Node start-up).
 * Needs root, firewalld and util-linux (unshare).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFirewalldSandbox, type FirewalldSandbox } from '../../support/firewalld-sandbox';
import { firstDifference, runSequence, runtimeState, suiteSeed } from './differential';
import { startOfflineCmd } from './offline-cmd';

const COUNT = Number(process.env.HOSTDECK_OFFLINE_WRITE_COUNT ?? 2);
const RUNTIME = Number(process.env.HOSTDECK_OFFLINE_WRITE_RUNTIME ?? 1);
const { seed: FIRST_SEED, from: SEED_FROM } = suiteSeed(process.env, path.join(import.meta.dirname, '../../..'));
const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-offline-write-'));
let sandbox: FirewalldSandbox | undefined;
const cmd = startOfflineCmd();
beforeAll(async () => {
  console.log(`offline-write differential: seeds ${FIRST_SEED}..${FIRST_SEED + COUNT - 1}, from ${SEED_FROM} (HOSTDECK_DIFF_SEED=${FIRST_SEED} replays)`);
  // One firewalld for the file (restarted per copy), not one per sequence.
  if (RUNTIME > 0) sandbox = await startFirewalldSandbox({ withoutFirewalld: true });
}, 60_000);
afterAll(async () => {
  await sandbox?.stop();
  await cmd.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('offline writes agree with firewall-offline-cmd', () => {
  for (let k = 0; k < COUNT; k++) {
    const seed = FIRST_SEED + k;
    it(`seed ${seed}: the same commands give the same configuration${k < RUNTIME ? ' and the same runtime in firewalld' : ''}`, async () => {
      const res = await runSequence(seed, path.join(dir, `s${seed}`), { cmd });
      const steps = res.steps.map((a) => a.join(' ')).join('\n  ');
      expect(res.disagreements, `seed ${seed} (HOSTDECK_DIFF_SEED=${seed} replays), steps:\n  ${steps}`).toEqual([]);
      if (k >= RUNTIME) return;
      const a = await runtimeState(sandbox!, res.copies.etcA);
      const b = await runtimeState(sandbox!, res.copies.etcB);
      expect(a, `seed ${seed}: runtime differs at ${firstDifference(a, b)}`).toBe(b);
      // A configuration that loads at all (not an empty, failed firewalld).
      expect(a).toMatch(/== --state \(0\)\nrunning/);
    }, 300_000);
  }
});
