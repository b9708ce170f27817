import type { Snapshot } from '../../shared/compare/snapshot';
import { keyToPath, normalizeKey } from '../../shared/kernel/keys';
import { snapshotSysctlEntry } from '../compare/capture';
import type { Host } from '../hosts/transport';

/**
 * The "after" point of a live sysctl write (kernel.apply, kernel.undo) without reading the whole
 * host again: the "before" snapshot with the /proc/sys entries the write can have changed read
 * again. A full read (every /proc/sys entry twice, sysctl.d, the identity) cost ~470 ms per
 * `kernel apply` of one key; the write touches no sysctl.d file, and the kernel changes only a
 * few entries beside the written one, all known (below). Anything else falls back to the full read.
 */

/** Keys whose change the point's identity shows (the local host's name is uname's): a full read. */
const IDENTITY_KEYS = new Set(['kernel.hostname', 'kernel.osrelease']);

/** The same value under two names in different directories. */
const ALIASES: Record<string, string> = { 'net/nf_conntrack_max': 'net/netfilter/nf_conntrack_max', 'net/netfilter/nf_conntrack_max': 'net/nf_conntrack_max' };

/** The keys a live sysctl write named (asked and answered), or null for any other operation. */
export function writtenKeys(channel: string, input: unknown, result: unknown): string[] | null {
  const keys = (xs: unknown) => (Array.isArray(xs) ? xs.map((x) => (x as { key?: unknown }).key).filter((k): k is string => typeof k === 'string') : []);
  const i = (input ?? {}) as { settings?: unknown; entries?: unknown };
  const r = (result ?? {}) as { results?: unknown };
  if (channel === 'kernel.apply') return [...keys(i.settings), ...keys(r.results)];
  if (channel === 'kernel.undo') return [...keys(i.entries), ...keys(r.results)];
  return null;
}

/**
 * The /proc/sys paths a write of `written` can change, out of `known` (the paths read before):
 * - the written entry and every entry of its directory (vm.dirty_ratio zeroes vm.dirty_bytes,
 *   neigh's retrans_time is retrans_time_ms, tcp_congestion_control and its lists...);
 * - for an interface's setting (net.ipv4|ipv6 .conf|.neigh .IF .LEAF, and net.ipv4.ip_forward,
 *   which is conf.all.forwarding): LEAF (and its _ms twin) of every interface, "all" and "default"
 *   with their directories, and net.ipv4|ipv6 itself (all.forwarding sets every interface's
 *   forwarding, "default" is copied to interfaces that did not set their own, conf.all.forwarding
 *   sets ip_forward and all.accept_redirects);
 * - the other name of an aliased value (net.nf_conntrack_max).
 */
export function touchedPaths(written: readonly string[], known: readonly string[]): string[] {
  const byDir = new Map<string, string[]>();
  const dirOf = (p: string) => p.slice(0, Math.max(0, p.lastIndexOf('/')));
  for (const p of known) {
    const d = dirOf(p);
    let list = byDir.get(d);
    if (!list) byDir.set(d, (list = []));
    list.push(p);
  }
  const out = new Set<string>();
  const addDir = (d: string) => {
    for (const p of byDir.get(d) ?? []) out.add(p);
  };
  for (const key of written) {
    let p = keyToPath(key);
    if (p === 'net/ipv4/ip_forward') p = 'net/ipv4/conf/all/forwarding';
    out.add(keyToPath(key));
    addDir(dirOf(keyToPath(key)));
    const alias = ALIASES[p];
    if (alias) out.add(alias);
    const m = /^net\/(ipv4|ipv6)\/(conf|neigh)\/[^/]+\/([^/]+)$/.exec(p);
    if (!m) continue;
    const [, proto, kind, leaf] = m as unknown as [string, string, string, string];
    const family = `net/${proto}/${kind}/`;
    const leaves = new Set([leaf, leaf.endsWith('_ms') ? leaf.slice(0, -3) : `${leaf}_ms`]);
    for (const q of known) {
      if (!q.startsWith(family)) continue;
      const rest = q.slice(family.length);
      const slash = rest.indexOf('/');
      if (slash > 0 && leaves.has(rest.slice(slash + 1))) out.add(q);
    }
    addDir(`${family}all`);
    addDir(`${family}default`);
    addDir(`net/${proto}`);
  }
  return [...out];
}

/**
 * The snapshot after a live sysctl write: `before` with the touched entries read again (an entry
 * gone is dropped, a new one added), or null when a full read is needed (no usable "before", an
 * identity key written).
 */
export async function afterSysctlWrite(host: Host, before: Snapshot | null, written: readonly string[]): Promise<Snapshot | null> {
  if (!before?.sysctl || before.sysctl.error || !before.sysctld || before.sysctld.error) return null;
  const keys = written.map(normalizeKey);
  if (keys.length === 0 || keys.some((k) => IDENTITY_KEYS.has(k))) return null;
  const paths = touchedPaths(
    keys,
    before.sysctl.entries.map((e) => keyToPath(e.key)),
  );
  const reread = new Set(paths);
  const fresh = (await host.transport.procSys(paths)).entries.filter((e) => reread.has(e.path));
  const byKey = new Map(fresh.map((e) => [e.key, snapshotSysctlEntry(e)]));
  const entries = before.sysctl.entries.flatMap((e) => {
    if (!reread.has(keyToPath(e.key))) return [e];
    const now = byKey.get(e.key);
    byKey.delete(e.key);
    return now ? [now] : [];
  });
  entries.push(...byKey.values());
  return { ...before, identity: { ...before.identity, time: Date.now() }, sysctl: { ...before.sysctl, entries } };
}
