import type { ZodType } from 'zod';
import { planOf } from '../../shared/api/check-plan';
import { planCheck, type ExactCheck } from '../../shared/api/plan-check';

/**
 * A check of a handler's answer that allocates nothing: true only when zod's parse of `value`
 * would succeed AND give back a value equal to it (no key stripped, nothing transformed), so the runtime may send `value` itself. Anything else (false) goes through
 * zod, which then reports the same issues as always or strips what the contract leaves out.
 * Parsing the 480 KB kernel.list answer with zod copied every row and cost ~17% of `kernel list`
 * in GC (issue #22). It is the schema's plain check plan (shared/api/check-plan.ts): only plain JSON
 * kinds; a schema with any check (min, regex, int), default, transform, pipe or lazy part gets no
 * fast check at all (null): zod does it all, and its copy keeps a handler's own objects away from
 * callers in the same process.
 */
export type OutputCheck = ExactCheck;

const compiled = new WeakMap<ZodType, OutputCheck | null>();

export function outputCheck(schema: ZodType): OutputCheck | null {
  let c = compiled.get(schema);
  if (c === undefined) {
    c = planCheck(planOf(schema, { plain: true }));
    compiled.set(schema, c);
  }
  return c;
}
