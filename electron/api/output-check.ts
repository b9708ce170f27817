import type { ZodType } from 'zod';
import { exactCheck, type ExactCheck } from '../../shared/api/exact-check';

/**
 * A check of a handler's answer that allocates nothing: true only when zod's parse of `value`
 * would succeed AND give back a value equal to it (no key stripped, nothing transformed, no
 * default filled in), so the runtime may send `value` itself. Anything else (false) goes through
 * zod, which then reports the same issues as always or strips what the contract leaves out.
 * Parsing the 480 KB kernel.list answer with zod copied every row and cost ~17% of `kernel list`
 * in GC (issue #22). It is the contract's check plan (shared/api/check-plan.ts) made into a check:
 * the same one the runtime tries first without zod; a schema with a kind or check a plan cannot
 * express (transform, pipe, lazy, refine) gets none (null): zod does it all.
 */
export type OutputCheck = ExactCheck;

export function outputCheck(schema: ZodType): OutputCheck | null {
  return exactCheck(schema);
}
