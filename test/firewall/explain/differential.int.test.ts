/**
 * The proof of explain (#15 part 2): random firewalld configurations in a real firewalld,
 * real packets from a peer namespace, HostDeck's explain against what the client saw (see
 * differential.ts). HOSTDECK_EXPLAIN_SEED replays a run, HOSTDECK_EXPLAIN_PAIRS sets its
 * size (`npm run bench` runs 2,000); HOSTDECK_TRACE_PAIRS how many of them are also traced through a
 * copy of the ruleset (firewall.trace's engine: the kernel's own path and verdict). Needs root and firewalld, dbus, nftables, util-linux, python3.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDifferential, startDifferentialRig } from './differential';

const seed = Number(process.env.HOSTDECK_EXPLAIN_SEED ?? Math.floor(Math.random() * 2 ** 31));
const pairs = Number(process.env.HOSTDECK_EXPLAIN_PAIRS ?? 360);
/** Of those, traced through a copy of the ruleset too (firewall.trace's engine, 2-4 s each). */
const traces = Number(process.env.HOSTDECK_TRACE_PAIRS ?? 3);

describe('explain against real packets (differential)', () => {
  let rig: Awaited<ReturnType<typeof startDifferentialRig>>;
  beforeAll(async () => {
    rig = await startDifferentialRig();
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it(`agrees with the kernel on every random flow (seed ${seed}, ${pairs} pairs, ${traces} traced)`, async () => {
    const report = await runDifferential(rig.sb, rig.peer, seed, pairs, (s) => console.log(`[explain differential] ${s}`), { traces });
    console.log(`[explain differential] seed ${seed}: ${report.pairs} pairs, ${report.disagreements.length} disagreements; decided by ${JSON.stringify(report.decidedBy)}; traced ${report.traced} ${JSON.stringify(report.tracedBy)}`);
    for (const d of report.disagreements.slice(0, 50)) console.log(`[explain differential] disagreement\n${d}`);
    expect(report.disagreements.slice(0, 5).join('\n\n'), `seed ${seed}: ${report.disagreements.length} of ${report.pairs} pairs disagree`).toBe('');
    expect(report.pairs).toBeGreaterThanOrEqual(pairs);
    expect(report.traced).toBe(Math.min(traces, 3 * Math.ceil(pairs / 60)));
  }, Math.max(300_000, pairs * 500 + traces * 10_000));
});
