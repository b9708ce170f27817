/**
 * At most `max` tasks at once. dbus-daemon allows 128 pending replies per connection
 * (max_replies_per_connection); an unbounded Promise.all over 221 services fails with
 * LimitsExceeded (reference §3), so every firewalld call goes through one of these.
 *
 * A task may carry a deadline, and the wait for a slot counts toward it: with firewalld frozen,
 * a queued task fails when its deadline passes, however long the tasks ahead of it take. Only
 * while the tasks ahead keep finishing ("progress": firewalld answers) does a queued task's
 * deadline move along, so a large batch (the full state read: hundreds of calls through 16
 * slots) is not failed merely for being large.
 */
export interface LimiterTaskOptions {
  timeoutMs?: number;
  /** The error a task gets when its deadline passes while it waits. */
  expired?: () => Error;
}

interface Waiter {
  deadline: number;
  start: () => void;
}

export class Limiter {
  private active = 0;
  /** Highest number in flight so far (for tests and the bench). */
  peak = 0;
  private readonly queue: Waiter[] = [];
  private lastProgress = 0;

  /** @param isStall tells a task failure that is not progress (a timeout) from an answer. */
  constructor(
    readonly max: number,
    private readonly isStall: (e: unknown) => boolean = () => false,
  ) {}

  /** Runs `task` in a slot; it receives its deadline (ms since epoch; Infinity without timeoutMs). */
  async run<T>(task: (deadline: number) => Promise<T>, opts: LimiterTaskOptions = {}): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? Infinity;
    const waiter: Waiter = { deadline: Date.now() + timeoutMs, start: () => {} };
    if (this.active >= this.max) await this.waitForSlot(waiter, timeoutMs, opts.expired);
    this.active++;
    if (this.active > this.peak) this.peak = this.active;
    try {
      const v = await task(waiter.deadline);
      this.lastProgress = Date.now();
      return v;
    } catch (e) {
      if (!this.isStall(e)) this.lastProgress = Date.now();
      throw e;
    } finally {
      this.active--;
      this.queue.shift()?.start();
    }
  }

  private waitForSlot(w: Waiter, timeoutMs: number, expired?: () => Error): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        if (!Number.isFinite(w.deadline)) return;
        timer = setTimeout(
          () => {
            const moved = this.lastProgress + timeoutMs;
            if (moved > Date.now()) {
              w.deadline = moved;
              return arm();
            }
            const i = this.queue.indexOf(w);
            if (i >= 0) this.queue.splice(i, 1);
            reject(expired?.() ?? new Error('deadline passed while waiting for a free slot'));
          },
          Math.max(0, w.deadline - Date.now()),
        );
      };
      w.start = () => {
        clearTimeout(timer);
        w.deadline = Math.max(w.deadline, this.lastProgress + timeoutMs);
        resolve();
      };
      this.queue.push(w);
      arm();
    });
  }

  get inFlight(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length;
  }
}
