import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readEnvelope } from '../../shared/api/envelope';
import { envelopeSchema } from '../../shared/api/envelope-schema';
import { channelCaller } from '../../shared/api/call';
import { ApiError } from '../../shared/api/api-error';

/** What a caller acts on: accepted or not, and the fields it reads. */
function seen(e: ReturnType<typeof readEnvelope>) {
  if (!e) return 'rejected';
  return e.ok ? { ok: true, result: e.result } : { ok: false, code: e.error.code, message: e.error.message, detail: e.error.detail };
}

// Answers as they arrive (JSON from browser mode, structured clones over IPC), shaped to hit
// every branch: ok of any type, result present or not, error objects with wrong or inherited fields.
const value = fc.jsonValue({ maxDepth: 2 });
const errorLike = fc.oneof(
  value,
  fc.record({ code: fc.oneof(fc.string(), value), message: fc.oneof(fc.string(), value), detail: value }, { requiredKeys: [] }),
  fc.array(fc.string()).map((a) => Object.assign(a, { code: 'X', message: 'y' })),
);
const answer = fc.oneof(
  value,
  fc.record({ ok: fc.oneof(fc.boolean(), value), result: value, error: errorLike, extra: value }, { requiredKeys: [] }),
  fc.record({ ok: fc.constant(false), error: errorLike }),
  fc.record({ ok: fc.constant(true), result: fc.oneof(value, fc.constant(undefined)) }),
);

describe('readEnvelope (the envelope without zod)', () => {
  it('accepts and rejects exactly what envelopeSchema does, and reads the same fields', () => {
    fc.assert(
      fc.property(answer, (raw) => {
        const z = envelopeSchema.safeParse(raw);
        expect(seen(readEnvelope(raw))).toEqual(seen(z.success ? z.data : undefined));
      }),
      { numRuns: 300, seed: 22 },
    );
  });

  it('agrees on the hand-picked edges (arrays, null prototypes, missing result, inherited fields)', () => {
    const inherited = { ok: false, error: Object.assign(Object.create({ code: 'FROM_PROTO' }) as object, { message: 'm' }) };
    const edges: unknown[] = [
      { ok: true },
      { ok: true, result: undefined },
      Object.assign([], { ok: true, result: 1 }),
      Object.assign(Object.create(null) as object, { ok: true, result: 2 }),
      inherited,
      { ok: false, error: { code: 'X', message: 'm', detail: undefined } },
      { ok: 'true', result: 1 },
      null,
      'ok',
    ];
    for (const raw of edges) {
      const z = envelopeSchema.safeParse(raw);
      expect(seen(readEnvelope(raw)), JSON.stringify(raw)).toEqual(seen(z.success ? z.data : undefined));
    }
  });

  it('a caller throws ApiError with the code for an error and INTERNAL for a malformed answer', async () => {
    const call = (raw: unknown) => channelCaller(async () => raw as never, 'kernel.list')({});
    await expect(call({ ok: true, result: [1] })).resolves.toEqual([1]);
    await expect(call({ ok: false, error: { code: 'CONFLICT', message: 'changed', detail: { path: '/x' } } })).rejects.toMatchObject({ code: 'CONFLICT', detail: { path: '/x' } });
    await expect(call({ ok: 1 })).rejects.toThrow(ApiError);
    await expect(call({ ok: 1 })).rejects.toMatchObject({ code: 'INTERNAL', message: 'Malformed answer to kernel.list' });
  });
});
