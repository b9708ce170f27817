import { create } from 'zustand';
import type { ClassificationOut, EffectiveOut, ExportOut, ListRow } from '../../../shared/kernel/contract';
import { emptyFilter, type KernelFilter } from '../../../shared/kernel/filter';
import { api } from '../app/api';

type Load<T> = { state: 'idle' } | { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; message: string; code: string };

function errorOf(e: unknown): { state: 'error'; message: string; code: string } {
  const x = e as { message?: string; code?: string };
  return { state: 'error', message: x.message ?? String(e), code: x.code ?? 'INTERNAL' };
}

export interface ProfileLine {
  key: string;
  value: string;
}

interface KernelState {
  k8s: string;
  kernel: string;
  hostKernel: string;
  list: Load<ListRow[]>;
  filter: KernelFilter;
  selected: string | null;
  detail: Load<ClassificationOut>;
  effective: Load<EffectiveOut>;
  profile: ProfileLine[];
  profileName: string;
  profileCheck: Load<Awaited<ReturnType<typeof api.kernel.checkProfile>>>;
  exportResult: Load<ExportOut>;
  setTarget(k8s: string, kernel: string, hostId: string): void;
  setFilter(f: Partial<KernelFilter>): void;
  load(hostId: string): Promise<void>;
  select(key: string | null, hostId: string): Promise<void>;
  loadEffective(hostId: string): Promise<void>;
  setProfile(lines: ProfileLine[]): void;
  setProfileName(name: string): void;
  checkProfile(hostId: string): Promise<void>;
  saveProfile(hostId: string): Promise<string>;
  runExport(kind: 'pod' | 'kubelet' | 'node', hostId: string): Promise<void>;
}

export const useKernelStore = create<KernelState>((set, get) => ({
  k8s: '1.33',
  kernel: '',
  hostKernel: '',
  list: { state: 'idle' },
  filter: emptyFilter,
  selected: null,
  detail: { state: 'idle' },
  effective: { state: 'idle' },
  profile: [],
  profileName: '90-hostdeck',
  profileCheck: { state: 'idle' },
  exportResult: { state: 'idle' },
  setTarget(k8s, kernel, hostId) {
    set({ k8s, kernel });
    void get().load(hostId);
    const sel = get().selected;
    if (sel) void get().select(sel, hostId);
  },
  setFilter(f) {
    set({ filter: { ...get().filter, ...f } });
  },
  async load(hostId) {
    set({ list: { state: 'loading' } });
    try {
      const { k8s, kernel } = get();
      const r = await api.kernel.list({ k8s, kernel: kernel || undefined }, { host: hostId });
      set({ list: { state: 'ready', value: r.entries }, hostKernel: r.kernel });
    } catch (e) {
      set({ list: errorOf(e) });
    }
  },
  async select(key, hostId) {
    set({ selected: key, detail: key ? { state: 'loading' } : { state: 'idle' } });
    if (!key) return;
    try {
      const { k8s, kernel } = get();
      const [c] = await api.kernel.classify({ keys: [key], k8s, kernel: kernel || undefined }, { host: hostId });
      set({ detail: { state: 'ready', value: c! } });
    } catch (e) {
      set({ detail: errorOf(e) });
    }
  },
  async loadEffective(hostId) {
    set({ effective: { state: 'loading' } });
    try {
      set({ effective: { state: 'ready', value: await api.kernel.effective({}, { host: hostId }) } });
    } catch (e) {
      set({ effective: errorOf(e) });
    }
  },
  setProfile(lines) {
    set({ profile: lines, profileCheck: { state: 'idle' } });
  },
  setProfileName(name) {
    set({ profileName: name });
  },
  async checkProfile(hostId) {
    set({ profileCheck: { state: 'loading' } });
    try {
      set({ profileCheck: { state: 'ready', value: await api.kernel.checkProfile({ settings: get().profile.filter((l) => l.key) }, { host: hostId }) } });
    } catch (e) {
      set({ profileCheck: errorOf(e) });
    }
  },
  async saveProfile(hostId) {
    const name = get().profileName;
    const current = await api.kernel.readProfile({ name }, { host: hostId });
    const r = await api.kernel.saveProfile({ name, settings: get().profile.filter((l) => l.key), expectedSha256: current.sha256 }, { host: hostId });
    return r.path;
  },
  async runExport(kind, hostId) {
    set({ exportResult: { state: 'loading' } });
    try {
      const { k8s, kernel, profile } = get();
      const settings = profile.filter((l) => l.key);
      const r = await api.kernel.export({ kind, settings, k8s, kernel: kernel || undefined }, { host: hostId });
      set({ exportResult: { state: 'ready', value: r } });
    } catch (e) {
      set({ exportResult: errorOf(e) });
    }
  },
}));
