import { spawnSync } from 'node:child_process';
import { interfacePattern, pathToKey } from '../../shared/kernel/keys';
import { kernelNamespace } from '../../shared/kernel/namespaces';
import type { KernelVersion } from '../../shared/kernel/version';
import type { ProbeOut } from '../../shared/kernel/contract';

type ProbeKind = ProbeOut['rows'][number]['probe'];
type TableKind = ProbeOut['rows'][number]['table'];

const LIST = `cd /proc/sys && find . -type f -printf '%P\\t%m\\n' && echo '--values--' && for f in kernel/shm* kernel/msg* kernel/sem* kernel/auto_msgmni fs/mqueue/*; do [ -r "$f" ] && printf '%s\\t%s\\n' "$f" "$(cat "$f")"; done; true`;

function listing(args: string[]): { modes: Map<string, number>; values: Map<string, string> } | string {
  const r = spawnSync('unshare', [...args, 'sh', '-c', LIST], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.error) return `unshare could not run: ${r.error.message} (apt-get install -y util-linux)`;
  if (r.status !== 0) return `unshare ${args.join(' ')} failed: ${r.stderr.trim()}`;
  const [files, vals] = r.stdout.split('--values--\n');
  const modes = new Map<string, number>();
  for (const l of (files ?? '').split('\n')) {
    const [p, m] = l.split('\t');
    if (p && m) modes.set(p, parseInt(m, 8));
  }
  const values = new Map<string, string>();
  for (const l of (vals ?? '').split('\n')) {
    const t = l.indexOf('\t');
    if (t > 0) values.set(l.slice(0, t), l.slice(t + 1));
  }
  return { modes, values };
}

/**
 * Empirical namespacing on this host (reference §6): list /proc/sys as the host sees it and
 * inside a fresh network + IPC + UTS namespace (unshare -n -i -u, root only). Read and stat
 * only: nothing is written in any namespace.
 */
export function probeNamespaces(kernel: KernelVersion, kernelText: string): ProbeOut {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { available: false, reason: 'The namespace probe needs root (unshare -n -i -u); the table is shown instead.', kernel: kernelText, rows: [] };
  }
  const host = listing([]);
  const child = listing(['-n', '-i', '-u']);
  if (typeof host === 'string') return { available: false, reason: host, kernel: kernelText, rows: [] };
  if (typeof child === 'string') return { available: false, reason: child, kernel: kernelText, rows: [] };
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
