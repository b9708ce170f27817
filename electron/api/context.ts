import type { Api, EventName, EventPayload, Feature, OpName, OpOutput, OpParsedInput } from '../../shared/api/contract';
import type { RemoteHost } from '../../shared/hosts/contract';
import type { Snapshot } from '../../shared/compare/snapshot';
import type { HistoryPoint } from '../../shared/history/model';
import type { HelperJournalEntry } from '../../shared/helper/protocol';
import type { Host } from '../hosts/transport';

export type { Host };

/**
 * What a handler gets: a few narrow interfaces, not the process. Declared here, apart from the
 * Runtime that builds them, so that no feature imports the Runtime (and the Runtime, which
 * imports every feature's handlers, is imported by none of them). The one electron/ import is
 * the host interface (hosts/transport.ts: declarations only).
 */

export type RuntimeMode = 'electron' | 'browser' | 'cli';

/** Pushed events (validated against the contract by the Runtime's EventHub). */
export interface HandlerEvents {
  emit<E extends EventName>(name: E, host: string, payload: EventPayload<E>): void;
}

/** The hosts of this process, as compare and the app need them. */
export interface HostList {
  list(): Host[];
  /** A registered host or a saved remote host; in the CLI also any ssh destination. Throws UNKNOWN_HOST. */
  get(id: string): Host;
  /** Registers a host (never replaces one: CONFLICT). */
  add(host: Host): Host;
  /** Forgets and disposes a host ("local" stays). */
  remove(id: string): Promise<void>;
  /** Loads the saved remote hosts (hosts.json) into the list, once. */
  loadSaved(): void;
}

/** Saved remote hosts over SSH: what the hosts page does with them. */
export interface RemoteHostList {
  list(): RemoteHost[];
  add(destination: string, name?: string): Promise<RemoteHost>;
  remove(id: string): Promise<boolean>;
  check(id: string): Promise<RemoteHost>;
  acceptHostKey(id: string, fingerprint: string): Promise<RemoteHost>;
  replaceHostKey(id: string, fingerprint: string): Promise<{ host: RemoteHost; knownHostsEdited: string[] }>;
  installHelper(id: string): Promise<{ installed: boolean; path: string; steps: string[] }>;
  importInventory(inventory: string, limit?: string): Promise<{ added: string[]; updated: string[]; skipped: { host: string; reason: string }[]; notes: string[] }>;
  /** Saved hosts in an inventory group (`@web`). */
  groupMembers(group: string): string[];
}

/** The history of this process's hosts (electron/history/recorder.ts); null when history is off. */
export interface HistoryAccess {
  /** The timeline of a host. */
  timeline(host: Host): HostTimeline;
  /** Where the points are kept. */
  readonly dir: string;
  /** Problems recording hit in this process. */
  problems(): { time: number; message: string }[];
  /** Waits for the reads recorded in the background. */
  idle(): Promise<void>;
  /** The helper journal entries seen for a host (electron/history/journal-seen.ts). */
  seenJournal(host: Host): { entries(): HelperJournalEntry[]; since(fallback: number): number; add(journal: unknown): number };
}

/** One host's points (electron/history/store.ts HostHistory). */
export interface HostTimeline {
  read(): { points: HistoryPoint[]; notices: { time: number; message: string }[] };
  find(id: string): HistoryPoint;
  snapshotAt(id: string): Snapshot;
}

export interface HandlerContext {
  /** The host the call is for. */
  host: Host;
  events: HandlerEvents;
  hosts: HostList;
  remote: RemoteHostList;
  mode: RuntimeMode;
  /** The typed in-process API (compare builds a snapshot from the feature operations themselves). */
  api: Api;
  history: HistoryAccess | null;
}

/** A handler is a plain function of (context, input): no Electron, no HTTP, testable alone. */
export type Handler<F extends Feature, N extends OpName<F>> = (ctx: HandlerContext, input: OpParsedInput<F, N>) => Promise<OpOutput<F, N>> | OpOutput<F, N>;

export type FeatureHandlers<F extends Feature> = { [N in OpName<F>]: Handler<F, N> };
export type AllHandlers = { [F in Feature]: FeatureHandlers<F> };
