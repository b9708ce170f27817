import { create } from 'zustand';
import type { CaptureSummary } from '../../../shared/compare/contract';
import type { CompareResult } from '../../../shared/compare/diff';
import { IMPORT_MAX_BYTES } from '../../../shared/compare/imports';
import { api } from '../app/api';
import { useAppStore } from '../app/store';
import { useKernelStore } from '../kernel/store';

export type Section = 'sysctl' | 'sysctld' | 'dns' | 'firewall';
export type HostRead = { state: 'reading' } | { state: 'done'; summary: CaptureSummary } | { state: 'failed'; message: string };
type Load<T> = { state: 'idle' } | { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; code: string; message: string };

export interface Filters {
  differencesOnly: boolean;
  text: string;
  subsystem: string;
  namespace: '' | 'net' | 'ipc' | 'uts' | 'user' | 'none';
  verdict: '' | 'safe' | 'unsafe' | 'node-level';
}

interface CompareState {
  /** Compared host ids, in column order. */
  hosts: string[];
  baseline: string | null;
  reads: Record<string, HostRead>;
  result: Load<CompareResult>;
  section: Section;
  filters: Filters;
  layer: 'runtime' | 'permanent';
  dnsName: string;
  /** The session's Kubernetes version: the one chosen on the Kernel page (follows it). */
  k8s: string;
  /** Chosen for "make them the same": sysctl keys and "zone:NAME"/"policy:NAME". */
  chosenKeys: string[];
  chosenObjects: string[];
  importing: boolean;
  importError: { code: string; message: string } | null;
  setSection(s: Section): void;
  setFilters(f: Partial<Filters>): void;
  setLayer(l: 'runtime' | 'permanent'): void;
  setDnsName(n: string): void;
  addHost(id: string): void;
  /** Adds several hosts, reads them in parallel and compares once. */
  addHosts(ids: string[]): Promise<void>;
  removeHost(id: string): Promise<void>;
  setBaseline(id: string): void;
  toggleKey(key: string): void;
  toggleObject(id: string): void;
  setChosen(keys: string[], objects: string[]): void;
  /** Re-reads every live host (per-host progress), then compares. */
  refresh(): Promise<void>;
  compare(): Promise<void>;
  importFiles(files: File[], oneHost: boolean): Promise<void>;
  clearImportError(): void;
}

const errorOf = (e: unknown) => {
  const err = e as { code?: string; message?: string };
  return { code: err.code ?? 'INTERNAL', message: err.message ?? String(e) };
};

/** Reads a file picked in the UI; refuses one over the import limit before reading it. */
async function readPicked(f: File): Promise<{ name: string; text: string; layer?: 'runtime' | 'permanent' }> {
  if (f.size > IMPORT_MAX_BYTES) {
    throw {
      code: 'TOO_LARGE',
      message: `${f.name} is ${(f.size / 1024 / 1024).toFixed(0)} MiB: imports are limited to ${IMPORT_MAX_BYTES / 1024 / 1024} MiB (a snapshot of a host is well under 1 MiB). Nothing was imported.`,
    };
  }
  const text = await f.text();
  return { name: f.name, text, ...(/permanent/i.test(f.name) ? { layer: 'permanent' as const } : {}) };
}

let compareSeq = 0;

