import { documentedDefaults } from './data/documented-defaults';

/**
 * "Changed from default", honestly. The kernel exposes no compiled-in defaults, but a fresh
 * namespace starts namespaced keys from them (reference §5-6), so for those keys the value seen
 * inside `unshare -n -i` is the default of *this* kernel. Exceptions, where a new namespace
 * copies the host instead (so its value says nothing about defaults): tcp_rmem/tcp_wmem and the
 * congestion control (copied from init_net), IPv4/IPv6 conf.* depending on
 * net.core.devconf_inherit_init_net, neighbour parameters (copied from the global table), UTS
 * names, keys read-only in the child (global data) and per-namespace random values. For other
 * keys we use the documented upstream default where we have one; otherwise only a sysctl.d
 * assignment marks a key as changed.
 */
export type DefaultBasis = 'fresh-namespace' | 'documented';
export interface KeyDefault {
  value: string;
  basis: DefaultBasis;
}
export type ChangedBasis = DefaultBasis | 'configured';
export interface Changed {
  basis: ChangedBasis;
  /** The default the live value was compared with (null for "configured"). */
  default: string | null;
}

/** What a fresh network + IPC namespace shows (paths under /proc/sys, no leading slash). */
export interface FreshNamespace {
  modes: Map<string, number>;
  values: Map<string, string>;
}

const COPIED_FROM_INIT_NET = new Set([
  'net/ipv4/tcp_rmem',
  'net/ipv4/tcp_wmem',
  'net/ipv4/tcp_congestion_control',
  'net/ipv4/tcp_fastopen_key', // random per namespace
]);

/** Whether the fresh-namespace value of `path` is a default, given the host's devconf_inherit_init_net. */
export function freshValueIsDefault(path: string, hostMode: number, fresh: FreshNamespace, devconfInherit: number): boolean {
  if (!fresh.values.has(path)) return false;
  const childMode = fresh.modes.get(path);
  if (childMode === undefined) return false;
  if ((hostMode & 0o200) !== 0 && (childMode & 0o200) === 0) return false; // read-only in child: global data
  if (COPIED_FROM_INIT_NET.has(path)) return false;
  if (/^net\/ipv[46]\/neigh\//.test(path)) return false;
  if (/\/stable_secret$/.test(path)) return false;
  if (/^kernel\/(hostname|domainname)$/.test(path)) return false; // a new UTS ns copies its parent
  // devconf_inherit_init_net: 0 IPv4 inherits, IPv6 resets; 1 both inherit; 2 both reset; 3 inherit from the creator (here init_net)
  if (path.startsWith('net/ipv4/conf/') && devconfInherit !== 2) return false;
  if (path.startsWith('net/ipv6/conf/') && (devconfInherit === 1 || devconfInherit === 3)) return false;
  return true;
}

export function defaultFor(key: string, path: string, hostMode: number, fresh: FreshNamespace | null, devconfInherit: number): KeyDefault | null {
  if (fresh && freshValueIsDefault(path, hostMode, fresh, devconfInherit)) return { value: fresh.values.get(path)!, basis: 'fresh-namespace' };
  const d = Object.hasOwn(documentedDefaults, key) ? documentedDefaults[key] : undefined;
  return d !== undefined ? { value: d, basis: 'documented' } : null;
}

const norm = (v: string) => v.trim().replace(/\s+/g, ' ');

/**
 * Whether a live row differs from its default, and on what basis. Read-only keys are never
 * "changed" (nobody can change them); without a known default, a sysctl.d assignment is the
 * only evidence, labelled "configured".
 */
export function changedFromDefault(
  row: { state: string; value?: string; writable: boolean; configured: { value: string } | null },
  def: KeyDefault | null,
): Changed | null {
  if (row.state !== 'ok' || row.value === undefined || !row.writable) return row.configured ? { basis: 'configured', default: null } : null;
  if (def) return norm(row.value) !== norm(def.value) ? { basis: def.basis, default: def.value } : null;
  return row.configured ? { basis: 'configured', default: null } : null;
}
