import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ImageTransport } from '../../electron/hosts/image';
import { readOfflineConfig } from '../../electron/firewall/offline/reader';
import { performance } from 'node:perf_hooks';
import { firstSeed } from '../../test/support/seeded-random';
import { runHostdeck } from '../../test/support/cli';
import { commandMs, medianMs, type BenchReporter } from './harness';

/**
 * Issue #16: reading and validating an image's firewalld configuration (50 zones, 200 services,
 * 1,000 rich rules in /etc/firewalld over a copy of /usr/lib/firewalld) against
 * `firewall-offline-cmd --list-all-zones` on the same tree (in a private mount namespace).
 */
export default async function bench(r: BenchReporter): Promise<void> {
  await readBench(r);
  await writeDifferential(r);
}

/**
 * The offline-writes differential at scale (issue #16 "Proof": at least 500 seeded sequences,
 * 0 disagreements), also alone as `npx tsx scripts/bench.ts offline-diff --sequences 500 --seed S
 * [--jobs J]`. Options, else HOSTDECK_BENCH_OFFLINE_SEQUENCES=N (default 500; 0 skips),
 * HOSTDECK_BENCH_OFFLINE_SEED=S the first seed (printed, so a run replays; default from the
 * clock), HOSTDECK_BENCH_OFFLINE_JOBS=J sequences at once (default: the cores; one worker
 * process each, offline-worker.ts, each with its own firewall-offline-cmd server). Prints
 * ran/agreed/disagreed and each disagreeing seed; the test replays one with
 * HOSTDECK_DIFF_SEED=S. The runtime comparison (a firewalld restart per copy) is the test's, for
 * its seeded sequence; not run here. Exit code 1 when any sequence disagreed.
 */
export async function writeDifferential(r: BenchReporter): Promise<void> {
  const count = Number(option('sequences') ?? process.env.HOSTDECK_BENCH_OFFLINE_SEQUENCES ?? 500);
  if (!(count > 0)) return;
  const jobs = Math.max(1, Math.min(count, Number(option('jobs') ?? process.env.HOSTDECK_BENCH_OFFLINE_JOBS ?? availableParallelism()) || 1));
  const first = firstSeed(option('seed') ?? process.env.HOSTDECK_BENCH_OFFLINE_SEED);
  r.note(`offline writes differential: ${count} sequences from seed ${first}, ${jobs} at once (--seed ${first} replays)`);
  let done = 0;
  let steps = 0;
  let cpuMs = 0;
  const disagreeing: number[] = [];
  const replayed: number[] = [];
  const t0 = performance.now();
  const worker = (j: number) =>
    new Promise<void>((resolve, reject) => {
      // The same loader as this process (tsx), so the worker runs the TypeScript sources.
      const p = spawn(process.execPath, [...process.execArgv, path.join(import.meta.dirname, 'offline-worker.ts'), String(first + j), String(first + count), String(jobs)], { stdio: ['ignore', 'pipe', 'inherit'] });
      createInterface({ input: p.stdout }).on('line', (line) => {
        const res = JSON.parse(line) as { seed: number; steps: number; disagreements: string[]; timeoutReplays: number; cpuMs: number };
        done++;
        if (res.timeoutReplays) replayed.push(res.seed);
        steps += res.steps;
        cpuMs += res.cpuMs;
        if (res.disagreements.length) {
          disagreeing.push(res.seed);
          r.note(`  seed ${res.seed}: ${res.disagreements.length} disagreement(s); first: ${res.disagreements[0]!.split('\n').slice(0, 6).join(' | ')}`);
        }
        if (done % 25 === 0 && done < count) r.note(`  ${done} sequences, ${disagreeing.length} disagreeing, ${(done / ((performance.now() - t0) / 1000)).toFixed(3)} sequences/s`);
      });
      p.on('error', reject);
      p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`offline-worker ${j} exited with ${code}`))));
    });
  await Promise.all(Array.from({ length: jobs }, (_, j) => worker(j)));
  const s = (performance.now() - t0) / 1000;
  r.note(`offline writes differential: ${done} sequences, ${steps} steps, ${(done / s).toFixed(3)} sequences/s (${s.toFixed(0)} s wall, ${jobs} at once; HostDeck's side ${(cpuMs / Math.max(1, done) / 1000).toFixed(2)} s CPU per sequence)`);
  r.note(`ran ${done}, agreed ${done - disagreeing.length}, disagreed ${disagreeing.length}${disagreeing.length ? `: seeds ${disagreeing.sort((a, b) => a - b).join(' ')}` : ''} (seeds ${first}..${first + count - 1})`);
  if (replayed.length) r.note(`  run again after HostDeck's file-system deadline fired under load (the replay's result is the one counted): seeds ${replayed.sort((a, b) => a - b).join(' ')}`);
  if (disagreeing.length || done < count) process.exitCode = 1;
}

