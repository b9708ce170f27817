import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { FreshNamespace } from '../../shared/kernel/defaults';

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
 * The file is data another process could have written: it is read only from a directory and
 * file owned by this user that nobody else may write, never through a symlink, size-bounded,
 * schema-checked, and used only when its key equals ours. Anything else is ignored and rewritten
 * (atomically: a temp file in the same directory, then rename).
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

const cacheSchema = z.object({
  version: z.literal(FRESH_CACHE_VERSION),
  key: z.object({ release: z.string(), bootId: z.string(), paths: z.string(), devconfInherit: z.string() }).strict(),
  modes: z.record(z.string().max(512), z.number().int().min(0).max(0o7777)),
  values: z.record(z.string().max(512), z.string().max(64 * 1024)),
});

/** $XDG_CACHE_HOME/hostdeck (absolute XDG_CACHE_HOME only), else ~/.cache/hostdeck. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'hostdeck');
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

/** Why `dir` may not hold the cache (undefined: a real directory of ours that no one else can write). */
function dirProblem(dir: string): string | undefined {
  const st = lstatSync(dir);
  if (!st.isDirectory()) return `${dir} is not a directory`;
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) return `${dir} belongs to uid ${st.uid}`;
  if ((st.mode & 0o022) !== 0) return `${dir} is writable by others`;
  return undefined;
}

/** The cached listing for `key`, or null when there is none we can trust. */
export function readFreshCache(dir: string, key: FreshKey): FreshNamespace | null {
  let fd: number | undefined;
  try {
    if (dirProblem(dir)) return null;
    fd = openSync(join(dir, 'fresh-namespace.json'), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    const uid = process.getuid?.();
    if (!st.isFile() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0 || st.size > MAX_BYTES) return null;
    const parsed = cacheSchema.safeParse(JSON.parse(readFileSync(fd, 'utf8')));
    if (!parsed.success || !sameKey(parsed.data.key, key)) return null;
    return { modes: new Map(Object.entries(parsed.data.modes)), values: new Map(Object.entries(parsed.data.values)) };
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Stores the listing for `key`; a cache that cannot be written is only a slower next run. */
export function writeFreshCache(dir: string, key: FreshKey, fresh: FreshNamespace): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (dirProblem(dir)) return;
    const tmp = join(dir, `.fresh-namespace.json.${process.pid}.${randomBytes(6).toString('hex')}`);
    const body = JSON.stringify({ version: FRESH_CACHE_VERSION, key, modes: Object.fromEntries(fresh.modes), values: Object.fromEntries(fresh.values) });
    writeFileSync(tmp, body, { flag: 'wx', mode: 0o600 });
    try {
      renameSync(tmp, join(dir, 'fresh-namespace.json'));
    } catch {
      rmSync(tmp, { force: true });
    }
  } catch {
    // read-only home, full disk: the probe simply runs again next time
  }
}

/** The cached listing for `key`, else `probe()`'s, stored for the next run (a probe's error text is not stored). */
export function cachedFreshNamespace(dir: string, key: FreshKey, probe: () => FreshNamespace | string): FreshNamespace | string {
  const hit = readFreshCache(dir, key);
  if (hit) return hit;
  const fresh = probe();
  if (typeof fresh !== 'string') writeFreshCache(dir, key, fresh);
  return fresh;
}
