import { create } from 'zustand';
import type { RemoteHost } from '../../../shared/hosts/contract';
import { onEvent, deckApi } from '../app/api';

import { errorOf, type Load } from '../app/load';

interface HostsState {
  hosts: Load<RemoteHost[]>;
  /** Operation in flight per host id ("" for add). */
  busy: Record<string, string>;
  /** The last failed action, shown above the list. */
  error: { code: string; message: string } | null;
  refresh(): Promise<void>;
  add(destination: string, name?: string): Promise<RemoteHost | undefined>;
  remove(id: string): Promise<void>;
  check(id: string): Promise<void>;
  accept(id: string, fingerprint: string): Promise<void>;
  /** Review and replace a changed key (only if the host presents exactly `fingerprint`). */
  replaceKey(id: string, fingerprint: string): Promise<void>;
  installHelper(id: string): Promise<string[] | undefined>;
  /** "Import inventory": saves the hosts of an Ansible inventory, then lists them. */
  importInventory(inventory: string, limit?: string): Promise<{ added: string[]; updated: string[]; skipped: { host: string; reason: string }[]; notes: string[] } | undefined>;
  clearError(): void;
}

function upsert(list: RemoteHost[], h: RemoteHost): RemoteHost[] {
  const i = list.findIndex((x) => x.id === h.id);
  if (i < 0) return [...list, h];
  const out = list.slice();
  out[i] = h;
  return out;
}

/** Saved remote hosts and their live state (pushed by the hosts.changed event). */
export const useHostsStore = create<HostsState>((set, get) => {
  const busy = async <T,>(id: string, what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    set({ busy: { ...get().busy, [id]: what }, error: null });
    try {
      return await fn();
    } catch (e) {
      set({ error: { code: errorOf(e).code, message: errorOf(e).message } });
      return undefined;
    } finally {
      const b = { ...get().busy };
      delete b[id];
      set({ busy: b });
    }
  };
  const put = (h: RemoteHost | undefined) => {
    const cur = get().hosts;
    if (h && cur.state === 'ready') set({ hosts: { state: 'ready', value: upsert(cur.value, h) } });
  };
  return {
    hosts: { state: 'loading' },
    busy: {},
    error: null,
    async refresh() {
      try {
        const { hosts } = await deckApi.hosts.list({});
        set({ hosts: { state: 'ready', value: hosts } });
      } catch (e) {
        set({ hosts: errorOf(e) });
      }
    },
    async add(destination, name) {
      const r = await busy('', `Connecting to ${destination}`, () => deckApi.hosts.add({ destination, name: name || undefined }));
      put(r?.host);
      return r?.host;
    },
    async remove(id) {
      const r = await busy(id, 'Removing', () => deckApi.hosts.remove({ id }));
      const cur = get().hosts;
      if (r && cur.state === 'ready') set({ hosts: { state: 'ready', value: cur.value.filter((h) => h.id !== id) } });
    },
    async check(id) {
      put((await busy(id, 'Connecting', () => deckApi.hosts.check({ id })))?.host);
    },
    async accept(id, fingerprint) {
      put((await busy(id, 'Accepting the host key', () => deckApi.hosts.acceptHostKey({ id, fingerprint })))?.host);
    },
    async replaceKey(id, fingerprint) {
      put((await busy(id, 'Replacing the host key', () => deckApi.hosts.replaceHostKey({ id, fingerprint })))?.host);
    },
    async installHelper(id) {
      const r = await busy(id, 'Installing the helper', () => deckApi.hosts.installHelper({ id }));
      return r?.steps;
    },
    async importInventory(inventory, limit) {
      const r = await busy('inventory', 'Reading the inventory', () => deckApi.hosts.importInventory({ inventory, limit }));
      if (r) await get().refresh();
      return r;
    },
    clearError() {
      set({ error: null });
    },
  };
});

/** Follows pushed host state; called once by App. */
export function startHostsStore(): () => void {
  const off = onEvent((e) => {
    if (e.name !== 'hosts.changed') return;
    const cur = useHostsStore.getState().hosts;
    if (cur.state !== 'ready') return;
    if (e.payload.removed) useHostsStore.setState({ hosts: { state: 'ready', value: cur.value.filter((h) => h.id !== e.payload.removed) } });
    const h = e.payload.host;
    // Only saved hosts are listed; a temporary one (a destination named in a call) is not added here.
    if (h && cur.value.some((x) => x.id === h.id)) useHostsStore.setState({ hosts: { state: 'ready', value: upsert(cur.value, h) } });
  });
  void useHostsStore.getState().refresh();
  return off;
}
