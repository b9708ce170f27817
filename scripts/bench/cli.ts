import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchReporter } from './harness';

/**
 * The whole CLI process as an admin feels it (issue #22), each against its anchor in the same
 * run. Ours and the anchor alternate run by run, so that load from other work on the machine
 * falls on both alike; medians of each.
 */
const cliJs = path.resolve(import.meta.dirname, '../../out/main/cli.js');

type Cmd = [string, ...string[]];

/** Medians (ms) of `runs` alternating runs of a and b, after one warm-up run of each. */
export function pairedMs(a: Cmd, b: Cmd, runs: number, env: NodeJS.ProcessEnv = process.env): [number, number] {
  const once = ([cmd, ...args]: Cmd) => {
    const t = performance.now();
    const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    const ms = performance.now() - t;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr?.toString().slice(0, 500)}`);
    return ms;
  };
  once(a);
  once(b);
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    ta.push(once(a));
    tb.push(once(b));
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return [median(ta), median(tb)];
}

/** Medians of CPU time (user + system, ms) and the largest peak RSS (MiB) of alternating runs, measured by GNU time. */
export function pairedCpu(a: Cmd, b: Cmd, runs: number, env: NodeJS.ProcessEnv = process.env): [{ cpuMs: number; rssMiB: number }, { cpuMs: number; rssMiB: number }] {
  const once = ([cmd, ...args]: Cmd) => {
    const r = spawnSync('/usr/bin/time', ['-f', 'HDTIME %U %S %M', cmd, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const m = /HDTIME ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr);
    if (r.status !== 0 || !m) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(0, 500)}`);
    return { cpuMs: (Number(m[1]) + Number(m[2])) * 1000, rssMiB: Number(m[3]) / 1024 };
  };
  const xs = [[], []] as { cpuMs: number; rssMiB: number }[][];
  for (let i = 0; i < runs; i++) {
    xs[0]!.push(once(a));
    xs[1]!.push(once(b));
  }
  const summary = (ys: { cpuMs: number; rssMiB: number }[]) => ({
    cpuMs: ys.map((y) => y.cpuMs).sort((p, q) => p - q)[Math.floor(ys.length / 2)]!,
    rssMiB: Math.max(...ys.map((y) => y.rssMiB)),
  });
  return [summary(xs[0]!), summary(xs[1]!)];
}

export default async function bench(r: BenchReporter): Promise<void> {
  if (!existsSync(cliJs)) throw new Error(`${cliJs} is missing: npm run -s build first`);
  const node = process.execPath;

  // 1. Start-up: what every command pays before any work.
  const [versionMs, nodeMs] = pairedMs([node, cliJs, '--version'], [node, '-e', '0'], 15);
  r.ratio('cli: hostdeck --version (whole process)', versionMs, 'node -e 0', nodeMs, '<= 2');

  // 2. kernel list as a script runs it again and again: the fresh-namespace probe comes from
  // the cache the first run wrote (a scratch XDG_CACHE_HOME, so the bench never reads the user's).
  const cache = mkdtempSync(path.join(tmpdir(), 'hostdeck-bench-cli-'));
  try {
    const env = { ...process.env, XDG_CACHE_HOME: cache };
    const [listMs, sysctlMs] = pairedMs([node, cliJs, 'kernel', 'list', '--json'], ['sysctl', '-a'], 9, env);
    r.ratio('cli: hostdeck kernel list --json (whole process, probe cached)', listMs, 'sysctl -a', sysctlMs, '<= 5');
    // CPU and peak memory of the same pair: on a shared machine wall time also counts the wait
    // for a core, CPU time only what the command itself costs.
    const [list, sysctl] = pairedCpu([node, cliJs, 'kernel', 'list', '--json'], ['sysctl', '-a'], 5, env);
    r.ratio('cli: hostdeck kernel list --json, CPU (user + system)', list.cpuMs, 'sysctl -a CPU', sysctl.cpuMs);
    r.note(`  peak RSS: hostdeck kernel list ${list.rssMiB.toFixed(0)} MiB, sysctl -a ${sysctl.rssMiB.toFixed(1)} MiB`);
    // The classification verdicts (electron/kernel/verdict-cache.ts) not cached, the probe still
    // cached: a new --k8s target, or the first run of a new build. The anchor runs under the same
    // sh, so the shell and the rm fall on both alike.
    const verdicts = path.join(cache, 'hostdeck', 'verdicts.json');
    const [noVerdictsMs, sysctlShMs] = pairedMs(
      ['sh', '-c', 'rm -f "$1" && exec "$2" "$3" kernel list --json', 'sh', verdicts, node, cliJs],
      ['sh', '-c', 'rm -f "$1.none" && exec sysctl -a', 'sh', verdicts],
      5,
      env,
    );
    r.ratio('cli: hostdeck kernel list --json, verdicts not cached (probe cached)', noVerdictsMs, 'sysctl -a', sysctlShMs);
    rmSync(path.join(cache, 'hostdeck'), { recursive: true, force: true });
    const t = performance.now();
    const cold = spawnSync(node, [cliJs, 'kernel', 'list', '--json'], { env, stdio: 'ignore' });
    if (cold.status === 0) r.value('cli: hostdeck kernel list --json, first run after boot (probe and verdicts not cached yet)', performance.now() - t);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }

  // 3. kernel apply of one key, as root, in a network namespace made for it: both HostDeck and
  // `sysctl -w` write net.ipv4.tcp_keepalive_time of that namespace, never this machine's.
  applyInNamespace(r);
}

