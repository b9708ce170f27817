import type { Envelope } from './errors';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * An answer's envelope, checked without zod: the renderer's API client and the CLI's use this,
 * so neither has to load zod (and the renderer no schema at all) before its first call comes
 * back (the Kernel page's first row, issue #22). The same rules as `envelopeSchema` in
 * errors.ts (test/app/envelope.test.ts holds the two equal); undefined when it is not one.
 */
export function readEnvelope(raw: unknown): Envelope | undefined {
  if (!isRecord(raw)) return undefined;
  if (raw.ok === true) return 'result' in raw ? { ok: true, result: raw.result } : undefined;
  if (raw.ok !== false) return undefined;
  const e = raw.error;
  if (!isRecord(e) || typeof e.code !== 'string' || typeof e.message !== 'string') return undefined;
  return { ok: false, error: e.detail === undefined ? { code: e.code, message: e.message } : { code: e.code, message: e.message, detail: e.detail } };
}
