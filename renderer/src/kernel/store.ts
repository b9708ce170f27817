import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { ApplyOut, ClassificationOut, EffectiveOut, ExportOut, ListRow, LiveSource, ProbeOut, UndoEntry, UndoOut } from '../../../shared/kernel/contract';
import { emptyFilter, type KernelFilter } from '../../../shared/kernel/filter';
import { K8S_DEFAULT_VERSION, k8sVersions } from '../../../shared/kernel/version';
import { api } from '../app/api';

export type Load<T> = { state: 'idle' } | { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; message: string; code: string };

function errorOf(e: unknown): { state: 'error'; message: string; code: string } {
  const x = e as { message?: string; code?: string };
  return { state: 'error', message: x.message ?? String(e), code: x.code ?? 'INTERNAL' };
}

export interface ProfileLine {
  key: string;
  value: string;
}

/** What the Kubernetes verdicts are computed for: versions plus the pod's PodSecurity level and host namespaces. */
export interface Target {
  k8s: string;
  /** '' = this host's kernel */
  kernel: string;
  /** '' = same as the Kubernetes version; 'latest' or 'v1.x' = the namespace's enforce-version label */
  podSecurityVersion: string;
  hostNetwork: boolean;
  hostIPC: boolean;
}

export type ExportKind = 'pod' | 'kubelet' | 'node' | 'sandbox' | 'tuned';

/** The exported Pod/Deployment's own names ('' = the export's default). */
export interface ExportWorkload {
  namespace: string;
  podName: string;
  image: string;
}

interface KernelState {
  target: Target;
  hostKernel: string;
  list: Load<ListRow[]>;
  /** Where the list's live values (and so its drift) come from. */
  liveSource: LiveSource | null;
  filter: KernelFilter;
  selected: string | null;
  detail: Load<ClassificationOut>;
  effective: Load<EffectiveOut>;
  probe: Load<ProbeOut>;
  profile: ProfileLine[];
  profileName: string;
  profileCheck: Load<Awaited<ReturnType<typeof api.kernel.checkProfile>>>;
  exportKind: ExportKind | null;
  exportResult: Load<ExportOut>;
  exportWorkload: ExportWorkload;
  setExportWorkload(w: Partial<ExportWorkload>, hostId: string): void;
  /** The dry run shown in the Apply confirmation. */
  applyPlan: Load<ApplyOut>;
  applyResult: Load<ApplyOut>;
  /** Previous values of the last apply, until undone. */
  undoEntries: UndoEntry[];
  undoResult: Load<UndoOut>;
  /** "Revert unless confirmed": seconds for the next apply (null: off). */
  revertSeconds: number | null;
  /** The running revert timer of the last apply, as the helper reports it. */
  revertTimer: { id: string; deadlineMs: number; status: string; error: string | null } | null;
  setRevertSeconds(s: number | null): void;
  keepApplied(hostId: string): Promise<void>;
  refreshRevert(hostId: string): Promise<void>;
  setTarget(t: Partial<Target>, hostId: string): void;
  setFilter(f: Partial<KernelFilter>): void;
  load(hostId: string): Promise<void>;
  select(key: string | null, hostId: string): Promise<void>;
  loadEffective(hostId: string): Promise<void>;
  loadProbe(hostId: string): Promise<void>;
  setProfile(lines: ProfileLine[]): void;
  setProfileName(name: string): void;
  checkProfile(hostId: string): Promise<void>;
  saveProfile(hostId: string): Promise<string>;
  runExport(kind: ExportKind, hostId: string): Promise<void>;
  closeExport(): void;
  importTuned(text: string, hostId: string): Promise<{ line: number; message: string }[]>;
  planApply(hostId: string): Promise<void>;
  cancelApply(): void;
  confirmApply(hostId: string): Promise<void>;
  undo(hostId: string): Promise<void>;
}

function targetInput(t: Target) {
  return {
    k8s: t.k8s,
    kernel: t.kernel || undefined,
    podSecurityVersion: t.podSecurityVersion || undefined,
    hostNetwork: t.hostNetwork || undefined,
    hostIPC: t.hostIPC || undefined,
  };
}

/** A stored target with a field this version no longer offers falls back to the default for that field. */
function validTarget(t: Target, d: Target): Target {
  return {
    k8s: k8sVersions.includes(t.k8s) ? t.k8s : d.k8s,
    kernel: typeof t.kernel === 'string' ? t.kernel : d.kernel,
    podSecurityVersion: typeof t.podSecurityVersion === 'string' ? t.podSecurityVersion : d.podSecurityVersion,
    hostNetwork: t.hostNetwork === true,
    hostIPC: t.hostIPC === true,
  };
}