/** The timing runs inside `unshare -n`: a child that alternates the two writers and prints medians. */
const APPLY_CHILD = `
const { spawnSync } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const [node, cliJs, dir, runs] = process.argv.slice(1);
const ours = [], anchor = [];
const time = (cmd, args) => {
  const t = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(cmd + ' ' + args.join(' ') + ' failed: ' + r.stderr);
  return performance.now() - t;
};
for (let i = 0; i <= Number(runs); i++) {
  // A value that differs from the live one every time: each run really writes.
  const a = time(node, [cliJs, 'kernel', 'apply', '--from', dir + '/' + (i % 2) + '.conf']);
  const b = time('sysctl', ['-q', '-w', 'net.ipv4.tcp_keepalive_time=' + (7100 + (i % 2))]);
  if (i > 0) { ours.push(a); anchor.push(b); }
}
const median = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
process.stdout.write(JSON.stringify({ ours: median(ours), anchor: median(anchor), value: require('node:fs').readFileSync('/proc/sys/net/ipv4/tcp_keepalive_time', 'utf8').trim() }));
`;

function applyInNamespace(r: BenchReporter): void {
  if (process.getuid?.() !== 0) {
    r.note('cli: kernel apply row skipped: it needs root for unshare -n (as CI runs the bench)');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-bench-apply-'));
  try {
    writeFileSync(path.join(dir, '0.conf'), 'net.ipv4.tcp_keepalive_time = 7000\n');
    writeFileSync(path.join(dir, '1.conf'), 'net.ipv4.tcp_keepalive_time = 7001\n');
    const hostBefore = readFileSync('/proc/sys/net/ipv4/tcp_keepalive_time', 'utf8');
    // History in the bench's own directory: the changes are to a namespace that is gone after the
    // run, and must not show as changes of this machine in the user's history.
    const env = { ...process.env, XDG_DATA_HOME: dir };
    const p = spawnSync('unshare', ['-n', process.execPath, '-e', APPLY_CHILD, process.execPath, cliJs, dir, '9'], { encoding: 'utf8', timeout: 300_000, env });
    if (p.status !== 0) throw new Error(`kernel apply bench in unshare -n failed (${p.status}): ${p.stderr.slice(0, 1000)}`);
    const j = JSON.parse(p.stdout) as { ours: number; anchor: number; value: string };
    if (readFileSync('/proc/sys/net/ipv4/tcp_keepalive_time', 'utf8') !== hostBefore) throw new Error('the host value changed: the bench wrote outside its namespace');
    r.ratio('cli: hostdeck kernel apply of one key (whole process, root, in a netns)', j.ours, 'sysctl -w', j.anchor, '<= 5');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
