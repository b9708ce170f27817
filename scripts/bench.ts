import path from 'node:path';
import { assertFreshBuild } from './bench/fresh-build';
import { consoleReporter, type BenchReporter } from './bench/harness';

// Each feature adds scripts/bench/<feature>.ts exporting `default async (r: BenchReporter)`.
const suites: Record<string, () => Promise<{ default: (r: BenchReporter) => Promise<void> }>> = {
  kernel: () => import('./bench/kernel'),
  cli: () => import('./bench/cli'),
  dns: () => import('./bench/dns'),
  firewall: () => import('./bench/firewall'),
  hosts: () => import('./bench/hosts'),
  serve: () => import('./bench/serve'),
  helper: () => import('./bench/helper'),
  'helper-races': () => import('./bench/helper-races'),
  compare: () => import('./bench/compare'),
  explain: () => import('./bench/explain'),
  'fleet-live': () => import('./bench/fleet-live'),
  agent: () => import('./bench/agent-cost'),
  'fleet-firewall': () => import('./bench/fleet-firewall'),
  offline: () => import('./bench/offline'),
  // The offline-writes differential alone: offline-diff --sequences N --seed S [--jobs J].
  'offline-diff': async () => ({ default: (await import('./bench/offline')).writeDifferential }),
  history: () => import('./bench/history'),
  'kernel-page': () => import('./bench/kernel-page'),
};

// Suites that time the built app (out/) rather than the sources through tsx.
const timesBuild = new Set(['cli', 'compare', 'hosts', 'fleet-live', 'serve', 'kernel-page']);

// Suite names; `--name value` options are the suites' own (offline-diff --sequences 500).
const only = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !(all[i - 1]?.startsWith('--') && !all[i - 1]!.includes('=')));
// A stale out/ once reported --version at 4.2x instead of 1.3x: refuse to time an old build.
if (Object.keys(suites).some((name) => timesBuild.has(name) && (!only.length || only.includes(name)))) {
  try {
    assertFreshBuild(path.resolve(import.meta.dirname, '..'));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
}
const r = consoleReporter();
let failed = false;
for (const [name, load] of Object.entries(suites)) {
  if (only.length ? !only.includes(name) : name === 'offline-diff') continue; // offline-diff is part of offline
  r.note(`== ${name}`);
  try {
    await (await load()).default(r);
  } catch (e) {
    failed = true;
    console.error(`${name} bench failed: ${e instanceof Error ? e.stack : String(e)}`);
  }
}
process.exitCode = failed ? 1 : 0;
