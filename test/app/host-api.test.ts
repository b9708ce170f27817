import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Transport } from '../../shared/api/client';
import type { CallRequest, OpInput } from '../../shared/api/contract';
import { createHostApi, type HostApi } from '../../renderer/src/app/api';
import { forgetHost, hostStores } from '../../renderer/src/app/host-store';

/** A transport that records every call and answers like the Node side would (an empty list). */
function recorder() {
  const calls: { channel: string; request: CallRequest }[] = [];
  const transport: Transport = async (channel, request) => {
    calls.push({ channel, request });
    return { ok: true, result: { kernel: '6.1', liveSource: { kind: 'running-kernel' }, entries: [] } };
  };
  return { calls, transport };
}

describe('the API bound to a host', () => {
  it('fills in its host on every call', async () => {
    const { calls, transport } = recorder();
    const web1 = createHostApi(transport, 'web1');
    await web1.kernel.list({ k8s: '1.31' });
    await web1.helper.status({}).catch(() => undefined);
    expect(calls.map((c) => [c.channel, c.request.host])).toEqual([
      ['kernel.list', 'web1'],
      ['helper.status', 'web1'],
    ]);
    expect(calls[0]!.request.input).toEqual({ k8s: '1.31' });
  });

  it('cannot be sent to another host: a host option is a type error and is ignored at run time', async () => {
    const { calls, transport } = recorder();
    const web1 = createHostApi(transport, 'web1');
    // @ts-expect-error -- a bound call takes its input only; there is no host to pass
    await web1.kernel.list({ k8s: '1.31' }, { host: 'web2' });
    expect(calls[0]!.request.host).toBe('web1');
    expectTypeOf<Parameters<HostApi['kernel']['undo']>>().toEqualTypeOf<[OpInput<'kernel', 'undo'>]>();
    expectTypeOf<Parameters<HostApi['firewall']['safeApply']>>().toEqualTypeOf<[OpInput<'firewall', 'safeApply'>]>();
  });

  it('needs a host to be made', () => {
    expect(() => createHostApi(recorder().transport, '')).toThrow(/host id/);
  });
});

describe('per-host stores', () => {
  // Shaped like the kernel page's undo: what an action stores stays in its own host's store.
  type S = { undo: string[]; apply(v: string): Promise<void>; undoIt(): Promise<string[]> };
  const { calls, transport } = recorder();
  const stores = hostStores<S>(
    ({ id, api }) =>
      (set, get) => ({
        undo: [],
        async apply(v) {
          await api.kernel.list({ k8s: v });
          set({ undo: [...get().undo, `${id}:${v}`] });
        },
        async undoIt() {
          await api.kernel.list({ k8s: get().undo.join(',') || 'none' });
          return get().undo;
        },
      }),
    (id) => createHostApi(transport, id),
  );

  it("keeps one host's state and calls away from another's, late answers included", async () => {
    // An apply on web1 whose answer arrives after web2 is on screen.
    const pending = stores.of('web1').getState().apply('a');
    expect(stores.of('web2').getState().undo).toEqual([]);
    await pending;
    expect(stores.of('web1').getState().undo).toEqual(['web1:a']);
    // web2's undo has nothing of web1's, and goes to web2 only.
    expect(await stores.of('web2').getState().undoIt()).toEqual([]);
    expect(calls.at(-1)!.request).toEqual({ host: 'web2', input: { k8s: 'none' } });
    expect(await stores.of('web1').getState().undoIt()).toEqual(['web1:a']);
    expect(calls.at(-1)!.request).toEqual({ host: 'web1', input: { k8s: 'web1:a' } });
    expect(stores.hosts().sort()).toEqual(['web1', 'web2']);
  });

  it('a removed host is forgotten by every page: added again under the same id, it starts clean', async () => {
    const other = hostStores<{ draft: string }>(() => () => ({ draft: 'web3 draft' }), (id) => createHostApi(transport, id));
    await stores.of('web3').getState().apply('old');
    other.of('web3').setState({ draft: 'edited' });
    forgetHost('web3');
    expect(stores.hosts()).not.toContain('web3');
    expect(other.hosts()).not.toContain('web3');
    expect(stores.of('web3').getState().undo).toEqual([]);
    expect(other.of('web3').getState().draft).toBe('web3 draft');
    // Other hosts keep theirs.
    expect(stores.of('web1').getState().undo).toEqual(['web1:a']);
  });
});
