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
import { HostSlices } from '../app/host-scoped';

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

/** What belongs to the host on screen: its file, the draft, and every result computed for it. */
interface DnsHostSlice {
  file: Load<DnsRead>;
  text: string;
  encoding: 'utf8' | 'latin1';
  analysis: Diagnosis | null;
  plan: Load<DnsPlan>;
  pod: Load<DnsPod>;
  live: Load<DnsLiveResult[]>;
  save: Load<{ path: string }> | { state: 'error'; code: string; message: string; current?: string };
  resolved: Load<ResolvedState>;
  reviewOpen: boolean;
  confirmNeeded: boolean;
}

const freshSlice = (): DnsHostSlice => ({
  file: { state: 'idle' },
  text: '',
  encoding: 'utf8',
  analysis: null,
  plan: { state: 'idle' },
  pod: { state: 'idle' },
  live: { state: 'idle' },
  save: { state: 'idle' },
  resolved: { state: 'idle' },
  reviewOpen: false,
  confirmNeeded: false,
});

const sliceOf = (s: DnsHostSlice): DnsHostSlice => ({
  file: s.file,
  text: s.text,
  encoding: s.encoding,
  analysis: s.analysis,
  plan: s.plan,
  pod: s.pod,
  live: s.live,
  save: s.save,
  resolved: s.resolved,
  reviewOpen: s.reviewOpen,
  confirmNeeded: s.confirmNeeded,
});

const hasDraft = (s: DnsHostSlice) => s.file.state === 'ready' && s.text !== s.file.value.text;

/** Other hosts' DNS state while another host is on screen (drafts survive a host switch). */
export const dnsSlices = new HostSlices<DnsHostSlice>(freshSlice);

/** Hosts other than the one on screen with an unsaved resolv.conf edit. */
export function dnsDraftsElsewhere(): string[] {
  return dnsSlices.hostsWhere(hasDraft);
}

interface DnsState extends DnsHostSlice {
  /** The host this state belongs to; results for another host are never stored here. */
  hostId: string;
  libc: 'glibc' | 'musl';
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

export const useDnsStore = create<DnsState>((set, get) => {
  /** Sets a result on its own host: on screen, or parked when the user has switched to another host meanwhile. */
  const putFor = (host: string) => (patch: Partial<DnsState>) => {
    if (get().hostId === host) set(patch);
  };
  return {
    hostId: 'local',
    ...freshSlice(),
    libc: 'glibc',

    async load(hostId) {
      // Another host: park this one's file, draft and results, bring back the other's (or nothing).
      if (hostId !== get().hostId) set({ ...dnsSlices.swap(get().hostId, hostId, sliceOf(get())), hostId });
      // Unsaved edits of this host survive leaving the page and coming back (only Revert, which asks, drops them).
      const prev = get().file;
      const keep = prev.state === 'ready' && get().hostId === hostId && get().text !== prev.value.text ? get().text : null;
      set({ hostId, file: { state: 'loading' }, save: { state: 'idle' } });
      try {
        const f = await api.dns.read({}, { host: hostId });
        if (get().hostId !== hostId) return;
        const text = keep ?? f.text;
        set({ file: { state: 'ready', value: f }, text, encoding: f.encoding, analysis: diagnose(toBytes(text, f.encoding), { hostname: f.hostname ?? undefined }) });
      } catch (e) {
        if (get().hostId === hostId) set({ file: errorOf(e) });
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
      const host = get().hostId;
      const put = putFor(host);
      set({ resolved: { state: 'loading' } });
      try {
        put({ resolved: { state: 'ready', value: await api.dns.resolved({}, { host }) } });
      } catch (e) {
        put({ resolved: errorOf(e) });
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
      const host = get().hostId;
      const put = putFor(host);
      set({ plan: { state: 'loading' } });
      try {
        put({ plan: { state: 'ready', value: await api.dns.plan({ name, text: get().text, libc: get().libc }, { host }) } });
      } catch (e) {
        put({ plan: errorOf(e) });
      }
    },

    async runPod(input) {
      const host = get().hostId;
      const put = putFor(host);
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
          { host },
        );
        put({ pod: { state: 'ready', value } });
      } catch (e) {
        put({ pod: errorOf(e) });
      }
    },

    async runLive(name) {
      const host = get().hostId;
      const put = putFor(host);
      set({ live: { state: 'loading' } });
      try {
        const r = await api.dns.liveCheck({ name, text: get().text }, { host });
        put({ live: { state: 'ready', value: r.results } });
      } catch (e) {
        put({ live: errorOf(e) });
      }
    },

    async doSave(confirm) {
      const host = get().hostId;
      const put = putFor(host);
      const f = get().file;
      if (f.state !== 'ready') return;
      if (get().analysis?.dangerous && !confirm) {
        set({ confirmNeeded: true });
        return;
      }
      set({ save: { state: 'loading' }, confirmNeeded: false, reviewOpen: false });
      try {
        const r = await api.dns.save({ text: get().text, encoding: get().encoding, expectedSha256: f.value.sha256, confirm }, { host });
        put({ save: { state: 'ready', value: r }, file: { state: 'ready', value: { ...f.value, text: get().text, sha256: r.sha256 } } });
      } catch (e) {
        put({ save: errorOf(e) });
      }
    },

    cancelConfirm() {
      set({ confirmNeeded: false });
    },
  };
});
