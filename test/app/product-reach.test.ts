import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The product ships no test-only code: every module under electron/ is reached by an import
 * (static or dynamic) from one of the build's entry points (electron.vite.config.ts). A module
 * only tests use belongs in test/support/.
 */
const repo = resolve(import.meta.dirname, '../..');
const entries = ['electron/main.ts', 'electron/cli.ts', 'electron/preload.ts'];

function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  return [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((p) => existsSync(p) && statSync(p).isFile());
}

function reached(): Set<string> {
  const seen = new Set<string>();
  const todo = entries.map((e) => join(repo, e));
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!/\.tsx?$/.test(file)) continue;
    for (const i of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      const target = resolveImport(file, i.fileName);
      if (target) todo.push(target);
    }
  }
  return seen;
}

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? modules(join(dir, d.name)) : /\.ts$/.test(d.name) && !d.name.endsWith('.d.ts') ? [join(dir, d.name)] : []));
}

describe('product modules', () => {
  it('are all reached from the entry points (none is test-only)', () => {
    const seen = reached();
    expect(seen.size).toBeGreaterThan(50);
    const orphans = modules(join(repo, 'electron')).filter((f) => !seen.has(f)).map((f) => relative(repo, f));
    expect(orphans).toEqual([]);
  });
});
