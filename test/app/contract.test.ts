import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contract, events, listOperations } from '../../shared/api/contract';
import { createApi } from '../../shared/api/client';
import { ApiError, errorCodes } from '../../shared/api/errors';
import { Runtime } from '../../electron/api/runtime';
import { allHandlers } from '../../electron/api/handlers';
import { createHost } from '../../electron/hosts/host';

const handlers = await allHandlers();

describe('API contract', () => {
  it('gives every operation a summary, zod input and output, a unique channel and a handler', () => {
    const ops = listOperations();
    expect(ops.length).toBeGreaterThan(1);
    expect(new Set(ops.map((o) => o.channel)).size).toBe(ops.length);
    for (const op of ops) {
      expect(op.def.summary.length, op.channel).toBeGreaterThan(5);
      expect(op.def.input, op.channel).toBeInstanceOf(z.ZodType);
      expect(op.def.output, op.channel).toBeInstanceOf(z.ZodType);
      expect(op.channel).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
      const h = (handlers as unknown as Record<string, Record<string, unknown>>)[op.feature]?.[op.name];
      expect(typeof h, `handler for ${op.channel}`).toBe('function');
    }
    // and no handler without an operation
    for (const [feature, hs] of Object.entries(handlers)) {
      for (const name of Object.keys(hs)) expect(contract).toHaveProperty([feature, name]);
    }
  });

  it('names events <feature>.<event> with a zod schema each', () => {
    for (const [name, schema] of Object.entries(events)) {
      expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
      expect(schema).toBeInstanceOf(z.ZodType);
    }
  });

  it('keeps error codes unique and upper snake case', () => {
    expect(new Set(errorCodes).size).toBe(errorCodes.length);
    for (const c of errorCodes) expect(c).toMatch(/^[A-Z][A-Z_]+$/);
  });
});

describe('runtime', () => {
  const rt = new Runtime({ mode: 'cli', local: { systemBusAddress: 'unix:path=/nonexistent/bus' } });

  it('answers through the typed in-process API', async () => {
    const info = await rt.api.app.info({});
    expect(info.mode).toBe('cli');
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    const { hosts } = await rt.api.app.hosts({});
    expect(hosts).toEqual([{ id: 'local', label: 'Local', kind: 'local', readOnly: false, root: '/', capabilities: expect.objectContaining({ liveKernel: true, firewall: 'live', readOnly: false }) }]);
  });

  it('returns errors as {code, message, detail} envelopes and rethrows them as ApiError', async () => {
    expect(await rt.call('app.nothing', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_OPERATION' } });
    expect(await rt.call('app.info', { host: 'no such host' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_HOST' } });
    const bad = await rt.call('app.info', { input: [1, 2] });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(JSON.stringify(bad)).toContain('issues');
    const api = createApi(async () => ({ ok: false, error: { code: 'CONFLICT', message: 'changed', detail: { path: '/x' } } }));
    const err = await api.app.info({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'CONFLICT', message: 'changed', detail: { path: '/x' } });
  });

  it('treats an answer outside the output schema as a bug, not as data', async () => {
    const original = handlers.app.info;
    (handlers.app as Record<string, unknown>).info = () => ({ version: 1 });
    try {
      const r = await rt.call('app.info', { input: {} });
      expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
      expect(JSON.stringify(r)).toContain('outside its contract');
    } finally {
      (handlers.app as Record<string, unknown>).info = original;
    }
  });

  it('refuses mutating operations on read-only hosts before the handler runs', async () => {
    const mutating = listOperations().find((o) => o.def.mutates);
    rt.hosts.add(createHost({ id: 'snap', label: 'Snapshot', kind: 'snapshot', readOnly: true }));
    if (mutating) {
      const r = await rt.call(mutating.channel, { host: 'snap', input: {} });
      expect(r).toMatchObject({ ok: false, error: { code: 'READ_ONLY_HOST' } });
    }
    const r = await rt.call('app.info', { host: 'snap', input: {} });
    expect(r.ok).toBe(true);
  });

  it('maps an unexpected exception to INTERNAL without crashing', async () => {
    const original = handlers.app.hosts;
    (handlers.app as Record<string, unknown>).hosts = () => {
      throw new TypeError('boom');
    };
    try {
      expect(await rt.call('app.hosts', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
    } finally {
      (handlers.app as Record<string, unknown>).hosts = original;
    }
  });
});
