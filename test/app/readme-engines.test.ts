import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

/** Node x.y.z satisfies one `engines.node` range of the forms the lock file holds; anything else fails loudly. */
function satisfies(v: [number, number, number], range: string): boolean {
  const cmp = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
  return range.split('||').some((part) => {
    const p = part.trim();
    if (p === '*' || p === '') return true;
    const all = p.split(/\s+(?=[<>^~=])/).map((c) => {
      const m = /^(>=|>|<=|<|\^|~|=)?\s*v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$/.exec(c.trim());
      if (!m) throw new Error(`engines range "${range}" is not understood by this test: extend it`);
      const b = [Number(m[2]), Number(m[3]) || 0, Number(m[4]) || 0];
      const d = cmp(v, b);
      switch (m[1]) {
        case '>=': return d >= 0;
        case '>': return d > 0;
        case '<=': return d <= 0;
        case '<': return d < 0;
        case '^': return d >= 0 && v[0] === b[0];
        case '~': return d >= 0 && v[0] === b[0] && v[1] === b[1];
        default: return m[3] === undefined ? v[0] === b[0] : d === 0;
      }
    });
    return all.every(Boolean);
  });
}

describe('README: which packages warn EBADENGINE on Node 20', () => {
  it('names exactly the packages of the lock file whose engines exclude the oldest supported Node 20', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
    const oldest20 = /\^20\.(\d+)\.(\d+)/.exec(pkg.engines.node)!;
    const node: [number, number, number] = [20, Number(oldest20[1]), Number(oldest20[2])];
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } }> };
    const warned = Object.entries(lock.packages)
      .filter(([p, m]) => p && m.engines?.node && !satisfies(node, m.engines.node))
      .map(([p]) => p.replace(/^.*node_modules\//, ''))
      .sort();
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const para = readme.split(/\n\s*\n/).find((x) => x.includes('EBADENGINE'))!;
    const named = [...para.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).filter((n) => n in lock.packages || `node_modules/${n}` in lock.packages).sort();
    expect(named).toEqual(warned);
    const words = ['no', 'one', 'two', 'three', 'four', 'five'];
    expect(para).toContain(`for those ${words[warned.length]} packages`);
  });
});
