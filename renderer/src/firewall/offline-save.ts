import type { ConfigProblem } from '../../../shared/firewall/offline/parse';
import type { Service } from '../../../shared/firewall/model';
import type { OfflineFileChange, OfflineUnchanged, OfflineWriteOp, ServicePatch } from '../../../shared/firewall/offline/write-contract';
import type { NmProfilesCheck } from '../../../shared/firewall/nm-zone/contract';
import { hostStores } from '../app/host-store';
import type { HostApi } from '../app/api';
import { draftToPolicyPatch, draftToZonePatch, type Draft } from './draft';
import { describeError, useFirewallStore } from './store';

/**
 * Saving to an offline configuration (an image, a stopped firewalld, the "Offline configuration"
 * switch): there is no runtime, safe apply or reload; a change becomes firewall.offlineWrite
 * operations, first checked with dryRun (which files change, what firewalld would refuse), then
 * written as one all-or-nothing request against the digest of the files as the page read them.
 */

/** Why a save did not happen, in the words the review shows. */
export interface SaveFailure {
  /** conflict: the files changed since they were read; refused: firewalld would not load the result (or an operation is invalid). */
  kind: 'conflict' | 'refused' | 'failed';
  code: string;
  message: string;
  /** File, element and reason of each refusal. */
  problems: ConfigProblem[];
}

export interface OfflineReview {
  id: number;
  /** What is saved ("Zone public", "2 staged changes"). */
  what: string;
  ops: OfflineWriteOp[];
  /** The digest of the files the page shows (undefined: the read had none; the host checks nothing). */
  basis?: string;
  phase: 'checking' | 'ready' | 'saving' | 'failed';
  /** The files the dry run says change, and the warnings firewalld would note. */
  files?: OfflineFileChange[];
  /** Objects the change leaves as firewalld already reads them: not written. */
  unchanged?: OfflineUnchanged[];
  warnings?: ConfigProblem[];
  /** A zone renamed or deleted: NetworkManager profiles still naming it (nm-zone). */
  nmProfiles?: NmProfilesCheck;
  failure?: SaveFailure;
  /** Staged drafts this save carries (store.drafts keys): cleared once written. */
  draftKeys: string[];
}

/** Zone and policy drafts of one host as offline operations, with the draft keys they come from. */
export function draftOps(drafts: Readonly<Record<string, Draft>>, host: string): { ops: OfflineWriteOp[]; keys: string[] } {
  const ops: OfflineWriteOp[] = [];
  const keys: string[] = [];
  for (const [key, d] of Object.entries(drafts)) {
    const [h, kind, name] = JSON.parse(key) as [string, string, string];
    if (h !== host) continue;
    if (kind === 'zone') ops.push({ op: 'zone.patch', name, patch: draftToZonePatch(d) });
    else if (kind === 'policy') ops.push({ op: 'policy.patch', name, patch: draftToPolicyPatch(d) });
    else continue;
    keys.push(key);
  }
  return { ops, keys };
}

/** The edit of a service (its settings before and after) as one service.patch, or undefined when nothing changed. */
export function serviceOp(name: string, before: Service, after: Service): OfflineWriteOp | undefined {
  const pk = (p: { port: string; protocol: string }) => `${p.port}/${p.protocol}`;
  const patch: ServicePatch = {};
  const add: NonNullable<ServicePatch['add']> = {};
  const remove: NonNullable<ServicePatch['remove']> = {};
  const lists = <T>(key: 'ports' | 'sourcePorts' | 'protocols' | 'helpers' | 'includes', a: T[], b: T[], k: (x: T) => string) => {
    const had = new Set(a.map(k));
    const has = new Set(b.map(k));
    const gone = a.filter((x) => !has.has(k(x)));
    const added = b.filter((x) => !had.has(k(x)));
    if (gone.length) (remove as Record<string, T[]>)[key] = gone;
    if (added.length) (add as Record<string, T[]>)[key] = added;
  };
  lists('ports', before.ports, after.ports, pk);
  lists('sourcePorts', before.sourcePorts, after.sourcePorts, pk);
  lists('protocols', before.protocols, after.protocols, String);
  lists('helpers', before.helpers, after.helpers, String);
  lists('includes', before.includes, after.includes, String);
  if (Object.keys(add).length) patch.add = add;
  if (Object.keys(remove).length) patch.remove = remove;
  if (after.short !== before.short) patch.short = after.short;
  if (after.description !== before.description) patch.description = after.description;
  const destination: NonNullable<ServicePatch['destination']> = {};
  for (const fam of ['ipv4', 'ipv6'] as const) {
    const a = before.destination[fam] || undefined;
    const b = after.destination[fam] || undefined;
    if (a !== b) destination[fam] = b ?? null;
  }
  if (Object.keys(destination).length) patch.destination = destination;
  return Object.keys(patch).length ? { op: 'service.patch', name, patch } : undefined;
}

/** Create, delete or reset (load the defaults) of a zone, policy, service or ipset by name. */
export function objectOp(kind: 'zone' | 'policy' | 'service', what: 'create' | 'delete' | 'reset', name: string): OfflineWriteOp;
export function objectOp(kind: 'ipset', what: 'delete' | 'reset', name: string): OfflineWriteOp;
export function objectOp(kind: 'zone' | 'policy' | 'service' | 'ipset', what: 'create' | 'delete' | 'reset', name: string): OfflineWriteOp;
export function objectOp(kind: 'zone' | 'policy' | 'service' | 'ipset', what: 'create' | 'delete' | 'reset', name: string): OfflineWriteOp {
  return { op: `${kind}.${what}`, name } as OfflineWriteOp;
}