const settingsOf = (lines: ProfileLine[]) => lines.filter((l) => l.key);

/** What survives a reload (localStorage): the profile being edited and the Kubernetes target. */
type Persisted = Pick<KernelState, 'profile' | 'profileName' | 'target' | 'exportWorkload'>;
export const KERNEL_STORAGE_KEY = 'hostdeck.kernel';
let exportSeq = 0;

export const useKernelStore = create<KernelState>()(
  persist(
    (set, get) => ({
      target: { k8s: K8S_DEFAULT_VERSION, kernel: '', podSecurityVersion: '', hostNetwork: false, hostIPC: false },
      hostKernel: '',
      list: { state: 'idle' },
      liveSource: null,
      filter: emptyFilter,
      selected: null,
      detail: { state: 'idle' },
      effective: { state: 'idle' },
      probe: { state: 'idle' },
      profile: [],
      profileName: '90-hostdeck',
      profileCheck: { state: 'idle' },
      exportKind: null,
      exportResult: { state: 'idle' },
      exportWorkload: { namespace: '', podName: '', image: '' },
      setExportWorkload(w, hostId) {
        set({ exportWorkload: { ...get().exportWorkload, ...w } });
        const kind = get().exportKind;
        if (kind) void get().runExport(kind, hostId);
      },
      applyPlan: { state: 'idle' },
      applyResult: { state: 'idle' },
      undoEntries: [],
      undoResult: { state: 'idle' },
      revertSeconds: null,
      revertTimer: null,
      setRevertSeconds(s) {
        set({ revertSeconds: s });
      },
      async keepApplied(hostId) {
        const t = get().revertTimer;
        if (!t) return;
        try {
          const r = await api.helper.confirm({ id: t.id }, { host: hostId });
          set({ revertTimer: { id: r.id, deadlineMs: r.deadlineMs, status: r.status, error: r.cancelled ? null : `Too late: the timer had already ${r.status === 'reverted' ? 'reverted the change' : r.status}` } });
        } catch (e) {
          set({ revertTimer: { ...t, error: (e as Error).message } });
        }
      },
      async refreshRevert(hostId) {
        const t = get().revertTimer;
        if (!t) return;
        try {
          const r = await api.helper.revertStatus({ id: t.id }, { host: hostId });
          set({ revertTimer: { id: r.id, deadlineMs: r.deadlineMs, status: r.status, error: r.error } });
          if (r.status === 'reverted' || r.status === 'failed') {
            set({ undoEntries: [] });
            void get().load(hostId);
          }
        } catch (e) {
          set({ revertTimer: { ...t, error: (e as Error).message } });
        }
      },
      setTarget(t, hostId) {
        set({ target: { ...get().target, ...t } });
        void get().load(hostId);
        const sel = get().selected;
        if (sel) void get().select(sel, hostId);
        const kind = get().exportKind;
        if (kind) void get().runExport(kind, hostId);
      },
      setFilter(f) {
        set({ filter: { ...get().filter, ...f } });
      },
      async load(hostId) {
        set({ list: { state: 'loading' } });
        try {
          const r = await api.kernel.list(targetInput(get().target), { host: hostId });
          set({ list: { state: 'ready', value: r.entries }, hostKernel: r.kernel, liveSource: r.liveSource });
        } catch (e) {
          set({ list: errorOf(e) });
        }
      },
      async select(key, hostId) {
        set({ selected: key, detail: key ? { state: 'loading' } : { state: 'idle' } });
        if (!key) return;
        try {
          const [c] = await api.kernel.classify({ keys: [key], ...targetInput(get().target) }, { host: hostId });
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
      async loadProbe(hostId) {
        set({ probe: { state: 'loading' } });
        try {
          set({ probe: { state: 'ready', value: await api.kernel.probe({}, { host: hostId }) } });
        } catch (e) {
          set({ probe: errorOf(e) });
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
          set({ profileCheck: { state: 'ready', value: await api.kernel.checkProfile({ settings: settingsOf(get().profile) }, { host: hostId }) } });
        } catch (e) {
          set({ profileCheck: errorOf(e) });
        }
      },
      async saveProfile(hostId) {
        const name = get().profileName;
        const current = await api.kernel.readProfile({ name }, { host: hostId });
        const r = await api.kernel.saveProfile({ name, settings: settingsOf(get().profile), expectedSha256: current.sha256 }, { host: hostId });
        return r.path;
      },
      async runExport(kind, hostId) {
        const seq = ++exportSeq;
        set({ exportKind: kind, exportResult: { state: 'loading' } });
        try {
          const settings = settingsOf(get().profile);
          if (!settings.length) throw Object.assign(new Error('The profile is empty: add parameters first (from the list, by typing, or by importing a TuneD profile).'), { code: 'INVALID_INPUT' });
          if (kind === 'tuned') {
            const t = await api.kernel.exportTuned({ settings, summary: `HostDeck profile ${get().profileName}` }, { host: hostId });
            set({ exportResult: { state: 'ready', value: { kind: 'node', documents: [{ title: 'tuned.conf', part: 'tuned.conf', language: 'ini', cluster: false, text: t.text }], placements: [], problems: [], omitted: [] } } });
            return;
          }
          const w = get().exportWorkload;
          const workload = { namespace: w.namespace.trim() || undefined, podName: w.podName.trim() || undefined, image: w.image.trim() || undefined };
          const r = await api.kernel.export({ kind, settings, name: get().profileName.replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || undefined, ...workload, ...targetInput(get().target) }, { host: hostId });
          // A newer request (another kind, an edited name) wins over this one.
          if (seq === exportSeq) set({ exportResult: { state: 'ready', value: r } });
        } catch (e) {
          if (seq === exportSeq) set({ exportResult: errorOf(e) });
        }
      },
      closeExport() {
        set({ exportKind: null, exportResult: { state: 'idle' } });
      },
      async importTuned(text, hostId) {
        const r = await api.kernel.importTuned({ text }, { host: hostId });
        const merged = [...get().profile.filter((l) => !r.settings.some((s) => s.key === l.key)), ...r.settings];
        get().setProfile(merged);
        return r.warnings;
      },
      async planApply(hostId) {
        set({ applyPlan: { state: 'loading' } });
        try {
          set({ applyPlan: { state: 'ready', value: await api.kernel.apply({ settings: settingsOf(get().profile), dryRun: true }, { host: hostId }) } });
        } catch (e) {
          set({ applyPlan: errorOf(e) });
        }
      },
      cancelApply() {
        set({ applyPlan: { state: 'idle' } });
      },
      async confirmApply(hostId) {
        set({ applyResult: { state: 'loading' }, undoResult: { state: 'idle' } });
        try {
          const secs = get().revertSeconds;
          const r = await api.kernel.apply({ settings: settingsOf(get().profile), ...(secs ? { revertAfterSeconds: secs } : {}) }, { host: hostId });
          set({
            applyResult: { state: 'ready', value: r },
            applyPlan: { state: 'idle' },
            undoEntries: r.undo,
            revertTimer: r.revert ? { id: r.revert.id, deadlineMs: r.revert.deadlineMs, status: 'pending', error: null } : null,
          });
          void get().load(hostId);
        } catch (e) {
          set({ applyResult: errorOf(e), applyPlan: { state: 'idle' } });
        }
      },
      async undo(hostId) {
        set({ undoResult: { state: 'loading' } });
        try {
          const r = await api.kernel.undo({ entries: get().undoEntries }, { host: hostId });
          set({ undoResult: { state: 'ready', value: r }, undoEntries: [] });
          void get().load(hostId);
        } catch (e) {
          set({ undoResult: errorOf(e) });
        }
      },
    }),
    {
      name: KERNEL_STORAGE_KEY,
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: (s): Persisted => ({ profile: s.profile, profileName: s.profileName, target: s.target, exportWorkload: s.exportWorkload }),
      // A stored target from an older version keeps the fields it has; new fields take their defaults.
      merge: (stored, current) => {
        const p = (stored ?? {}) as Partial<Persisted>;
        return {
          ...current,
          profile: Array.isArray(p.profile) ? p.profile.filter((l) => typeof l?.key === 'string' && typeof l?.value === 'string') : current.profile,
          profileName: typeof p.profileName === 'string' ? p.profileName : current.profileName,
          exportWorkload: {
            namespace: typeof p.exportWorkload?.namespace === 'string' ? p.exportWorkload.namespace : '',
            podName: typeof p.exportWorkload?.podName === 'string' ? p.exportWorkload.podName : '',
            image: typeof p.exportWorkload?.image === 'string' ? p.exportWorkload.image : '',
          },
          target: validTarget({ ...current.target, ...(p.target && typeof p.target === 'object' ? p.target : {}) }, current.target),
        };
      },
    },
  ),
);

