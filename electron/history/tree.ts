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
  /** The node levels above the buckets (root last), when known: a next tree then rebuilds only the nodes over changed buckets. */
  levels?: string[][];
}

export interface BuiltTree extends TreeState {
  /** Chunks of this tree that the previous one did not have (the caller writes those the store lacks). */
  chunks: Map<string, string>;
  /** Leaves whose text differs from the previous tree's (added, removed or changed). */
  changed: string[];
}

/**
 * True when a and b print as the same JSON text: the same primitives, arrays and plain objects
 * with the same keys in the same order. Anything else (a class instance, a toJSON) is "not the
 * same", and the caller prints it, so a false "different" costs only time.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return typeof a !== 'number' || Number.isFinite(a) || a === undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || !isPlain(a) || !isPlain(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    if (k !== kb[i] || !sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

function isPlain(o: object): boolean {
  const p = Object.getPrototypeOf(o) as unknown;
  return p === Object.prototype || p === null;
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
    // A leaf read again is a new object with, nearly always, the same content: comparing it costs far less than printing it (most of a one-key point's time was JSON.stringify of every leaf).
    const t = prev && old !== undefined && sameJson(prev.leaves.get(path), v) ? old : JSON.stringify(v);
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
  // The nodes above the buckets: only those over a changed bucket are printed and hashed again.
  const levels = nodeLevels(buckets, prev && prev.levels ? prev : null, dirty, chunks);
  return { root: levels.at(-1)![0]!, chunks, buckets, levels, leaves, texts, changed };
}

/** Each level of nodes above `buckets` (the last holds the root); with `prev`, nodes over no dirty bucket are prev's. */
function nodeLevels(buckets: string[], prev: TreeState | null, dirty: Set<number>, chunks: Map<string, string>): string[][] {
  const levels: string[][] = [];
  let level = buckets;
  let span = 1;
  let d = 0;
  while (level.length > 1) {
    span *= FANOUT;
    const before = prev?.levels?.[d];
    const next: string[] = before ? [...before] : [];
    const redo = before ? [...new Set([...dirty].map((b) => Math.floor(b / span)))] : Array.from({ length: Math.ceil(level.length / FANOUT) }, (_, i) => i);
    for (const i of redo) {
      const text = JSON.stringify(level.slice(i * FANOUT, i * FANOUT + FANOUT));
      const h = chunkHash(text);
      chunks.set(h, text);
      next[i] = h;
    }
    levels.push(next);
    level = next;
    d++;
  }
  return levels;
}

/** The state of a stored tree (its leaves' texts as stored), for the next buildTree. */
export function treeState(root: string, get: (h: string) => string): TreeState {
  const levels: string[][] = [];
  const buckets = bucketsOf(root, get, levels);
  const leaves: Leaves = new Map();
  const texts = new Map<string, string>();
  for (const b of new Set(buckets)) {
    for (const [k, v] of Object.entries(JSON.parse(get(b)) as Record<string, unknown>)) {
      leaves.set(k, v);
      texts.set(k, JSON.stringify(v));
    }
  }
  return { root, buckets, levels, leaves, texts };
}

/** The bucket names under a root, reading node chunks with `get` (the node levels above them into `levels`, root last). */
export function bucketsOf(root: string, get: (h: string) => string, levels: string[][] = []): string[] {
  let level = [root];
  for (let d = 0; d < DEPTH; d++) {
    levels.unshift(level);
    level = level.flatMap((h) => JSON.parse(get(h)) as string[]);
  }
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
