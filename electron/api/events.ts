import { events, type EventName, type EventPayload, type HostDeckEvent } from '../../shared/api/contract';

type Listener = (e: HostDeckEvent) => void;

/** Fan-out of pushed events to every connected UI (Electron windows, browser-mode streams). */
export class EventHub {
  private readonly listeners = new Set<Listener>();

  emit<E extends EventName>(name: E, host: string, payload: EventPayload<E>): void {
    // Validate here so a malformed push is caught on the Node side, not in some UI.
    const parsed = events[name].parse(payload) as EventPayload<E>;
    const event = { name, host, payload: parsed } as HostDeckEvent;
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
