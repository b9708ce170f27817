import { create } from 'zustand';
import type { FleetSummary } from '../../../shared/compare/summary';
import { deckApi } from '../app/api';
import { useAppStore } from '../app/store';
import { errorOf, type Load } from '../app/load';
import { useCompareStore } from './store';

export type CompareView = 'grid' | 'summary';
export type SummaryScope = '' | 'sysctl' | 'dns' | 'firewall';

interface SummaryState {
  view: CompareView;
  /** A directory of snapshot files on the machine HostDeck runs on. */
  dir: string;
  /** Sections the kinds are made of ('' = all). */
  scope: SummaryScope;
  filter: string;
  result: Load<FleetSummary>;
  opening: { kind: number; error: string | null } | null;
  setView(v: CompareView): void;
  setDir(d: string): void;
  setFilter(f: string): void;
  setScope(s: SummaryScope): Promise<void>;
  summarize(): Promise<void>;
  /** Opens a kind's members side by side in the grid (at most 50 hosts; a host of the largest kind first, as the baseline). */
  openKind(index: number): Promise<void>;
}

let seq = 0;

/**
 * The fleet summary on the Compare page: computed on the Node side (compare.summary) and sent
 * compact (per differing key its values, counts and folded host ranges), so 1,000 hosts are one
 * small answer.
 */
export const useSummaryStore = create<SummaryState>()((set, get) => ({
  view: 'grid',
  dir: '',
  scope: '',
  filter: '',
  result: { state: 'idle' },
  opening: null,
  setView: (view) => set({ view }),
  setDir: (dir) => set({ dir }),
  setFilter: (filter) => set({ filter }),
  async setScope(scope) {
    set({ scope });
    if (get().result.state !== 'idle') await get().summarize();
  },
  async summarize() {
    const dir = get().dir.trim();
    const hosts = useCompareStore.getState().hosts;
    if (!dir && hosts.length < 2) return;
    const n = ++seq;
    set({ result: { state: 'loading' }, opening: null });
    const only = get().scope ? [get().scope as Exclude<SummaryScope, ''>] : undefined;
    const { layer: shown, dnsName } = useCompareStore.getState();
    // The summary counts one layer per host: the three-way view's hosts are counted by their permanent one.
    const layer = shown === 'both' ? 'permanent' : shown;
    try {
      const value = await deckApi.compare.summary(dir ? { dir, only, layer, dnsName } : { hosts, only, layer, dnsName });
      if (n === seq) set({ result: { state: 'ready', value } });
    } catch (e) {
      if (n === seq) set({ result: errorOf(e) });
    }
  },
  async openKind(index) {
    const r = get().result;
    if (r.state !== 'ready') return;
    const kind = r.value.kinds[index];
    if (!kind) return;
    set({ opening: { kind: index, error: null } });
    try {
      // Members of one kind are alike in scope: a host of the largest kind comes first, as the baseline they are seen against.
      const reference = index > 0 ? [r.value.kinds[0]!.members[0]!] : [];
      const refs = [...reference, ...kind.members].slice(0, 50).map((m) => r.value.hosts[m]!.ref);
      // A directory's files become read-only hosts; host ids are compared as they are.
      const ids = get().dir.trim() ? (await deckApi.compare.open({ files: refs })).hosts : refs;
      await useAppStore.getState().refreshHosts();
      useCompareStore.setState({ hosts: [], baseline: null });
      set({ view: 'grid', opening: null });
      await useCompareStore.getState().addHosts(ids);
    } catch (e) {
      set({ opening: { kind: index, error: errorOf(e).message } });
    }
  },
}));
