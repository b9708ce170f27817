import { createContext, useContext } from 'react';
import { createStore, useStore, type StateCreator, type StoreApi } from 'zustand';
import { hostApi, type HostApi } from './api';

/**
 * The host a page shows. App provides it around the page (keyed by host, so a switch remounts
 * the page); every page hook reads its host from here, never from a parameter.
 */
export const HostContext = createContext<string>('local');

/** The host of the page this component belongs to. */
export function usePageHost(): string {
  return useContext(HostContext);
}

/** The API bound to the page's host. */
export function useHostApi(): HostApi {
  return hostApi(usePageHost());
}

/** What a per-host store's state is made with: its own host and the API bound to it. */
export type HostStateCreator<S> = (host: { id: string; api: HostApi }) => StateCreator<S>;

/**
 * One store per host: everything a page keeps for a host (results, drafts, undo, revert
 * timers, pending confirmations) lives in that host's own store and its actions call the API
 * bound to that host. A late answer lands in the store of the host it was asked for, and
 * another host's store never sees it, so state cannot leak from one host to another by
 * construction (no reset on a switch to forget).
 */
export interface HostStores<S> {
  /** The page's host's state (a hook, like a zustand store's). */
  (): S;
  <T>(selector: (s: S) => T): T;
  /** The store of one host (made on first use). */
  of(hostId: string): StoreApi<S>;
  /** Hosts that have a store, and so state, in this session. */
  hosts(): string[];
  /** Drops a host's store (the host was removed). */
  forget(hostId: string): void;
}

/** Every per-host store family made in this window, so a removed host can be forgotten by all. */
const families = new Set<Pick<HostStores<unknown>, 'forget'>>();

/**
 * Drops a removed host's state from every page's stores: a host added again later under the same
 * id (often another machine) must start clean, without the old one's drafts, results or undo.
 */
export function forgetHost(hostId: string): void {
  for (const f of families) f.forget(hostId);
}

/** `apiFor` is the bound API per host (tests pass one over their own transport). */
export function hostStores<S>(make: HostStateCreator<S>, apiFor: (hostId: string) => HostApi = hostApi): HostStores<S> {
  const stores = new Map<string, StoreApi<S>>();
  const of = (hostId: string): StoreApi<S> => {
    let s = stores.get(hostId);
    if (!s) {
      s = createStore<S>()(make({ id: hostId, api: apiFor(hostId) }));
      stores.set(hostId, s);
    }
    return s;
  };
  function use(): S;
  function use<T>(selector: (s: S) => T): T;
  function use<T>(selector?: (s: S) => T): T | S {
    return useStore(of(usePageHost()), (selector ?? ((s: S) => s)) as (s: S) => T | S);
  }
  const family = Object.assign(use, {
    of,
    hosts: () => [...stores.keys()],
    forget: (hostId: string) => void stores.delete(hostId),
  });
  families.add(family);
  return family;
}
