import { create } from 'zustand';
import type { CollectResult } from '../../../shared/compare/collect';
import { deckApi, onEvent } from '../app/api';
import { useAppStore } from '../app/store';
import { errorOf } from '../app/load';
import { useCompareStore } from './store';
import { useSummaryStore } from './summary-store';

export interface CollectFailure {
  host: string;
  error: string;
}

interface CollectState {
  /** The run on screen: what is collected, how far it is, and how it ended. */
  run: {
    id: string;
    inventory: string;
    limit: string | null;
    state: 'running' | 'cancelling' | 'done' | 'error';
    done: number;
    /** Known from the first host's answer on (Ansible lists the hosts first). */
    total: number | null;
    read: number;
    failures: CollectFailure[];
    result: CollectResult | null;
    error: string | null;
  } | null;
  /** Collects the hosts of `inventory` (optionally a pattern: a group) through Ansible, then shows them. */
  start(inventory: string, limit?: string): Promise<void>;
  cancel(): Promise<void>;
  dismiss(): void;
}

let seq = 0;

/**
 * "Collect with Ansible" (compare.collect): progress from compare.collectProgress events of this
 * run, Cancel through compare.collectCancel; the result opens on the Compare page as the grid of
 * the collected hosts (up to 50) or as the fleet summary of the run's snapshots.
 */
export const useCollectStore = create<CollectState>()((set, get) => ({
  run: null,
  async start(inventory, limit) {
    if (get().run && (get().run!.state === 'running' || get().run!.state === 'cancelling')) return;
    const id = `page-${Date.now().toString(36)}-${++seq}`;
    set({ run: { id, inventory, limit: limit ?? null, state: 'running', done: 0, total: null, read: 0, failures: [], result: null, error: null } });
    const off = onEvent((e) => {
      if (e.name !== 'compare.collectProgress' || e.payload.run !== id) return;
      const r = get().run;
      // Once the answer is in, it is the whole story: a progress event arriving after it would count a host twice.
      if (!r || r.id !== id || (r.state !== 'running' && r.state !== 'cancelling')) return;
      const p = e.payload;
      set({ run: { ...r, done: Math.max(r.done, p.done), total: p.total, read: r.read + (p.ok ? 1 : 0), failures: p.ok ? r.failures : [...r.failures, { host: p.host, error: p.error ?? 'not read' }] } });
    });
    try {
      // The layer only shapes a fleet summary, which has one layer: "both" summarizes the permanent one, as the page's summary does.
      const pageLayer = useCompareStore.getState().layer;
      const result = await deckApi.compare.collect({ run: id, inventory, limit, layer: pageLayer === 'both' ? 'permanent' : pageLayer, dnsName: useCompareStore.getState().dnsName });
      const r = get().run;
      if (!r || r.id !== id) return;
      // The answer is the whole story (an event may still be on its way): counts and failures from it.
      const failures = result.hosts.filter((h) => !h.ok).map((h) => ({ host: h.host, error: h.error ?? 'not read' }));
      set({ run: { ...r, state: 'done', result, done: result.hosts.length, total: result.hosts.length, read: result.hosts.length - failures.length, failures } });
      await show(result);
    } catch (e) {
      const r = get().run;
      if (r?.id === id) set({ run: { ...r, state: 'error', error: errorOf(e).message } });
    } finally {
      off();
    }
  },
  async cancel() {
    const r = get().run;
    if (!r || r.state !== 'running') return;
    set({ run: { ...r, state: 'cancelling' } });
    await deckApi.compare.collectCancel({ run: r.id }).catch(() => undefined);
  },
  dismiss: () => set({ run: null }),
}));

async function show(r: CollectResult): Promise<void> {
  if (r.view === 'grid') {
    await useAppStore.getState().refreshHosts();
    useCompareStore.setState({ hosts: [], baseline: null });
    useSummaryStore.getState().setView('grid');
    await useCompareStore.getState().addHosts(r.ids);
  } else if (r.view === 'summary' && r.summary && r.dir) {
    useSummaryStore.setState({ view: 'summary', dir: r.dir, result: { state: 'ready', value: r.summary }, opening: null });
  }
}
