import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Runtime } from '../../electron/api/runtime';
import type { SshTransport } from '../../electron/hosts/ssh/transport';
import { agentKeepSeconds } from '../../electron/hosts/ssh/agent-keep';
import { startFakeHosts, type FakeHosts } from '../../test/support/fake-hosts';
import type { BenchReporter } from './harness';

/**
 * Issue #17, "Reading live hosts" and "Performance", on ONE set of fake SSH hosts (50 by default,
 * HOSTDECK_BENCH_FLEET_HOSTS; real sshd in namespaces; needs root) started once for all rows:
 *  - `hostdeck compare h1..hN --only sysctl` (the built CLI, its own process) for N = 3, 10, 50,
 *    cold (no ssh master yet: a fresh control directory per run) and warm (the masters the
 *    previous run left, ControlPersist), against plain `ssh HOST sysctl -a` to every host in
 *    parallel, same hosts, same run, interleaved (goal <= 1.5);
 *  - 50 live hosts refreshed through the SSH transport (compare.run refresh, --only sysctl, in
 *    this process, masters up, history on) (goal < 2 s), with the anchor's own time beside it;
 *    each refresh must read every host again (counted) and show a value changed since the last;
 *  - `hostdeck snapshot --inventory` of the 50 hosts against `ansible -m command -a 'sysctl -a'`
 *    of the same inventory with the same Ansible settings (goal <= 1.5).
 * Figures are medians of 3 (each anchor run next to its HostDeck run), plus the CPU time of the
 * process trees (user + sys of the reaped children), which a shared machine disturbs less.
 */
