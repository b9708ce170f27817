import { spawnSync } from 'node:child_process';
import type { FreshNamespace } from '../../shared/kernel/defaults';
import type { Host } from '../hosts/host';
import { cachedFreshNamespace, freshKey } from './fresh-cache';
import { defaultCacheDir } from '../cache/own-cache-file';

/**
 * Lists /proc/sys inside a fresh network + IPC + UTS namespace (`unshare -n -i -u`, root only):
 * the mode of every file, and the values of the namespaced ones (net/, IPC, UTS). Read and stat
 * only, nothing is written. The child is this same Node/Electron binary running a small script,
 * because one process reading ~1,000 files is far faster than a shell running `cat` per file.
 */
const SCRIPT = `
const fs = require('fs');
const out = { modes: {}, values: {} };
const NS = /^(net\\/|kernel\\/(shm|msg|sem|auto_msgmni|hostname|domainname)|fs\\/mqueue\\/)/;
function walk(rel) {
  let es;
  try { es = fs.readdirSync('/proc/sys/' + rel, { withFileTypes: true }); } catch { return; }
  for (const e of es) {
    const r = rel ? rel + '/' + e.name : e.name;
    if (e.isDirectory()) { walk(r); continue; }
    let m;
    try { m = fs.statSync('/proc/sys/' + r).mode & 0o777; } catch { continue; }
    out.modes[r] = m;
    if (r === 'vm/stat_refresh' || !(m & 0o444) || !NS.test(r)) continue;
    try { out.values[r] = fs.readFileSync('/proc/sys/' + r, 'utf8').replace(/\\n$/, ''); } catch {}
  }
}
walk('');
process.stdout.write(JSON.stringify(out));
`;

export function snapshotFreshNamespace(): FreshNamespace | string {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'A fresh namespace needs root (unshare -n -i -u).';
  const r = spawnSync('unshare', ['-n', '-i', '-u', process.execPath, '-e', SCRIPT], {
    encoding: 'utf8',
    maxBuffer: 32 * 1024 * 1024,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    timeout: 30_000,
  });
  if (r.error) return `unshare could not run: ${r.error.message} (apt-get install -y util-linux)`;
  if (r.status !== 0) return `unshare -n -i -u failed: ${r.stderr.trim()}`;
  try {
    const j = JSON.parse(r.stdout) as { modes: Record<string, number>; values: Record<string, string> };
    return { modes: new Map(Object.entries(j.modes)), values: new Map(Object.entries(j.values)) };
  } catch (e) {
    return `could not read the fresh namespace listing: ${(e as Error).message}`;
  }
}

const TTL_MS = 60_000;

/**
 * The fresh-namespace snapshot of a host's live kernel. Inherently this machine's: only for a
 * host that declares capabilities.freshNamespaceProbe (its live values are this machine's
 * running kernel: the local transport, or an image compared with it); null for a /proc/sys
 * copy, an SSH host or a snapshot. Kept in memory and on disk (fresh-cache.ts) under a key of
 * everything the listing depends on, so a later run or call reuses it until the kernel, the
 * boot or the set of sysctls changes (loading br_netfilter adds keys). `livePaths`: the paths
 * of the host's live listing when the caller has read it already.
 */
export async function freshNamespaceOf(host: Host, livePaths?: Iterable<string>): Promise<{ fresh: FreshNamespace | null; reason: string | null }> {
  if (!host.transport.capabilities().freshNamespaceProbe) {
    return { fresh: null, reason: "The parameters are not this machine's live /proc/sys: the fresh-namespace probe only runs on the machine HostDeck runs on." };
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return { fresh: null, reason: 'A fresh namespace needs root (unshare -n -i -u).' };
  const paths = livePaths ?? (await host.transport.procSys()).entries.map((e) => e.path);
  const key = freshKey(paths);
  const keyText = JSON.stringify(key);
  const cache = host.service('kernel.freshNamespace', () => ({ at: 0, key: '', value: null as FreshNamespace | string | null, dispose() {} }));
  // A failed probe is tried again after a minute; a listing holds as long as its key.
  if (!cache.value || cache.key !== keyText || (typeof cache.value === 'string' && Date.now() - cache.at > TTL_MS)) {
    cache.value = cachedFreshNamespace(defaultCacheDir(), key, snapshotFreshNamespace);
    cache.key = keyText;
    cache.at = Date.now();
  }
  return typeof cache.value === 'string' ? { fresh: null, reason: cache.value } : { fresh: cache.value, reason: null };
}
