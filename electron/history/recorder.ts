import { AsyncLocalStorage } from 'node:async_hooks';
import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import type { Api, HostDeckEvent } from '../../shared/api/contract';
import type { Snapshot } from '../../shared/compare/snapshot';
import { describeOperation } from '../../shared/history/describe';
import type { HistoryNotice, HistoryPoint, HistorySection, Who } from '../../shared/history/model';
import { takeSnapshot, type CaptureSection, type GivenAnswers } from '../compare/capture';
import { lastReadOf } from '../compare/read-cache';
import { afterSysctlWrite, writtenKeys } from './after-write';
import { SeenJournal } from './journal-seen';
import { withJournalTap, type JournalTap } from '../helper/journal-tap';
import type { Host } from '../hosts/transport';
import { inOwnCallScope } from '../hosts/call-scope';
import { HistoryStore, historySynced, type HistoryStoreOptions, type HostHistory, type PointInput } from './store';

/**
 * Records points as calls pass through the Runtime (the one place every IPC, HTTP and CLI call
 * goes through), so no feature records anything itself:
 * - around every operation that changes a host: its sections read before (a difference from the
 *   last point is a change made outside HostDeck) and after (HostDeck's change, with what was
 *   asked, who, from which machine, and the result);
 * - after reads (a page load, a refresh, compare): the sections read again in the background,
 *   recorded only when they differ from the last point ("changed outside HostDeck");
 * - a safe apply that reverts by itself (the event firewalld's revert sends).
 * Calls made by a handler or by the recorder itself (compare's snapshot through the API) are
 * not top-level and record nothing.
 */

/** Which sections an operation's change can touch (read before and after it). */
export function sectionsOf(channel: string): CaptureSection[] | null {
  const feature = channel.slice(0, channel.indexOf('.'));
  if (feature === 'firewall') return ['firewall'];
  if (feature === 'dns') return ['dns'];
  if (feature === 'kernel') return ['sysctl'];
  if (feature === 'helper') return ['sysctl', 'dns'];
  if (channel === 'history.restore') return ['sysctl', 'dns', 'firewall'];
  return null;
}

/** Reads after which the same sections are looked at again for outside changes. */
const OBSERVED: Record<string, CaptureSection[]> = {
  'firewall.state': ['firewall'],
  'kernel.list': ['sysctl'],
  'kernel.effective': ['sysctl'],
  'dns.read': ['dns'],
  'compare.capture': ['sysctl', 'dns', 'firewall'],
};

const pointSections = (s: readonly CaptureSection[]): HistorySection[] => s.flatMap((x): HistorySection[] => (x === 'sysctl' ? ['sysctl', 'sysctl.d'] : [x]));

/** A change waits at most this long for its "before" read (a slow host is changed anyway, and the point says so). */
const BEFORE_DEADLINE_MS = 15_000;

export interface RecorderDeps {
  api: Api;
  /** The host a pushed event is about (safe apply reverting by itself). */
  host(id: string): Host | undefined;
  subscribe(listener: (e: HostDeckEvent) => void): () => void;
  /** The operation's one-line summary (for operations without words of their own). */
  summary(channel: string): string;
}

export class HistoryRecorder {
  readonly store: HistoryStore;
  private readonly nested = new AsyncLocalStorage<true>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly observing = new Set<string>();
  private readonly unsubscribe: () => void;
  /** Problems recording hit (a full disk, a damaged store): said by `history`, never failing the change itself. */
  private readonly problemList: HistoryNotice[] = [];

  constructor(
    private readonly deps: RecorderDeps,
    opts: HistoryStoreOptions = {},
  ) {
    this.store = new HistoryStore(opts);
    this.unsubscribe = deps.subscribe((e) => this.onEvent(e));
  }

  get dir(): string {
    return this.store.dir;
  }

  timeline(host: Host): HostHistory {
    return this.store.host(HistoryRecorder.keyOf(host));
  }

  problems(): HistoryNotice[] {
    return [...this.problemList];
  }

  /** True inside a call a handler or the recorder made: such calls record nothing. */
  isNested(): boolean {
    return this.nested.getStore() === true;
  }

  /** Runs a top-level call's handler: the calls it makes are nested. */
  nest<T>(fn: () => Promise<T> | T): Promise<T> {
    return this.nested.run(true, async () => fn());
  }

  /** The key a host's history is kept under: its id, plus the root or /proc/sys copy for a local host made of another tree. */
  static keyOf(host: Host): string {
    const extra = [host.root !== '/' ? `root=${path.resolve(host.root)}` : '', host.procSys !== '/proc/sys' ? `procSys=${path.resolve(host.procSys)}` : ''].filter(Boolean);
    return extra.length ? `${host.id}:${extra.join(',')}` : host.id;
  }

