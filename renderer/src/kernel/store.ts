import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { ApplyOut, ClassificationOut, EffectiveOut, ExportOut, ListRow, LiveSource, ProbeOut, UndoEntry, UndoOut, WeakeningOut } from '../../../shared/kernel/contract';
import { emptyFilter, type KernelFilter } from '../../../shared/kernel/filter';
import { K8S_DEFAULT_VERSION, k8sVersions } from '../../../shared/kernel/version';
import { api } from '../app/api';
import { HostSlices } from '../app/host-scoped';

export type Load<T> = { state: 'idle' } | { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; message: string; code: string };

function errorOf(e: unknown): { state: 'error'; message: string; code: string } {
  const x = e as { message?: string; code?: string };
  return { state: 'error', message: x.message ?? String(e), code: x.code ?? 'INTERNAL' };
}

/** The security-weakening settings a NEEDS_CONFIRMATION answer lists, or null for any other error. */
export function weakeningOfError(e: unknown): WeakeningOut[] | null {
  const x = e as { code?: string; detail?: { weakening?: WeakeningOut[] } } | undefined;
  return x?.code === 'NEEDS_CONFIRMATION' && Array.isArray(x.detail?.weakening) && x.detail.weakening.length ? x.detail.weakening : null;
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

/** What belongs to the host on screen: its parameters and every result, plan, undo and revert timer computed for it. */
type KernelHostSlice = Pick<
  KernelState,
  'hostKernel' | 'list' | 'liveSource' | 'selected' | 'detail' | 'effective' | 'probe' | 'profileCheck' | 'exportKind' | 'exportResult' | 'applyPlan' | 'applyResult' | 'undoEntries' | 'undoResult' | 'undoWeakening' | 'revertTimer'
>;

const freshSlice = (): KernelHostSlice => ({
  hostKernel: '',
  list: { state: 'idle' },
  liveSource: null,
  selected: null,
  detail: { state: 'idle' },
  effective: { state: 'idle' },
  probe: { state: 'idle' },
  profileCheck: { state: 'idle' },
  exportKind: null,
  exportResult: { state: 'idle' },
  applyPlan: { state: 'idle' },
  applyResult: { state: 'idle' },
  undoEntries: [],
  undoResult: { state: 'idle' },
  undoWeakening: null,
  revertTimer: null,
});

const sliceOf = (s: KernelState): KernelHostSlice => {
  const out = freshSlice();
  for (const k of Object.keys(out) as (keyof KernelHostSlice)[]) (out as Record<string, unknown>)[k] = s[k];
  return out;
};

/**
 * Other hosts' kernel state while another host is on screen: an apply's undo and its revert
 * timer stay with the host they were made on (Undo on another host would send the first
 * host's old values to it).
 */
export const kernelSlices = new HostSlices<KernelHostSlice>(freshSlice);

interface KernelState {
  /** The host the per-host fields below belong to. The profile, the target and the filter are not per host. */
  hostId: string;
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
  /** Undo would put back security-weakening values: they wait for the admin's confirmation. */
  undoWeakening: WeakeningOut[] | null;
  /** "Revert unless confirmed": seconds for the next apply (null: off). */
  revertSeconds: number | null;
  /** The running revert timer of the last apply, as the helper reports it. */
  revertTimer: { id: string; deadlineMs: number; status: string; error: string | null } | null;
  /** Makes `hostId` the host on screen: parks the previous host's results, brings back this one's. */
  bindHost(hostId: string): void;
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
  /** Saves; `confirmWeakening` names the security-weakening keys the admin confirmed. */
  saveProfile(hostId: string, confirmWeakening?: string[]): Promise<string>;
  runExport(kind: ExportKind, hostId: string): Promise<void>;
  closeExport(): void;
  importTuned(text: string, hostId: string): Promise<{ line: number; message: string }[]>;
  planApply(hostId: string): Promise<void>;
  cancelApply(): void;
  confirmApply(hostId: string, confirmWeakening?: string[]): Promise<void>;
  undo(hostId: string, confirmWeakening?: string[]): Promise<void>;
  cancelUndoWeakening(): void;
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
    (set, get) => {
      /** Sets a result on its own host: on screen, or parked when the user has switched to another host meanwhile. */
      const putFor = (host: string) => (patch: Partial<KernelState>) => {
        if (get().hostId === host) set(patch);
        else kernelSlices.update(host, patch);
      };
      return {
        hostId: 'local',
        ...freshSlice(),
        target: { k8s: K8S_DEFAULT_VERSION, kernel: '', podSecurityVersion: '', hostNetwork: false, hostIPC: false },
        filter: emptyFilter,
        profile: [],
        profileName: '90-hostdeck',
        exportWorkload: { namespace: '', podName: '', image: '' },
        setExportWorkload(w, hostId) {
          set({ exportWorkload: { ...get().exportWorkload, ...w } });
          const kind = get().exportKind;
          if (kind) void get().runExport(kind, hostId);
        },
        revertSeconds: null,
        bindHost(hostId) {
          if (hostId !== get().hostId) set({ ...kernelSlices.swap(get().hostId, hostId, sliceOf(get())), hostId });
        },
        setRevertSeconds(s) {
          set({ revertSeconds: s });
        },
        async keepApplied(hostId) {
          get().bindHost(hostId);
          const put = putFor(hostId);
          const t = get().revertTimer;
          if (!t) return;
          try {
            const r = await api.helper.confirm({ id: t.id }, { host: hostId });
            put({ revertTimer: { id: r.id, deadlineMs: r.deadlineMs, status: r.status, error: r.cancelled ? null : `Too late: the timer had already ${r.status === 'reverted' ? 'reverted the change' : r.status}` } });
          } catch (e) {
            put({ revertTimer: { ...t, error: (e as Error).message } });
          }
        },
        async refreshRevert(hostId) {
          get().bindHost(hostId);
          const put = putFor(hostId);
          const t = get().revertTimer;
          if (!t) return;
          try {
            const r = await api.helper.revertStatus({ id: t.id }, { host: hostId });
            put({ revertTimer: { id: r.id, deadlineMs: r.deadlineMs, status: r.status, error: r.error } });
            if (r.status === 'reverted' || r.status === 'failed') {
              put({ undoEntries: [] });
              void get().load(hostId);
            }
          } catch (e) {
            put({ revertTimer: { ...t, error: (e as Error).message } });
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
          get().bindHost(hostId);
          const put = putFor(hostId);
          set({ list: { state: 'loading' } });
          try {
            const r = await api.kernel.list(targetInput(get().target), { host: hostId });
            put({ list: { state: 'ready', value: r.entries }, hostKernel: r.kernel, liveSource: r.liveSource });
          } catch (e) {
            put({ list: errorOf(e) });
          }
        },
        async select(key, hostId) {
          get().bindHost(hostId);
          const put = putFor(hostId);
          set({ selected: key, detail: key ? { state: 'loading' } : { state: 'idle' } });
          if (!key) return;
          try {
            const [c] = await api.kernel.classify({ keys: [key], ...targetInput(get().target) }, { host: hostId });
            put({ detail: { state: 'ready', value: c! } });
          } catch (e) {
            put({ detail: errorOf(e) });
          }
        },
        async loadEffective(hostId) {
          get().bindHost(hostId);
          const put = putFor(hostId);
          set({ effective: { state: 'loading' } });
          try {
            put({ effective: { state: 'ready', value: await api.kernel.effective({}, { host: hostId }) } });
          } catch (e) {
            put({ effective: errorOf(e) });
          }
        },
        async loadProbe(hostId) {
          get().bindHost(hostId);
          const put = putFor(hostId);
          set({ probe: { state: 'loading' } });
          try {
            put({ probe: { state: 'ready', value: await api.kernel.probe({}, { host: hostId }) } });
          } catch (e) {
            put({ probe: errorOf(e) });
          }
        },
        setProfile(lines) {
          set({ profile: lines, profileCheck: { state: 'idle' } });
        },
        setProfileName(name) {
          set({ profileName: name });
        },
        async checkProfile(hostId) {
          get().bindHost(hostId);
          const put = putFor(hostId);
          set({ profileCheck: { state: 'loading' } });
          try {
            put({ profileCheck: { state: 'ready', value: await api.kernel.checkProfile({ settings: settingsOf(get().profile) }, { host: hostId }) } });
          } catch (e) {
            put({ profileCheck: errorOf(e) });
          }
        },
      async saveProfile(hostId, confirmWeakening) {
          const name = get().profileName;
          const current = await api.kernel.readProfile({ name }, { host: hostId });
        const r = await api.kernel.saveProfile({ name, settings: settingsOf(get().profile), expectedSha256: current.sha256, ...(confirmWeakening ? { confirmWeakening } : {}) }, { host: hostId });
          return r.path;
        },
        async runExport(kind, hostId) {
          get().bindHost(hostId);
          const put = putFor(hostId);
          const seq = ++exportSeq;
          set({ exportKind: kind, exportResult: { state: 'loading' } });
          try {
            const settings = settingsOf(get().profile);
            if (!settings.length) throw Object.assign(new Error('The profile is empty: add parameters first (from the list, by typing, or by importing a TuneD profile).'), { code: 'INVALID_INPUT' });
            if (kind === 'tuned') {
              const t = await api.kernel.exportTuned({ settings, summary: `HostDeck profile ${get().profileName}` }, { host: hostId });
              put({ exportResult: { state: 'ready', value: { kind: 'node', documents: [{ title: 'tuned.conf', part: 'tuned.conf', language: 'ini', cluster: false, text: t.text }], placements: [], problems: [], omitted: [] } } });
              return;
            }
            const w = get().exportWorkload;
            const workload = { namespace: w.namespace.trim() || undefined, podName: w.podName.trim() || undefined, image: w.image.trim() || undefined };
            const r = await api.kernel.export({ kind, settings, name: get().profileName.replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || undefined, ...workload, ...targetInput(get().target) }, { host: hostId });
            // A newer request (another kind, an edited name) wins over this one.
            if (seq === exportSeq) put({ exportResult: { state: 'ready', value: r } });
          } catch (e) {
            if (seq === exportSeq) put({ exportResult: errorOf(e) });
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
          get().bindHost(hostId);
          const put = putFor(hostId);
          set({ applyPlan: { state: 'loading' } });
          try {
            put({ applyPlan: { state: 'ready', value: await api.kernel.apply({ settings: settingsOf(get().profile), dryRun: true }, { host: hostId }) } });
          } catch (e) {
            put({ applyPlan: errorOf(e) });
          }
        },
        cancelApply() {
          set({ applyPlan: { state: 'idle' } });
        },
        async confirmApply(hostId, confirmWeakening) {
          get().bindHost(hostId);
          const put = putFor(hostId);
          set({ applyResult: { state: 'loading' }, undoResult: { state: 'idle' } });
          try {
            const secs = get().revertSeconds;
            const r = await api.kernel.apply({ settings: settingsOf(get().profile), ...(secs ? { revertAfterSeconds: secs } : {}), ...(confirmWeakening?.length ? { confirmWeakening } : {}) }, { host: hostId });
            put({
              applyResult: { state: 'ready', value: r },
              applyPlan: { state: 'idle' },
              undoEntries: r.undo,
              revertTimer: r.revert ? { id: r.revert.id, deadlineMs: r.revert.deadlineMs, status: 'pending', error: null } : null,
            });
            void get().load(hostId);
          } catch (e) {
            put({ applyResult: errorOf(e), applyPlan: { state: 'idle' } });
          }
        },
        async undo(hostId, confirmWeakening) {
          get().bindHost(hostId);
          const put = putFor(hostId);
          set({ undoResult: { state: 'loading' }, undoWeakening: null });
          try {
            const r = await api.kernel.undo({ entries: get().undoEntries, ...(confirmWeakening ? { confirmWeakening } : {}) }, { host: hostId });
            put({ undoResult: { state: 'ready', value: r }, undoEntries: [] });
            void get().load(hostId);
          } catch (e) {
            const weak = weakeningOfError(e);
            put(weak ? { undoResult: { state: 'idle' }, undoWeakening: weak } : { undoResult: errorOf(e) });
          }
        },
        cancelUndoWeakening() {
          set({ undoWeakening: null });
        },
      };
    },
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

