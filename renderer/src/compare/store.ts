import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { CaptureSummary } from '../../../shared/compare/contract';
import type { HostSummary } from '../../../shared/app/contract';
import type { CompareLayer, CompareResult } from '../../../shared/compare/diff';
import { IMPORT_MAX_BYTES } from '../../../shared/compare/imports';
import { hostApi, deckApi } from '../app/api';
import type { OpInput } from '../../../shared/api/contract';
import { useAppStore } from '../app/store';
import { useKernelSettings } from '../kernel/store';
import { errorOf, type Load } from '../app/load';
import { gzipFiles } from './gzip/pool';

export type Section = 'sysctl' | 'sysctld' | 'dns' | 'firewall';
export type HostRead = { state: 'reading' } | { state: 'done'; summary: CaptureSummary } | { state: 'failed'; message: string };

export interface Filters {
  differencesOnly: boolean;
  text: string;
  subsystem: string;
  namespace: '' | 'net' | 'ipc' | 'uts' | 'user' | 'none';
  verdict: '' | 'safe' | 'unsafe' | 'node-level';
  /** Hide kernel parameters and sysctl.d keys that some compared host does not have at all. */
  hideMissing: boolean;
}

export const defaultFilters: Filters = { differencesOnly: true, text: '', subsystem: '', namespace: '', verdict: '', hideMissing: false };

