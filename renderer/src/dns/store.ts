import type { DnsLiveResult, DnsPlan, DnsPod, DnsRead, ResolvedState } from '../../../shared/dns/contract';
import type { podInputSchema } from '../../../shared/dns/contract';
import type { z } from 'zod';

type DnsPodInput = z.input<typeof podInputSchema>;
import { utf8ToBytes } from '../../../shared/dns/bytes';
import { diagnose, type Diagnosis, type Diagnostic } from '../../../shared/dns/diagnostics';
import { parseDocument, printDocument } from '../../../shared/dns/document';
import { applyEdit, type Edit } from '../../../shared/dns/edits';
import { bytesToUtf8 } from '../../../shared/dns/bytes';
import { hostStores } from '../app/host-store';
import { errorOf, type Load, type LoadError } from '../app/load';

type SaveError = LoadError & { current?: string };

/** errorOf, plus the file as it is now when the helper answered CONFLICT (another change came first). */
function saveErrorOf(e: unknown): SaveError {
  const out: SaveError = errorOf(e);
  const detail = (e as { detail?: { currentBase64?: unknown } } | undefined)?.detail;
  if (typeof detail?.currentBase64 === 'string') {
    try {
      out.current = new TextDecoder().decode(Uint8Array.from(atob(detail.currentBase64), (c) => c.charCodeAt(0)));
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

/** What belongs to one host: its file, the draft, and every result computed for it. */
interface DnsHostSlice {
  file: Load<DnsRead>;
  text: string;
  encoding: 'utf8' | 'latin1';
  analysis: Diagnosis | null;
  plan: Load<DnsPlan>;
  pod: Load<DnsPod>;
  live: Load<DnsLiveResult[]>;
  save: Load<{ path: string }> | SaveError;
  libc: 'glibc' | 'musl';
  resolved: Load<ResolvedState>;
  reviewOpen: boolean;
  confirmNeeded: boolean;
}

const hasDraft = (s: DnsHostSlice) => s.file.state === 'ready' && s.text !== s.file.value.text;

/** Hosts other than `current` with an unsaved resolv.conf edit (drafts survive a host switch). */
export function dnsDraftsElsewhere(current: string): string[] {
  return useDnsStore.hosts().filter((h) => h !== current && hasDraft(useDnsStore.of(h).getState()));
}

interface DnsState extends DnsHostSlice {
  load(): Promise<void>;
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

/** Each host's DNS page state, in the host's own store (hostStores): a draft or a result stays with its host. */
export const useDnsStore = hostStores<DnsState>(({ api }) => (set, get) => {
  return {
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
    libc: 'glibc',

    async load() {
      // Unsaved edits survive leaving the page and coming back (only Revert, which asks, drops them).
      const prev = get().file;
      const keep = prev.state === 'ready' && get().text !== prev.value.text ? get().text : null;
      set({ file: { state: 'loading' }, save: { state: 'idle' } });
      try {
        const f = await api.dns.read({});
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
        set({ resolved: { state: 'ready', value: await api.dns.resolved({}) } });
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
        set({ plan: { state: 'ready', value: await api.dns.plan({ name, text: get().text, libc: get().libc }) } });
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
        );
        set({ pod: { state: 'ready', value } });
      } catch (e) {
        set({ pod: errorOf(e) });
      }
    },

    async runLive(name) {
      set({ live: { state: 'loading' } });
      try {
        const r = await api.dns.liveCheck({ name, text: get().text });
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
        const r = await api.dns.save({ text: get().text, encoding: get().encoding, expectedSha256: f.value.sha256, confirm });
        set({ save: { state: 'ready', value: r }, file: { state: 'ready', value: { ...f.value, text: get().text, sha256: r.sha256 } } });
      } catch (e) {
        set({ save: saveErrorOf(e) });
      }
    },

    cancelConfirm() {
      set({ confirmNeeded: false });
    },
  };
});
