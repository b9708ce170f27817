import { createApi, type Transport } from '../../../shared/api/client';
import type { Api, Feature, HostDeckEvent, OpInput, OpName, OpOutput } from '../../../shared/api/contract';
import type { Envelope } from '../../../shared/api/errors';
import type { HostDeckBridge } from '../../../shared/api/bridge';
import { connectionState, setConnectionState } from './connection';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    hostdeckBridge?: HostDeckBridge;
  }
}

const SESSION_EXPIRED =
  "Session expired: this page's HostDeck token is no longer valid (the server restarted?). Reload the page from the URL `hostdeck serve` printed.";

/** Browser mode: the same operations over HTTP; the token travels in an HttpOnly cookie. */
const httpTransport: Transport = async (channel, request) => {
  let res: Response;
  try {
    res = await fetch(`/api/${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
      credentials: 'same-origin',
    });
  } catch {
    setConnectionState('reconnecting');
    return { ok: false, error: { code: 'IO_ERROR', message: 'The HostDeck server is not reachable (stopped, or the ssh -L tunnel is down).' } };
  }
  if (res.status === 401) {
    // Never reported as NOT_AUTHORIZED: that is polkit refusing, and this is a stale page.
    setConnectionState('expired');
    return { ok: false, error: { code: 'NOT_AUTHENTICATED', message: SESSION_EXPIRED } };
  }
  const envelope = (await res.json().catch(() => undefined)) as Envelope | undefined;
  if (!envelope) return { ok: false, error: { code: 'INTERNAL', message: `The server answered ${res.status} without a HostDeck answer` } };
  return envelope;
};

function bridgeTransport(bridge: HostDeckBridge): Transport {
  return (channel, request) => {
    const [feature = '', name = ''] = channel.split('.');
    const fn = (bridge[feature] as Record<string, (r: typeof request) => Promise<Envelope>> | undefined)?.[name];
    if (!fn) return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_OPERATION', message: `No operation ${channel}` } });
    return fn(request);
  };
}

const bridge = typeof window !== 'undefined' ? window.hostdeckBridge : undefined;

const direct: Transport = bridge ? bridgeTransport(bridge) : httpTransport;

/**
 * Reads started before anyone asked (prefetchRead): the first identical call takes the answer,
 * once, and only while it is fresh; any other call goes out as usual.
 */
const early = new Map<string, { answer: Promise<Envelope>; at: number }>();
const EARLY_FRESH_MS = 10_000;
const earlyKey = (channel: string, request: { host?: string; input: unknown }) => JSON.stringify([channel, request.host ?? 'local', request.input ?? {}]);

const transport: Transport = (channel, request) => {
  // No read started early: no key to make (a 50-file import's request is megabytes of JSON).
  if (early.size === 0) return direct(channel, request);
  const key = earlyKey(channel, request);
  const e = early.get(key);
  if (e) {
    early.delete(key);
    if (performance.now() - e.at < EARLY_FRESH_MS) return e.answer;
  }
  return direct(channel, request);
};

/**
 * Starts a read now, for the call a page is about to make with exactly this input (the shell
 * knows the page from the URL long before the page's chunk has arrived and asked). Reads only:
 * a change is never sent before the user made it.
 */
export function prefetchRead(hostId: string, channel: string, input: unknown): void {
  const request = { host: hostId, input };
  const key = earlyKey(channel, request);
  if (early.has(key)) return;
  const answer = direct(channel, request);
  early.set(key, { answer, at: performance.now() });
}

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

/** Builds the bound API over any transport (tests pass their own). */
export function createHostApi(inner: Transport, hostId: string): HostApi {
  if (!hostId) throw new Error('hostApi needs a host id');
  const api: Api = createApi(boundTransport(inner, hostId));
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
