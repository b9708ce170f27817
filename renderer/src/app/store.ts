import { create } from 'zustand';
import type { HostSummary } from '../../../shared/app/contract';
import type { FirewallStatus } from '../../../shared/firewall/contract';
import { onEvent, hostApi, deckApi } from './api';
import { forgetHost } from './host-store';

import { pageFromHash, pageIds, type PageId } from './route';

export { pageIds, type PageId } from './route';
export type Theme = 'light' | 'dark';

import { errorOf, type Load } from './load';

interface AppState {
  page: PageId;
  hostId: string;
  hosts: Load<HostSummary[]>;
  firewall: Load<FirewallStatus>;
  theme: Theme;
  setPage(page: PageId): void;
  setHost(id: string): void;
  setTheme(theme: Theme): void;
  refreshHosts(): Promise<void>;
  refreshFirewallStatus(): Promise<void>;
}

function initialTheme(): Theme {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('hostdeck.theme') : null;
  if (saved === 'light' || saved === 'dark') return saved;
  return typeof matchMedia !== 'undefined' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** App-wide state: current page, host and theme, and the status bar's firewalld facts. */
/** The app.hosts fetch under way, and the one queued behind it (see refreshHosts). */
let hostsFetch: Promise<void> | null = null;
let hostsAgain: Promise<void> | null = null;

export const useAppStore = create<AppState>((set, get) => ({
  page: pageFromHash(),
  hostId: 'local',
  hosts: { state: 'loading' },
  firewall: { state: 'loading' },
  theme: initialTheme(),
  setPage(page) {
    if (location.hash !== `#/${page}`) location.hash = `#/${page}`;
    set({ page });
  },
  setHost(id) {
    set({ hostId: id });
    void get().refreshFirewallStatus();
  },
  setTheme(theme) {
    localStorage.setItem('hostdeck.theme', theme);
    set({ theme });
  },
  refreshHosts() {
    // Coalesced: callers during a fetch share one more fetch after it (a burst of hostsChanged events costs two, not one each).
    if (hostsFetch) return (hostsAgain ??= hostsFetch.then(() => {
      hostsAgain = null;
      return get().refreshHosts();
    }));
    hostsFetch = (async () => {
      try {
        const { hosts } = await deckApi.app.hosts({});
        set({ hosts: { state: 'ready', value: hosts } });
      } catch (e) {
        set({ hosts: errorOf(e) });
      } finally {
        hostsFetch = null;
      }
    })();
    return hostsFetch;
  },
  async refreshFirewallStatus() {
    const host = get().hostId;
    // The masthead shows the selected host's firewalld: an answer for a host no longer selected is dropped.
    const put = (firewall: Load<FirewallStatus>) => get().hostId === host && set({ firewall });
    set({ firewall: { state: 'loading' } });
    try {
      put({ state: 'ready', value: await hostApi(host).firewall.status({ configuration: true }) });
    } catch (e) {
      put(errorOf(e));
    }
  },
}));

/** Wires browser history and pushed events into the store; called once by App. */
export function startAppStore(): () => void {
  // Only page routes change the page; any other fragment (an in-page anchor) leaves it alone.
  const onHash = () => {
    if ((pageIds as string[]).includes(location.hash.replace(/^#\/?/, ''))) useAppStore.setState({ page: pageFromHash() });
  };
  window.addEventListener('hashchange', onHash);
  const off = onEvent((e) => {
    // The host list is HostDeck's own (events on "local"), whichever host is selected.
    // A remote host's state or privilege changed: its capabilities (what the pages may offer) may have too.
    if (e.name === 'app.hostsChanged' || (e.name === 'hosts.changed' && e.payload.host)) void useAppStore.getState().refreshHosts();
    if (e.name === 'hosts.changed' && e.payload.removed === useAppStore.getState().hostId) useAppStore.getState().setHost('local');
    if (e.name === 'hosts.changed' && e.payload.removed) forgetHost(e.payload.removed);
    if (e.name === 'hosts.changed' && e.payload.host?.id === useAppStore.getState().hostId && e.payload.host.state === 'connected' && useAppStore.getState().firewall.state !== 'ready') {
      void useAppStore.getState().refreshFirewallStatus();
    }
    if (e.host !== useAppStore.getState().hostId) return;
    if (e.name === 'firewall.statusChanged') {
      useAppStore.setState({ firewall: { state: 'ready', value: e.payload } });
      // firewalld just stopped: the status read adds what its files would load (the masthead's "offline configuration").
      const host = e.host;
      if (!e.payload.running && e.payload.problem === 'notRunning' && !e.payload.configuration) {
        void hostApi(host).firewall.status({ configuration: true }).then((value) => useAppStore.getState().hostId === host && useAppStore.setState({ firewall: { state: 'ready', value } }), () => undefined);
      }
    }
  });
  void useAppStore.getState().refreshHosts();
  void useAppStore.getState().refreshFirewallStatus();
  return () => {
    window.removeEventListener('hashchange', onHash);
    off();
  };
}
