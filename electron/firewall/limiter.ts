/**
 * At most `max` tasks at once. dbus-daemon allows 128 pending replies per connection
 * (max_replies_per_connection); an unbounded Promise.all over 221 services fails with
 * LimitsExceeded (reference §3), so every firewalld call goes through one of these.
 */
export class Limiter {
  private active = 0;
  /** Highest number in flight so far (for tests and the bench). */
  peak = 0;
  private readonly queue: Array<() => void> = [];

  constructor(readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    if (this.active > this.peak) this.peak = this.active;
    try {
      return await task();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }

  get inFlight(): number {
    return this.active;
  }
}