interface CompareState {
  /** Compared host ids, in column order. */
  hosts: string[];
  baseline: string | null;
  reads: Record<string, HostRead>;
  result: Load<CompareResult>;
  section: Section;
  filters: Filters;
  /** "both": each live firewalld's runtime and permanent next to an image's files (three-way). */
  layer: CompareLayer;
  dnsName: string;
  /** The session's Kubernetes version: the one chosen on the Kernel page (follows it). */
  k8s: string;
  /** Chosen for "make them the same": sysctl keys and "zone:NAME"/"policy:NAME". */
  chosenKeys: string[];
  chosenObjects: string[];
  importing: boolean;
  importError: { code: string; message: string } | null;
  /** A refresh is under way: the table shown is the previous reading (when it was taken). */
  stale: { since: number } | null;
  /** Hosts of the saved compare set that this HostDeck no longer knows (imports after a restart). */
  lost: string[];
  /** After a reload: reads the saved compare set again (once per page load). */
  restore(): Promise<void>;
  clearLost(): void;
  setSection(s: Section): void;
  setFilters(f: Partial<Filters>): void;
  setLayer(l: CompareLayer): void;
  setDnsName(n: string): void;
  addHost(id: string): void;
  /**
   * Adds several hosts, reads them in parallel (unless `reads` already says what they hold) and
   * compares once; `compared` is a comparison already made of exactly the resulting set (an
   * import's answer), shown as it is.
   */
  addHosts(ids: string[], reads?: Record<string, HostRead>, compared?: CompareResult | null): Promise<void>;
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

type PickedFile = OpInput<'compare', 'import'>['files'][number];

/**
 * Reads the files picked in the UI; refuses one over the import limit before reading any. Files
 * are sent gzip-compressed where the browser can (CompressionStream): 50 snapshots are 6.8 MB of
 * JSON as text and ~0.9 MB so, which the page, the wire (an ssh -L tunnel) and the server's JSON
 * parse all feel (issue #22); the HostDeck side inflates them within the same limit. Workers
 * compress them (gzip/pool.ts), off the page's thread.
 */
async function readPicked(files: File[]): Promise<{ file: PickedFile; size: number }[]> {
  const big = files.find((f) => f.size > IMPORT_MAX_BYTES);
  if (big) {
    throw {
      code: 'TOO_LARGE',
      message: `${big.name} is ${(big.size / 1024 / 1024).toFixed(0)} MiB: imports are limited to ${IMPORT_MAX_BYTES / 1024 / 1024} MiB (a snapshot of a host is well under 1 MiB). Nothing was imported.`,
    };
  }
  const packed = typeof CompressionStream === 'function' ? files.filter((f) => f.size >= GZIP_FROM_BYTES) : [];
  const [gzip, texts] = await Promise.all([gzipFiles(packed), Promise.all(files.map((f) => (packed.includes(f) ? '' : f.text())))]);
  return files.map((f, i) => {
    const layer = /permanent/i.test(f.name) ? { layer: 'permanent' as const } : {};
    const p = packed.indexOf(f);
    return { file: p >= 0 ? { name: f.name, gzip: gzip[p]!, ...layer } : { name: f.name, text: texts[i]!, ...layer }, size: f.size };
  });
}

/** Smaller files go as text: compressing them saves nothing worth a stream. */
const GZIP_FROM_BYTES = 4096;

let compareSeq = 0;

/** What survives a browser reload (localStorage): the compare set and how it is looked at. */
type Persisted = Pick<CompareState, 'hosts' | 'baseline' | 'section' | 'filters' | 'layer' | 'dnsName' | 'chosenKeys' | 'chosenObjects'>;
export const COMPARE_STORAGE_KEY = 'hostdeck.compare';
let restored = false;

export const useCompareStore = create<CompareState>()(
  persist(
    (set, get) => ({
      hosts: [],
      baseline: null,
      reads: {},
      result: { state: 'idle' },
      section: 'sysctl',
      filters: defaultFilters,
      layer: 'runtime',
      dnsName: 'example',
      k8s: useKernelSettings.getState().target.k8s,
      chosenKeys: [],
      chosenObjects: [],
      importing: false,
      importError: null,
      stale: null,
      lost: [],
      async restore() {
        if (restored) return;
        restored = true;
        const saved = get().hosts;
        if (!saved.length || get().result.state !== 'idle') return;
        await useAppStore.getState().refreshHosts();
        const known = useAppStore.getState().hosts;
        // Imports live in the HostDeck process: after it restarted they are gone (ssh destinations typed by hand are not listed, and still work).
        const lost = known.state === 'ready' ? saved.filter((id) => id.startsWith('snapshot:') && !known.value.some((h) => h.id === id)) : [];
        const hosts = saved.filter((id) => !lost.includes(id));
        const baseline = get().baseline && hosts.includes(get().baseline!) ? get().baseline : (hosts[0] ?? null);
        set({ hosts, baseline, lost });
        await Promise.all(hosts.map((id) => readHost(id)));
        await get().compare();
      },
      clearLost: () => set({ lost: [] }),
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
      async addHosts(ids, reads = {}, compared = null) {
        const fresh = ids.filter((id, i) => !get().hosts.includes(id) && ids.indexOf(id) === i).slice(0, Math.max(0, 50 - get().hosts.length));
        if (!fresh.length) return;
        const known = Object.fromEntries(fresh.filter((id) => reads[id]).map((id) => [id, reads[id]!]));
        const hosts = [...get().hosts, ...fresh];
        const baseline = get().baseline ?? fresh[0]!;
        // The import's answer already compared exactly these hosts against this baseline: hosts, reads and table in one render.
        if (compared && fresh.every((id) => known[id]) && sameColumns(compared, hosts, baseline)) {
          ++compareSeq;
          set({ hosts, baseline, reads: { ...get().reads, ...known }, result: { state: 'ready', value: compared } });
          return;
        }
        set({ hosts, baseline, reads: { ...get().reads, ...known } });
        const unread = fresh.filter((id) => !known[id]);
        // Nothing to read (imports answer what they hold): the compare request leaves before React renders the new hosts.
        if (unread.length) await Promise.all(unread.map((id) => readHost(id)));
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
        if (get().result.state === 'ready') set({ stale: { since: Date.now() } });
        try {
          await Promise.all(get().hosts.map((id) => readHost(id)));
          await get().compare();
        } finally {
          set({ stale: null });
        }
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
          const value = await deckApi.compare.run({ hosts, baseline: baseline ?? undefined, layer, dnsName, k8s });
          if (seq === compareSeq) set({ result: { state: 'ready', value } });
        } catch (e) {
          if (seq === compareSeq) set({ result: errorOf(e) });
        }
      },
      async importFiles(files, oneHost) {
        set({ importing: true, importError: null });
        try {
          const total = files.reduce((n, f) => n + f.size, 0);
          if (oneHost && total > IMPORT_MAX_BYTES) {
            throw { code: 'TOO_LARGE', message: `These files are ${(total / 1024 / 1024).toFixed(0)} MiB together: the files of one host are limited to ${IMPORT_MAX_BYTES / 1024 / 1024} MiB. Nothing was imported.` };
          }
          const picked = await readPicked(files);
          const ids: string[] = [];
          const reads: Record<string, HostRead> = {};
          const loaded: HostSummary[] = [];
          let compared: CompareResult | null = null;
          try {
            // One call per batch (50 snapshots are one), not one per file; the answer says what a
            // capture would, and the last one holds the comparison the page shows (#22).
            const batches = importBatches(oneHost ? [picked] : picked.map((p) => [p]));
            for (const [n, batch] of batches.entries()) {
              const { hosts, baseline, layer, dnsName, k8s } = get();
              const compare = n === batches.length - 1 ? { hosts: [...hosts, ...ids].slice(0, 50), baseline: baseline ?? undefined, layer, dnsName, k8s } : undefined;
              const r = await deckApi.compare.importMany({ hosts: batch, compare });
              compared = r.compare;
              for (const h of r.hosts) {
                ids.push(h.host.id);
                loaded.push(h.host);
                reads[h.host.id] = { state: 'done', summary: h.capture };
              }
              if (r.error) throw { code: r.error.code, message: r.error.message };
            }
          } finally {
            // Files before a bad one are loaded whole; the bad one is not loaded at all. The answer
            // names the new hosts, so the compare starts now: the host list catches up from the
            // hostsChanged event instead of two app.hosts round trips in line before it (#17).
            if (ids.length) {
              knowHosts(loaded);
              void get().addHosts(ids, reads, compared);
            }
          }
        } catch (e) {
          set({ importError: { code: errorOf(e).code, message: errorOf(e).message } });
        } finally {
          set({ importing: false });
        }
      },
      clearImportError: () => set({ importError: null }),
    }),
    {
      name: COMPARE_STORAGE_KEY,
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: (s): Persisted => ({
        hosts: s.hosts,
        baseline: s.baseline,
        section: s.section,
        filters: s.filters,
        layer: s.layer,
        dnsName: s.dnsName,
        chosenKeys: s.chosenKeys,
        chosenObjects: s.chosenObjects,
      }),
      // Stored state is data from an older page: take only what has the right shape.
      merge: (stored, current) => {
        const p = (stored ?? {}) as Partial<Persisted>;
        const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
        const hosts = strings(p.hosts).slice(0, 50);
        return {
          ...current,
          hosts,
          baseline: typeof p.baseline === 'string' && hosts.includes(p.baseline) ? p.baseline : (hosts[0] ?? null),
          section: (['sysctl', 'sysctld', 'dns', 'firewall'] as Section[]).includes(p.section as Section) ? (p.section as Section) : current.section,
          filters: { ...defaultFilters, ...(p.filters && typeof p.filters === 'object' ? p.filters : {}) },
          layer: p.layer === 'permanent' || p.layer === 'both' ? p.layer : 'runtime',
          dnsName: typeof p.dnsName === 'string' && p.dnsName ? p.dnsName : current.dnsName,
          chosenKeys: strings(p.chosenKeys),
          chosenObjects: strings(p.chosenObjects),
        };
      },
    },
  ),
);

