import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Resolves a path inside another system's root (an image, a mounted disk) the way that system
 * would: absolute symlink targets are taken relative to the root, never to this machine's "/".
 * Returns null when a component is missing or the links loop.
 */
export async function resolveInRoot(root: string, rel: string, maxLinks = 40): Promise<string | null> {
  const parts = rel.split('/').filter(Boolean);
  let cur: string[] = [];
  let links = 0;
  while (parts.length) {
    const p = parts.shift()!;
    if (p === '.') continue;
    if (p === '..') {
      cur.pop();
      continue;
    }
    const candidate = path.join(root, ...cur, p);
    let st;
    try {
      st = await fs.lstat(candidate);
    } catch {
      return null;
    }
    if (st.isSymbolicLink()) {
      if (++links > maxLinks) return null;
      const target = await fs.readlink(candidate);
      if (target.startsWith('/')) cur = [];
      parts.unshift(...target.split('/').filter(Boolean));
      continue;
    }
    cur.push(p);
  }
  return path.join(root, ...cur);
}
