import type { Snapshot } from '../../shared/compare/snapshot';
import type { HandlerEvents, HostList } from '../api/context';
import type { Host } from '../hosts/host';
import { createSnapshotHost } from '../hosts/snapshot';

/** Snapshots as read-only hosts of a runtime: imports, opened summary kinds, collected hosts. */

let importSeq = 0;
function uniqueId(hosts: Pick<HostList, 'list'>, base: string): string {
  const slug = base.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'import';
  const known = new Set(hosts.list().map((h) => h.id));
  let id = `snapshot:${slug}`;
  while (known.has(id)) id = `snapshot:${slug}-${++importSeq}`;
  return id;
}

/** Registers a snapshot as a read-only host of this runtime (its host list; `events` tells the UIs); returns the host. */
export function addSnapshotHost(rt: { hosts: Pick<HostList, 'list' | 'add'>; events: HandlerEvents }, snapshot: Snapshot, label: string, tell = true): Host {
  const host = createSnapshotHost({ id: uniqueId(rt.hosts, label), label, snapshot });
  rt.hosts.add(host);
  // Callers adding many hosts tell the UIs once (each event makes every UI fetch the host list).
  if (tell) rt.events.emit('app.hostsChanged', 'local', {});
  return host;
}
