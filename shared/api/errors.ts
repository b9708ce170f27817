import type { z } from 'zod';
import { ApiError, errorCodes, isApiError, type ErrorCode } from './api-error';
import type { apiErrorSchema, envelopeSchema } from './envelope-schema';

// The error type itself lives in api-error.ts and the schemas in envelope-schema.ts: no zod is
// loaded by importing this module (the CLI's start-up path imports it everywhere).
export { ApiError, errorCodes, isApiError, type ErrorCode };

export type ApiErrorShape = z.infer<typeof apiErrorSchema>;

/** What every operation answers on the wire: a result or an error, never a thrown object. */
export type Envelope = z.infer<typeof envelopeSchema>;
