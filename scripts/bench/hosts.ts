import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Runtime } from '../../electron/api/runtime';
import { FirewalldClient } from '../../electron/firewall/client';
import { readPermanent, readRuntime } from '../../electron/firewall/reader';
import { startFakeHosts } from '../../test/support/fake-hosts';
import { medianMs, type BenchReporter } from './harness';

/**
 * Remote hosts over SSH against fake hosts (real sshd, dbus-daemon, firewalld in namespaces on
 * this machine; needs root):
 *  - `firewall dump` of one host over SSH (ControlMaster + systemd-stdio-bridge) against the same
 *    firewalld reached directly on its bus socket (target: at most 1.3x);
 *  - 20 hosts: connect all, then read /proc/sys + resolv.conf + sysctl.d of all; wall time and
 *    client CPU per host (this process, and the ssh processes it waited for).
 */
export default async function bench(r: BenchReporter): Promise<void> {
  await liveCompareRatio(r, [3, 10]);
  await dumpRatio(r);
  await fleet(r, 20);
}

/** Wall time of a command (its own process), ms. */
function wallMs(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number | null; err: string }> {
  return new Promise((resolve) => {
    const t = performance.now();
    const c = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-2000)));
    c.on('close', (code) => resolve({ ms: performance.now() - t, code, err }));
  });
}

/**
 * Issue #17: `hostdeck compare h1..hN --only sysctl` (the CLI, its own process, from cold: new
 * masters) against plain `ssh HOST sysctl -a` to every host in parallel, same hosts, same run.
 * Goal: at most 1.5x. The CLI is the built one (out/main/cli.js) when there is one, else the
 * sources through tsx (which adds its own start-up).
 */
export async function liveCompareRatio(r: BenchReporter, sizes: number[]): Promise<void> {
  const n = Math.max(...sizes);
  const fh = await startFakeHosts(Array.from({ length: n }, (_, i) => ({ name: `h${i + 1}`, firewalld: false })));
  const configDir = mkdtempSync(join(tmpdir(), 'hostdeck-bench-'));
  const env = { ...process.env, HOSTDECK_SSH_CONFIG: fh.sshConfig, XDG_CONFIG_HOME: configDir };
  const built = join(process.cwd(), 'out/main/cli.js');
  const cli = existsSync(built) ? [built] : [join(process.cwd(), 'node_modules/tsx/dist/cli.mjs'), join(process.cwd(), 'electron/cli.ts')];
  try {
    for (const size of sizes) {
      const names = fh.hosts.slice(0, size).map((h) => h.name);
      const ssh = () => wallMs('/bin/sh', ['-c', `${names.map((h) => `/usr/bin/ssh -F '${fh.sshConfig}' ${h} /sbin/sysctl -a >/dev/null &`).join(' ')} wait`], env);
      const ours = () => wallMs(process.execPath, [...cli, 'compare', ...names, '--only', 'sysctl'], env);
      const a: number[] = [];
      const b: number[] = [];
      // Interleaved, so load on the machine hits both alike.
      for (let i = 0; i < 3; i++) {
        a.push((await ssh()).ms);
        const o = await ours();
        if (o.code !== 0 && o.code !== 2) throw new Error(`hostdeck compare failed (${o.code}): ${o.err}`);
        b.push(o.ms);
      }
      const med = (x: number[]) => x.sort((p, q) => p - q)[1]!;
      r.ratio(`hosts: compare ${size} hosts --only sysctl (CLI, cold) vs ssh HOST sysctl -a in parallel`, med(b), 'parallel ssh', med(a), '<= 1.5');
    }
  } finally {
    await fh.stop();
    rmSync(configDir, { recursive: true, force: true });
  }
}

