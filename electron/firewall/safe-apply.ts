import { randomUUID } from 'node:crypto';
import { ApiError } from '../../shared/api/errors';
import type { SafeApplySession, SafeChange } from '../../shared/firewall/contract';

/** What applying a change left behind: how to undo it and how to make it permanent. */
export interface AppliedChange {
  revert: () => Promise<void>;
  /** Saves the change to permanent (called on confirm when saveToPermanent). */
  save?: () => Promise<void>;
}

/**
 * The revert scheduled on the host itself (the helper's schedule-revert): it runs at the
 * deadline even if this process is killed outright or the link to the host is cut.
 */
export interface DetachedRevert {
  /** Schedules it; answers its id. Throws when the host cannot schedule one (then only this process reverts). */
  schedule(seconds: number): Promise<string>;
  /** Cancels it; answers false when it already ran (or is running) on the host. */
  cancel(id: string): Promise<boolean>;
  /** Its state on the host: pending, reverting, reverted, failed, cancelled. */
  status(id: string): Promise<string>;
}

interface Entry {
  session: SafeApplySession;
  applied: AppliedChange;
  timer: NodeJS.Timeout | undefined;
  busy: Promise<SafeApplySession> | undefined;
  detached?: { revert: DetachedRevert; id: string };
}

/**
 * Safe apply on the Node side: the change goes to runtime, a timer in this process reverts it
 * unless confirm() arrives first, then the change is saved to permanent. The timer lives here,
 * not in the UI, so closing the window (or losing the network path to it, which is the point)
 * still reverts; disposing the host (app quit, SIGHUP, SIGTERM, a fatal error) reverts pending
 * sessions at once. Before the change is applied, a second revert is scheduled on the host
 * itself (DetachedRevert): if this process dies without running any code (SIGKILL, OOM), that
 * one runs at the deadline. Confirming cancels it first; an in-process revert cancels it after.
 */
export class SafeApplyManager {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly onChange: (s: SafeApplySession) => void,
    private readonly log: (line: string) => void = () => {},
  ) {}

  async start(
    change: SafeChange,
    opts: { seconds: number; saveToPermanent: boolean; summary: string; reasons: string[] },
    apply: () => Promise<AppliedChange>,
    detachedRevert?: DetachedRevert,
  ): Promise<SafeApplySession> {
    const reasons = [...opts.reasons];
    let detached: Entry['detached'];
    if (detachedRevert) {
      try {
        detached = { revert: detachedRevert, id: await detachedRevert.schedule(opts.seconds) };
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        this.log(`safe apply: no revert could be scheduled on the host: ${why}`);
        reasons.push(`No revert could be scheduled on the host itself (${why}): if HostDeck is killed before the countdown ends, the change stays.`);
      }
    }
    let applied: AppliedChange;
    try {
      applied = await apply();
    } catch (e) {
      if (detached) await detached.revert.cancel(detached.id).catch(() => false);
      throw e;
    }
    const now = Date.now();
    const session: SafeApplySession = {
      id: randomUUID(),
      change,
      summary: opts.summary,
      reasons,
      seconds: opts.seconds,
      startedAt: now,
      deadline: now + opts.seconds * 1000,
      saveToPermanent: opts.saveToPermanent,
      status: 'pending',
    };
    const entry: Entry = { session, applied, timer: undefined, busy: undefined, detached };
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      this.log(`safe apply ${session.id}: not confirmed within ${opts.seconds} s, reverting`);
      void this.finish(entry, 'revert').catch(() => {});
    }, opts.seconds * 1000);
    // The timer must not keep a CLI process alive; dispose() reverts when the process ends.
    entry.timer.unref?.();
    this.entries.set(session.id, entry);
    this.onChange({ ...session });
    return { ...session };
  }

  confirm(id: string): Promise<SafeApplySession> {
    return this.finish(this.get(id), 'confirm');
  }

  revert(id: string): Promise<SafeApplySession> {
    return this.finish(this.get(id), 'revert');
  }

  list(): SafeApplySession[] {
    return [...this.entries.values()].map((e) => ({ ...e.session }));
  }

  pending(): SafeApplySession[] {
    return this.list().filter((s) => s.status === 'pending');
  }

  private get(id: string): Entry {
    const e = this.entries.get(id);
    if (!e) throw new ApiError('NOT_FOUND', `No safe-apply session ${id}`);
    return e;
  }

  private finish(entry: Entry, how: 'confirm' | 'revert'): Promise<SafeApplySession> {
    if (entry.busy) {
      // Confirm racing the timer: whichever started first wins; report its outcome.
      return entry.busy.then((s) => {
        if (how === 'confirm' && s.status === 'reverted') {
          throw new ApiError('CONFLICT', 'Too late: the change was already reverted', { session: s });
        }
        return s;
      });
    }
    if (entry.session.status !== 'pending') {
      if (how === 'confirm' && entry.session.status === 'reverted') {
        return Promise.reject(new ApiError('CONFLICT', 'Too late: the change was already reverted', { session: { ...entry.session } }));
      }
      return Promise.resolve({ ...entry.session });
    }
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.busy = (async () => {
      try {
        if (how === 'revert') {
          // One revert at a time: stop the host's timer first; if it already fired, let it finish.
          // The in-process revert then only confirms the state (every step tolerates "already so").
          await this.settleDetached(entry);
          await entry.applied.revert();
          entry.session.status = 'reverted';
        } else {
          // The host's own revert must not fire after the user kept the change.
          const cancelled = entry.detached
            ? await entry.detached.revert.cancel(entry.detached.id).catch((e: unknown) => {
                throw new ApiError('IO_ERROR', `could not cancel the revert scheduled on the host, which will undo the change at the deadline (${e instanceof Error ? e.message : String(e)})`);
              })
            : true;
          if (!cancelled) {
            entry.session.status = 'reverted';
            entry.session.error = { code: 'CONFLICT', message: 'Too late: the host already reverted the change on its own' };
            this.onChange({ ...entry.session });
            return { ...entry.session };
          }
          if (entry.session.saveToPermanent) await entry.applied.save?.();
          entry.session.status = 'confirmed';
        }
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError('INTERNAL', e instanceof Error ? e.message : String(e));
        entry.session.status = 'failed';
        entry.session.error = { code: String(err.code), message: `${how === 'revert' ? 'Reverting' : 'Saving'} failed: ${err.message}` };
      }
      this.onChange({ ...entry.session });
      return { ...entry.session };
    })();
    if (how === 'revert') return entry.busy;
    return entry.busy.then((s) => {
      if (s.status === 'reverted') throw new ApiError('CONFLICT', s.error?.message ?? 'Too late: the change was already reverted', { session: s });
      return s;
    });
  }

  private async settleDetached(entry: Entry): Promise<void> {
    const d = entry.detached;
    if (!d) return;
    let cancelled: boolean;
    try {
      cancelled = await d.revert.cancel(d.id);
    } catch (e) {
      this.log(`safe apply ${entry.session.id}: cancelling the host's revert failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (cancelled) return;
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      const st = await d.revert.status(d.id).catch(() => 'unknown');
      if (st !== 'pending' && st !== 'reverting') return;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Reverts every pending session (host disposed / app quitting). */
  async dispose(): Promise<void> {
    await Promise.allSettled([...this.entries.values()].filter((e) => e.session.status === 'pending').map((e) => this.finish(e, 'revert')));
    for (const e of this.entries.values()) clearTimeout(e.timer);
  }
}
