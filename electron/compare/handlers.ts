import { ApiError } from '../../shared/api/errors';
import { compareSnapshots, MAX_COMPARE_HOSTS, type CompareInput, type CompareResult } from '../../shared/compare/diff';
import { importFiles } from '../../shared/compare/imports';
import { inventoryNameError, nameFromFile } from '../../shared/compare/safe-text';
import type { Snapshot } from '../../shared/compare/snapshot';
import type { OpParsedInput } from '../../shared/api/contract';
import type { CaptureSummary } from '../../shared/compare/contract';
import type { Api } from '../../shared/api/contract';
import type { FeatureHandlers, HandlerContext, HostList } from '../api/context';
import type { Host } from '../hosts/host';
import { ALL_SECTIONS, errorText, takeSnapshot, type CaptureSection } from './capture';
import { cacheOf, rememberRead, type Captured } from './read-cache';
import { wantsThreeWay } from '../../shared/compare/three-way';
import { addSnapshotHost } from './snapshot-hosts';
import { inflateImportFiles, newInflateBudget, type InflateBudget } from './import-inflate';

const plainTextOf = (hosts: { files: { text?: string }[] }[]) => hosts.reduce((n, h) => n + h.files.reduce((m, f) => m + (f.text?.length ?? 0), 0), 0);

/**
 * Compare: snapshots of any host, imports as read-only hosts, the N-way comparison and the
 * fixes. The last read of each live host is kept per runtime, so the UI can refresh hosts one
 * by one (with progress) and then compare without reading again.
 */

async function capture(ctx: { hosts: HostList; api: Api }, host: Host, sections: readonly CaptureSection[] = ALL_SECTIONS): Promise<Captured> {
  let entry: Captured;
  try {
    entry = { snapshot: await takeSnapshot(ctx.api, host, sections), error: null, at: Date.now(), sections };
  } catch (e) {
    entry = { snapshot: null, error: errorText(e), at: Date.now(), sections };
  }
  rememberRead(ctx.hosts, host, entry);
  return entry;
}

/** Runs fn over items with at most `limit` at a time (an unreachable host never blocks the others). */
async function pool<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

type RunInput = OpParsedInput<'compare', 'run'>;

async function inputsFor(ctx: HandlerContext, ids: string[], refresh: boolean, only: readonly CaptureSection[] = ALL_SECTIONS): Promise<CompareInput[]> {
  if (new Set(ids).size !== ids.length) throw new ApiError('INVALID_INPUT', 'A host is listed twice');
  // Any host id the registry knows, a saved remote host, or an ssh destination.
  const hosts = ids.map((id) => ctx.hosts.get(id));
  const cache = cacheOf(ctx.hosts);
  // Every host at once (at most MAX_COMPARE_HOSTS): each costs one ssh master and one session per refresh.
  return pool(hosts, MAX_COMPARE_HOSTS, async (h) => {
    // A host made of a record is compared as it is, never read again.
    const snap = h.transport.snapshot?.();
    if (snap) return { id: h.id, label: h.label, kind: h.kind, snapshot: snap };
    const cached = cache.get(h.id);
    const covers = cached !== undefined && only.every((s) => cached.sections.includes(s));
    const c = !refresh && covers ? cached : await capture(ctx, h, only);
    return { id: h.id, label: h.label, kind: h.kind, snapshot: c.snapshot, error: c.error, ...(h.root && h.root !== '/' ? { root: h.root } : {}) };
  });
}

async function run(ctx: HandlerContext, i: RunInput): Promise<CompareResult> {
  // Only the sections compared are read (`--only`): the others are never asked of the hosts.
  const inputs = await inputsFor(ctx, i.hosts, i.refresh, i.only);
  const baseline = i.baseline === undefined ? 0 : i.hosts.indexOf(i.baseline);
  if (baseline < 0) throw new ApiError('INVALID_INPUT', `The baseline "${i.baseline}" is not one of the compared hosts`);
  try {
    // Files against a live firewalld: both of its layers against them unless one is asked for.
    const layer = i.layer ?? (wantsThreeWay(inputs) ? 'both' : 'runtime');
    return compareSnapshots(inputs, { baseline, layer, dnsName: i.dnsName, k8s: i.k8s, only: i.only });
  } catch (e) {
    if (e instanceof RangeError) throw new ApiError('INVALID_VALUE', e.message);
    throw e;
  }
}

export { addSnapshotHost } from './snapshot-hosts';

/**
 * The comparison the Compare page asks for next, made while answering the import: the hosts it
 * already compares, then the loaded ones (as the page adds them: new ones only, 50 in all).
 * Null when that is fewer than 2 hosts, a live host among them has not been read yet, or the
 * comparison fails: the page's compare.run then reads and says why, as it always did.
 */
