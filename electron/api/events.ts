import type { EventName, EventPayload, HostDeckEvent } from '../../shared/api/contract';
import { eventSchema } from '../../shared/api/by-feature';

type Listener = (e: HostDeckEvent) => void;

/** Fan-out of pushed events to every connected UI (Electron windows, browser-mode streams). */
export class EventHub {
  private readonly listeners = new Set<Listener>();
  /** Events waiting for their feature's contract (shared/api/by-feature.ts); later ones wait behind them, in order. */
  private backlog: Promise<void> | null = null;

  emit<E extends EventName>(name: E, host: string, payload: EventPayload<E>): void {
    const schema = this.backlog ? null : eventSchema(name);
    if (schema && 'loaded' in schema) {
      // Validate here so a malformed push is caught on the Node side, not in some UI.
      this.deliver({ name, host, payload: schema.loaded.parse(payload) } as HostDeckEvent);
      return;
    }
    // The first event of a feature no call has loaded yet: checked once its schemas are built.
    // There is no caller left to throw to then: a malformed one is reported and dropped.
    const mine = (this.backlog ?? Promise.resolve())
      .then(async () => {
        const s = eventSchema(name);
        const z = 'loaded' in s ? s.loaded : await s;
        if (!z) throw new Error(`no event called "${name}"`);
        this.deliver({ name, host, payload: z.parse(payload) } as HostDeckEvent);
      })
      .catch((e: unknown) => {
        process.stderr.write(`hostdeck: event ${name} dropped: ${e instanceof Error ? e.message : String(e)}\n`);
      })
      .finally(() => {
        if (this.backlog === mine) this.backlog = null;
      });
    this.backlog = mine;
  }

  /** Resolves when every event emitted so far has reached the listeners. */
  async settled(): Promise<void> {
    while (this.backlog) await this.backlog;
  }

  private deliver(event: HostDeckEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // one broken subscriber must not starve the others
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }
}
