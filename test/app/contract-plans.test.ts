import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { contract } from '../../shared/api/contract';
import { featurePlans, planOf, type CheckPlan } from '../../shared/api/check-plan';
import { planCheck } from '../../shared/api/plan-check';
import { planFileText, plannedOperation } from '../../shared/api/plans';
import { kernelContract } from '../../shared/kernel/contract';
import { Runtime } from '../../electron/api/runtime';

/**
 * The runtime checks a call's input and answer with the contract's check plans and builds zod
 * only when a plan cannot vouch for a value (issue #22). A plan that passes a value zod would
 * refuse, or would hand back changed, lets that value past the contract: these tests hold every
 * plan to zod, and the plan files to the contract they were made from.
 */

const planDir = join(import.meta.dirname, '../../shared/api/plans');

/**
 * Values shaped by a plan. `bad`: wrong types, short strings, NaN, missing and extra keys mixed in
 * at every level; without it, values meant to pass (so big schemas see passing values too).
 */
function near(plan: CheckPlan, bad = true): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constant(undefined), fc.constant(Number.NaN));
  const mostly = (a: fc.Arbitrary<unknown>) => (bad ? fc.oneof({ arbitrary: a, weight: 6 }, { arbitrary: wrong, weight: 1 }) : a);
  const inner = (p: CheckPlan) => near(p, bad);
  const lo = bad ? 1 : 0;
  const checks = 'c' in plan ? (plan.c ?? []) : [];
  const min = checks.find((c) => c[0] === 'min')?.[1] as number | undefined;
  const max = checks.find((c) => c[0] === 'max')?.[1] as number | undefined;
  const lengths = { minLength: Math.max(0, (min ?? 0) - lo), maxLength: Math.min((min ?? 0) + 4, max === undefined ? Infinity : max + lo) };
  switch (plan.t) {
    case 'string': {
      const re = checks.find((c) => c[0] === 'regex');
      let matching: fc.Arbitrary<string> | null = null;
      try {
        if (re) matching = fc.stringMatching(new RegExp(re[1] as string, re[2] as string));
      } catch {
        matching = null; // a pattern fast-check cannot generate from: random strings only
      }
      // Just past the longest allowed (not for the megabyte limits: too big to be worth it).
      const plain = bad && max !== undefined && max <= 5000 ? fc.oneof(fc.string(lengths), fc.string({ minLength: max + 1, maxLength: max + 1 })) : fc.string(lengths);
      return mostly(matching ? fc.oneof({ arbitrary: matching, weight: 3 }, { arbitrary: plain, weight: 1 }) : plain);
    }
    case 'number': {
      const gt = checks.find((c) => c[0] === 'gt');
      const lt = checks.find((c) => c[0] === 'lt');
      const bounds = [gt, lt].flatMap((b) => (b ? [b[1] as number, (b[1] as number) - 1, (b[1] as number) + 1] : []));
      const from = gt ? (gt[1] as number) + 1 : 0;
      if (!bad) return fc.integer({ min: from, max: Math.max(from, lt ? (lt[1] as number) - 1 : 100_000) });
      return mostly(fc.oneof(fc.integer({ min: -5, max: 1000 }), fc.double({ noNaN: false }), fc.constantFrom(0, -1, ...bounds, 2 ** 53, 0.5)));
    }
    case 'boolean':
      return mostly(fc.boolean());
    case 'null':
      return mostly(fc.constant(null));
    case 'any':
      return fc.jsonValue({ maxDepth: 2 });
    case 'literal':
    case 'enum':
      return bad ? fc.constantFrom(...plan.v, 'not-one-of-them') : fc.constantFrom(...plan.v);
    case 'optional':
      return fc.oneof(fc.constant(undefined), inner(plan.i));
    case 'nullable':
      return fc.oneof(fc.constant(null), inner(plan.i));
    case 'default':
      return bad ? fc.oneof({ arbitrary: inner(plan.i), weight: 4 }, { arbitrary: fc.constant(undefined), weight: 1 }) : inner(plan.i);
    case 'array': {
      const fits = fc.array(inner(plan.e), { minLength: lengths.minLength, maxLength: Math.min((min ?? 0) + 2, lengths.maxLength) });
      return mostly(bad && max !== undefined && max <= 64 ? fc.oneof(fits, fc.array(inner(plan.e), { minLength: max + 1, maxLength: max + 1 })) : fits);
    }
    case 'object': {
      const shape = Object.fromEntries(Object.entries(plan.s).map(([k, p]) => [k, inner(p)]));
      const keys = Object.keys(shape);
      const optional = keys.filter((k) => (bad ? ['optional', 'default'] : ['optional']).includes(plan.s[k]!.t));
      const required = keys.filter((k) => !optional.includes(k));
      const obj = fc.record(shape, { requiredKeys: required });
      // An extra key (zod strips it: never exact), now and then.
      if (!bad) return obj;
      return mostly(fc.oneof({ arbitrary: obj, weight: 8 }, { arbitrary: fc.tuple(obj, fc.string({ minLength: 1, maxLength: 3 })).map(([o, k]) => ({ ...(o as object), [`x${k}`]: 1 })), weight: 1 }));
    }
    case 'record':
      return mostly(fc.dictionary(fc.string({ maxLength: 4 }), inner(plan.v), { maxKeys: 3 }));
    case 'union':
      return fc.oneof(...plan.o.map(inner));
  }
}

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (x === undefined ? '<undefined>' : x));

