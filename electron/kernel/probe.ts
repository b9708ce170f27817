import { interfacePattern, pathToKey } from '../../shared/kernel/keys';
import { kernelNamespace } from '../../shared/kernel/namespaces';
import type { KernelVersion } from '../../shared/kernel/version';
import type { LiveEntry, ProbeOut } from '../../shared/kernel/contract';
import type { FreshNamespace } from '../../shared/kernel/defaults';
import { snapshotFreshNamespace } from './fresh-namespace';
import { readLive } from './live';

type ProbeKind = ProbeOut['rows'][number]['probe'];
type TableKind = ProbeOut['rows'][number]['table'];

/**
 * Empirical namespacing on this host (reference §6): list /proc/sys as the host sees it and
 * inside a fresh network + IPC + UTS namespace (unshare -n -i -u, root only). Read and stat
 * only: nothing is written in any namespace.
 */
export function probeNamespaces(kernel: KernelVersion, kernelText: string, fresh?: FreshNamespace | string | null, hostLive?: readonly LiveEntry[]): ProbeOut {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { available: false, reason: 'The namespace probe needs root (unshare -n -i -u); the table is shown instead.', kernel: kernelText, rows: [] };
  }
  const child = fresh ?? snapshotFreshNamespace();
  if (typeof child === 'string') return { available: false, reason: child, kernel: kernelText, rows: [] };
  const host = { modes: new Map<string, number>(), values: new Map<string, string>() };
  // The host's listing: the caller's when it has read /proc/sys already (kernel.list), else read now.
  for (const e of hostLive ?? readLive('/proc/sys')) {
    host.modes.set(e.path, e.mode);
    if (e.state === 'ok' && e.value !== undefined && /^(kernel\/(shm|msg|sem|auto_msgmni)|fs\/mqueue\/)/.test(e.path)) host.values.set(e.path, e.value);
  }
  const rows: ProbeOut['rows'] = [];
  for (const [p, mode] of host.modes) {
    const key = pathToKey(p);
    const ip = interfacePattern(key);
    // Interfaces of the host do not exist in a fresh netns: judge by its loopback twin.
    const childPath = ip ? `${p.split('/').slice(0, 3).join('/')}/lo/${p.split('/').slice(4).join('/')}` : p;
    const childMode = child.modes.get(childPath);
    let probe: ProbeKind;
    if (key.startsWith('net.')) {
      if (childMode === undefined) probe = ip && !host.modes.has(childPath) ? 'inconclusive' : 'host-only';
      else if ((mode & 0o200) !== 0 && (childMode & 0o200) === 0) probe = 'read-only-in-child';
      else probe = 'net';
    } else if (host.values.has(p) && child.values.has(p)) {
      probe = host.values.get(p) !== child.values.get(p) ? 'ipc' : 'inconclusive';
    } else probe = 'global';
    const t = kernelNamespace(key, kernel);
    const table: TableKind = t.readOnlyInChild ? 'read-only-in-child' : t.hostOnly ? 'host-only' : t.namespace ?? 'global';
    const agree =
      probe === 'inconclusive' ||
      probe === table ||
      (probe === 'global' && (table === 'uts' || table === 'user')); // UTS/user namespacing is not visible by listing
    rows.push({ key, probe, table, agree });
  }
  rows.sort((a, b) => (a.key < b.key ? -1 : 1));
  return { available: true, kernel: kernelText, rows };
}
