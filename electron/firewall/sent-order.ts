/**
 * Deadlines of firewalld calls in flight on one connection, in the order they were sent.
 *
 * firewalld handles a non-root caller's calls one at a time (each waits on a blocking polkit
 * check), so of 16 calls sent together the last one waits behind 15 others before firewalld even
 * looks at it. A fixed deadline from the moment of sending would call a busy but answering
 * firewalld "not answering". Here a call's deadline restarts whenever a call sent BEFORE it is
 * answered: it then means "firewalld answered nothing that was ahead of this call for N s". A
 * dead firewalld answers nothing, so nothing moves and every call fails within its own N s as
 * before. A call is never kept longer than N s times (calls ahead of it when sent + 1), so a
 * firewalld that answers others but never this call still gets it failed.
 */
export interface SentCall {
  /** Current deadline (ms since epoch). */
  readonly deadline: () => number;
  /** The call got its answer (an error reply counts: firewalld is answering). */
  answered(): void;
  /** The call ended without an answer (deadline passed, bus lost). */
  dropped(): void;
}

interface Entry {
  deadline: number;
  readonly cap: number;
  readonly timeoutMs: number;
}

export class SentOrder {
  private next = 0;
  /** Calls without an answer yet; a Map iterates in insertion order, i.e. in the order sent. */
  private readonly open = new Map<number, Entry>();

  /** A call sent now with `deadline` (which may include its wait for a slot) and its own timeout. */
  send(deadline: number, timeoutMs: number): SentCall {
    const seq = this.next++;
    const entry: Entry = { deadline, timeoutMs, cap: Math.max(deadline, Date.now() + timeoutMs * (this.open.size + 1)) };
    this.open.set(seq, entry);
    return {
      deadline: () => entry.deadline,
      answered: () => {
        if (!this.open.delete(seq)) return;
        const now = Date.now();
        for (const [s, e] of this.open) if (s > seq) e.deadline = Math.min(e.cap, Math.max(e.deadline, now + e.timeoutMs));
      },
      dropped: () => void this.open.delete(seq),
    };
  }

  get size(): number {
    return this.open.size;
  }
}
