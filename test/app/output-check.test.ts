import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { z, type ZodType } from 'zod';
import { listOperations } from '../../shared/api/contract';
import { outputCheck } from '../../electron/api/output-check';
import { Runtime } from '../../electron/api/runtime';
import { mutate } from '../support/mutate';

/**
 * The runtime sends a handler's answer as is when outputCheck says zod would give back exactly
 * that value (issue #22: parsing the kernel.list answer copied 480 KB). Differential against
 * zod itself: whatever the fast check passes, zod accepts and returns equal; whatever zod
 * refuses, the fast check refuses too (and the runtime then reports zod's issues as before).
 */
function agrees(schema: ZodType, value: unknown): 'fast' | 'zod-ok' | 'refused' {
  const check = outputCheck(schema);
  const fast = check ? check(value) : false;
  const parsed = schema.safeParse(value);
  if (fast) {
    expect(parsed.success, `fast check passed what zod refuses: ${JSON.stringify(value)?.slice(0, 300)}`).toBe(true);
    expect(parsed.data).toEqual(value);
    return 'fast';
  }
  return parsed.success ? 'zod-ok' : 'refused';
}

const oddValues = fc.constantFrom<unknown>(null, undefined, '', 'x', 'safe', 'net', 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, true, false, {}, [], ['x'], { key: 'k' });

describe('the fast output check agrees with zod', () => {
  let list: { schema: ZodType; answer: unknown };

  beforeAll(async () => {
    const rt = new Runtime({ mode: 'cli', history: false });
    try {
      const answer = await rt.api.kernel.list({ k8s: '1.33' });
      // A slice keeps every mutation cheap; every row has the same shape.
      list = { schema: listOperations().find((o) => o.channel === 'kernel.list')!.def.output, answer: { ...answer, entries: answer.entries.slice(0, 40) } };
    } finally {
      await rt.dispose();
    }
  });

  it('passes a real kernel.list answer as is (the case it exists for)', () => {
    expect(outputCheck(list.schema)).not.toBeNull();
    expect(agrees(list.schema, list.answer)).toBe('fast');
  });

  it('refuses every broken kernel.list answer zod refuses, and passes nothing zod would change (seeded)', () => {
    const seen = { fast: 0, 'zod-ok': 0, refused: 0 };
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), oddValues, fc.constantFrom('set', 'delete', 'extra') as fc.Arbitrary<'set' | 'delete' | 'extra'>, (pick, v, how) => {
        seen[agrees(list.schema, mutate(list.answer, pick, v, how))]++;
      }),
      { seed: 22, numRuns: 300 },
    );
    // Both sides of the comparison happened: refused answers, and answers zod had to strip.
    expect(seen.refused).toBeGreaterThan(30);
    expect(seen['zod-ok']).toBeGreaterThan(5);
    expect(seen.fast).toBeGreaterThan(10);
  });

  it('agrees on every operation output schema of the contract for arbitrary values (seeded)', () => {
    const schemas = listOperations().map((o) => o.def.output);
    expect(schemas.filter((s) => outputCheck(s)).length).toBeGreaterThan(20);
    fc.assert(
      fc.property(fc.nat(schemas.length - 1), fc.anything({ withNullPrototype: false }), (i, v) => {
        agrees(schemas[i]!, v);
      }),
      { seed: 22, numRuns: 2000 },
    );
  });

  it('follows zod where plain JSON is not enough: the first union option that accepts, extra keys, NaN', () => {
    const union = z.union([z.object({ a: z.string() }), z.object({ a: z.string(), b: z.number() })]);
    // zod takes the first option and strips b: not the value itself, so zod must answer.
    expect(agrees(union, { a: 'x', b: 1 })).toBe('zod-ok');
    expect(union.parse({ a: 'x', b: 1 })).toEqual({ a: 'x' });
    expect(agrees(union, { a: 'x' })).toBe('fast');
    expect(agrees(z.object({ n: z.number() }), { n: Number.NaN })).toBe('refused');
    expect(agrees(z.object({ n: z.number() }), { n: Number.POSITIVE_INFINITY })).toBe('refused');
    expect(agrees(z.object({ n: z.number().optional() }), {})).toBe('fast');
    expect(agrees(z.record(z.string(), z.boolean()), { x: true, y: 1 })).toBe('refused');
    expect(agrees(z.object({ s: z.enum(['a', 'b']).nullable() }), { s: 'c' })).toBe('refused');
    // Checks, defaults and transforms are zod's alone.
    expect(outputCheck(z.object({ s: z.string().min(1) }))).toBeNull();
    expect(outputCheck(z.object({ s: z.string().default('x') }))).toBeNull();
    expect(outputCheck(z.string().transform((s) => s.length))).toBeNull();
  });
});
