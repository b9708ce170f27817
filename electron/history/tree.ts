import { createHash } from 'node:crypto';
import type { Leaves } from '../../shared/history/flatten';

/**
 * The content-addressed tree a point's leaves are stored as: leaves are spread over 512
 * buckets by a hash of their path, buckets hang from a tree of fanout 8 (three levels), and
 * every node is a chunk named by the hash of its text. A point that changes one leaf writes
 * that leaf's bucket and the three nodes above it (about 1 KiB); every other chunk is the
 * previous point's.
 */

export const FANOUT = 8;
export const DEPTH = 3;
export const BUCKETS = FANOUT ** DEPTH;
/** Hex digits of a chunk name: 96 bits, far beyond the chunks one host's history holds. */
export const HASH_HEX = 24;

export function chunkHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_HEX);
}

const bucketCache = new Map<string, number>();
export function bucketOf(path: string): number {
  let b = bucketCache.get(path);
  if (b === undefined) {
    const h = createHash('sha1').update(path).digest();
    b = ((h[0]! << 8) | h[1]!) % BUCKETS;
    if (bucketCache.size > 500_000) bucketCache.clear();
    bucketCache.set(path, b);
  }
  return b;
}

/** A point's leaves as stored: each leaf's JSON text and the bucket names. */
export interface TreeState {
  root: string;
  leaves: Leaves;
  texts: Map<string, string>;
  buckets: string[];
}

export interface BuiltTree extends TreeState {
  /** Chunks of this tree that the previous one did not have (the caller writes those the store lacks). */
  chunks: Map<string, string>;
  /** Leaves whose text differs from the previous tree's (added, removed or changed). */
  changed: string[];
}

function bucketText(entries: [string, string][]): string {
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  // What JSON.stringify of the object would print (no path is an array index, so order is kept).
  return `{${entries.map(([p, t]) => `${JSON.stringify(p)}:${t}`).join(',')}}`;
}

/**
 * Leaves as the tree of chunks. Only the buckets whose leaves changed since `prev` are
 * serialized and hashed again (a leaf carried over as the same object is not even serialized).
 */
export function buildTree(leaves: Leaves, prev: TreeState | null = null): BuiltTree {
  const texts = new Map<string, string>();
  const dirty = new Set<number>();
  const changed: string[] = [];
  for (const [path, v] of leaves) {
    const old = prev?.texts.get(path);
    const t = prev && old !== undefined && prev.leaves.get(path) === v ? old : JSON.stringify(v);
    texts.set(path, t);
    if (t !== old) {
      dirty.add(bucketOf(path));
      changed.push(path);
    }
  }
  if (prev) {
    for (const path of prev.texts.keys()) {
      if (!texts.has(path)) {
        dirty.add(bucketOf(path));
        changed.push(path);
      }
    }
  }
  const chunks = new Map<string, string>();
  let buckets: string[];
  if (!prev) {
    const groups: [string, string][][] = Array.from({ length: BUCKETS }, () => []);
    for (const [path, t] of texts) groups[bucketOf(path)]!.push([path, t]);
    buckets = groups.map((g) => {
      const text = bucketText(g);
      const h = chunkHash(text);
      chunks.set(h, text);
      return h;
    });
  } else {
    buckets = [...prev.buckets];
    if (dirty.size) {
      const groups = new Map<number, [string, string][]>([...dirty].map((b) => [b, []]));
      for (const [path, t] of texts) groups.get(bucketOf(path))?.push([path, t]);
      for (const [b, g] of groups) {
        const text = bucketText(g);
        const h = chunkHash(text);
        chunks.set(h, text);
        buckets[b] = h;
      }
    }
  }
  let level = buckets;
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += FANOUT) {
      const text = JSON.stringify(level.slice(i, i + FANOUT));
      const h = chunkHash(text);
      chunks.set(h, text);
      next.push(h);
    }
    level = next;
  }
  return { root: level[0]!, chunks, buckets, leaves, texts, changed };
}

/** The state of a stored tree (its leaves' texts as stored), for the next buildTree. */
export function treeState(root: string, get: (h: string) => string): TreeState {
  const buckets = bucketsOf(root, get);
  const leaves: Leaves = new Map();
  const texts = new Map<string, string>();
  for (const b of new Set(buckets)) {
    for (const [k, v] of Object.entries(JSON.parse(get(b)) as Record<string, unknown>)) {
      leaves.set(k, v);
      texts.set(k, JSON.stringify(v));
    }
  }
  return { root, buckets, leaves, texts };
}

/** The bucket names under a root, reading node chunks with `get`. */
export function bucketsOf(root: string, get: (h: string) => string): string[] {
  let level = [root];
  for (let d = 0; d < DEPTH; d++) level = level.flatMap((h) => JSON.parse(get(h)) as string[]);
  return level;
}

/** Every chunk name a root reaches (nodes and buckets) not in `seen`, added to it; a node seen before is not descended again. */
export function chunksOf(root: string, get: (h: string) => string, seen = new Set<string>()): string[] {
  const out: string[] = [];
  let level = [root];
  for (let d = 0; d <= DEPTH; d++) {
    const fresh = level.filter((h) => !seen.has(h) && (seen.add(h), true));
    out.push(...fresh);
    if (d === DEPTH) break;
    level = fresh.flatMap((h) => JSON.parse(get(h)) as string[]);
  }
  return out;
}

export function leavesOf(buckets: string[], get: (h: string) => string): Leaves {
  const out: Leaves = new Map();
  for (const b of new Set(buckets)) for (const [k, v] of Object.entries(JSON.parse(get(b)) as Record<string, unknown>)) out.set(k, v);
  return out;
}
