import type { HostDeckEvent } from '../../../shared/api/contract';
import type { SafeApplySession, SafeChange } from '../../../shared/firewall/contract';
import type { FullState, Layer, LayerState, PolicyPatch, ZonePatch } from '../../../shared/firewall/model';
import { itemTextKey } from '../../../shared/firewall/diff';
import { itemText, type ListKey } from '../../../shared/firewall/patch';
import { onEvent } from '../app/api';
import { hostStores } from '../app/host-store';
import { isEmptyDraft, type Draft } from './draft';

import type { Load } from '../app/load';

export type { Load } from '../app/load';

export interface Notice {
  id: number;
  variant: 'success' | 'danger' | 'warning' | 'info';
  title: string;
  detail?: string;
}

/**
 * The host answered NEEDS_CONFIRMATION: its message, what would be lost, and the same call with
 * confirmation. The page shows it as a dialog; every call that can get this answer passes the
 * confirmed variant to run(), so "confirm" always has a control.
 */
export interface PendingConfirmation {
  id: number;
  what: string;
  message: string;
  /** From the host's detail (reloads): what is lost, what a reload adds. */
  lost: Array<{ kind: string; name: string; text: string }>;
  gained: Array<{ kind: string; name: string; text: string }>;
  /** "Apply anyway" for lock-out risks, "Confirm and reload" for reloads. */
  action: string;
  /** Runs the confirmed call. */
  confirm(): Promise<unknown>;
  /** Reloads only: save runtime to permanent first, then go ahead (nothing is lost). */
  saveFirst?(): Promise<unknown>;
  cancel(): void;
}

export type FirewallTab = 'zones' | 'policies' | 'services' | 'ipsets' | 'icmptypes' | 'helpers' | 'global' | 'differences';

/**
 * One host's firewall page: its state, staged drafts, safe-apply sessions and a pending
 * confirmation, in the host's own store (hostStores); every action calls this host's API.
 */
interface FirewallStore {
  /** The host this store belongs to (fixed for the store's life). */
  hostId: string;
  full: Load<FullState>;
  tab: FirewallTab;
  selectedZone?: string;
  selectedPolicy?: string;
  selectedService?: string;
  selectedIpset?: string;
  sessions: SafeApplySession[];
  notices: Notice[];
  busy: boolean;
  /** Bumped when ipset entries change, so the entries view re-reads its pages. */
  ipsetEpoch: number;
  /**
   * Items this page added to the runtime of this host in this session (addedKey()): Runtime →
   * permanent marks every other runtime-only item as added by another tool (or before).
   */
  addedHere: ReadonlySet<string>;
  /**
   * Staged (not yet applied) changes per host and object (draftKey()): they belong to their host,
   * so switching to another host and back finds them again instead of losing them silently.
   */
  drafts: Readonly<Record<string, Draft>>;
  setDraft(key: string, next: Draft | ((d: Draft) => Draft)): void;
  setTab(tab: FirewallTab): void;
  select(kind: 'zone' | 'policy' | 'service' | 'ipset', name: string | undefined): void;
  load(refresh?: boolean): Promise<void>;
  /**
   * The admin asked for the configuration files on a host whose firewalld runs (the page's
   * "Offline configuration" switch, like `--offline`): reads pass `offline`, the page shows files.
   */
  askedOffline: boolean;
  setAskedOffline(on: boolean): Promise<void>;
  notify(n: Omit<Notice, 'id'>): void;
  dismiss(id: number): void;
  /** A NEEDS_CONFIRMATION answer waiting for the admin's decision. */
  pendingConfirmation?: PendingConfirmation;
  /**
   * Runs a write; reports errors with their code in plain words; returns undefined on failure.
   * `confirmed` is the same call with confirmation: when the host answers NEEDS_CONFIRMATION the
   * admin is asked, and the result of the confirmed call (or undefined) is returned.
   */
  run<T>(what: string, fn: () => Promise<T>, success?: string, confirmed?: () => Promise<T>): Promise<T | undefined>;
  updateZone(name: string, layer: Layer, patch: ZonePatch, opts?: { timeout?: number; acknowledgeRisk?: boolean }): Promise<boolean>;
  updatePolicy(name: string, layer: Layer, patch: PolicyPatch, acknowledgeRisk?: boolean): Promise<boolean>;
  safeApply(change: SafeChange, seconds: number, saveToPermanent: boolean): Promise<boolean>;
  confirmSession(id: string): Promise<void>;
  revertSession(id: string): Promise<void>;
}

