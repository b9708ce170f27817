import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { architectureProblems, circleEdges, circles, folderGraph, importGraph, repoRoot } from '../../scripts/import-graph';

// Issue #19: features declare their handlers against api/context.ts, never the Runtime; folders
// load one way; and nothing outside the transports asks what kind of host it has.

// Read once: parsing every file is the cost of these tests.
const problems = architectureProblems();
const all = importGraph(['electron']);
const loaded = importGraph(['electron'], { runtime: true });

describe('import graph', () => {
  it('has no circle between files of electron/ and shared/ (type-only and dynamic imports included)', () => {
    expect(problems.files.size).toBeGreaterThan(100);
    expect(problems.fileCircles.map((c) => circleEdges(problems.files, c))).toEqual([]);
  });

  it("loads electron/'s folders one way", () => {
    expect(problems.folderCircles.map((c) => circleEdges(problems.folders, c))).toEqual([]);
  });

  it('api/context.ts imports nothing of electron/ but the host interface (declarations only)', () => {
    expect((all.get('electron/api/context.ts') ?? []).filter((d) => d.startsWith('electron/'))).toEqual(['electron/hosts/transport.ts']);
    expect(loaded.get('electron/api/context.ts')).toEqual([]);
  });

  it('no feature imports the Runtime (only the CLI, browser mode and the Electron shell build one)', () => {
    const users = [...all].filter(([, ds]) => ds.includes('electron/api/runtime.ts')).map(([f]) => f);
    expect(users.filter((f) => !/^electron\/(api|cli|serve|app)\/|^electron\/(main|cli)\.ts$/.test(f))).toEqual([]);
  });

  // The checks themselves must be able to fail: a circle planted in a copy of the graph is found.
  it('finds a circle when one is planted, at either level', () => {
    const g = new Map(all);
    g.set('electron/hosts/transport.ts', [...(g.get('electron/hosts/transport.ts') ?? []), 'electron/api/runtime.ts']);
    expect(circles(g).some((c) => c.includes('electron/api/runtime.ts') && c.includes('electron/hosts/transport.ts'))).toBe(true);
    const rt = new Map(loaded);
    rt.set('electron/helper/local.ts', [...(rt.get('electron/helper/local.ts') ?? []), 'electron/hosts/host.ts']);
    expect(circles(folderGraph(rt)).flat()).toEqual(expect.arrayContaining(['electron/helper', 'electron/hosts']));
  });
});

/** What asks a host its kind: the checks issue #19 replaced with capabilities and transport methods. */
const KIND_CHECK =
  /\b(?:host|h|transport)\.(?:transport\.)?kind\s*[!=]==|\bkind\s*[!=]==\s*'(?:local|image|ssh|snapshot|remote)'|'(?:local|image|ssh|snapshot|remote)'\s*[!=]==\s*\S*\.kind\b|instanceof\s+(?:TreeTransport|LocalTransport|ImageTransport|SshTransport|SnapshotTransport)\b|\bsnapshotOf\b|\bshownPath\b|\bhelperRunsDirect\b|\btransport\.kind\b/;

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (/\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

function kindChecks(dirs: string[]): string[] {
  return dirs
    .flatMap((d) => sourceFiles(join(repoRoot, d)))
    .filter((f) => !relative(repoRoot, f).startsWith('electron/hosts/'))
    .flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((line, i) => (KIND_CHECK.test(line) ? `${relative(repoRoot, f)}:${i + 1}: ${line.trim()}` : null))
        .filter((x): x is string => x !== null),
    );
}

describe('kind checks', () => {
  it('none outside the transports (electron/hosts/): features ask capabilities() or a transport method', () => {
    expect(kindChecks(['electron', 'shared'])).toEqual([]);
  });

  it('the pattern catches every form the issue counted', () => {
    for (const line of [
      "const link = host.kind === 'remote' ? x : undefined;",
      "if (host.transport.kind === 'ssh' || host.transport.kind === 'snapshot') {",
      "if (t.kind === 'image' || t.kind === 'snapshot') return undefined;",
      'if (!(t instanceof TreeTransport)) return;',
      'const s = snapshotOf(ctx.host);',
      'authorizeAll: host.kind !== "remote",',
      'const local = this.host.kind === \'local\';',
      'return shownPath(host, p);',
      'if (helperRunsDirect(host)) return;',
    ]) {
      expect(KIND_CHECK.test(line), line).toBe(true);
    }
    // Other things called kind (rules, diff lines, firewall objects) are not host kinds.
    for (const line of ["if (input.kind === 'zone') {", "row.kind === 'ipset'", "e.kind === 'mask'", 'source: { kind: \'live\', detail: `${host.kind} host` }']) {
      expect(KIND_CHECK.test(line), line).toBe(false);
    }
  });
});
