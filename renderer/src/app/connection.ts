/**
 * Whether this page still talks to a HostDeck server it is signed in to. Browser mode only: the
 * events stream (Server-Sent Events) drops when the server stops or restarts, and an API call
 * answered 401 means the page's token is no longer valid (a restarted server has a new one).
 * Electron's IPC cannot drop, so there the state stays "live".
 */
export type ConnectionState = 'live' | 'reconnecting' | 'expired';

type Listener = (s: ConnectionState) => void;
let state: ConnectionState = 'live';
const listeners = new Set<Listener>();

export function connectionState(): ConnectionState {
  return state;
}

export function setConnectionState(next: ConnectionState): void {
  // Expired is final for this page: only a reload (with a valid token) leaves it.
  if (state === next || state === 'expired') return;
  state = next;
  for (const l of [...listeners]) l(next);
}

export function onConnectionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