let noticeId = 0;

/** firewalld's error codes (firewall/errors.py) and ours, in plain words for the admin. */
const PLAIN: Record<string, string> = {
  FIREWALLD_NOT_RUNNING: 'firewalld is not running.',
  NOT_AUTHORIZED: 'Not authorized: polkit refused, or HostDeck lacks the rights for this.',
  NOT_AUTHENTICATED: 'Session expired: reload the page.',
  TOO_LARGE: 'The request is too large: send less at once.',
  ACCESS_DENIED: 'firewalld is in lockdown mode and does not accept changes from HostDeck.',
  PANIC_MODE: 'Panic mode is on: firewalld refuses runtime changes until it is turned off.',
  ALREADY_ENABLED: 'It is already there.',
  NOT_ENABLED: 'It is not there (someone may have removed it meanwhile).',
  ZONE_CONFLICT: 'That interface or source is bound to another zone: remove it there first.',
  ZONE_ALREADY_SET: 'That interface or source is already in this zone.',
  NAME_CONFLICT: 'Something with that name exists already.',
  INVALID_NAME: 'firewalld does not accept that name.',
  INVALID_ZONE: 'No zone of that name.',
  INVALID_POLICY: 'No policy of that name.',
  INVALID_SERVICE: 'No service of that name.',
  INVALID_IPSET: 'No ipset of that name.',
  INVALID_ICMPTYPE: 'No ICMP type of that name, or not for this IP family.',
  INVALID_HELPER: 'No helper of that name.',
  INVALID_PORT: 'The port or range is not valid.',
  INVALID_PROTOCOL: 'The protocol is not valid.',
  INVALID_ADDR: 'The address or network is not valid.',
  INVALID_SOURCE: 'The source is not valid.',
  INVALID_INTERFACE: 'The interface name is not valid.',
  INVALID_FORWARD: 'The forward port is not valid.',
  INVALID_RULE: 'firewalld rejected the rich rule.',
  INVALID_TARGET: 'The target is not valid here.',
  INVALID_ENTRY: 'The ipset entry does not fit the ipset type.',
  INVALID_FAMILY: 'The IP family does not fit.',
  INVALID_VALUE: 'A value is not valid.',
  INVALID_TYPE: 'The type is not valid.',
  IPSET_WITH_TIMEOUT: 'firewalld cannot list or change entries of an ipset with a timeout.',
  BUILTIN_ZONE: 'Built-in zones cannot be deleted or renamed.',
  BUILTIN_POLICY: 'Built-in policies cannot be deleted or renamed.',
  RUNNING_BUT_FAILED: 'firewalld runs but failed to apply its configuration; check its log.',
  NEEDS_CONFIRMATION: 'This change needs confirmation.',
  IN_USE: 'It is still in use.',
  CONFLICT: 'The file changed since HostDeck read it: look again and retry.',
  TIMEOUT: 'firewalld is not answering.',
};

/** Error codes in plain words (firewalld's own codes arrive as FIREWALLD_ERROR with detail.firewalldCode), with firewalld's text after. */
export function describeError(e: unknown): { code: string; message: string } {
  const err = e as { code?: string; message?: string; detail?: { firewalldCode?: string } };
  const code = err.detail?.firewalldCode ?? err.code ?? 'INTERNAL';
  const message = err.message ?? String(e);
  const plain = PLAIN[code];
  if (!plain) return { code, message };
  if (!message || message === code) return { code, message: plain };
  return { code, message: message.toLowerCase().includes(plain.toLowerCase().slice(0, 20)) ? message : `${plain} (${message})` };
}

