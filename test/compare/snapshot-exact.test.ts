import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { exactCheck } from '../../shared/api/exact-check';
import { parseSnapshotJson } from '../../shared/compare/imports';
import { snapshotSchema, type Snapshot } from '../../shared/compare/snapshot';
import { fleetBase } from '../support/fleet';
import { mutate } from '../support/mutate';

/**
 * Issue #17: parseSnapshotJson skips zod's copy of a snapshot when exactCheck says zod would
 * give it back unchanged. Differential against zod itself on seeded mutations of a real
 * snapshot (this machine's, with a stock firewalld zone): whatever the check passes, zod
 * accepts and returns equal; whatever zod refuses, the check refuses; and the quick parse and
 * the full parse give the same snapshot or the same error.
 */

const oddValues = fc.constantFrom<unknown>(null, undefined, '', 'x', 'public', 0, -1, 1.5, 2 ** 60, Number.NaN, true, false, {}, [], ['x'], { key: 'k' });

describe('the snapshot fast check agrees with zod', () => {
  let snap: Snapshot;
  beforeAll(async () => {
    const rt = new Runtime({ mode: 'cli', history: false });
    try {
      const real = fleetBase(await rt.api.compare.snapshot({}));
      // A slice of the sysctls keeps every mutation cheap (the entries take their own quick path).
      snap = { ...real, sysctl: { ...real.sysctl!, entries: real.sysctl!.entries.slice(0, 20) } };
    } finally {
      await rt.dispose();
    }
  }, 60_000);

  it('passes a real snapshot as is (the case it exists for)', () => {
    const check = exactCheck(snapshotSchema);
    expect(check).not.toBeNull();
    expect(check!(JSON.parse(JSON.stringify(snap)))).toBe(true);
  });

  it('refuses every broken snapshot zod refuses, passes nothing zod would change, parses quick as full (seeded)', () => {
    const check = exactCheck(snapshotSchema)!;
    const seen = { fast: 0, 'zod-ok': 0, refused: 0 };
    const doc = JSON.parse(JSON.stringify(snap)) as unknown;
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 7 }), oddValues, fc.constantFrom('set', 'delete', 'extra', 'proto') as fc.Arbitrary<'set' | 'delete' | 'extra' | 'proto'>, (pick, v, how) => {
        const m = mutate(doc, pick, v, how);
        const fast = check(m);
        const parsed = snapshotSchema.safeParse(m);
        if (fast) {
          expect(parsed.success, `fast check passed what zod refuses: ${JSON.stringify(m)?.slice(0, 300)}`).toBe(true);
          expect(parsed.data).toEqual(m);
          seen.fast++;
        } else seen[parsed.success ? 'zod-ok' : 'refused']++;
        // The whole import: the quick path (fast check) and the full one answer alike.
        const text = JSON.stringify(m) ?? 'null';
        const run = (quick: boolean) => {
          try {
            return { ok: parseSnapshotJson('m.json', text, quick) };
          } catch (e) {
            return { error: (e as Error).message };
          }
        };
        expect(run(true)).toEqual(run(false));
      }),
      { seed: 17, numRuns: 300 },
    );
    expect(seen.refused).toBeGreaterThan(30);
    expect(seen['zod-ok']).toBeGreaterThan(5);
    expect(seen.fast).toBeGreaterThan(10);
  });
});
