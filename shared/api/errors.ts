import { z } from 'zod';
import { ApiError, errorCodes, isApiError, type ErrorCode } from './api-error';

// The error type itself lives in api-error.ts (no zod there: the CLI's startup path loads it).
export { ApiError, errorCodes, isApiError, type ErrorCode };

export const apiErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  detail: z.unknown().optional(),
});
export type ApiErrorShape = z.infer<typeof apiErrorSchema>;

/** What every operation answers on the wire: a result or an error, never a thrown object. */
export const envelopeSchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: apiErrorSchema }),
]);
export type Envelope = z.infer<typeof envelopeSchema>;
