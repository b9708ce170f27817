import { createHash } from 'node:crypto';
import { ApiError } from '../../shared/api/errors';
import type { CompareResult } from '../../shared/compare/diff';
import { changesBetween, changeText, compareOverTime } from '../../shared/history/changes';
import { planRestore, type RestoreStep } from '../../shared/history/restore';
import { mergeJournal } from '../../shared/history/journal';
import type { HistoryNotice, HistoryPoint } from '../../shared/history/model';
import { helperJournalResultSchema, type HelperJournalEntry } from '../../shared/helper/protocol';
import { unwrapHelper } from '../helper/call';
import { withHelperSession } from '../helper/host';
import type { FeatureHandlers, HandlerContext, HistoryAccess } from '../api/context';
import { takeSnapshot } from '../compare/capture';

/**
 * History operations: the timeline, the difference between two points in Compare's terms, and
 * "back to this point" (preview, then the same changes applied through the ordinary operations,
 * so each is checked and authorized as any change is; the Runtime records the restore itself as
 * a point around this operation).
 */

function history(ctx: HandlerContext): HistoryAccess {
  if (!ctx.history) throw new ApiError('UNSUPPORTED', 'History is off in this HostDeck (HOSTDECK_HISTORY=off)');
  return ctx.history;
}

/** Rows that differ only, as `compare` prints them. */
function differing(r: CompareResult): CompareResult {
  return { ...r, sysctl: r.sysctl.filter((x) => x.differs), sysctld: r.sysctld.filter((x) => x.differs), dns: { ...r.dns, rows: r.dns.rows.filter((x) => x.differs) }, firewall: r.firewall.filter((x) => x.differs) };
}

async function plan(ctx: HandlerContext, id: string) {
  const h = history(ctx);
  const t = h.timeline(ctx.host);
  const p = t.find(id);
  const then = t.snapshotAt(p.id);
  const now = await takeSnapshot(ctx.api, ctx.host);
  return planRestore(p.id, then, now);
}

/**
 * The helper's journal since the oldest difference found outside HostDeck, when there is one
 * to explain and the helper answers without asking anyone (HostDeck as root, an image, sudo -n
 * over SSH; never a pkexec dialog just to show a timeline). A journal that cannot be read is a
 * notice, not a failed listing.
 */
async function journalFor(ctx: HandlerContext, h: HistoryAccess, points: HistoryPoint[]): Promise<{ entries: HelperJournalEntry[]; notices: HistoryNotice[] }> {
  const since = Math.min(...points.filter((p) => p.kind === 'outside' && p.since !== null).map((p) => p.since!));
  const route = ctx.host.summary().capabilities.writes;
  if (!Number.isFinite(since) || (route !== 'root' && route !== 'direct' && route !== 'sudo')) return { entries: [], notices: [] };
  try {
    const r = unwrapHelper(await ctx.host.transport.helper({ verb: 'journal', since }, { elevate: true, timeoutMs: 15_000 }), helperJournalResultSchema);
    h.seenJournal(ctx.host).add(r);
    return { entries: r.entries, notices: r.truncated ? [{ time: Date.now(), message: "The helper's journal has more entries than one answer holds: only the newest were matched with the timeline" }] : [] };
  } catch (e) {
    return { entries: [], notices: [{ time: Date.now(), message: `The helper's journal could not be read (changes HostDeck made from elsewhere show as outside changes): ${e instanceof Error ? e.message : String(e)}` }] };
  }
}

