import type { ZodType } from 'zod';
import { planOf } from './check-plan';
import { planCheck, type ExactCheck } from './plan-check';

/**
 * electron/api/output-check.ts's fast check (true only when zod's parse would succeed AND give
 * back a value equal to the input, so the input may be used as is and zod's copy skipped), for
 * schemas of documents HostDeck reads back, such as snapshots (issue #17: zod's copy was 12% of
 * a 1,000-file fleet summary). Beyond output-check's plain JSON kinds it knows `.default()`
 * (exact only when the value is there: zod would fill it in otherwise), `.min(n)` on strings, arrays
 * and numbers (also `.nonnegative()`, `.positive()`), and `.int()`; any other check, transform, pipe or lazy part gets no fast check (null).
 */
export type { ExactCheck };

const compiled = new WeakMap<ZodType, ExactCheck | null>();

/** The schema's plan (check-plan.ts) made into its check, once per schema. */
export function exactCheck(schema: ZodType): ExactCheck | null {
  let c = compiled.get(schema);
  if (c === undefined) {
    c = planCheck(planOf(schema));
    compiled.set(schema, c);
  }
  return c;
}
