import { create } from 'zustand';
import { api } from '../app/api';
import type { DnsLiveResult, DnsPlan, DnsPod, DnsRead, ResolvedState } from '../../../shared/dns/contract';
import type { podInputSchema } from '../../../shared/dns/contract';
import type { z } from 'zod';

type DnsPodInput = z.input<typeof podInputSchema>;
import { utf8ToBytes } from '../../../shared/dns/bytes';
import { diagnose, type Diagnosis, type Diagnostic } from '../../../shared/dns/diagnostics';
import { parseDocument, printDocument } from '../../../shared/dns/document';
import { applyEdit, type Edit } from '../../../shared/dns/edits';
import { bytesToUtf8 } from '../../../shared/dns/bytes';

type Load<T> = { state: 'idle' } | { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; code: string; message: string };

function errorOf(e: unknown): { state: 'error'; code: string; message: string; current?: string } {
  const err = e as { code?: string; message?: string; detail?: { currentBase64?: unknown } };
  const out: { state: 'error'; code: string; message: string; current?: string } = { state: 'error', code: err.code ?? 'INTERNAL', message: err.message ?? String(e) };
  // CONFLICT from the helper carries the other change: the file as it is now
  if (typeof err.detail?.currentBase64 === 'string') {
    try {
      out.current = new TextDecoder().decode(Uint8Array.from(atob(err.detail.currentBase64), (c) => c.charCodeAt(0)));
    } catch {
      /* not shown */
    }
  }
  return out;
}

/** The text as the resolver sees it (bytes), for the pure analysis in shared/dns. */
export function toBytes(text: string, encoding: 'utf8' | 'latin1'): string {
  return encoding === 'utf8' ? utf8ToBytes(text) : text;
}

interface DnsState {
  hostId: string;
  file: Load<DnsRead>;
  /** The text being edited (kept in sync with the structured form). */
  text: string;
  encoding: 'utf8' | 'latin1';
  analysis: Diagnosis | null;
  libc: 'glibc' | 'musl';
  plan: Load<DnsPlan>;
  pod: Load<DnsPod>;
  live: Load<DnsLiveResult[]>;
  save: Load<{ path: string }> | { state: 'error'; code: string; message: string; current?: string };
  resolved: Load<ResolvedState>;
  /** The review dialog (diff against the file on disk) is open. */
  reviewOpen: boolean;
  confirmNeeded: boolean;
  load(hostId: string): Promise<void>;
  setText(text: string): void;
  edit(e: Edit): void;
  /** Applies a warning's one-line fix. */
  applyFix(d: Diagnostic): void;
  loadResolved(): Promise<void>;
  openReview(): void;
  closeReview(): void;
  setLibc(l: 'glibc' | 'musl'): void;
  runPlan(name: string): Promise<void>;
  runPod(input: {
    policy: 'ClusterFirst' | 'ClusterFirstWithHostNet' | 'Default' | 'None';
    namespace: string;
    clusterDomain: string;
    clusterDns: string;
    name: string;
    hostNetwork?: boolean;
    dnsConfig?: DnsPodInput['dnsConfig'];
  }): Promise<void>;
  runLive(name: string): Promise<void>;
  doSave(confirm: boolean): Promise<void>;
  cancelConfirm(): void;
}

export const useDnsStore = create<DnsState>((set, get) => ({
  hostId: 'local',
  file: { state: 'idle' },
  text: '',
  encoding: 'utf8',
  analysis: null,
  libc: 'glibc',
  plan: { state: 'idle' },
  pod: { state: 'idle' },
  live: { state: 'idle' },
  save: { state: 'idle' },
  resolved: { state: 'idle' },
  reviewOpen: false,
  confirmNeeded: false,

  async load(hostId) {
    // Unsaved edits of this host survive leaving the page and coming back (only Revert, which asks, drops them).
    const prev = get().file;
    const keep = prev.state === 'ready' && get().hostId === hostId && get().text !== prev.value.text ? get().text : null;
    set({ hostId, file: { state: 'loading' }, save: { state: 'idle' } });
    try {
      const f = await api.dns.read({}, { host: hostId });
      const text = keep ?? f.text;
      set({ file: { state: 'ready', value: f }, text, encoding: f.encoding, analysis: diagnose(toBytes(text, f.encoding), { hostname: f.hostname ?? undefined }) });
    } catch (e) {
      set({ file: errorOf(e) });
    }
  },

  setText(text) {
    const f = get().file;
    const hostname = f.state === 'ready' ? (f.value.hostname ?? undefined) : undefined;
    set({ text, analysis: diagnose(toBytes(text, get().encoding), { hostname }) });
  },

  edit(e) {
    const { text, encoding } = get();
    const doc = applyEdit(parseDocument(toBytes(text, encoding)), e);
    const bytes = printDocument(doc);
    get().setText(encoding === 'utf8' ? (bytesToUtf8(bytes) ?? bytes) : bytes);
  },

  applyFix(d) {
    if (d.edit) get().edit(d.edit);
  },

  async loadResolved() {
    set({ resolved: { state: 'loading' } });
    try {
      set({ resolved: { state: 'ready', value: await api.dns.resolved({}, { host: get().hostId }) } });
    } catch (e) {
      set({ resolved: errorOf(e) });
    }
  },

  openReview() {
    set({ reviewOpen: true, save: { state: 'idle' } });
  },

  closeReview() {
    set({ reviewOpen: false, confirmNeeded: false });
  },

  setLibc(libc) {
    set({ libc });
  },

  async runPlan(name) {
    set({ plan: { state: 'loading' } });
    try {
      set({ plan: { state: 'ready', value: await api.dns.plan({ name, text: get().text, libc: get().libc }, { host: get().hostId }) } });
    } catch (e) {
      set({ plan: errorOf(e) });
    }
  },

  async runPod(input) {
    set({ pod: { state: 'loading' } });
    try {
      const value = await api.dns.pod(
        {
          policy: input.policy,
          hostNetwork: input.hostNetwork ?? false,
          ...(input.dnsConfig ? { dnsConfig: input.dnsConfig } : {}),
          namespace: input.namespace,
          clusterDomain: input.clusterDomain,
          clusterDns: input.clusterDns.split(/[\s,]+/).filter(Boolean),
          nodeResolvConf: get().text,
          names: input.name ? [input.name] : [],
          libc: get().libc,
        },
        { host: get().hostId },
      );
      set({ pod: { state: 'ready', value } });
    } catch (e) {
      set({ pod: errorOf(e) });
    }
  },

  async runLive(name) {
    set({ live: { state: 'loading' } });
    try {
      const r = await api.dns.liveCheck({ name, text: get().text }, { host: get().hostId });
      set({ live: { state: 'ready', value: r.results } });
    } catch (e) {
      set({ live: errorOf(e) });
    }
  },

  async doSave(confirm) {
    const f = get().file;
    if (f.state !== 'ready') return;
    if (get().analysis?.dangerous && !confirm) {
      set({ confirmNeeded: true });
      return;
    }
    set({ save: { state: 'loading' }, confirmNeeded: false, reviewOpen: false });
    try {
      const r = await api.dns.save({ text: get().text, encoding: get().encoding, expectedSha256: f.value.sha256, confirm }, { host: get().hostId });
      set({ save: { state: 'ready', value: r }, file: { state: 'ready', value: { ...f.value, text: get().text, sha256: r.sha256 } } });
    } catch (e) {
      set({ save: errorOf(e) });
    }
  },

  cancelConfirm() {
    set({ confirmNeeded: false });
  },
}));
