import type { ApplyOut, ClassificationOut, EffectiveOut, ExportOut, ListRow, LiveSource, ProbeOut, UndoEntry, UndoOut, WeakeningOut } from '../../../shared/kernel/contract';
import { targetInput, useKernelSettings, type ExportKind, type ExportWorkload, type KernelSettings, type ProfileLine, type Target } from './settings';
import type { HostApi } from '../app/api';
import { hostStores } from '../app/host-store';
import { errorOf, loadInto, type Load } from '../app/load';

export type { Load } from '../app/load';
export { KERNEL_STORAGE_KEY, useKernelSettings, type ExportKind, type ExportWorkload, type KernelSettings, type ProfileLine, type Target } from './settings';

/** The security-weakening settings a NEEDS_CONFIRMATION answer lists, or null for any other error. */
export function weakeningOfError(e: unknown): WeakeningOut[] | null {
  const x = e as { code?: string; detail?: { weakening?: WeakeningOut[] } } | undefined;
  return x?.code === 'NEEDS_CONFIRMATION' && Array.isArray(x.detail?.weakening) && x.detail.weakening.length ? x.detail.weakening : null;
}

/**
 * What belongs to one host: its parameters and every result, plan, undo and revert timer
 * computed for it, with the actions that make them (each calls this host's API only). One
 * store per host (hostStores): an apply's undo and its revert timer cannot reach another host.
 */
export interface KernelHostState {
  hostKernel: string;
  list: Load<ListRow[]>;
  /** Where the list's live values (and so its drift) come from. */
  liveSource: LiveSource | null;
  selected: string | null;
  detail: Load<ClassificationOut>;
  effective: Load<EffectiveOut>;
  probe: Load<ProbeOut>;
  profileCheck: Load<Awaited<ReturnType<HostApi['kernel']['checkProfile']>>>;
  exportKind: ExportKind | null;
  exportResult: Load<ExportOut>;
  /** The dry run shown in the Apply confirmation. */
  applyPlan: Load<ApplyOut>;
  applyResult: Load<ApplyOut>;
  /** Previous values of this host's last apply, until undone. */
  undoEntries: UndoEntry[];
  undoResult: Load<UndoOut>;
  /** Undo would put back security-weakening values: they wait for the admin's confirmation. */
  undoWeakening: WeakeningOut[] | null;
  /** The running revert timer of this host's last apply, as the helper reports it. */
  revertTimer: { id: string; deadlineMs: number; status: string; error: string | null } | null;
  setExportWorkload(w: Partial<ExportWorkload>): void;
  setTarget(t: Partial<Target>): void;
  setProfile(lines: ProfileLine[]): void;
  keepApplied(): Promise<void>;
  refreshRevert(): Promise<void>;
  load(): Promise<void>;
  select(key: string | null): Promise<void>;
  loadEffective(): Promise<void>;
  loadProbe(): Promise<void>;
  checkProfile(): Promise<void>;
  /** Saves; `confirmWeakening` names the security-weakening keys the admin confirmed. */
  saveProfile(confirmWeakening?: string[]): Promise<string>;
  runExport(kind: ExportKind): Promise<void>;
  closeExport(): void;
  importTuned(text: string): Promise<{ line: number; message: string }[]>;
  planApply(): Promise<void>;
  cancelApply(): void;
  confirmApply(confirmWeakening?: string[]): Promise<void>;
  undo(confirmWeakening?: string[]): Promise<void>;
  cancelUndoWeakening(): void;
}

const settingsOf = (lines: ProfileLine[]) => lines.filter((l) => l.key);

const settings = () => useKernelSettings.getState();