  /** Whether changes to the host are recorded: not for a host nothing may change on (a snapshot, a record, an imported copy). */
  static recordable(host: Host): boolean {
    return !host.summary().capabilities.readOnly;
  }

  async who(host: Host): Promise<Who> {
    let user = '';
    try {
      user = userInfo().username;
    } catch {
      user = String(process.getuid?.() ?? '');
    }
    const link = host.transport.link;
    return { user, machine: hostname(), login: link ? link.destination.text : null, hostUser: link ? await hostUserOf(host) : null };
  }

  /** A change through HostDeck: the sections before, the operation, the sections after. */
  async around<T>(host: Host, channel: string, input: unknown, run: () => Promise<T>): Promise<T> {
    const sections = sectionsOf(channel);
    if (!sections || !HistoryRecorder.recordable(host) || isDryRun(channel, input)) return run();
    const what = describeOperation(channel, input, this.deps.summary(channel));
    const before = await this.capture(host, sections, BEFORE_DEADLINE_MS);
    if (before.snapshot) this.record(host, { kind: 'outside', what: 'read before a change', sections: pointSections(sections) }, before.snapshot);
    let result: T;
    let error: unknown = null;
    try {
      result = await withJournalTap(this.journalTap(host), run);
    } catch (e) {
      error = e;
    }
    const after = (!error && (await this.afterWrite(host, channel, input, result!, before.snapshot))) || (await this.capture(host, sections));
    const reverted = channel === 'firewall.safeApplyRevert' || channel === 'kernel.undo';
    const point: PointInput = {
      kind: 'change',
      what: before.snapshot ? what : `${what} (the state before could not be read: ${before.error})`,
      operation: channel,
      who: await this.who(host),
      result: error ? 'failed' : reverted ? 'reverted' : 'applied',
      error: error ? (error instanceof Error ? error.message : String(error)) : null,
      sections: pointSections(sections),
    };
    if (after.snapshot) this.record(host, point, after.snapshot);
    else this.record(host, { ...point, sections: [], error: point.error ?? `the state after could not be read: ${after.error}` }, before.snapshot ?? emptyFacts());
    if (error) throw error;
    return result!;
  }

  /** The helper journal entries this HostDeck has seen for a host (merged into its timeline). */
  seenJournal(host: Host): SeenJournal {
    return new SeenJournal(this.timeline(host).dir);
  }

  /** A change's helper answers bring the journal since the newest entry seen (or the timeline's start). */
  private journalTap(host: Host): JournalTap {
    const seen = this.seenJournal(host);
    const first = this.timeline(host).firstTime() ?? Date.now();
    return {
      hostId: host.id,
      since: seen.since(first),
      seen: (journal) => {
        try {
          seen.add(journal);
        } catch (e) {
          this.problem(e);
        }
      },
    };
  }

  /**
   * The "after" of a live sysctl write: the "before" snapshot with what the write can have
   * changed read again (after-write.ts), or null for a full read (other operations, a failed
   * write whose effect is unknown, a "before" that could not be read, a problem re-reading).
   */
  private async afterWrite(host: Host, channel: string, input: unknown, result: unknown, before: Snapshot | null): Promise<{ snapshot: Snapshot; error: null } | null> {
    const written = writtenKeys(channel, input, result);
    if (!written) return null;
    try {
      const snapshot = await this.nest(() => afterSysctlWrite(host, before, written));
      return snapshot ? { snapshot, error: null } : null;
    } catch {
      return null;
    }
  }

  /** After a top-level read: the same sections looked at again in the background. */
  observe(host: Host, channel: string, input: unknown, result: unknown): void {
    if (!HistoryRecorder.recordable(host)) return;
    if (channel === 'compare.snapshot') {
      this.record(host, { kind: 'outside', what: 'compare', sections: pointSections(['sysctl', 'dns', 'firewall']) }, result as Snapshot);
      return;
    }
    if (channel === 'compare.run') {
      const i = input as { hosts: string[]; refresh?: boolean };
      if (!i.refresh) return;
      // Recorded from the refresh's own reads (the sections it read), never by reading every
      // host a second time: for 50 hosts that doubled the work of each refresh.
      const read = i.hosts.flatMap((id) => {
        const h = this.deps.host(id);
        const c = h && HistoryRecorder.recordable(h) ? lastReadOf(h) : undefined;
        return h && c?.snapshot ? [{ h, snapshot: c.snapshot, sections: c.sections }] : [];
      });
      if (!read.length) return;
      this.background(async () => {
        // After the answer: recording 50 points is no part of the refresh the user waits for.
        await new Promise((r) => setImmediate(r));
        for (const { h, snapshot, sections } of read) this.record(h, { kind: 'outside', what: 'compare', sections: pointSections(sections) }, snapshot);
      });
      return;
    }
    const sections = OBSERVED[channel];
    if (sections) this.observeHost(host, sections, channel === 'compare.capture' ? 'compare' : 'read', answersOf(channel, input, result));
  }