async function compareAfterImport(ctx: HandlerContext, c: NonNullable<OpParsedInput<'compare', 'importMany'>['compare']>, loaded: string[]): Promise<CompareResult | null> {
  const ids = [...new Set(c.hosts)];
  for (const id of loaded) if (!ids.includes(id) && ids.length < MAX_COMPARE_HOSTS) ids.push(id);
  if (ids.length < 2) return null;
  try {
    // Only what is at hand: a live host not read yet would hold the import's answer for its read
    // (the page reads it with progress and compares then, as before).
    const cache = cacheOf(ctx.hosts);
    if (!ids.every((id) => ctx.hosts.get(id).transport.snapshot?.() || ALL_SECTIONS.every((s) => cache.get(id)?.sections.includes(s)))) return null;
    return await run(ctx, { hosts: ids, baseline: c.baseline ?? ids[0], layer: c.layer, dnsName: c.dnsName, k8s: c.k8s, refresh: false });
  } catch {
    return null;
  }
}

/**
 * An import is called by its file name (two files of hosts both named "localhost" stay apart),
 * made into a valid inventory host name; the hostname shows next to it.
 */
export function importLabel(snapshot: Snapshot, fileName: string): string {
  const h = snapshot.identity.hostname;
  return nameFromFile(fileName) || (h && !inventoryNameError(h) ? h : 'import');
}

/**
 * A name given for an import becomes the host's name in reports, inventories and scripts:
 * one that is not a valid inventory host name is refused, naming the file and the name.
 */
export function checkImportLabel(file: string, label: string): string {
  const why = inventoryNameError(label);
  if (why) throw new ApiError('INVALID_INPUT', `${file}: the host name ${why}`, { file, label });
  return label;
}

/**
 * One host's files loaded as a read-only host (`tell`: send hostsChanged now); compressed files
 * inflate within `budget`, what the call may still inflate.
 */
function importHost(ctx: HandlerContext, i: OpParsedInput<'compare', 'import'>, tell: boolean, budget: InflateBudget): { host: Host; formats: string[]; snapshot: Snapshot } {
  const { snapshot, formats } = importFiles(inflateImportFiles(i.files, budget));
  const label = i.label === undefined ? importLabel(snapshot, i.files[0]!.name) : checkImportLabel(i.files[0]!.name, i.label);
  return { host: addSnapshotHost(ctx, snapshot, label, tell), formats, snapshot };
}

/** What compare.capture says of a host's last read. */
function captureSummary(host: string, s: Snapshot | null, error: string | null): CaptureSummary {
  const notes: string[] = [];
  if (s?.firewall && !s.firewall.running) notes.push(`firewalld: ${s.firewall.reason ?? 'not running'}`);
  if (s && !s.sysctl) notes.push('no sysctls');
  if (s && !s.dns) notes.push('no resolv.conf');
  return {
    host,
    status: s ? 'ok' : 'unreachable',
    error,
    takenAt: s ? s.identity.time : null,
    hostname: s?.identity.hostname ?? '',
    sysctlCount: s?.sysctl?.entries.length ?? 0,
    notes,
  };
}

