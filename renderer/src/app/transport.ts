import type { Transport } from '../../../shared/api/call';
import type { Envelope } from '../../../shared/api/errors';
import type { HostDeckBridge } from '../../../shared/api/bridge';
import { setConnectionState } from './connection';

/*
 * How calls travel, without the contract: the entry chunk imports this (through first-read.ts)
 * to send the opened page's first read before the rest of the app, with zod and every feature's
 * schemas, has even arrived (issue #22). Only types from shared/api here.
 */

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

export const bridge = typeof window !== 'undefined' ? window.hostdeckBridge : undefined;

const direct: Transport = bridge ? bridgeTransport(bridge) : httpTransport;

/**
 * Reads started before anyone asked (prefetchRead): the first identical call takes the answer,
 * once, and only while it is fresh; any other call goes out as usual.
 */
const early = new Map<string, { answer: Promise<Envelope>; at: number }>();
const EARLY_FRESH_MS = 10_000;
const earlyKey = (channel: string, request: { host?: string; input: unknown }) => JSON.stringify([channel, request.host ?? 'local', request.input ?? {}]);

export const transport: Transport = (channel, request) => {
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

