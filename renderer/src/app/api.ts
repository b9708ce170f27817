import type { Transport } from '../../../shared/api/call';
import { createApiByName } from '../../../shared/api/by-feature';
import type { Api, Feature, HostDeckEvent, OpInput, OpName, OpOutput } from '../../../shared/api/contract';
import { connectionState, setConnectionState } from './connection';
import { bridge, transport } from './transport';

export { prefetchRead } from './transport';

/**
 * The typed API bound to one host: hostApi(id).kernel.list({}). Its calls take the input only;
 * the host is filled in by the binding, so a page cannot forget it or send another host's.
 */
export type HostApi = {
  [F in Feature]: {
    [N in OpName<F>]: (input: OpInput<F, N>) => Promise<OpOutput<F, N>>;
  };
};

/** Wraps a transport so that every call goes to `hostId`, whatever the caller sent. */
export function boundTransport(inner: Transport, hostId: string): Transport {
  return (channel, request) => inner(channel, { input: request.input, host: hostId });
}

/**
 * Builds the bound API over any transport (tests pass their own). By name, without the contract:
 * the page needs no zod schema to call (the server checks every call against the contract), so
 * the shell does not load and build every feature's schemas before the first page can render
 * (the cold Kernel page, issue #22). The types still come from the contract.
 */
export function createHostApi(inner: Transport, hostId: string): HostApi {
  if (!hostId) throw new Error('hostApi needs a host id');
  const api: Api = createApiByName(boundTransport(inner, hostId));
  return api as HostApi;
}

const bound = new Map<string, HostApi>();

/** The API bound to `hostId` (one object per host, so it can be a hook dependency). */
export function hostApi(hostId: string): HostApi {
  let a = bound.get(hostId);
  if (!a) {
    a = createHostApi(transport, hostId);
    bound.set(hostId, a);
  }
  return a;
}

/**
 * HostDeck's own operations: the app's facts, the saved host list, comparing hosts. They run
 * in HostDeck's process ("local"), whichever host is on screen; anything about one host goes
 * through hostApi(id).
 */
export const deckApi: Pick<HostApi, 'app' | 'hosts' | 'compare'> = hostApi('local');

export type EventListener = (e: HostDeckEvent) => void;

/** Subscribes to pushed events (IPC in Electron, Server-Sent Events in browser mode). */
export function onEvent(listener: EventListener): () => void {
  if (bridge) return bridge.onEvent(listener);
  return subscribeSse(listener);
}

const sseListeners = new Set<EventListener>();
let source: EventSource | undefined;
let retry: ReturnType<typeof setTimeout> | undefined;

function openSse(): void {
  const es = new EventSource('/api/events', { withCredentials: true });
  source = es;
  es.onopen = () => setConnectionState('live');
  es.onmessage = (m) => {
    const e = JSON.parse(String(m.data)) as HostDeckEvent;
    for (const l of [...sseListeners]) l(e);
  };
  es.onerror = () => {
    if (connectionState() !== 'expired') setConnectionState('reconnecting');
    // CONNECTING: the browser retries by itself. CLOSED: the server answered, but not with the
    // stream (401 after a restart with a new token): find out which, then retry or give up.
    if (es.readyState !== EventSource.CLOSED) return;
    es.close();
    if (source === es) source = undefined;
    void fetch('/api/app.info', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"input":{}}', credentials: 'same-origin' })
      .then((r) => (r.status === 401 ? setConnectionState('expired') : undefined))
      .catch(() => undefined)
      .finally(() => {
        if (connectionState() === 'expired' || sseListeners.size === 0 || source) return;
        clearTimeout(retry);
        retry = setTimeout(() => {
          if (!source && sseListeners.size) openSse();
        }, 2000);
      });
  };
}

function subscribeSse(listener: EventListener): () => void {
  sseListeners.add(listener);
  if (!source) openSse();
  return () => {
    sseListeners.delete(listener);
    if (sseListeners.size === 0 && source) {
      source.close();
      source = undefined;
      clearTimeout(retry);
    }
  };
}
