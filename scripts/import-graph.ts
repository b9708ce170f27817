// The import graph of shared/ and electron/, read with the TypeScript compiler API (no extra
// package): circles between files and between folders. `npx tsx scripts/import-graph.ts`
// prints them; test/app/architecture.test.ts fails when one comes back.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export const repoRoot = resolve(import.meta.dirname, '..');

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined; // packages and node: builtins are not ours
  const base = resolve(dirname(from), spec);
  for (const c of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    if (existsSync(c) && statSync(c).isFile()) return c;
  }
  return undefined;
}

/** The module specifiers a file imports: every one, and those that stay at run time (not `import type`, not type-only re-exports). */
function importsOf(file: string): { all: string[]; runtime: string[] } {
  const text = readFileSync(file, 'utf8');
  const all = ts.preProcessFile(text, true, true).importedFiles.map((r) => r.fileName);
  const runtime: string[] = [];
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const c = node.importClause;
      // verbatimModuleSyntax: `import type` and `import { type A }` with only type names vanish; a bare import stays.
      const typeOnly = !!c && (c.isTypeOnly || (!c.name && !!c.namedBindings && ts.isNamedImports(c.namedBindings) && c.namedBindings.elements.length > 0 && c.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) runtime.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = node.isTypeOnly || (!!node.exportClause && ts.isNamedExports(node.exportClause) && node.exportClause.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) runtime.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      runtime.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return { all, runtime };
}

/**
 * Every file under `dirs` (repo-relative) and the repo files it imports. `runtime: false`
 * (madge's view): static imports, `import type`, re-exports and dynamic `import()` alike (a
 * type-only import still ties two files together, and a dynamic one is how a circle hides).
 * `runtime: true`: only what is loaded when the code runs (type-only imports vanish).
 */
export function importGraph(dirs: string[] = ['electron', 'shared'], opts: { runtime?: boolean } = {}): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const dir of dirs) {
    for (const file of walk(join(repoRoot, dir))) {
      const specs = importsOf(file);
      const deps = new Set<string>();
      for (const spec of opts.runtime ? specs.runtime : specs.all) {
        const target = resolveImport(file, spec);
        if (target) deps.add(relative(repoRoot, target));
      }
      graph.set(relative(repoRoot, file), [...deps].sort());
    }
  }
  return graph;
}

/** Strongly connected components with more than one member (or a self-import): each is a circle. */
export function circles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

/** The folder graph (electron/hosts/ssh counts as electron/hosts: a feature's folder with its sub-folders). */
export function folderGraph(graph: Map<string, string[]>): Map<string, string[]> {
  // A top-level file (electron/cli.ts, electron/main.ts) is its own node, apart from the folder of the same name.
  const folder = (f: string): string => f.split('/').slice(0, 2).join('/');
  const out = new Map<string, Set<string>>();
  for (const [file, deps] of graph) {
    const from = folder(file);
    const set = out.get(from) ?? new Set<string>();
    out.set(from, set);
    for (const d of deps) if (folder(d) !== from) set.add(folder(d));
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort()]));
}

/** For a circle, the imports inside it (who imports whom), so a failure says which edge to cut. */
export function circleEdges(graph: Map<string, string[]>, circle: string[]): string[] {
  const members = new Set(circle);
  return circle.flatMap((f) => (graph.get(f) ?? []).filter((d) => members.has(d)).map((d) => `${f} -> ${d}`));
}

/**
 * The two rules, as lists of what breaks them: no circle between files (types included), and
 * electron/'s folders load one way (electron/hosts/ssh counts as electron/hosts). Type-only imports
 * do not count between folders: a feature declares its handlers against api/context.ts's
 * interfaces, and api/runtime.ts, which builds the context, loads every feature.
 */
export function architectureProblems(): { fileCircles: string[][]; folderCircles: string[][]; files: Map<string, string[]>; folders: Map<string, string[]> } {
  const files = importGraph(['electron', 'shared']);
  const folders = folderGraph(importGraph(['electron'], { runtime: true }));
  return { fileCircles: circles(files), folderCircles: circles(folders), files, folders };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const { fileCircles, folderCircles, files, folders } = architectureProblems();
  console.log(`${files.size} files in electron/ and shared/`);
  console.log(`file circles (all imports, types included): ${fileCircles.length}`);
  for (const c of fileCircles) console.log(`  ${c.length} files:\n    ${circleEdges(files, c).join('\n    ')}`);
  console.log(`folder circles in electron/ (imports kept at run time): ${folderCircles.length}`);
  for (const c of folderCircles) console.log(`  ${circleEdges(folders, c).join('\n  ')}`);
  process.exitCode = fileCircles.length + folderCircles.length > 0 ? 1 : 0;
}
