import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FreshNamespace } from '../../shared/kernel/defaults';
import { isPlainObject, readOwnCacheFile, writeOwnCacheFile } from '../cache/own-cache-file';

/**
 * The fresh-namespace listing (fresh-namespace.ts) kept on disk between runs: starting a second
 * process under `unshare -n -i -u` cost every `hostdeck kernel list` ~0.2 s (issue #22) although
 * the answer only changes with what the kernel registers. So the key is everything the listing
 * depends on: the kernel release, the boot (kernel/random/boot_id), the set of sysctl files the
 * host has (a module such as br_netfilter adds keys; the host's own interfaces are left out,
 * a fresh namespace has only lo) and net.core.devconf_inherit_init_net (whether a new
 * namespace copies the host's conf values). Any other key, or a file that is not exactly ours,
 * means a new probe.
 *
 * The file is data another process could have written: it is read only as own-cache-file.ts
 * allows (ours, not writable by others, no symlink, size-bounded), checked field by field, and
 * used only when its key equals ours. Anything else is ignored and rewritten atomically.
 */
export interface FreshKey {
  release: string;
  bootId: string;
  /** sha256 of the host's sysctl paths (without per-interface ones), sorted. */
  paths: string;
  devconfInherit: string;
}

export const FRESH_CACHE_VERSION = 1;
const MAX_BYTES = 8 * 1024 * 1024;

/**
 * The file's content as a listing for `key`, or null. Checked by hand, not by a zod schema: the
 * schema cost every `kernel list` ~10 ms of cold CPU for ~2,600 record entries (issue #22).
 * Same rules as before: exactly these four key fields, names up to 512 characters, modes
 * integers 0..0o7777, values strings up to 64 KiB.
 */
function listingFrom(text: string, key: FreshKey): FreshNamespace | null {
  const j: unknown = JSON.parse(text);
  if (!isPlainObject(j) || j.version !== FRESH_CACHE_VERSION || !isPlainObject(j.key) || !isPlainObject(j.modes) || !isPlainObject(j.values)) return null;
  const k = j.key;
  const fields = Object.keys(k);
  if (fields.length !== 4 || !fields.every((f) => f === 'release' || f === 'bootId' || f === 'paths' || f === 'devconfInherit')) return null;
  if (!sameKey(k as unknown as FreshKey, key)) return null;
  const modes = new Map<string, number>();
  for (const [p, m] of Object.entries(j.modes)) {
    if (p.length > 512 || typeof m !== 'number' || !Number.isInteger(m) || m < 0 || m > 0o7777) return null;
    modes.set(p, m);
  }
  const values = new Map<string, string>();
  for (const [p, v] of Object.entries(j.values)) {
    if (p.length > 512 || typeof v !== 'string' || v.length > 64 * 1024) return null;
    values.set(p, v);
  }
  return { modes, values };
}


/** Per-interface sysctl directories: the host's interfaces come and go, a fresh namespace has only lo. */
const PER_INTERFACE = /^net\/(ipv4|ipv6|mpls)\/(conf|neigh)\/(?!all\/|default\/)[^/]+\//;

/** The key of this machine's running kernel, given the paths of its live /proc/sys listing. */
export function freshKey(livePaths: Iterable<string>, procSys = '/proc/sys'): FreshKey {
  const read = (rel: string) => {
    try {
      return readFileSync(join(procSys, rel), 'utf8').trim();
    } catch {
      return '';
    }
  };
  const paths = [...livePaths].filter((p) => !PER_INTERFACE.test(p)).sort();
  return {
    release: read('kernel/osrelease'),
    bootId: read('kernel/random/boot_id'),
    paths: createHash('sha256').update(paths.join('\n')).digest('hex'),
    devconfInherit: read('net/core/devconf_inherit_init_net'),
  };
}

const sameKey = (a: FreshKey, b: FreshKey) => a.release === b.release && a.bootId === b.bootId && a.paths === b.paths && a.devconfInherit === b.devconfInherit;

const FILE = 'fresh-namespace.json';

/** The cached listing for `key`, or null when there is none we can trust. */
export function readFreshCache(dir: string, key: FreshKey): FreshNamespace | null {
  const text = readOwnCacheFile(dir, FILE, MAX_BYTES);
  if (text === null) return null;
  try {
    return listingFrom(text, key);
  } catch {
    return null;
  }
}

/** Stores the listing for `key`; a cache that cannot be written is only a slower next run. */
export function writeFreshCache(dir: string, key: FreshKey, fresh: FreshNamespace): void {
  writeOwnCacheFile(dir, FILE, JSON.stringify({ version: FRESH_CACHE_VERSION, key, modes: Object.fromEntries(fresh.modes), values: Object.fromEntries(fresh.values) }));
}

/** The cached listing for `key`, else `probe()`'s, stored for the next run (a probe's error text is not stored). */
export function cachedFreshNamespace(dir: string, key: FreshKey, probe: () => FreshNamespace | string): FreshNamespace | string {
  const hit = readFreshCache(dir, key);
  if (hit) return hit;
  const fresh = probe();
  if (typeof fresh !== 'string') writeFreshCache(dir, key, fresh);
  return fresh;
}
