import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MessageBus } from '@jellybrick/dbus-next';
import { Runtime } from '../../electron/api/runtime';
import { startFakeHosts, type FakeHosts } from '../../test/support/fake-hosts';
import type { BenchReporter } from './harness';

/**
 * The firewall section of a live refresh (issue #17): N fake SSH hosts with firewalld
 * (HOSTDECK_BENCH_FLEET_FW_HOSTS, default "10,20"), `compare.run refresh --only firewall` in
 * this process with the masters up. Reported per refresh: wall time, this process's CPU, the
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

async function refreshRow(r: BenchReporter, fh: FakeHosts, size: number): Promise<void> {
  const configDir = mkdtempSync(join(tmpdir(), 'hostdeck-bench-fw-'));
  const rt = new Runtime({ mode: 'cli', remote: { sshConfig: fh.sshConfig, configDir } });
  try {
    const ids = fh.hosts.slice(0, size).map((h) => rt.hostFor(h.name).id);
    const once = async () => {
      const calls0 = busCalls;
      const fw0 = firewalldCpuMs(fh, size);
      const cpu0 = process.cpuUsage();
      const t = performance.now();
      const res = await rt.api.compare.run({ hosts: ids, refresh: true, only: ['firewall'] });
      const ms = performance.now() - t;
      const cpu = process.cpuUsage(cpu0);
      const bad = res.hosts.filter((h) => h.status !== 'ok');
      if (bad.length) throw new Error(`refresh left ${bad.length} of ${size} hosts not read: ${JSON.stringify(bad[0])}`);
      return { ms, cpuMs: (cpu.user + cpu.system) / 1000, fwMs: firewalldCpuMs(fh, size) - fw0, calls: busCalls - calls0 };
    };
    const first = await once();
    const runs = [await once(), await once(), await once()];
    const med = <K extends keyof typeof first>(k: K) => [...runs].sort((a, b) => a[k] - b[k])[1]![k];
    r.value(
      `fleet: refresh ${size} live hosts --only firewall (SSH transport, masters up)`,
      med('ms'),
      `per host ${(med('ms') / size).toFixed(0)} ms wall, HostDeck CPU ${(med('cpuMs') / size).toFixed(0)} ms, firewalld CPU ${(med('fwMs') / size).toFixed(0)} ms, ${(med('calls') / size).toFixed(0)} bus calls; first load ${first.ms.toFixed(0)} ms`,
    );
  } finally {
    await rt.dispose();
    rmSync(configDir, { recursive: true, force: true });
  }
}
