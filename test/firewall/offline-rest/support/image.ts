import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/**
 * Every entry under dir: type, mode, size, inode, mtime, content hash (regular files) or link
 * target; FIFOs are never opened. Equal before and after: nothing was written, replaced or made.
 */
export function treeHash(dir: string): string {
  const lines: string[] = [];
  const walk = (rel: string) => {
    const p = path.join(dir, rel);
    const st = lstatSync(p);
    const head = `${rel}\0${st.mode.toString(8)}\0${st.size}\0${st.ino}\0${st.mtimeMs}`;
    if (st.isSymbolicLink()) lines.push(`${head}\0->${readlinkSync(p)}`);
    else if (st.isFile()) lines.push(`${head}\0${createHash('sha256').update(readFileSync(p)).digest('hex')}`);
    else lines.push(head);
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(path.join(rel, e));
  };
  walk('.');
  return lines.join('\n');
}