export const historyHandlers: FeatureHandlers<'history'> = {
  async list(ctx, i) {
    const h = history(ctx);
    await h.idle();
    const r = h.timeline(ctx.host).read();
    const journal = await journalFor(ctx, h, r.points);
    const text = i.text?.toLowerCase();
    // What this HostDeck saw of the journal before (a write's answer, an explicit read) and what it read now.
    const entries = [...h.seenJournal(ctx.host).entries(), ...journal.entries];
    const points = mergeJournal(r.points, entries, ctx.host.label).filter(
      (p) =>
        (i.since === undefined || p.time >= i.since) &&
        (!i.feature || p.features.includes(i.feature)) &&
        (!i.kind || p.kind === i.kind) &&
        (!text || [p.what, p.who?.user, p.who?.login, p.who?.hostUser, p.who?.machine, ...p.changes.map(changeText)].some((s) => s?.toLowerCase().includes(text))),
    );
    return { host: ctx.host.id, store: h.dir, points, notices: [...r.notices, ...journal.notices, ...h.problems()] };
  },

  async diff(ctx, i) {
    const t = history(ctx).timeline(ctx.host);
    const from = t.find(i.from);
    const a = t.snapshotAt(from.id);
    const to = i.to === 'now' ? null : t.find(i.to);
    const b = to ? t.snapshotAt(to.id) : await takeSnapshot(ctx.api, ctx.host);
    const { runtime, permanent } = compareOverTime(a, b);
    return { from, to, changes: changesBetween(a, b), runtime: differing(runtime), permanent: differing(permanent) };
  },

  restorePreview: (ctx, i) => plan(ctx, i.point),

  async readJournal(ctx) {
    const h = history(ctx);
    const seen = h.seenJournal(ctx.host);
    const since = seen.since(h.timeline(ctx.host).read().points[0]?.time ?? 0);
    const r = unwrapHelper(await ctx.host.transport.helper({ verb: 'journal', since }, { elevate: true }), helperJournalResultSchema);
    return { read: r.entries.length, fresh: seen.add(r), truncated: r.truncated };
  },

  async restore(ctx, i) {
    const p = await plan(ctx, i.point);
    // Every ipset's entries are read before any step runs: a step may change the layer another step takes them from.
    const entries = new Map<RestoreStep, Promise<string[]>>();
    for (const s of p.steps) {
      if (s.fill?.kind !== 'ipsetEntries') continue;
      const read = ipsetEntriesAt(ctx, s.fill);
      read.catch(() => undefined); // a failed read fails its own step
      entries.set(s, read);
    }
    await Promise.allSettled(entries.values());
    const results: { operation: string; text: string; ok: boolean; error: string | null }[] = [];
    // Every step's helper calls through one helper (one authorization); each is still its own verb, checked as ever.
    await withHelperSession(ctx.host, async () => {
      for (const s of p.steps) {
        const [feature, name] = s.operation.split('.') as [string, string];
        const call = (ctx.api as unknown as Record<string, Record<string, (input: unknown, o: { host: string }) => Promise<unknown>>>)[feature]?.[name];
        try {
          if (!call) throw new Error(`${s.operation} is not an operation`);
          let input = s.input;
          // resolv.conf and profiles are saved over the version read just now (CONFLICT if it changes in between).
          if (s.operation === 'dns.save') input = { ...input, expectedSha256: (await ctx.api.dns.read({ path: s.input.path as string }, { host: ctx.host.id })).sha256 };
          if (s.fill?.kind === 'profileSha256') {
            const sha = (await ctx.api.kernel.readProfile({ name: s.fill.name }, { host: ctx.host.id })).sha256;
            if (s.operation === 'kernel.deleteProfile' && sha === null) throw new Error(`/etc/sysctl.d/${s.fill.name}.conf is already gone`);
            input = { ...input, expectedSha256: sha };
          }
          if (s.fill?.kind === 'ipsetEntries') input = { ...input, entries: await entries.get(s)! };
          await call(input, { host: ctx.host.id });
          results.push({ operation: s.operation, text: s.text, ok: true, error: null });
        } catch (e) {
          results.push({ operation: s.operation, text: s.text, ok: false, error: e instanceof Error ? e.message : String(e) });
        }
      }
    });
    return { ...p, results };
  },
};

/** All entries of one ipset layer, only when they are still the point's (the hash the point keeps). */
async function ipsetEntriesAt(ctx: HandlerContext, from: { layer: 'runtime' | 'permanent'; name: string; sha256: string }): Promise<string[]> {
  const all: string[] = [];
  for (let offset = 0; ; ) {
    const page = await ctx.api.firewall.ipsetEntries({ name: from.name, layer: from.layer, offset, limit: 10_000 }, { host: ctx.host.id });
    all.push(...page.entries);
    offset += page.entries.length;
    if (page.entries.length === 0 || offset >= page.matched) break;
  }
  const sha = createHash('sha256').update([...all].sort().join('\n')).digest('hex');
  if (sha !== from.sha256) throw new ApiError('CONFLICT', `ipset ${from.name} (${from.layer}) changed since the plan was made: its entries are no longer the point's`);
  return all;
}
