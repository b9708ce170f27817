/**
 * What a page shows belongs to the host it was read from. A store keeps the slice of its
 * state that is per host (results, drafts, undo, revert timers) for the host on screen and
 * parks the others' here, so switching hosts neither shows one host's data under another's
 * name nor throws away a draft; coming back restores it.
 */
export class HostSlices<S> {
  private readonly parked = new Map<string, S>();

  constructor(private readonly fresh: () => S) {}

  /** Parks `current` as `from`'s and returns what `to` had (or a fresh slice). */
  swap(from: string, to: string, current: S): S {
    if (from === to) return current;
    this.parked.set(from, current);
    const back = this.parked.get(to);
    this.parked.delete(to);
    return back ?? this.fresh();
  }

  /** The parked slice of a host that is not on screen. */
  peek(hostId: string): S | undefined {
    return this.parked.get(hostId);
  }

  /** Hosts (not on screen) whose parked slice satisfies `test`, e.g. "has an unsaved draft". */
  hostsWhere(test: (s: S) => boolean): string[] {
    return [...this.parked].filter(([, s]) => test(s)).map(([id]) => id);
  }

  /**
   * A late answer for a host that is no longer on screen lands in its parked slice (an apply
   * made on web1 keeps its undo for web1), never in the slice on screen. Keys that are not
   * part of a slice are ignored.
   */
  update(hostId: string, patch: object): void {
    const slice = this.parked.get(hostId) ?? this.fresh();
    const next = { ...slice } as Record<string, unknown>;
    for (const [k, v] of Object.entries(patch)) if (k in next) next[k] = v;
    this.parked.set(hostId, next as S);
  }

  forget(hostId: string): void {
    this.parked.delete(hostId);
  }
}