export const useCompareStore = create<CompareState>((set, get) => ({
  hosts: [],
  baseline: null,
  reads: {},
  result: { state: 'idle' },
  section: 'sysctl',
  filters: { differencesOnly: true, text: '', subsystem: '', namespace: '', verdict: '' },
  layer: 'runtime',
  dnsName: 'example',
  k8s: useKernelStore.getState().target.k8s,
  chosenKeys: [],
  chosenObjects: [],
  importing: false,
  importError: null,
  setSection: (section) => set({ section }),
  setFilters: (f) => set({ filters: { ...get().filters, ...f } }),
  setLayer(layer) {
    set({ layer });
    void get().compare();
  },
  setDnsName(dnsName) {
    set({ dnsName });
    void get().compare();
  },
  addHost(id) {
    void get().addHosts([id]);
  },
  async addHosts(ids) {
    const fresh = ids.filter((id, i) => !get().hosts.includes(id) && ids.indexOf(id) === i).slice(0, Math.max(0, 50 - get().hosts.length));
    if (!fresh.length) return;
    set({ hosts: [...get().hosts, ...fresh], baseline: get().baseline ?? fresh[0]! });
    await Promise.all(fresh.map((id) => readHost(id)));
    await get().compare();
  },
  async removeHost(id) {
    const hosts = get().hosts.filter((h) => h !== id);
    set({ hosts, baseline: get().baseline === id ? (hosts[0] ?? null) : get().baseline });
    await get().compare();
  },
  setBaseline(id) {
    set({ baseline: id });
    void get().compare();
  },
  toggleKey(key) {
    const c = get().chosenKeys;
    set({ chosenKeys: c.includes(key) ? c.filter((k) => k !== key) : [...c, key] });
  },
  toggleObject(id) {
    const c = get().chosenObjects;
    set({ chosenObjects: c.includes(id) ? c.filter((k) => k !== id) : [...c, id] });
  },
  setChosen: (chosenKeys, chosenObjects) => set({ chosenKeys, chosenObjects }),
  async refresh() {
    await Promise.all(get().hosts.map((id) => readHost(id)));
    await get().compare();
  },
  async compare() {
    const { hosts, baseline, layer, dnsName, k8s } = get();
    if (hosts.length < 2) {
      set({ result: { state: 'idle' } });
      return;
    }
    const seq = ++compareSeq;
    if (get().result.state !== 'ready') set({ result: { state: 'loading' } });
    try {
      const value = await api.compare.run({ hosts, baseline: baseline ?? undefined, layer, dnsName, k8s });
      if (seq === compareSeq) set({ result: { state: 'ready', value } });
    } catch (e) {
      if (seq === compareSeq) set({ result: { state: 'error', ...errorOf(e) } });
    }
  },
  async importFiles(files, oneHost) {
    set({ importing: true, importError: null });
    try {
      const picked = await Promise.all(files.map(readPicked));
      const groups = oneHost ? [picked] : picked.map((p) => [p]);
      const ids: string[] = [];
      try {
        for (const g of groups) ids.push((await api.compare.import({ files: g })).host.id);
      } finally {
        // Files before a bad one are loaded whole; the bad one is not loaded at all.
        if (ids.length) {
          await useAppStore.getState().refreshHosts();
          void get().addHosts(ids);
        }
      }
    } catch (e) {
      set({ importError: errorOf(e) });
    } finally {
      set({ importing: false });
    }
  },
  clearImportError: () => set({ importError: null }),
}));

// One Kubernetes version for the session: the Kernel page's choice drives the comparison's verdicts and reports.
useKernelStore.subscribe((s) => {
  if (s.target.k8s === useCompareStore.getState().k8s) return;
  useCompareStore.setState({ k8s: s.target.k8s });
  void useCompareStore.getState().compare();
});

/** At most this many hosts are read at once (an SSH read costs the client CPU; sshd has MaxSessions). */
const READ_CONCURRENCY = 8;
let active = 0;
const waiting: (() => void)[] = [];

async function readHost(id: string): Promise<void> {
  const st = useCompareStore;
  st.setState({ reads: { ...st.getState().reads, [id]: { state: 'reading' } } });
  if (active >= READ_CONCURRENCY) await new Promise<void>((r) => waiting.push(r));
  active++;
  try {
    await readOne(id);
  } finally {
    active--;
    waiting.shift()?.();
  }
}

async function readOne(id: string): Promise<void> {
  const st = useCompareStore;
  let next: HostRead;
  try {
    const summary = await api.compare.capture({}, { host: id });
    next = { state: 'done', summary };
  } catch (e) {
    next = { state: 'failed', message: errorOf(e).message };
  }
  st.setState({ reads: { ...st.getState().reads, [id]: next } });
}