/** `--name V` or `--name=V` on the bench's command line. */
function option(name: string): string | undefined {
  const argv = process.argv;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) return argv[i + 1];
    if (argv[i]!.startsWith(`--${name}=`)) return argv[i]!.slice(name.length + 3);
  }
  return undefined;
}

/**
 * One `hostdeck firewall edit --root` (one port added to one zone) on the same 50-zone image, in
 * process (the code the CLI runs, without Node's start-up: runHostdeck), against
 * firewall-offline-cmd making the same change to the same tree (its own process, in a private
 * mount namespace). CPU per edit beside it: the edit reads the configuration once
 * (electron/hosts/call-scope.ts), where it read it eight times before.
 */
async function editBench(r: BenchReporter, root: string): Promise<void> {
  const etc = path.join(root, 'etc/firewalld');
  let n = 0;
  const cpu: number[] = [];
  const ours = await medianMs(async () => {
    const c = process.cpuUsage();
    const res = await runHostdeck(['firewall', 'edit', '--root', root, '--zone=bench7', `--add-port=${40000 + n++}/tcp`]);
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1000);
    if (res.code !== 0) throw new Error(`hostdeck firewall edit failed: ${res.err}`);
  }, 5);
  const anchor = await medianMs(() => {
    const res = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --make-rprivate / && mount --bind "$0" /etc/firewalld && firewall-offline-cmd --zone=bench8 --add-port="$1"/tcp', etc, String(40000 + n++)], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (res.status !== 0) throw new Error(`firewall-offline-cmd failed: ${res.stderr?.toString()}`);
  }, 5);
  cpu.sort((a, b) => a - b);
  r.ratio('offline: one edit on a 50-zone image (hostdeck firewall edit --root, in process)', ours, 'firewall-offline-cmd --zone --add-port', anchor, '< 1');
  r.note(`offline: one edit's CPU in HostDeck ${cpu[Math.floor(cpu.length / 2)]!.toFixed(0)} ms (median of ${cpu.length}, this process)`);
}

async function readBench(r: BenchReporter): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'hostdeck-bench-offline-'));
  try {
    mkdirSync(path.join(root, 'usr/lib'), { recursive: true });
    cpSync('/usr/lib/firewalld', path.join(root, 'usr/lib/firewalld'), { recursive: true });
    const etc = path.join(root, 'etc/firewalld');
    for (const d of ['zones', 'services']) mkdirSync(path.join(etc, d), { recursive: true });
    writeFileSync(path.join(etc, 'firewalld.conf'), 'DefaultZone=public\n');
    for (let s = 0; s < 200; s++) {
      writeFileSync(path.join(etc, `services/bench${s}.xml`), `<?xml version="1.0" encoding="utf-8"?>\n<service>\n  <short>bench ${s}</short>\n  <port port="${20000 + s}" protocol="tcp"/>\n  <port port="${30000 + s}" protocol="udp"/>\n</service>\n`);
    }
    for (let z = 0; z < 50; z++) {
      const rules = Array.from({ length: 20 }, (_, i) => `  <rule family="ipv4">\n    <source address="10.${z}.${i}.0/24"/>\n    <port port="${1000 + i}" protocol="tcp"/>\n    <accept/>\n  </rule>`).join('\n');
      writeFileSync(path.join(etc, `zones/bench${z}.xml`), `<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <service name="bench${z}"/>\n  <service name="ssh"/>\n  <interface name="bn${z}"/>\n${rules}\n</zone>\n`);
    }
    const t = new ImageTransport({ root });
    const first = await readOfflineConfig(t);
    const zones = Object.keys(first.state.permanent.zones).length;
    const rules = Object.values(first.state.permanent.zones).reduce((n, z) => n + z.richRules.length, 0);
    const errors = first.problems.filter((p) => p.severity === 'error').length;
    r.note(`offline: ${zones} zones, ${Object.keys(first.state.permanent.services).length} services, ${rules} rich rules, ${errors} errors`);
    const ours = await medianMs(() => readOfflineConfig(t), 3);
    const anchor = await commandMs('unshare', ['-m', 'sh', '-c', 'mount --make-rprivate / && mount --bind "$0" /etc/firewalld && firewall-offline-cmd --list-all-zones', etc], undefined, 3);
    r.ratio('offline: read + validate an image configuration', ours, 'firewall-offline-cmd --list-all-zones', anchor, '< 1');
    await editBench(r, root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
