import type { Snapshot } from '../../shared/compare/snapshot';
import type { HostList } from '../api/context';
import type { Host } from '../hosts/host';
import type { CaptureSection } from './read-plan';

/**
 * The last compare read of each live host. compare.run answers from it without reading again
 * (the page refreshes hosts one by one, then compares), and history records a refresh from the
 * refresh's own reads instead of reading every host a second time (electron/history/recorder.ts).
 */
export interface Captured {
  snapshot: Snapshot | null;
  error: string | null;
  at: number;
  /** The sections read (`--only`): a later comparison asking for more reads again. */
  sections: readonly CaptureSection[];
}

/** Keyed by the host list: one per runtime (a runtime hands every call the same list). */
const caches = new WeakMap<HostList, Map<string, Captured>>();
/** The same reads by host object, for history (which knows hosts, not host lists). */
const byHost = new WeakMap<Host, Captured>();

export function cacheOf(hosts: HostList): Map<string, Captured> {
  let c = caches.get(hosts);
  if (!c) caches.set(hosts, (c = new Map()));
  return c;
}

export function rememberRead(hosts: HostList, host: Host, entry: Captured): void {
  cacheOf(hosts).set(host.id, entry);
  byHost.set(host, entry);
}

/** What the last compare read of this host took (undefined when compare never read it). */
export function lastReadOf(host: Host): Captured | undefined {
  return byHost.get(host);
}
