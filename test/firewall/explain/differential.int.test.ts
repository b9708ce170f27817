/**
 * The proof of explain (#15 part 2): random firewalld configurations in a real firewalld,
 * real packets from a peer namespace, and every flow also traced by the kernel through a copy
 * of the ruleset (firewall.trace's engine): explain against the kernel's path and verdict and
 * against what the clients saw (see differential.ts). A bounded seeded slice here;
 * HOSTDECK_EXPLAIN_SEED replays a run, HOSTDECK_EXPLAIN_PAIRS sets its size (`npm run bench`
 * runs 2,000). Needs root and firewalld, dbus, nftables, util-linux, python3.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDifferential, startDifferentialRig } from './differential';

const seed = Number(process.env.HOSTDECK_EXPLAIN_SEED ?? Math.floor(Math.random() * 2 ** 31));
const pairs = Number(process.env.HOSTDECK_EXPLAIN_PAIRS ?? 300);

describe('explain against real packets (differential)', () => {
  let rig: Awaited<ReturnType<typeof startDifferentialRig>>;
  beforeAll(async () => {
    rig = await startDifferentialRig();
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it(`agrees with the kernel's trace and the clients on every random flow (seed ${seed}, ${pairs} pairs)`, async () => {
    const report = await runDifferential(rig.sb, rig.peer, seed, pairs, (s) => console.log(`[explain differential] ${s}`));
    console.log(`[explain differential] seed ${seed}: ${report.pairs} pairs, ${report.disagreements.length} disagreements; decided by ${JSON.stringify(report.decidedBy)}; kernel verdicts ${JSON.stringify(report.tracedBy)}`);
    for (const d of report.disagreements.slice(0, 50)) console.log(`[explain differential] disagreement\n${d}`);
    expect(report.disagreements.slice(0, 5).join('\n\n'), `seed ${seed}: ${report.disagreements.length} of ${report.pairs} pairs disagree`).toBe('');
    expect(report.pairs).toBeGreaterThanOrEqual(pairs);
    expect(report.traced).toBe(report.pairs);
  }, Math.max(300_000, pairs * 500));
});
