import { z } from 'zod';

/**
 * The envelope as a zod schema, apart from errors.ts: every module that throws an ApiError
 * imports errors.ts, and none of them should load zod for it (issue #22). The renderer reads
 * envelopes with envelope.ts; test/app/envelope.test.ts holds the two equal.
 */
export const apiErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  detail: z.unknown().optional(),
});

/** What every operation answers on the wire: a result or an error, never a thrown object. */
export const envelopeSchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: apiErrorSchema }),
]);