/** Every value the plan passes is accepted by zod and given back equal; returns how many it passed. */
function holdsToZod(schema: ZodType, plan: CheckPlan, runs: number): number {
  const check = planCheck(plan)!;
  let passed = 0;
  fc.assert(
    fc.property(fc.oneof(near(plan), near(plan, false)), (v) => {
      if (!check(v)) return;
      passed++;
      const z = schema.safeParse(v);
      expect(z.success, `${json(v)}: ${z.error?.message}`).toBe(true);
      expect(z.data).toEqual(v);
    }),
    { numRuns: runs, seed: 22 },
  );
  return passed;
}

describe('contract check plans', () => {
  it('the plan files are the contract\'s plans (after changing a contract: npx tsx scripts/gen-contract-plans.ts)', () => {
    for (const [feature, ops] of Object.entries(contract)) {
      expect(readFileSync(join(planDir, `${feature}.json`), 'utf8'), `shared/api/plans/${feature}.json is stale`).toBe(planFileText(featurePlans(ops)));
    }
  });

  it('every plan passes only values zod accepts and gives back unchanged, for every operation\'s input and answer', () => {
    let schemas = 0;
    const neverPassed: string[] = [];
    for (const [feature, ops] of Object.entries(contract)) {
      for (const [name, def] of Object.entries(ops)) {
        for (const [side, schema] of [['input', def.input], ['output', def.output]] as const) {
          const plan = planOf(schema);
          if (!plan) continue;
          schemas++;
          if (holdsToZod(schema, plan, 60) === 0) neverPassed.push(`${feature}.${name} ${side}`);
        }
      }
    }
    // Not vacuous: most schemas have a plan and see generated values pass it (a few have patterns
    // random values rarely meet), the CLI's hot calls among them.
    expect(schemas).toBeGreaterThan(150);
    expect(neverPassed.length, neverPassed.join(', ')).toBeLessThan(schemas * 0.05);
    for (const hot of ['kernel.list input', 'kernel.list output', 'compare.run input', 'compare.run output', 'compare.capture output']) expect(neverPassed).not.toContain(hot);
  });

  it('refuses what zod would change or refuse: a missing default (also under optional), an extra key, a short string, NaN, a __proto__ record key', () => {
    const list = planCheck(planOf(kernelContract.list.input))!;
    expect(list({ k8s: '1.33' })).toBe(true);
    expect(list({})).toBe(false); // zod fills in k8s: not the same value
    expect(list({ k8s: '1.33', extra: 1 })).toBe(false); // zod strips it
    expect(list({ k8s: 1 })).toBe(false);
    const classify = planCheck(planOf(kernelContract.classify.input))!;
    expect(classify({ k8s: '1.33', keys: ['kernel.sem'] })).toBe(true);
    expect(classify({ k8s: '1.33', keys: [''] })).toBe(false);
    expect(classify({ k8s: '1.33', keys: [] })).toBe(false);
    const num = planCheck({ t: 'number', c: [['gt', 0, false]] })!;
    expect([num(1), num(0), num(Number.NaN), num(Number.POSITIVE_INFINITY)]).toEqual([true, false, false, false]);
    // zod 4 fills in a default under optional: a missing value is not given back as missing.
    const filled = planCheck({ t: 'object', s: { a: { t: 'optional', i: { t: 'default', i: { t: 'string' } } } } })!;
    expect([filled({}), filled({ a: 'x' })]).toEqual([false, true]);
    const rec = planCheck({ t: 'record', v: { t: 'string' } })!;
    expect(rec(JSON.parse('{"__proto__": "x"}'))).toBe(false);
    expect(rec({ a: 'x' })).toBe(true);
  });

  it('the runtime answers as the contract does: zod\'s words for a refused input, and an answer outside the contract is still caught', async () => {
    expect((await plannedOperation('kernel.list'))?.mutates).toBe(false);
    expect((await plannedOperation('kernel.apply'))?.mutates).toBe(true);
    expect(await plannedOperation('kernel.nothing')).toBeUndefined();
    const rt = new Runtime({ mode: 'cli', history: false });
    try {
      const bad = await rt.call('kernel.classify', { input: { keys: [''] } });
      expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: 'Invalid input for kernel.classify: keys.0: Too small: expected string to have >=1 characters' } });
      const unknown = await rt.call('kernel.nothing', {});
      expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_OPERATION' } });
      // Defaults still come from zod: k8s is filled in when the plan could not vouch for {}.
      const ok = await rt.call('kernel.classify', { input: { keys: ['kernel.sem'] } });
      expect(ok).toMatchObject({ ok: true, result: [{ name: 'kernel.sem' }] });
    } finally {
      await rt.dispose();
    }
  });
});