function emptyLayer(): LayerState {
  return { zones: {}, policies: {}, services: {}, ipsets: {}, icmptypes: {}, helpers: {} };
}

const KIND_KEY = { zone: 'zones', policy: 'policies', service: 'services', ipset: 'ipsets', icmptype: 'icmptypes', helper: 'helpers' } as const;

export const useFirewallStore = hostStores<FirewallStore>(({ id, api }) => (set, get) => ({
  hostId: id,
  full: { state: 'idle' },
  tab: 'zones',
  sessions: [],
  notices: [],
  busy: false,
  ipsetEpoch: 0,
  addedHere: new Set(),
  drafts: {},
  askedOffline: false,
  async setAskedOffline(on) {
    set({ askedOffline: on, full: { state: 'loading' } });
    await get().load();
  },
  setDraft(key, next) {
    const drafts = { ...get().drafts };
    const value = typeof next === 'function' ? next(drafts[key] ?? EMPTY_DRAFT) : next;
    if (isEmptyDraft(value)) delete drafts[key];
    else drafts[key] = value;
    set({ drafts });
  },
  setTab(tab) {
    set({ tab });
  },
  select(kind, name) {
    if (kind === 'zone') set({ selectedZone: name });
    if (kind === 'policy') set({ selectedPolicy: name });
    if (kind === 'service') set({ selectedService: name });
    if (kind === 'ipset') set({ selectedIpset: name });
  },
  async load(refresh = false) {
    if (get().full.state !== 'ready') set({ full: { state: 'loading' } });
    try {
      const [full, sessions] = await Promise.all([
        api.firewall.state({ refresh, offline: get().askedOffline || undefined }),
        api.firewall.safeApplyStatus({}).then((r) => r.sessions).catch(() => [] as SafeApplySession[]),
      ]);
      const s = get();
      set({
        full: { state: 'ready', value: full },
        sessions,
        // A zone that exists in permanent only (created or renamed, not reloaded yet) stays selected too.
        selectedZone: s.selectedZone && (full.runtime.zones[s.selectedZone] || full.permanent.zones[s.selectedZone]) ? s.selectedZone : full.global.defaultZone,
      });
    } catch (e) {
      const { code, message } = describeError(e);
      set({ full: { state: 'error', code, message } });
    }
  },
  notify(n) {
    const id = ++noticeId;
    set({ notices: [...get().notices, { ...n, id }] });
    if (n.variant === 'success' || n.variant === 'info') setTimeout(() => get().dismiss(id), 6000);
  },
  dismiss(id) {
    set({ notices: get().notices.filter((n) => n.id !== id) });
  },
  async run<T>(what: string, fn: () => Promise<T>, success?: string, confirmed?: () => Promise<T>): Promise<T | undefined> {
    set({ busy: true });
    let needs: { message: string; detail: { lost?: PendingConfirmation['lost']; gained?: PendingConfirmation['gained']; suggestion?: string } } | undefined;
    try {
      const r = await fn();
      if (success) get().notify({ variant: 'success', title: success });
      return r;
    } catch (e) {
      const err = e as { code?: string; message?: string; detail?: unknown };
      if (err.code === 'NEEDS_CONFIRMATION' && confirmed) {
        needs = { message: err.message ?? '', detail: (err.detail ?? {}) as NonNullable<typeof needs>['detail'] };
      } else {
        const { code, message } = describeError(e);
        get().notify({ variant: 'danger', title: `${what} failed [${code}]`, detail: message });
        return undefined;
      }
    } finally {
      set({ busy: false });
    }
    // Ask, then run the confirmed call (or give up) and hand its result to the caller.
    const reload = !!needs.detail.lost;
    return new Promise<T | undefined>((resolve) => {
      const done = (v: T | undefined) => {
        set({ pendingConfirmation: undefined });
        resolve(v);
      };
      set({
        pendingConfirmation: {
          id: ++noticeId,
          what,
          message: needs.message,
          lost: needs.detail.lost ?? [],
          gained: needs.detail.gained ?? [],
          action: reload ? 'Confirm: go ahead and lose them' : 'Apply anyway (I have another way in)',
          confirm: async () => done(await get().run(what, confirmed, success)),
          saveFirst: reload
            ? async () => {
              const saved = await get().run('Saving runtime as permanent', () => api.firewall.runtimeToPermanent({}), 'Runtime saved as permanent');
              done(saved ? await get().run(what, fn, success, confirmed) : undefined);
            }
            : undefined,
          cancel: () => done(undefined),
        },
      });
    });
  },
  async updateZone(name, layer, patch, opts = {}) {
    const call = (acknowledgeRisk: boolean) => () => api.firewall.updateZone({ name, layer, patch, timeout: opts.timeout, acknowledgeRisk });
    const r = await get().run(`Changing zone ${name} (${layer})`, call(opts.acknowledgeRisk ?? false), `Zone ${name}: ${layer} updated`, call(true));
    if (r) {
      if (layer === 'runtime') noteAdded(set, get, 'zone', name, patch);
      applyObject(set, get, layer, 'zone', name, r.object);
      for (const note of r.notes) get().notify({ variant: 'info', title: note });
      // The host remembers when timed items expire: read them with the state.
      if (opts.timeout) await get().load();
    }
    return !!r;
  },
  async updatePolicy(name, layer, patch, acknowledgeRisk = false) {
    const call = (ack: boolean) => () => api.firewall.updatePolicy({ name, layer, patch, acknowledgeRisk: ack });
    const r = await get().run(`Changing policy ${name} (${layer})`, call(acknowledgeRisk), `Policy ${name}: ${layer} updated`, call(true));
    if (r) {
      if (layer === 'runtime') noteAdded(set, get, 'policy', name, patch);
      applyObject(set, get, layer, 'policy', name, r.object);
    }
    return !!r;
  },
  async safeApply(change, seconds, saveToPermanent) {
    const call = (confirm: boolean) => () => api.firewall.safeApply({ change, seconds, saveToPermanent, confirm });
    const s = await get().run('Safe apply', call(false), undefined, call(true));
    if (s) upsertSession(set, get, s);
    if (s && (change.type === 'zone' || change.type === 'policy')) noteAdded(set, get, change.type, change.name, change.patch);
    return !!s;
  },
  // No toast for confirm and revert: the safe-apply banner shows the outcome (and clears it).
  async confirmSession(id) {
    const s = await get().run('Confirming the change', () => api.firewall.safeApplyConfirm({ id }));
    if (s) upsertSession(set, get, s);
  },
  async revertSession(id) {
    const s = await get().run('Reverting the change', () => api.firewall.safeApplyRevert({ id }));
    if (s) upsertSession(set, get, s);
  },
}));