/** Each host's kernel state, in the host's own store. */
export const kernelHosts = hostStores<KernelHostState>(({ api }) => (set, get) => {
  let exportSeq = 0;
  return {
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
    setExportWorkload(w) {
      useKernelSettings.setState({ exportWorkload: { ...settings().exportWorkload, ...w } });
      const kind = get().exportKind;
      if (kind) void get().runExport(kind);
    },
    setTarget(t) {
      useKernelSettings.setState({ target: { ...settings().target, ...t } });
      void get().load();
      const sel = get().selected;
      if (sel) void get().select(sel);
      const kind = get().exportKind;
      if (kind) void get().runExport(kind);
    },
    setProfile(lines) {
      useKernelSettings.setState({ profile: lines });
      // A check was made for the previous profile, on whichever host it was made.
      for (const h of kernelHosts.hosts()) kernelHosts.of(h).setState({ profileCheck: { state: 'idle' } });
    },
    async keepApplied() {
      const t = get().revertTimer;
      if (!t) return;
      try {
        const r = await api.helper.confirm({ id: t.id });
        set({ revertTimer: { id: r.id, deadlineMs: r.deadlineMs, status: r.status, error: r.cancelled ? null : `Too late: the timer had already ${r.status === 'reverted' ? 'reverted the change' : r.status}` } });
      } catch (e) {
        set({ revertTimer: { ...t, error: (e as Error).message } });
      }
    },
    async refreshRevert() {
      const t = get().revertTimer;
      if (!t) return;
      try {
        const r = await api.helper.revertStatus({ id: t.id });
        set({ revertTimer: { id: r.id, deadlineMs: r.deadlineMs, status: r.status, error: r.error } });
        if (r.status === 'reverted' || r.status === 'failed') {
          set({ undoEntries: [] });
          void get().load();
        }
      } catch (e) {
        set({ revertTimer: { ...t, error: (e as Error).message } });
      }
    },
    async load() {
      set({ list: { state: 'loading' } });
      try {
        const r = await api.kernel.list(targetInput(settings().target));
        set({ list: { state: 'ready', value: r.entries }, hostKernel: r.kernel, liveSource: r.liveSource });
      } catch (e) {
        set({ list: errorOf(e) });
      }
    },
    async select(key) {
      set({ selected: key, detail: key ? { state: 'loading' } : { state: 'idle' } });
      if (!key) return;
      try {
        const [c] = await api.kernel.classify({ keys: [key], ...targetInput(settings().target) });
        set({ detail: { state: 'ready', value: c! } });
      } catch (e) {
        set({ detail: errorOf(e) });
      }
    },
    async loadEffective() {
      await loadInto((effective) => set({ effective }), () => api.kernel.effective({}));
    },
    async loadProbe() {
      await loadInto((probe) => set({ probe }), () => api.kernel.probe({}));
    },
    async checkProfile() {
      await loadInto((profileCheck) => set({ profileCheck }), () => api.kernel.checkProfile({ settings: settingsOf(settings().profile) }));
    },
    async saveProfile(confirmWeakening) {
      const { profileName: name, profile } = settings();
      const current = await api.kernel.readProfile({ name });
      const r = await api.kernel.saveProfile({ name, settings: settingsOf(profile), expectedSha256: current.sha256, ...(confirmWeakening ? { confirmWeakening } : {}) });
      return r.path;
    },
    async runExport(kind) {
      const seq = ++exportSeq;
      set({ exportKind: kind, exportResult: { state: 'loading' } });
      try {
        const { profile, profileName, exportWorkload: w, target } = settings();
        const list = settingsOf(profile);
        if (!list.length) throw Object.assign(new Error('The profile is empty: add parameters first (from the list, by typing, or by importing a TuneD profile).'), { code: 'INVALID_INPUT' });
        if (kind === 'tuned') {
          const t = await api.kernel.exportTuned({ settings: list, summary: `HostDeck profile ${profileName}` });
          if (seq === exportSeq) set({ exportResult: { state: 'ready', value: { kind: 'node', documents: [{ title: 'tuned.conf', part: 'tuned.conf', language: 'ini', cluster: false, text: t.text }], placements: [], problems: [], omitted: [] } } });
          return;
        }
        const workload = { namespace: w.namespace.trim() || undefined, podName: w.podName.trim() || undefined, image: w.image.trim() || undefined };
        const r = await api.kernel.export({ kind, settings: list, name: profileName.replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || undefined, ...workload, ...targetInput(target) });
        // A newer request (another kind, an edited name) wins over this one.
        if (seq === exportSeq) set({ exportResult: { state: 'ready', value: r } });
      } catch (e) {
        if (seq === exportSeq) set({ exportResult: errorOf(e) });
      }
    },
    closeExport() {
      set({ exportKind: null, exportResult: { state: 'idle' } });
    },
    async importTuned(text) {
      const r = await api.kernel.importTuned({ text });
      const merged = [...settings().profile.filter((l) => !r.settings.some((s) => s.key === l.key)), ...r.settings];
      get().setProfile(merged);
      return r.warnings;
    },
    async planApply() {
      await loadInto((applyPlan) => set({ applyPlan }), () => api.kernel.apply({ settings: settingsOf(settings().profile), dryRun: true }));
    },
    cancelApply() {
      set({ applyPlan: { state: 'idle' } });
    },
    async confirmApply(confirmWeakening) {
      set({ applyResult: { state: 'loading' }, undoResult: { state: 'idle' } });
      try {
        const secs = settings().revertSeconds;
        const r = await api.kernel.apply({ settings: settingsOf(settings().profile), ...(secs ? { revertAfterSeconds: secs } : {}), ...(confirmWeakening?.length ? { confirmWeakening } : {}) });
        set({
          applyResult: { state: 'ready', value: r },
          applyPlan: { state: 'idle' },
          undoEntries: r.undo,
          revertTimer: r.revert ? { id: r.revert.id, deadlineMs: r.revert.deadlineMs, status: 'pending', error: null } : null,
        });
        void get().load();
      } catch (e) {
        set({ applyResult: errorOf(e), applyPlan: { state: 'idle' } });
      }
    },
    async undo(confirmWeakening) {
      set({ undoResult: { state: 'loading' }, undoWeakening: null });
      try {
        const r = await api.kernel.undo({ entries: get().undoEntries, ...(confirmWeakening ? { confirmWeakening } : {}) });
        set({ undoResult: { state: 'ready', value: r }, undoEntries: [] });
        void get().load();
      } catch (e) {
        const weak = weakeningOfError(e);
        set(weak ? { undoResult: { state: 'idle' }, undoWeakening: weak } : { undoResult: errorOf(e) });
      }
    },
    cancelUndoWeakening() {
      set({ undoWeakening: null });
    },
  };
});

export type KernelView = KernelSettings & KernelHostState;

/** The kernel page's state: the shared settings with the page's host's own state. */
export function useKernelStore(): KernelView;
export function useKernelStore<T>(selector: (s: KernelView) => T): T;
export function useKernelStore<T>(selector?: (s: KernelView) => T): T | KernelView {
  const shared = useKernelSettings();
  const own = kernelHosts();
  const view: KernelView = { ...shared, ...own };
  return selector ? selector(view) : view;
}
