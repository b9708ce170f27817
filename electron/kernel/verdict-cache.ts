import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClassifyOptions } from '../../shared/kernel/k8s';
import { hostdeckVersion } from '../app/version';
import { isPlainObject, readOwnCacheFile, writeOwnCacheFile } from '../cache/own-cache-file';

/**
 * The part of each `kernel list` row that classification gives (namespace, Kubernetes status,
 * PodSecurity baseline) and whether HostDeck describes the key, kept on disk beside the fresh-namespace cache: classifying ~1,300
 * keys, with the reason texts nobody reads in a list, cost every run ~30-70 ms of CPU
 * (issue #22), while the verdicts only change with the code, the target (Kubernetes version,
 * node kernel, PodSecurity version, hostNetwork/hostIPC) and, like the fresh-namespace cache,
 * the running kernel and boot. The key is all of these; a key not in the file is classified
 * and the file rewritten. The file is read as own-cache-file.ts allows and checked entry by
 * entry: a value that is not one of the verdicts a classification can give makes the whole
 * file ignored, so a planted file can at most change nothing.
 */
export type Verdict = readonly [namespace: 'net' | 'ipc' | 'uts' | 'user' | null, status: 'safe' | 'unsafe' | 'node-level', baseline: 'allowed' | 'forbidden', described: boolean];

export interface VerdictKey {
  /** Which HostDeck code classified (verdictCodeId). */
  code: string;
  release: string;
  bootId: string;
  k8s: string;
  kernel: string | null;
  podSecurityVersion: string | null;
  hostNetwork: boolean;
  hostIPC: boolean;
}

export const VERDICT_CACHE_VERSION = 1;
const FILE = 'verdicts.json';
const MAX_BYTES = 4 * 1024 * 1024;
const MAX_KEPT = 20_000;
const MAX_NAME = 512;
const NAMESPACES = new Set(['net', 'ipc', 'uts', 'user', null]);
const STATUSES = new Set(['safe', 'unsafe', 'node-level']);
const BASELINES = new Set(['allowed', 'forbidden']);

/**
 * The identity of the classifying code: the built chunk's file name, which carries a hash of
 * its content and of every chunk it imports (the Kubernetes tables among them), with the
 * version. Null when running from sources (tests, tsx): no hash to trust, so no disk cache.
 */
export function verdictCodeId(url: string = import.meta.url): string | null {
  const name = basename(url.startsWith('file:') ? fileURLToPath(url) : url);
  return /-[A-Za-z0-9_-]{8,}\.(c|m)?js$/.test(name) ? `${hostdeckVersion}:${name}` : null;
}

/** The key for `opts` on this machine's running kernel and boot (read from `procSys`). */
export function verdictKey(code: string, opts: ClassifyOptions, procSys = '/proc/sys'): VerdictKey {
  const read = (rel: string) => {
    try {
      return readFileSync(`${procSys}/${rel}`, 'utf8').trim();
    } catch {
      return '';
    }
  };
  return {
    code,
    release: read('kernel/osrelease'),
    bootId: read('kernel/random/boot_id'),
    k8s: opts.k8s,
    kernel: opts.kernel ?? null,
    podSecurityVersion: opts.podSecurityVersion ?? null,
    hostNetwork: !!opts.hostNetwork,
    hostIPC: !!opts.hostIPC,
  };
}

const KEY_FIELDS = ['code', 'release', 'bootId', 'k8s', 'kernel', 'podSecurityVersion', 'hostNetwork', 'hostIPC'] as const;

function sameKey(a: Record<string, unknown>, b: VerdictKey): boolean {
  const fields = Object.keys(a);
  return fields.length === KEY_FIELDS.length && KEY_FIELDS.every((f) => Object.hasOwn(a, f) && a[f] === b[f]);
}

/** The stored verdicts for `key`, or null when there is no file we can trust for it. */
export function readVerdicts(dir: string, key: VerdictKey): Map<string, Verdict> | null {
  const text = readOwnCacheFile(dir, FILE, MAX_BYTES);
  if (text === null) return null;
  try {
    const j: unknown = JSON.parse(text);
    if (!isPlainObject(j) || j.version !== VERDICT_CACHE_VERSION || !isPlainObject(j.key) || !sameKey(j.key, key) || !isPlainObject(j.verdicts)) return null;
    const out = new Map<string, Verdict>();
    for (const [name, v] of Object.entries(j.verdicts)) {
      if (name.length > MAX_NAME || !Array.isArray(v) || v.length !== 4 || !NAMESPACES.has(v[0]) || !STATUSES.has(v[1]) || !BASELINES.has(v[2]) || typeof v[3] !== 'boolean') return null;
      out.set(name, v as unknown as Verdict);
    }
    return out;
  } catch {
    return null;
  }
}

export function writeVerdicts(dir: string, key: VerdictKey, verdicts: ReadonlyMap<string, Verdict>): void {
  // A name the reader would refuse (a snapshot's planted key) is left out, not stored to spoil the file.
  const kept = [...verdicts].filter(([n]) => n.length <= MAX_NAME);
  writeOwnCacheFile(dir, FILE, JSON.stringify({ version: VERDICT_CACHE_VERSION, key, verdicts: Object.fromEntries(kept) }));
}

/**
 * The verdict of every name: from the file when its key is `key`, else (and for any name the
 * file lacks) from `classify`, storing the result for the next run. `key` null: no disk cache.
 */
export function cachedVerdicts(dir: string, key: VerdictKey | null, names: readonly string[], classify: (name: string) => Verdict): Map<string, Verdict> {
  const stored = key ? readVerdicts(dir, key) : null;
  const out = new Map<string, Verdict>();
  let missing = 0;
  for (const n of names) {
    let v = stored?.get(n);
    if (!v) {
      v = classify(n);
      missing++;
    }
    out.set(n, v);
  }
  if (key && missing > 0) {
    // Keep what the file had too (a key that comes and goes, an interface, is not classified
    // again), up to a bound: a node that starts pod after pod must not grow the file forever.
    if (stored && stored.size < MAX_KEPT) for (const [n, v] of stored) if (!out.has(n)) out.set(n, v);
    writeVerdicts(dir, key, out);
  }
  return out;
}