/** No staged change (one object, so selectors that fall back to it keep their identity). */
export const EMPTY_DRAFT: Draft = Object.freeze({ add: {}, remove: {}, scalars: {}, edits: {} }) as Draft;

/** The key of one object's staged changes on one host. */
export function draftKey(host: string, kind: 'zone' | 'policy', name: string): string {
  return JSON.stringify([host, kind, name]);
}

/** How many objects of a host have staged changes, per kind and name (the lists mark them). */
export function draftedNames(drafts: Readonly<Record<string, Draft>>, host: string, kind: 'zone' | 'policy'): Set<string> {
  const out = new Set<string>();
  for (const k of Object.keys(drafts)) {
    const [h, kk, name] = JSON.parse(k) as [string, string, string];
    if (h === host && kk === kind) out.add(name);
  }
  return out;
}

/** The key of one item in `addedHere`. */
export function addedKey(host: string, kind: string, name: string, field: string, text: string): string {
  return JSON.stringify([host, kind, name, field, itemTextKey(field, text)]);
}

type SetFw = (patch: Partial<FirewallStore>) => void;
type GetFw = () => FirewallStore;

/** Remembers the items a runtime write of this page added. */
function noteAdded(set: SetFw, get: GetFw, kind: 'zone' | 'policy', name: string, patch: ZonePatch | PolicyPatch) {
  const { addedHere, hostId } = get();
  const keys = new Set(addedHere);
  for (const [field, items] of Object.entries(patch.add ?? {})) {
    for (const item of (items as unknown[] | undefined) ?? []) keys.add(addedKey(hostId, kind, name, field, itemText(field as ListKey, item)));
  }
  set({ addedHere: keys });
}

