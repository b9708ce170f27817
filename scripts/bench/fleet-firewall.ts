import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MessageBus } from '@jellybrick/dbus-next';
import { Runtime } from '../../electron/api/runtime';
import type { SshTransport } from '../../electron/hosts/ssh/transport';
import { startFakeHosts, type FakeHosts } from '../../test/support/fake-hosts';
import type { BenchReporter } from './harness';

/**
 * The firewall section of a live refresh (issue #17): N fake SSH hosts with firewalld
 * (HOSTDECK_BENCH_FLEET_FW_HOSTS, default "10,20"), `compare.run refresh --only firewall` in
 * this process with the masters up, the firewalld read made by the read agent on each host in one
 * run against the same read call by call over the tunnelled bus (same hosts, interleaved). Per refresh: wall time, this process's CPU, the
 * CPU of every firewalld on the hosts (read from /proc: the daemons answer the reads), bus
 * calls sent over the SSH-tunnelled buses and agent round trips.
 */
export default async function bench(r: BenchReporter): Promise<void> {
  const sizes = (process.env.HOSTDECK_BENCH_FLEET_FW_HOSTS ?? '10,20').split(',').map(Number);
  const n = Math.max(...sizes);
  const t0 = performance.now();
  const fh = await startFakeHosts(Array.from({ length: n }, (_, i) => ({ name: `f${i + 1}` })));
  r.note(`  (${n} fake hosts with firewalld started in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  try {
    for (const size of sizes) await refreshRow(r, fh, size);
  } finally {
    await fh.stop();
  }
}

/** CPU (user + sys, ms) of every process of the fake hosts whose name starts with "firewalld". */
function firewalldCpuMs(fh: FakeHosts, size: number): number {
  const roots = new Set(fh.hosts.slice(0, size).map((h) => h.pid));
  const tick = 1000 / 100;
  let sum = 0;
  const parent = new Map<number, number>();
  const stats: { pid: number; comm: string; cpu: number }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = s.lastIndexOf(')');
      const comm = s.slice(s.indexOf('(') + 1, close);
      const f = s.slice(close + 2).split(' ');
      parent.set(Number(d), Number(f[1]));
      stats.push({ pid: Number(d), comm, cpu: (Number(f[11]) + Number(f[12])) * tick });
    } catch {
      /* gone */
    }
  }
  const under = (pid: number) => {
    for (let p = pid, k = 0; p > 1 && k < 50; p = parent.get(p) ?? 0, k++) if (roots.has(p)) return true;
    return false;
  };
  for (const s of stats) if (s.comm.startsWith('firewalld') && under(s.pid)) sum += s.cpu;
  return sum;
}

let busCalls = 0;
const realCall = MessageBus.prototype.call;
MessageBus.prototype.call = function (this: MessageBus, ...args: Parameters<MessageBus['call']>) {
  busCalls++;
  return realCall.apply(this, args);
};

type Way = 'bulk' | 'bus';

/**
 * One runtime (one set of masters) whose SSH hosts read firewalld either way, switched per run:
 * 'bus' refuses the bulk read (the state store then reads call by call over the tunnelled bus,
 * as before bulk-read.ts) and keeps it out of compare's prefetch.
 */
function runtimeFor(fh: FakeHosts, size: number, configDir: string): { rt: Runtime; ids: string[]; use: (w: Way) => void } {
  const rt = new Runtime({ mode: 'cli', remote: { sshConfig: fh.sshConfig, configDir } });
  const ids = fh.hosts.slice(0, size).map((h) => rt.hostFor(h.name).id);
  let way: Way = 'bulk';
  for (const id of ids) {
    const t = rt.remote.transportOf(id) as SshTransport;
    const prefetch = t.prefetch.bind(t);
    const busReads = t.busReads.bind(t);
    t.prefetch = (plan) => prefetch(way === 'bus' ? { ...plan, bus: undefined } : plan);
    t.busReads = (calls) => (way === 'bus' ? Promise.reject(new Error('per call (bench)')) : busReads(calls));
  }
  return { rt, ids, use: (w) => (way = w) };
}

async function refreshRow(r: BenchReporter, fh: FakeHosts, size: number): Promise<void> {
  const configDir = mkdtempSync(join(tmpdir(), 'hostdeck-bench-fw-'));
  const { rt, ids, use } = runtimeFor(fh, size, configDir);
  try {
    const once = async (way: Way) => {
      use(way);
      const calls0 = busCalls;
      const fw0 = firewalldCpuMs(fh, size);
      const cpu0 = process.cpuUsage();
      const t = performance.now();
      const res = await rt.api.compare.run({ hosts: ids, refresh: true, only: ['firewall'] });
      const ms = performance.now() - t;
      const cpu = process.cpuUsage(cpu0);
      const bad = res.hosts.filter((h) => h.status !== 'ok' || h.notRead.length);
      return { ms, cpuMs: (cpu.user + cpu.system) / 1000, fwMs: firewalldCpuMs(fh, size) - fw0, calls: busCalls - calls0, bad: bad.map((h) => `${h.label}: ${h.error ?? h.notRead[0]?.reason}`) };
    };
    // The first load connects masters and buses; then interleaved, so both ways see the same machine.
    await once('bus');
    await once('bulk');
    const runs: Record<Way, Awaited<ReturnType<typeof once>>[]> = { bus: [], bulk: [] };
    const short: string[] = [];
    for (let i = 0; i < 3; i++) {
      for (const way of ['bus', 'bulk'] as const) {
        const o = await once(way);
        // A host not read is less work than asked: said, not counted.
        if (o.bad.length) short.push(`${way}: ${o.bad.join('; ')}`);
        else runs[way].push(o);
      }
    }
    if (short.length) r.note(`  (${short.length} runs of ${size} hosts left a host not read and are not counted: ${short.slice(0, 3).join(' | ')})`);
    const med = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!;
    const line = (way: Way) => {
      const x = runs[way];
      return `per host ${(med(x.map((y) => y.ms)) / size).toFixed(0)} ms wall, HostDeck CPU ${(med(x.map((y) => y.cpuMs)) / size).toFixed(0)} ms, firewalld CPU ${(med(x.map((y) => y.fwMs)) / size).toFixed(0)} ms, ${(med(x.map((y) => y.calls)) / size).toFixed(0)} bus calls`;
    };
    if (!runs.bus.length || !runs.bulk.length) {
      r.note(`  (refresh ${size} hosts --only firewall: no complete run to time)`);
      return;
    }
    r.ratio(
      `fleet: refresh ${size} live hosts --only firewall (SSH, masters up), firewalld read in one agent run vs call by call over the tunnelled bus`,
      med(runs.bulk.map((y) => y.ms)),
      'per call',
      med(runs.bus.map((y) => y.ms)),
    );
    r.note(`  (one agent run: ${line('bulk')}; call by call: ${line('bus')})`);
  } finally {
    await rt.dispose();
    rmSync(configDir, { recursive: true, force: true });
  }
}