async function dumpRatio(r: BenchReporter): Promise<void> {
  const fh = await startFakeHosts([{ name: 'fw1' }]);
  const configDir = mkdtempSync(join(tmpdir(), 'hostdeck-bench-'));
  const h = fh.hosts[0]!;
  // The same firewalld, without SSH: its bus socket seen through the host's mount namespace.
  const direct = new Runtime({ mode: 'cli', local: { systemBusAddress: `unix:path=/proc/${h.pid}/root/run/dbus/system_bus_socket` } });
  const remote = new Runtime({ mode: 'cli', remote: { sshConfig: fh.sshConfig, configDir } });
  try {
    const local = await medianMs(() => direct.api.firewall.state({ refresh: true }), 5);
    const ssh = await medianMs(() => remote.api.firewall.state({ refresh: true }, { host: 'fw1' }), 5);
    r.ratio('hosts: firewall dump (API, host facts included) over SSH vs the same firewalld directly', ssh, 'direct bus socket', local, '<= 1.3');
    // The D-Bus part alone: runtime + permanent layers through one client on each path.
    const layers = async (busAddress: string) => {
      const c = new FirewalldClient({ busAddress });
      try {
        await c.ready();
        return await medianMs(() => Promise.all([readRuntime(c), readPermanent(c)]), 5);
      } finally {
        c.dispose();
      }
    };
    const viaSsh = await layers((await remote.remote.transportOf(remote.hostFor('fw1').id)!.busAddress())!);
    const viaDirect = await layers(`unix:path=/proc/${h.pid}/root/run/dbus/system_bus_socket`);
    r.ratio('hosts: runtime + permanent D-Bus reads over SSH vs directly', viaSsh, 'direct bus socket', viaDirect, '<= 1.3');
  } finally {
    await direct.dispose();
    await remote.dispose();
    await fh.stop();
    rmSync(configDir, { recursive: true, force: true });
  }
}

/** CPU time of this process's reaped children (utime + stime), ms. */
function childrenCpuMs(): number {
  const f = readFileSync('/proc/self/stat', 'utf8');
  const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
  // fields 16 and 17 (cutime, cstime) are at index 13 and 14 after the comm field
  const tick = 100;
  return ((Number(parts[13]) + Number(parts[14])) * 1000) / tick;
}

async function fleet(r: BenchReporter, n: number): Promise<void> {
  const fh = await startFakeHosts(Array.from({ length: n }, (_, i) => ({ name: `h${i + 1}`, firewalld: false })));
  const configDir = mkdtempSync(join(tmpdir(), 'hostdeck-bench-'));
  const rt = new Runtime({ mode: 'cli', remote: { sshConfig: fh.sshConfig, configDir } });
  try {
    const ids = fh.hosts.map((h) => h.name);
    for (const id of ids) rt.hostFor(id);
    const cpu0 = process.cpuUsage();
    const kids0 = childrenCpuMs();
    let t = performance.now();
    await Promise.all(ids.map((id) => rt.remote.linkOf(id)!.connect()));
    const connectMs = performance.now() - t;
    const cpu1 = process.cpuUsage(cpu0);
    const kids1 = childrenCpuMs();
    t = performance.now();
    const reads = await Promise.all(
      ids.map(async (id) => {
        const tr = rt.remote.transportOf(id)!;
        const [live, files] = await Promise.all([
          tr.procSys(),
          tr.read([
            { path: '/etc/resolv.conf', content: true, follow: true },
            { path: '/etc/sysctl.d', list: true },
            { path: '/usr/lib/sysctl.d', list: true },
            { path: '/run/sysctl.d', list: true },
            { path: '/etc/sysctl.conf', content: true },
          ]),
        ]);
        return live.entries.length + files.length;
      }),
    );
    const readMs = performance.now() - t;
    const cpu2 = process.cpuUsage(cpu0);
    const kids2 = childrenCpuMs();
    const values = reads.reduce((a, b) => a + b, 0);
    r.value(`hosts: connect ${n} hosts (one ControlMaster each)`, connectMs, `Node CPU ${((cpu1.user + cpu1.system) / 1000 / n).toFixed(1)} ms per host`);
    r.value(
      `hosts: read /proc/sys + resolv.conf + sysctl.d of ${n} hosts (${values} values)`,
      readMs,
      `Node CPU ${((cpu2.user + cpu2.system - cpu1.user - cpu1.system) / 1000 / n).toFixed(1)} ms per host, ssh session processes ${((kids2 - kids1) / n).toFixed(1)} ms per host`,
    );
    if (kids1 - kids0 > 0) r.note(`  (ssh processes reaped during connect: ${((kids1 - kids0) / n).toFixed(1)} ms CPU per host; masters still running are not counted)`);
  } finally {
    await rt.dispose();
    await fh.stop();
    rmSync(configDir, { recursive: true, force: true });
  }
}