function upsertSession(set: SetFw, get: GetFw, s: SafeApplySession) {
  const sessions = get().sessions.filter((x) => x.id !== s.id);
  set({ sessions: [...sessions, s] });
}

/** Puts one object (or its removal) into the loaded state without re-reading everything. */
function applyObject(set: SetFw, get: GetFw, layer: Layer, kind: keyof typeof KIND_KEY, name: string, object: unknown) {
  const full = get().full;
  if (full.state !== 'ready') return;
  const key = KIND_KEY[kind];
  const layerState = { ...(full.value[layer] ?? emptyLayer()) };
  const objects = { ...(layerState[key] as Record<string, unknown>) };
  if (object === null) delete objects[name];
  else objects[name] = object;
  (layerState as Record<string, unknown>)[key] = objects;
  set({ full: { state: 'ready', value: { ...full.value, [layer]: layerState } } });
}

/** Keeps the store current from pushed events; returns the unsubscribe function. */
export function startFirewallEvents(): () => void {
  const reloadTimers = new Map<string, ReturnType<typeof setTimeout>>();
  return onEvent((e: HostDeckEvent) => {
    // Each host's events go to that host's store, if the page has one for it.
    if (!e.host || !useFirewallStore.hosts().includes(e.host)) return;
    const store = useFirewallStore.of(e.host);
    const st = store.getState();
    const set: SetFw = (p) => store.setState(p);
    const get: GetFw = () => store.getState();
    switch (e.name) {
      case 'firewall.objectChanged': {
        const { layer, change } = e.payload;
        applyObject(set, get, layer, change.kind, change.name, change.object);
        break;
      }
      case 'firewall.globalChanged': {
        const full = st.full;
        if (full.state === 'ready') set({ full: { state: 'ready', value: { ...full.value, global: e.payload.global, revision: e.payload.revision } } });
        break;
      }
      case 'firewall.configChanged': {
        const full = st.full;
        if (full.state === 'ready') set({ full: { state: 'ready', value: { ...full.value, config: e.payload.config } } });
        break;
      }
      case 'firewall.reloaded':
      case 'firewall.statusChanged':
        // Debounced: a reload is followed by a burst of per-object events.
        clearTimeout(reloadTimers.get(e.host));
        reloadTimers.set(e.host, setTimeout(() => void get().load(), 150));
        break;
      case 'firewall.ipsetEntriesChanged': {
        set({ ipsetEpoch: st.ipsetEpoch + 1 });
        const full = st.full;
        const ipset = full.state === 'ready' ? full.value[e.payload.layer].ipsets[e.payload.name] : undefined;
        if (ipset) {
          applyObject(set, get, e.payload.layer, 'ipset', e.payload.name, {
            ...ipset,
            entryCount: e.payload.entryCount,
            entriesHash: e.payload.entriesHash ?? ipset.entriesHash,
          });
        }
        break;
      }
      case 'firewall.safeApplyChanged':
        upsertSession(set, get, e.payload);
        break;
    }
  });
}
