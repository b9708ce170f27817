import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contract, events, listOperations, type EventName, type HostDeckEvent } from '../../shared/api/contract';
import { createApiByName, eventSchema, loadedOperation, operationByChannel } from '../../shared/api/by-feature';
import { ApiError } from '../../shared/api/errors';
import type { EventHub } from '../../electron/api/events';

// The Node side loads the contract one feature at a time (issue #22): it must be the same contract.
describe('contract by feature', () => {
  it('finds every operation of the whole contract, with the same definition, and nothing else', async () => {
    for (const op of listOperations()) {
      const got = await operationByChannel(op.channel);
      expect(got, op.channel).toEqual(op);
      expect(got!.def, op.channel).toBe(op.def);
      expect(loadedOperation(op.channel)?.def).toBe(op.def);
    }
    for (const bad of ['kernel.nope', 'nope.list', 'kernel', '', 'kernel.toString', 'kernel.__proto__', 'constructor.name', 'kernel.list.x']) {
      expect(await operationByChannel(bad), bad).toBeUndefined();
    }
    for (const [name, schema] of Object.entries(events)) {
      const s = eventSchema(name as EventName);
      expect('loaded' in s ? s.loaded : await s, name).toBe(schema);
    }
    expect(Object.keys(contract).length).toBeGreaterThan(5);
  });

  it('the API by name sends the channel it is asked for and unwraps envelopes, without a contract', async () => {
    const sent: string[] = [];
    const api = createApiByName(async (channel, req) => {
      sent.push(`${channel} ${JSON.stringify(req)}`);
      return channel === 'kernel.list' ? { ok: true, result: 42 } : { ok: false, error: { code: 'UNKNOWN_OPERATION', message: `No operation called "${channel}"` } };
    });
    expect(await api.kernel.list({ k8s: '1.33' }, { host: 'web1' })).toBe(42);
    expect(sent).toEqual(['kernel.list {"host":"web1","input":{"k8s":"1.33"}}']);
    await expect((api.kernel as unknown as Record<string, () => Promise<unknown>>).nope!()).rejects.toThrow(ApiError);
    // Neither the api nor a feature is a thenable: either may be a promise's value.
    expect(await Promise.resolve(api)).toBe(api);
    expect(await Promise.resolve(api.kernel)).toBe(api.kernel);
    expect((api as unknown as Record<string, unknown>).nope).toBeUndefined();
  });
});

describe('EventHub with schemas loaded on demand', () => {
  it('checks an event whose feature is not loaded yet, keeps the order of later ones, and drops a malformed one', async () => {
    // A fresh module graph: no feature contract loaded yet in this copy of by-feature.
    const { vi } = await import('vitest');
    vi.resetModules();
    const { EventHub: FreshHub } = (await import('../../electron/api/events')) as { EventHub: typeof EventHub };
    const hub = new FreshHub();
    const got: HostDeckEvent[] = [];
    hub.subscribe((e) => got.push(e));
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (errors.push(String(s)), true)) as typeof process.stderr.write;
    try {
      hub.emit('firewall.reloaded', 'local', { revision: 1 });
      hub.emit('firewall.reloaded', 'local', { revision: 'two' } as never);
      hub.emit('app.hostsChanged', 'local', {});
      hub.emit('firewall.reloaded', 'local', { revision: 3 });
      expect(got).toEqual([]);
      await hub.settled();
    } finally {
      process.stderr.write = write;
    }
    expect(got.map((e) => `${e.name} ${JSON.stringify(e.payload)}`)).toEqual(['firewall.reloaded {"revision":1}', 'app.hostsChanged {}', 'firewall.reloaded {"revision":3}']);
    expect(errors.join('')).toMatch(/event firewall\.reloaded dropped: .*revision/s);
    // Once loaded, a malformed event throws to its emitter again, synchronously.
    expect(() => hub.emit('firewall.reloaded', 'local', { revision: 'x' } as never)).toThrow(z.ZodError);
  });
});