export const compareHandlers: FeatureHandlers<'compare'> = {
  snapshot: (ctx) => takeSnapshot(ctx.api, ctx.host),

  async capture(ctx) {
    const record = ctx.host.transport.snapshot?.();
    const c = record ? { snapshot: record, error: null } : await capture(ctx, ctx.host);
    return captureSummary(ctx.host.id, c.snapshot, c.error);
  },

  import(ctx, i) {
    const { host, formats } = importHost(ctx, i, true, newInflateBudget(plainTextOf([i])));
    return { host: host.summary(), formats };
  },

  async importMany(ctx, i) {
    const hosts: { host: ReturnType<Host['summary']>; formats: string[]; capture: CaptureSummary }[] = [];
    let error: { index: number; code: string; message: string } | null = null;
    const budget = newInflateBudget(plainTextOf(i.hosts));
    try {
      for (const [index, one] of i.hosts.entries()) {
        try {
          const { host, formats, snapshot } = importHost(ctx, one, false, budget);
          hosts.push({ host: host.summary(), formats, capture: captureSummary(host.id, snapshot, null) });
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          error = { index, code: e.code, message: e.message };
          break;
        }
      }
    } finally {
      if (hosts.length) ctx.events.emit('app.hostsChanged', 'local', {});
    }
    return { hosts, error, compare: i.compare && hosts.length ? await compareAfterImport(ctx, i.compare, hosts.map((h) => h.host.id)) : null };
  },

  async forget(ctx, i) {
    const h = ctx.hosts.list().find((x) => x.id === i.id);
    if (!h) return { removed: false };
    if (!h.transport.snapshot) throw new ApiError('INVALID_INPUT', `${h.label} is not a snapshot: only imported hosts can be forgotten`);
    await ctx.hosts.remove(i.id);
    cacheOf(ctx.hosts).delete(i.id);
    ctx.events.emit('app.hostsChanged', 'local', {});
    return { removed: true };
  },

  run,

  // Fixes (the YAML and XML libraries), summaries and Ansible collections are loaded by the calls
  // that make them: a live compare loads none of them.
  summary: async (ctx, i) => (await import('./summary-op')).fleetSummaryOp(ctx, i),

  collect: async (ctx, i) => (await import('./collect')).collect(ctx, i),
  collectCancel: async (ctx, i) => (await import('./collect')).collectCancel(ctx, i),

  async open(ctx, i) {
    const { summaryFiles } = await import('./summary-op');
    const hosts = (await summaryFiles(ctx, i.files)).map((f) => addSnapshotHost(ctx, f.snapshot, f.label, false).id);
    ctx.events.emit('app.hostsChanged', 'local', {});
    return { hosts };
  },

  async fix(ctx, i) {
    const [{ ansiblePlaybook, firewallCmdScript, missingObjects, planFix, sysctlProfileText }, { inventoryPlaybook }, { collectedName, fixTarget }] = await Promise.all([
      import('../../shared/compare/fix'),
      import('../../shared/compare/fix-inventory'),
      import('./fix-target'),
    ]);
    const r = await run(ctx, i);
    const names = r.hosts.map((h) => i.names?.[h.id] ?? collectedName(ctx.hosts, h.id) ?? h.label);
    let plan;
    try {
      plan = planFix(r, i.selection, { names, confirmWeakening: i.confirmWeakening, ipsetEntries: await chosenIpsetEntries(ctx, r, i.selection.firewall, i.layer) });
    } catch (e) {
      if (e instanceof RangeError) throw new ApiError('INVALID_VALUE', e.message);
      throw e;
    }
    const notes = [
      ...plan.skipped.map((k) => `${k} does not exist on the baseline ${plan.baseline}`),
      ...plan.ipsetNotes,
      ...plan.refused.map((why) => `left out: ${why}`),
      ...plan.weakening.filter((w) => !w.confirmed).map((w) => `left out until confirmed: ${w.key} = ${w.value} weakens security (${w.weakens})`),
      ...plan.weakening.filter((w) => w.confirmed).map((w) => `confirmed: ${w.key} = ${w.value} weakens security (${w.weakens})`),
      ...missingObjects(r, i.selection),
    ];
    const weakening = plan.weakening;
    const differing = plan.hosts.map((h) => h.name);
    if (i.format === 'ansible') {
      // Hosts from an inventory: the playbook runs against it, with the pattern that chose them.
      const target = await fixTarget(ctx, r, plan.hosts.map((h) => h.index), i.inventory);
      if (target) {
        const a = inventoryPlaybook(plan, target, { become: i.become });
        return { format: i.format, text: a.playbook, inventory: null, command: a.command, filename: 'hostdeck-fix.yml', settings: plan.settings, sysctlFile: plan.sysctlFile, differing, notes: [...notes, ...a.notes], weakening };
      }
      const a = ansiblePlaybook(plan, { become: i.become });
      return { format: i.format, text: a.playbook, inventory: a.inventory, command: null, filename: 'hostdeck-fix.yml', settings: plan.settings, sysctlFile: plan.sysctlFile, differing, notes: [...notes, ...a.notes], weakening };
    }
    if (i.format === 'sysctl') {
      return { format: i.format, text: sysctlProfileText(plan), inventory: null, command: null, filename: plan.sysctlFile.slice(plan.sysctlFile.lastIndexOf('/') + 1), settings: plan.settings, sysctlFile: plan.sysctlFile, differing, notes: [...notes, ...plan.fileNotes], weakening };
    }
    return { format: i.format, text: firewallCmdScript(plan), inventory: null, command: null, filename: 'hostdeck-fix.sh', settings: plan.settings, sysctlFile: plan.sysctlFile, differing, notes, weakening };
  },
};

/**
 * The entries of the chosen ipsets on every compared host that can give them (a live host; a
 * snapshot holds only their count and sha256), read page by page as the Firewall page does.
 */
async function chosenIpsetEntries(ctx: HandlerContext, r: CompareResult, chosen: string[], layer: 'runtime' | 'permanent'): Promise<Record<number, Record<string, string[] | null>>> {
  const names = chosen.filter((c) => c.startsWith('ipset:')).map((c) => c.slice('ipset:'.length));
  const out: Record<number, Record<string, string[] | null>> = {};
  if (!names.length) return out;
  await Promise.all(
    r.hosts.map(async (h, index) => {
      out[index] = {};
      for (const name of names) {
        try {
          const all: string[] = [];
          for (let offset = 0; ; ) {
            const page = await ctx.api.firewall.ipsetEntries({ name, layer, offset, limit: 10_000 }, { host: h.id });
            all.push(...page.entries);
            offset += page.entries.length;
            if (page.entries.length === 0 || offset >= page.matched) break;
          }
          out[index]![name] = all;
        } catch {
          out[index]![name] = null;
        }
      }
    }),
  );
  return out;
}