// One Kubernetes version for the session: the Kernel page's choice drives the comparison's verdicts and reports.
useKernelSettings.subscribe((s) => {
  if (s.target.k8s === useCompareStore.getState().k8s) return;
  useCompareStore.setState({ k8s: s.target.k8s });
  void useCompareStore.getState().compare();
});

/** Adds hosts an answer described to the app's host list (labels and kinds show at once); the next app.hosts answer replaces the list. */
function knowHosts(added: HostSummary[]): void {
  const cur = useAppStore.getState().hosts;
  if (cur.state !== 'ready') {
    void useAppStore.getState().refreshHosts();
    return;
  }
  const ids = new Set(added.map((h) => h.id));
  useAppStore.setState({ hosts: { state: 'ready', value: [...cur.value.filter((h) => !ids.has(h.id)), ...added] } });
}

/** Whether a comparison has exactly these host columns (each host once, or its layers side by side) and this baseline. */
function sameColumns(r: CompareResult, hosts: string[], baseline: string): boolean {
  const ids = r.hosts.map((h) => h.id).filter((id, i, all) => all.indexOf(id) === i);
  return ids.length === hosts.length && ids.every((id, i) => id === hosts[i]) && r.hosts[r.baseline]?.id === baseline;
}

/** Hosts to import (each its files), in order, packed into calls of at most 50 hosts and IMPORT_MAX_BYTES of files. */
function importBatches(hosts: { file: PickedFile; size: number }[][]): { files: PickedFile[] }[][] {
  const out: { files: PickedFile[] }[][] = [];
  let size = Infinity;
  for (const h of hosts) {
    const n = h.reduce((a, f) => a + f.size, 0);
    if (!out.length || out.at(-1)!.length >= 50 || size + n > IMPORT_MAX_BYTES) {
      out.push([]);
      size = 0;
    }
    out.at(-1)!.push({ files: h.map((f) => f.file) });
    size += n;
  }
  return out;
}

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
    const summary = await hostApi(id).compare.capture({});
    next = { state: 'done', summary };
  } catch (e) {
    next = { state: 'failed', message: errorOf(e).message };
  }
  st.setState({ reads: { ...st.getState().reads, [id]: next } });
}
