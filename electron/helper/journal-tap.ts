import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The helper's journal carried by a write's own answer: while HostDeck makes a change (the
 * recorder's `around`), a journaled helper verb for that host asks for the journal's entries
 * since the position this HostDeck last saw (`journalSince`), and hands the answer's `journal`
 * back here. So a desktop user whose writes go through pkexec sees the changes other HostDeck
 * configurations made, without a second authorization. Per async context: two Runtimes in one
 * process (tests, `serve`) each get their own.
 */
export interface JournalTap {
  hostId: string;
  /** ms since epoch: the entries at or after it are asked for. */
  since: number;
  /** The answer's `journal` (unchecked: the tap checks it). */
  seen(journal: unknown): void;
}

const taps = new AsyncLocalStorage<JournalTap>();

export function withJournalTap<T>(tap: JournalTap, fn: () => Promise<T>): Promise<T> {
  return taps.run(tap, fn);
}

/** The tap of the change under way for this host, if any. */
export function journalTapFor(hostId: string): JournalTap | undefined {
  const t = taps.getStore();
  return t && t.hostId === hostId ? t : undefined;
}
