import type { z } from 'zod';
import { ApiError, type ErrorCode } from '../../shared/api/errors';
import type { HelperError, HelperResponse } from '../../shared/helper/protocol';

/** The API's stable code for a helper error code (the helper's own code stays in detail.helperCode). */
const CODE: Record<string, ErrorCode> = {
  CONFLICT: 'CONFLICT',
  BUSY: 'CONFLICT',
  NOT_AUTHORIZED: 'NOT_AUTHORIZED',
  NOT_FOUND: 'NOT_FOUND',
  TIMEOUT: 'TIMEOUT',
  INVALID_INPUT: 'INVALID_INPUT',
  NEEDS_CONFIRMATION: 'NEEDS_CONFIRMATION',
  REQUEST_TOO_LARGE: 'INVALID_INPUT',
  UNKNOWN_VERB: 'UNSUPPORTED',
  INVALID_VALUE: 'INVALID_VALUE',
  NOT_ALLOWED: 'INVALID_VALUE',
  SYMLINK: 'INVALID_VALUE',
  NOT_REGULAR: 'INVALID_VALUE',
  TOO_LARGE: 'INVALID_VALUE',
  IO_ERROR: 'IO_ERROR',
  UNSAFE_STATE_DIR: 'IO_ERROR',
};

export function helperApiError(e: HelperError): ApiError {
  const detail = e.detail && typeof e.detail === 'object' ? { ...(e.detail as Record<string, unknown>), helperCode: e.code } : { helperCode: e.code, ...(e.detail === undefined ? {} : { info: e.detail }) };
  return new ApiError(CODE[e.code] ?? 'INTERNAL', e.message, detail);
}

/** The result of a helper answer, checked against the verb's result schema; an error answer throws ApiError. */
export function unwrapHelper<S extends z.ZodType>(r: HelperResponse, schema: S): z.infer<S> {
  if (!r.ok) throw helperApiError(r.error);
  const p = schema.safeParse(r.result);
  if (!p.success) throw new ApiError('INTERNAL', `The helper answered outside its protocol: ${p.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return p.data;
}
