import { createApi, type Transport } from '../../../shared/api/client';
import type { Api, HostDeckEvent } from '../../../shared/api/contract';
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

/** The typed API: api.firewall.status({}), api.kernel.list({}), ... */
export const api: Api = createApi(bridge ? bridgeTransport(bridge) : httpTransport);

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
