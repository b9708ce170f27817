import { createApi, type Transport } from '../../../shared/api/client';
import type { Api, HostDeckEvent } from '../../../shared/api/contract';
import type { Envelope } from '../../../shared/api/errors';
import type { HostDeckBridge } from '../../../shared/api/bridge';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    hostdeckBridge?: HostDeckBridge;
  }
}

/** Browser mode: the same operations over HTTP; the token travels in an HttpOnly cookie. */
const httpTransport: Transport = async (channel, request) => {
  const res = await fetch(`/api/${encodeURIComponent(channel)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
    credentials: 'same-origin',
  });
  if (res.status === 401 || res.status === 403) {
    return { ok: false, error: { code: 'NOT_AUTHORIZED', message: 'This page has no valid HostDeck token: open the URL that `hostdeck serve` printed.' } };
  }
  return (await res.json()) as Envelope;
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
function subscribeSse(listener: EventListener): () => void {
  sseListeners.add(listener);
  if (!source) {
    source = new EventSource('/api/events', { withCredentials: true });
    source.onmessage = (m) => {
      const e = JSON.parse(String(m.data)) as HostDeckEvent;
      for (const l of [...sseListeners]) l(e);
    };
  }
  return () => {
    sseListeners.delete(listener);
    if (sseListeners.size === 0 && source) {
      source.close();
      source = undefined;
    }
  };
}