/** Saves every staged zone and policy change of the host as one request (the apply bar's "Save to the files"). */
export function saveDrafts(host: string): void {
  const { ops, keys } = draftOps(useFirewallStore.of(host).getState().drafts, host);
  if (!ops.length) return;
  void useOfflineSave.of(host).getState().open(ops.length === 1 ? `${ops[0]!.op.split('.')[0]} ${(ops[0] as { name: string }).name}` : `${ops.length} staged objects`, ops, keys);
}

/** An operation's object and the file firewalld keeps it in (for a refusal that names no file). */
function objectOf(op: OfflineWriteOp | undefined): { file: string; element: string } {
  if (!op) return { file: '/etc/firewalld', element: 'configuration' };
  if (op.op === 'default-zone' || op.op === 'conf.set') return { file: '/etc/firewalld/firewalld.conf', element: op.op === 'conf.set' ? op.key : 'DefaultZone' };
  const [kind] = op.op.split('.') as [string];
  const dir = { zone: 'zones', policy: 'policies', service: 'services', ipset: 'ipsets', icmptype: 'icmptypes', helper: 'helpers' }[kind] ?? kind;
  return { file: `/etc/firewalld/${dir}/${op.name}.xml`, element: `${kind} ${op.name}` };
}

/** A refused or failed offlineWrite in the review's words: a CONFLICT, the checks' problems (file, element, reason), or the error. */
export function failureOf(e: unknown, ops: OfflineWriteOp[]): SaveFailure {
  const err = e as { code?: string; message?: string; detail?: { problems?: ConfigProblem[]; index?: number; firewalldCode?: string } };
  const { code, message } = describeError(e);
  if (err.code === 'CONFLICT') {
    return { kind: 'conflict', code: 'CONFLICT', message: 'The configuration files changed since this page read them (another program or person wrote them). Nothing was written. Reload the files, look at them again, then save.', problems: [] };
  }
  if (err.detail?.problems?.length) return { kind: 'refused', code, message: err.message ?? message, problems: err.detail.problems };
  if (typeof err.detail?.index === 'number') {
    // One operation refused as firewalld refuses it when it is set: its object and file, firewalld's reason.
    const at = objectOf(ops[err.detail.index]);
    return { kind: 'refused', code, message: err.message ?? message, problems: [{ ...at, code, message: err.message ?? message, severity: 'error' }] };
  }
  return { kind: 'failed', code, message, problems: [] };
}

interface OfflineSaveStore {
  review?: OfflineReview;
  /** Checks the operations (dryRun) and shows the review: which files change, or why not. */
  open(what: string, ops: OfflineWriteOp[], draftKeys?: string[]): Promise<void>;
  /** Writes what the review shows, against the same basis; re-reads the files afterwards. */
  save(): Promise<boolean>;
  /** After a CONFLICT: read the files again (staged changes stay), then close the review. */
  reloadFiles(): Promise<void>;
  close(): void;
}

let reviewId = 0;

/** The offline save of one host's Firewall page (its review dialog reads this). */
export const useOfflineSave = hostStores<OfflineSaveStore>(({ id, api }) => (set, get) => ({
  async open(what, ops, draftKeys = []) {
    const fw = useFirewallStore.of(id).getState();
    const basis = fw.full.state === 'ready' ? fw.full.value.offline?.digest : undefined;
    const review: OfflineReview = { id: ++reviewId, what, ops, basis, phase: 'checking', draftKeys };
    set({ review });
    const r = await checkOffline(api, ops, basis);
    if (get().review?.id !== review.id) return;
    set({ review: { ...review, ...r } });
  },
  async save() {
    const review = get().review;
    if (!review || review.phase !== 'ready') return false;
    set({ review: { ...review, phase: 'saving' } });
    const fw = useFirewallStore.of(id);
    try {
      const r = await api.firewall.offlineWrite({ ops: review.ops, basis: review.basis });
      const drafts = { ...fw.getState().drafts };
      for (const k of review.draftKeys) delete drafts[k];
      fw.setState((s) => ({ drafts, ipsetEpoch: s.ipsetEpoch + 1 }));
      // The review stays ("saving") until the files are read again: the next change's basis is the new digest, not a stale one.
      await fw.getState().load(true);
      set({ review: undefined });
      // Written: the profiles still name the old zone until the admin runs the commands the review showed.
      const nm = r.nmProfiles?.warnings ?? [];
      if (nm.length) fw.getState().notify({ variant: 'warning', title: `${nm.length} NetworkManager profile${nm.length === 1 ? '' : 's'} still name${nm.length === 1 ? 's' : ''} the old zone`, detail: nm.map((w) => w.command).join('\n') });
      fw.getState().notify({ variant: 'success', title: r.files.length ? `Saved to ${r.files.length} file${r.files.length === 1 ? '' : 's'}: ${r.files.map((f) => f.shown).join(', ')}` : 'Nothing to change: the files already say this' });
      return true;
    } catch (e) {
      set({ review: { ...review, phase: 'failed', failure: failureOf(e, review.ops) } });
      return false;
    }
  },
  async reloadFiles() {
    set({ review: undefined });
    await useFirewallStore.of(id).getState().load(true);
  },
  close() {
    set({ review: undefined });
  },
}));

/** The dry run: the files that would change, or why nothing can be written. */
export async function checkOffline(api: HostApi, ops: OfflineWriteOp[], basis: string | undefined): Promise<Pick<OfflineReview, 'phase' | 'files' | 'unchanged' | 'warnings' | 'nmProfiles' | 'failure'>> {
  try {
    const r = await api.firewall.offlineWrite({ ops, dryRun: true, basis });
    return { phase: 'ready', files: r.files, unchanged: r.unchanged ?? [], warnings: r.problems, nmProfiles: r.nmProfiles };
  } catch (e) {
    return { phase: 'failed', failure: failureOf(e, ops) };
  }
}
