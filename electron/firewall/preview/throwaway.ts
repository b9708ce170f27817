import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../../shared/api/errors';

/**
 * A firewalld that exists only to be asked what ruleset it makes: its own network namespace (its
 * nftables rules land in a fresh, empty one, never this machine's), its own mount namespace with
 * a private /run (nothing it writes there reaches the machine), a private dbus-daemon whose socket
 * is in a temporary directory, and the configuration given as --default-config / --system-config.
 * Everything is stopped and removed when `use` returns or throws.
 */

const BINS = { firewalld: '/usr/sbin/firewalld', dbus: '/usr/bin/dbus-daemon', unshare: '/usr/bin/unshare', nsenter: '/usr/bin/nsenter', nft: '/usr/sbin/nft' };
const START_TIMEOUT_MS = 60_000;

/** Why a throwaway firewalld cannot be started here, or undefined when it can. */
export function throwawayMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'Previewing the rules starts a throwaway firewalld in its own network and mount namespaces, which needs root on this machine (CAP_SYS_ADMIN and CAP_NET_ADMIN): run HostDeck (or `hostdeck firewall preview`) as root.';
  const absent = Object.values(BINS).filter((b) => !existsSync(b));
  if (absent.length) return `Previewing the rules needs ${absent.join(', ')} on this machine (packages firewalld, dbus, util-linux, nftables).`;
  return undefined;
}

const BUS_CONF = (address: string) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>${address}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="root"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => err.push(b));
    p.on('error', (e) => resolve({ status: -1, stdout: '', stderr: e.message }));
    p.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

function stop(p: ChildProcess | undefined): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.once('exit', () => (clearTimeout(t), resolve()));
    p.kill('SIGTERM');
  });
}

export interface Throwaway {
  /** `nft -j list ruleset` in the throwaway network namespace. */
  ruleset(): Promise<unknown>;
  /** The firewalld version that runs there. */
  version: string;
}

/**
 * Writes `files` (paths relative to the default and system config dirs) into a temporary tree,
 * starts the throwaway firewalld on them, hands it to `use`, and removes everything.
 */
export async function withThrowawayFirewalld<T>(files: { defaults: Map<string, Buffer>; system: Map<string, Buffer> }, use: (fw: Throwaway) => Promise<T>): Promise<T> {
  const missing = throwawayMissing();
  if (missing) throw new ApiError('UNSUPPORTED', missing);
  const dir = mkdtempSync(join(tmpdir(), 'hostdeck-preview-'));
  let bus: ChildProcess | undefined;
  let fw: ChildProcess | undefined;
  try {
    for (const [base, tree] of [['default', files.defaults], ['system', files.system]] as const) {
      for (const [rel, bytes] of tree) {
        const to = join(dir, base, rel);
        mkdirSync(join(to, '..'), { recursive: true });
        writeFileSync(to, bytes);
      }
      mkdirSync(join(dir, base), { recursive: true });
    }
    const socket = join(dir, 'bus.sock');
    const address = `unix:path=${socket}`;
    writeFileSync(join(dir, 'bus.conf'), BUS_CONF(address));
    const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', DBUS_SYSTEM_BUS_ADDRESS: address, PYTHONUNBUFFERED: '1', LANG: 'C.UTF-8' };
    const busLog = openSync(join(dir, 'dbus.log'), 'a');
    try {
      bus = spawn(BINS.dbus, [`--config-file=${join(dir, 'bus.conf')}`, '--nofork', '--nopidfile'], { env, stdio: ['ignore', busLog, busLog] });
    } finally {
      closeSync(busLog);
    }
    for (let i = 0; !existsSync(socket); i++) {
      if (i > 100 || bus.exitCode !== null) throw new ApiError('INTERNAL', `The preview's private dbus-daemon did not start: ${readFileSync(join(dir, 'dbus.log'), 'utf8').slice(-500)}`);
      await sleep(50);
    }
    // A private /run in the mount namespace: firewalld's own files there never reach this machine.
    const logFile = join(dir, 'firewalld.log');
    const fwLog = openSync(logFile, 'a');
    try {
      fw = spawn(
        BINS.unshare,
        ['-n', '-m', '--propagation', 'private', '--', '/bin/sh', '-c', 'mount -t tmpfs -o mode=0755 tmpfs /run && exec "$@"', 'sh',
          BINS.firewalld, '--nofork', '--nopid', '--default-config', join(dir, 'default'), '--system-config', join(dir, 'system'), '--log-target', 'console'],
        { env, stdio: ['ignore', fwLog, fwLog] },
      );
    } finally {
      closeSync(fwLog);
    }
    const pid = fw.pid!;
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (fw.exitCode !== null || fw.signalCode !== null) {
        throw new ApiError('FAILED', `The throwaway firewalld refused this configuration and stopped: ${readFileSync(logFile, 'utf8').split('\n').filter(Boolean).slice(-8).join(' | ')}`);
      }
      const st = await run('/usr/bin/firewall-cmd', ['--state'], env, 10_000);
      if (st.stdout.trim() === 'running') break;
      if (Date.now() > deadline) throw new ApiError('TIMEOUT', `The throwaway firewalld did not start within ${START_TIMEOUT_MS / 1000} s`);
      await sleep(250);
    }
    // firewalld may be up on the bus with a configuration it failed to apply (state FAILED is "running" to --state only when applied).
    const version = (await run('/usr/bin/firewall-cmd', ['--version'], env)).stdout.trim();
    const log = readFileSync(logFile, 'utf8');
    const errors = log.split('\n').filter((l) => /\bERROR\b/.test(l));
    if (errors.length) throw new ApiError('FAILED', `The throwaway firewalld reported errors loading this configuration: ${errors.slice(0, 5).join(' | ')}`);
    return await use({
      version,
      async ruleset() {
        const r = await run(BINS.nsenter, ['-t', String(pid), '-n', BINS.nft, '-j', 'list', 'ruleset'], env);
        if (r.status !== 0) throw new ApiError('FAILED', `nft -j list ruleset in the preview namespace failed: ${r.stderr.trim()}`);
        return JSON.parse(r.stdout) as unknown;
      },
    });
  } finally {
    await stop(fw);
    await stop(bus);
    rmSync(dir, { recursive: true, force: true });
  }
}