  private observeHost(host: Host, sections: CaptureSection[], what: string, given: GivenAnswers = {}): void {
    if (!HistoryRecorder.recordable(host)) return;
    // One look at a time per host and sections: a page load's burst of reads is looked at once.
    const key = `${HistoryRecorder.keyOf(host)}\0${sections.join(',')}`;
    if (this.observing.has(key)) return;
    this.observing.add(key);
    this.background(async () => {
      try {
        const c = await this.capture(host, sections, undefined, given);
        if (c.snapshot) this.record(host, { kind: 'outside', what, sections: pointSections(sections) }, c.snapshot);
      } finally {
        this.observing.delete(key);
      }
    });
  }

  private onEvent(e: HostDeckEvent): void {
    if (e.name !== 'firewall.safeApplyChanged') return;
    const s = e.payload as { status: string; summary: string };
    if (s.status !== 'reverted') return;
    const host = this.deps.host(e.host);
    if (!host || !HistoryRecorder.recordable(host)) return;
    this.background(async () => {
      const c = await this.capture(host, ['firewall']);
      if (c.snapshot) {
        this.record(host, { kind: 'change', what: `Safe apply reverted: ${s.summary}`, operation: 'firewall.safeApply', who: await this.who(host), result: 'reverted', sections: ['firewall'] }, c.snapshot);
      }
    });
  }

  private background(fn: () => Promise<void>): void {
    // A call of its own (call-scope.ts): its reads are never the answer to a later read of the call that started it.
    const p = this.nest(() => inOwnCallScope(fn)).catch((e: unknown) => this.problem(e));
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async capture(host: Host, sections: CaptureSection[], deadlineMs?: number, given: GivenAnswers = {}): Promise<{ snapshot: Snapshot | null; error: string | null }> {
    const read = this.nest(() => takeSnapshot(this.deps.api, host, sections, given));
    let timer: NodeJS.Timeout | undefined;
    const deadline = deadlineMs
      ? new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${Math.round(deadlineMs / 1000)} s`)), deadlineMs);
        })
      : null;
    try {
      return { snapshot: await (deadline ? Promise.race([read, deadline]) : read), error: null };
    } catch (e) {
      read.catch(() => undefined);
      return { snapshot: null, error: e instanceof Error ? e.message : String(e) };
    } finally {
      clearTimeout(timer);
    }
  }

  private record(host: Host, input: PointInput, facts: Snapshot): HistoryPoint | null {
    try {
      return this.store.host(HistoryRecorder.keyOf(host)).record(input, facts).point;
    } catch (e) {
      this.problem(e);
      return null;
    }
  }

  private problem(e: unknown): void {
    this.problemList.push({ time: Date.now(), message: `History could not record a point: ${e instanceof Error ? e.message : String(e)}` });
    if (this.problemList.length > 20) this.problemList.shift();
  }

  /** Waits for the background reads (the CLI before it exits, tests). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
    await historySynced();
  }

  async dispose(): Promise<void> {
    await this.idle();
    this.unsubscribe();
  }
}

/**
 * What a read's own answer already says of the sections it is looked at for: recorded from it
 * instead of reading the host a second time (a page load cost two full reads). Only answers that
 * are what a snapshot reads: every live sysctl (kernel.list), the effective sysctl.d, resolv.conf
 * at its default path, a fresh (not cached, not offline) firewall state.
 */
export function answersOf(channel: string, input: unknown, result: unknown): GivenAnswers {
  const i = (input ?? {}) as Record<string, unknown>;
  if (channel === 'kernel.list') return { live: { entries: (result as NonNullable<GivenAnswers['live']>).entries } };
  if (channel === 'kernel.effective') return { effective: result as GivenAnswers['effective'] };
  if (channel === 'dns.read' && i.path === undefined) return { read: result as GivenAnswers['read'] };
  if (channel === 'firewall.state' && i.refresh === true && !i.offline) return { state: result as GivenAnswers['state'] };
  return {};
}

function isDryRun(channel: string, input: unknown): boolean {
  return channel === 'kernel.apply' && (input as { dryRun?: boolean } | null)?.dryRun === true;
}

/** Facts of nothing (a point whose state could not be read keeps the last point's facts: every section is carried over). */
function emptyFacts(): Snapshot {
  return { format: 'hostdeck-snapshot', version: 1, source: { kind: 'live', detail: '' }, identity: { hostname: '', os: '', kernel: '', time: Date.now() }, sysctl: null, sysctld: null, dns: null, firewall: null };
}

/** The login's name as the host reports it: the identity already described, else one describe (null when the host does not say). */
async function hostUserOf(host: Host): Promise<string | null> {
  try {
    return (host.transport.identity ?? (await host.transport.describe())).user ?? null;
  } catch {
    return null;
  }
}