export default async function bench(r: BenchReporter): Promise<void> {
  const n = Number(process.env.HOSTDECK_BENCH_FLEET_HOSTS ?? 50);
  const sizes = [3, 10, 50].filter((s) => s <= n);
  const t0 = performance.now();
  const fh = await startFakeHosts(Array.from({ length: n }, (_, i) => ({ name: `h${i + 1}`, firewalld: false })));
  r.note(`  (${n} fake hosts started in ${((performance.now() - t0) / 1000).toFixed(1)} s, shared by every row below)`);
  const work = mkdtempSync(join(tmpdir(), 'hostdeck-bench-fleet-'));
  try {
    // HOSTDECK_BENCH_FLEET_ROWS=refresh,... runs only those rows (names below).
    const only = process.env.HOSTDECK_BENCH_FLEET_ROWS?.split(',').map((x) => x.trim());
    // One row failing (a loaded machine) does not cost the others their figures.
    for (const [name, row] of [
      ['live compare', () => liveCompare(r, fh, work, sizes)],
      ['refresh', () => refresh(r, fh, work, n)],
      ['snapshot --inventory', () => inventorySnapshot(r, fh, work, n)],
    ] as const) {
      if (only && !only.includes(name)) continue;
      try {
        await row();
      } catch (e) {
        r.note(`  (fleet ${name}: no figure: ${e instanceof Error ? e.message : String(e)})`);
      }
    }
  } finally {
    await fh.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

interface Timed {
  ms: number;
  /** CPU (user + sys) of the command's whole process tree, ms. */
  cpuMs: number;
  code: number | null;
  err: string;
}

/** Wall time of a command and the CPU time of its whole process tree. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Timed> {
  return new Promise((resolve) => {
    // The shell waits for the command (and the command for its own children), then prints the
    // CPU its children used (times): the whole tree's CPU, without a helper binary.
    const t = performance.now();
    const c = spawn('/bin/bash', ['-c', '"$@" >/dev/null; rc=$?; times >&2; exit $rc', 'timed', cmd, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
    c.on('close', (code) => {
      const ms = performance.now() - t;
      // `times` prints two lines: the shell's own, then its children's "XmY.YYYs XmY.YYYs".
      const lines = err.trimEnd().split('\n');
      const kids = lines.pop() ?? '';
      lines.pop();
      const secs = [...kids.matchAll(/(\d+)m([\d.]+)s/g)].reduce((a, m) => a + Number(m[1]) * 60 + Number(m[2]), 0);
      resolve({ ms, cpuMs: secs * 1000, code, err: lines.join('\n') });
    });
  });
}

const median = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)]!;

/** Plain parallel `ssh HOST sysctl -a` to every named host (a new connection each, as a script would). */
function parallelSsh(fh: FakeHosts, names: string[], env: NodeJS.ProcessEnv): Promise<Timed> {
  const script = `${names.map((h) => `/usr/bin/ssh -F '${fh.sshConfig}' ${h} /sbin/sysctl -a >/dev/null &`).join(' ')} wait`;
  return timed('/bin/sh', ['-c', script], env);
}

async function liveCompare(r: BenchReporter, fh: FakeHosts, work: string, sizes: number[]): Promise<void> {
  const cli = join(process.cwd(), 'out/main/cli.js');
  const baseEnv = { ...process.env, HOSTDECK_SSH_CONFIG: fh.sshConfig, XDG_CONFIG_HOME: join(work, 'config') };
  let run = 0;
  // A private control directory per run: "cold" starts every master, "warm" reuses the previous run's.
  const freshRuntime = () => {
    const d = join(work, `runtime-${run++}`);
    mkdirSync(d, { mode: 0o700 });
    return d;
  };
  for (const size of sizes) {
    const names = fh.hosts.slice(0, size).map((h) => h.name);
    const anchor: Timed[] = [];
    const cold: Timed[] = [];
    const warm: Timed[] = [];
    const short: string[] = [];
    const ours = async (env: NodeJS.ProcessEnv, into: Timed[]) => {
      const o = await timed(process.execPath, [cli, 'compare', ...names, '--only', 'sysctl'], env);
      // 2 is a host or a section not read: a figure for less work than asked is no figure (said, not counted).
      if (o.code === 2) short.push(o.err.trim().split('\n')[0] ?? '');
      else if (o.code !== 0) throw new Error(`hostdeck compare of ${size} hosts exited ${o.code}: ${o.err}`);
      else into.push(o);
    };
    for (let i = 0; i < 3; i++) {
      anchor.push(await parallelSsh(fh, names, baseEnv));
      const env = { ...baseEnv, XDG_RUNTIME_DIR: freshRuntime() };
      await ours(env, cold);
      await ours(env, warm);
    }
    if (short.length) r.note(`  (${short.length} of 6 runs of ${size} hosts left a host not read and are not counted: ${short.join('; ')})`);
    if (!cold.length || !warm.length) {
      r.note(`  (compare ${size} hosts: no complete run to time)`);
      continue;
    }
    const a = median(anchor.map((x) => x.ms));
    const cpu = (x: Timed[]) => `${median(x.map((y) => y.cpuMs)).toFixed(0)} ms CPU`;
    r.ratio(`fleet: compare ${size} hosts --only sysctl (CLI, cold: new masters) vs ssh HOST sysctl -a in parallel`, median(cold.map((x) => x.ms)), 'parallel ssh', a, '<= 1.5');
    r.note(`  (CPU of the process trees: HostDeck ${cpu(cold)}, parallel ssh ${cpu(anchor)})`);
    r.ratio(`fleet: compare ${size} hosts --only sysctl (CLI, warm: the masters the previous run kept) vs ssh HOST sysctl -a in parallel`, median(warm.map((x) => x.ms)), 'parallel ssh', a, '<= 1.5');
    r.note(`  (CPU of the process trees: HostDeck ${cpu(warm)}, parallel ssh ${cpu(anchor)})`);
  }
}

/** The refresh row with the app's setting for kept read agents (HOSTDECK_AGENT_KEEP), then with none (one agent run per read, as before) beside it. */
async function refresh(r: BenchReporter, fh: FakeHosts, work: string, n: number): Promise<void> {
  const keep = agentKeepSeconds();
  await refreshRow(r, fh, work, n, keep, keep > 0 ? `kept read agents, ${keep} s` : 'no kept read agents (HOSTDECK_AGENT_KEEP=0)');
  if (keep > 0) await refreshRow(r, fh, work, n, 0, 'no kept read agents: one agent run per read, for comparison');
}

async function refreshRow(r: BenchReporter, fh: FakeHosts, work: string, n: number, keepAgents: number, how: string): Promise<void> {
  const configDir = join(work, `refresh-config-${keepAgents}`);
  mkdirSync(configDir, { recursive: true });
  // History on, as in the app (its own directory, not the user's): it looks at the hosts again after each refresh.
  // Read agents kept as the app keeps them (electron/main.ts: HOSTDECK_AGENT_KEEP, agent-keep.ts).
  const rt = new Runtime({ mode: 'cli', remote: { sshConfig: fh.sshConfig, configDir, keepAgents }, history: { dir: join(work, `refresh-history-${keepAgents}`) } });
  const names = fh.hosts.slice(0, n).map((h) => h.name);
  const key = 'net.ipv4.tcp_keepalive_time';
  let value = 7000;
  try {
    const ids = names.map((h) => rt.hostFor(h).id);
    const procsysRuns = () => ids.map((id) => (rt.remote.transportOf(id) as SshTransport).agentRuns.filter((ops) => ops.includes('procsys')).length);
    const once = async () => {
      // A figure for no work is no figure: every host's /proc/sys read again (one agent run each),
      // and a value changed on the first host since the last refresh shown.
      value++;
      fh.hosts[0]!.exec(['/usr/sbin/sysctl', '-w', `${key}=${value}`]);
      // History's look after the previous refresh is done (a user clicks again later, not at once).
      await rt.history?.idle();
      const before = procsysRuns();
      const t = performance.now();
      const res = await rt.api.compare.run({ hosts: ids, refresh: true, only: ['sysctl'] });
      const ms = performance.now() - t;
      const read = res.hosts.filter((h) => h.status === 'ok').length;
      if (read !== n) throw new Error(`refresh read ${read} of ${n} hosts: ${res.hosts.find((h) => h.status !== 'ok')?.error}`);
      const reads = procsysRuns().map((x, i) => x - before[i]!);
      if (reads.some((x) => x < 1)) throw new Error(`refresh did not read /proc/sys of ${reads.filter((x) => x < 1).length} of ${n} hosts`);
      const shown = res.sysctl.find((row) => row.key === key)?.values[0];
      if (shown !== String(value)) throw new Error(`refresh showed ${key} = ${shown} on ${names[0]}, which has ${value}`);
      return ms;
    };
    // The first one connects every master (the page's first load); the refreshes reuse them.
    const t = performance.now();
    await once();
    const first = performance.now() - t;
    const ours: number[] = [];
    const anchor: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 3; i++) {
      anchor.push((await parallelSsh(fh, names, { ...process.env })).ms);
      const c = process.cpuUsage();
      ours.push(await once());
      const d = process.cpuUsage(c);
      cpu.push((d.user + d.system) / 1000);
    }
    r.value(`fleet: refresh ${n} live hosts through the SSH transport (compare.run refresh --only sysctl, masters up, every host read again (checked); ${how}; goal < 2000 ms)`, median(ours), `first load with connects ${first.toFixed(0)} ms`);
    r.ratio(`fleet: refresh ${n} live hosts (SSH transport, masters up, ${how}) vs ssh HOST sysctl -a in parallel (new connections)`, median(ours), 'parallel ssh', median(anchor));
    // This process's own CPU per refresh (the hosts' sshd and python3 run on the same cores, not counted here).
    r.note(`  (CPU of this process per refresh: ${median(cpu).toFixed(0)} ms)`);
  } finally {
    await rt.dispose();
  }
}

async function inventorySnapshot(r: BenchReporter, fh: FakeHosts, work: string, n: number): Promise<void> {
  const inventory = join(work, 'fleet.ini');
  writeFileSync(inventory, `[fleet]\n${fh.hosts.slice(0, n).map((h) => `node-${h.name} ansible_host=${h.name}`).join('\n')}\n`);
  const env = {
    ...process.env,
    ANSIBLE_SSH_ARGS: `-F ${fh.sshConfig} -o ControlMaster=auto -o ControlPersist=60s`,
    ANSIBLE_CONTROL_PATH_DIR: join(work, 'cp'),
    ANSIBLE_HOME: join(work, 'ansible-home'),
    ANSIBLE_LOCAL_TEMP: join(work, 'ansible-tmp'),
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    ANSIBLE_PIPELINING: 'True',
    ANSIBLE_NOCOLOR: '1',
    XDG_CONFIG_HOME: join(work, 'inv-config'),
    XDG_CACHE_HOME: join(work, 'inv-cache'),
  };
  const ours: Timed[] = [];
  const anchor: Timed[] = [];
  let files = 0;
  for (let i = 0; i < 3; i++) {
    const out = join(work, `snaps-${i}`);
    const a = await timed('/usr/bin/ansible', ['-i', inventory, 'all', '-m', 'command', '-a', 'sysctl -a', '--forks', String(n)], env);
    if (a.code !== 0) throw new Error(`ansible -m command failed (${a.code}): ${a.err}`);
    anchor.push(a);
    const o = await timed(process.execPath, ['out/main/cli.js', 'snapshot', '--inventory', inventory, '--out', out, '--forks', String(n)], env);
    if (o.code !== 0) throw new Error(`hostdeck snapshot --inventory failed (${o.code}): ${o.err}`);
    ours.push(o);
    files = readdirSync(out).filter((f) => f.endsWith('.json')).length;
    if (files !== n) throw new Error(`snapshot --inventory wrote ${files} files for ${n} hosts`);
  }
  r.ratio(`fleet: hostdeck snapshot --inventory of ${n} hosts (${files} snapshot files)`, median(ours.map((x) => x.ms)), `ansible -m command -a 'sysctl -a'`, median(anchor.map((x) => x.ms)), '<= 1.5');
  r.note(`  (CPU of the process trees: HostDeck ${median(ours.map((x) => x.cpuMs)).toFixed(0)} ms, ansible ${median(anchor.map((x) => x.cpuMs)).toFixed(0)} ms; forks ${n}, pipelining on, ControlPersist for both)`);
  const v = spawnSync('/usr/bin/ansible', ['--version'], { encoding: 'utf8' });
  r.note(`  (${v.stdout.split('\n')[0]})`);
}
