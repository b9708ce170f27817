import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real firewalld for tests: its own network namespace (its nftables rules never touch this
 * machine's), a private dbus-daemon whose socket lives in a temp dir, and a private copy of
 * /etc/firewalld as --system-config. Nothing here is a fake; only the wiring is ours.
 */
export interface FirewalldSandbox {
  dir: string;
  busAddress: string;
  /** Environment for firewall-cmd and for HostDeck pointed at this sandbox. */
  env: NodeJS.ProcessEnv;
  firewalldPid(): number | undefined;
  /** Runs firewall-cmd against the sandbox; returns stdout, throws with stderr on failure. */
  firewallCmd(...args: string[]): string;
  /** firewall-cmd without throwing: status, stdout and stderr. */
  firewallCmdRaw(...args: string[]): { status: number | null; stdout: string; stderr: string };
  /** Runs a command inside firewalld's network namespace (ip link add ...). */
  inNetns(cmd: string, ...args: string[]): string;
  stopFirewalld(): Promise<void>;
  startFirewalld(): Promise<void>;
  restartFirewalld(): Promise<void>;
  stop(): Promise<void>;
}

export interface SandboxOptions {
  /** Start only the bus, not firewalld (for "firewalld is not running" tests). */
  withoutFirewalld?: boolean;
  log?: (line: string) => void;
  /** Edits the sandbox's private copy of /etc/firewalld (its path) before firewalld starts. */
  prepareConfig?: (etcDir: string) => void;
}

export function sandboxPrerequisites(): string[] {
  const missing: string[] = [];
  if (typeof process.getuid === 'function' && process.getuid() !== 0) missing.push('root (the sandbox needs unshare -n)');
  for (const bin of ['/usr/sbin/firewalld', '/usr/bin/firewall-cmd', '/usr/bin/dbus-daemon', '/usr/bin/dbus-send', '/usr/bin/unshare', '/usr/sbin/nft']) {
    if (!existsSync(bin)) missing.push(bin);
  }
  if (!existsSync('/etc/firewalld')) missing.push('/etc/firewalld (package firewalld)');
  return missing;
}

export async function startFirewalldSandbox(opts: SandboxOptions = {}): Promise<FirewalldSandbox> {
  const missing = sandboxPrerequisites();
  if (missing.length) {
    throw new Error(`Cannot start the firewalld sandbox, missing: ${missing.join(', ')}. Run: sudo apt-get install -y firewalld dbus dbus-bin nftables util-linux`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'hostdeck-fw-'));
  const etc = join(dir, 'etc');
  cpSync('/etc/firewalld', etc, { recursive: true });
  opts.prepareConfig?.(etc);
  const socket = join(dir, 'bus.sock');
  const busAddress = `unix:path=${socket}`;
  writeFileSync(
    join(dir, 'bus.conf'),
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>${busAddress}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*"/>
    <allow send_type="method_call"/>
  </policy>
</busconfig>
`,
  );
  const log = opts.log ?? (() => {});
  const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: busAddress };
  // Like firewalld's, the bus's output goes to a file, not a pipe this process must drain.
  const busLog = openSync(join(dir, 'dbus.log'), 'a');
  const bus = spawn('/usr/bin/dbus-daemon', [`--config-file=${join(dir, 'bus.conf')}`, '--nofork', '--nopidfile'], {
    stdio: ['ignore', busLog, busLog],
  });
  closeSync(busLog);
  await waitFor(() => existsSync(socket), 5000, 'the private dbus-daemon socket');

  let fw: ChildProcess | undefined;
  let fwExit: Promise<void> | undefined;

  // The start and stop polls ask the bus with dbus-send, a C client that answers in milliseconds:
  // firewall-cmd spends a second or more of a loaded machine importing Python on every poll (and
  // spawnSync blocks this process's event loop meanwhile), paid by every test file at set-up and
  // teardown and by every restart.
  const busCall = (dest: string, path: string, method: string, ...args: string[]) =>
    spawnSync('/usr/bin/dbus-send', [`--bus=${busAddress}`, '--print-reply', '--reply-timeout=5000', `--dest=${dest}`, path, method, ...args], { encoding: 'utf8', timeout: 10_000 });
  /** firewall-cmd --state's own test: the daemon's "state" property says RUNNING. */
  const firewalldRunning = () => {
    const r = busCall('org.fedoraproject.FirewallD1', '/org/fedoraproject/FirewallD1', 'org.freedesktop.DBus.Properties.Get', 'string:org.fedoraproject.FirewallD1', 'string:state');
    return r.status === 0 && /^\s*variant\s+string "RUNNING"\s*$/m.test(r.stdout ?? '');
  };
  /** Whether any process still owns firewalld's bus name (the bus's own answer). */
  const firewalldOnBus = () => {
    const r = busCall('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.fedoraproject.FirewallD1');
    if (r.status !== 0) throw new Error(`dbus-send NameHasOwner failed (${r.status}): ${r.stderr}`);
    return /^\s*boolean true\s*$/m.test(r.stdout ?? '');
  };

  const firewallCmdRaw = (...args: string[]) => {
    const r = spawnSync('/usr/bin/firewall-cmd', args, { env, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };

  const startFirewalld = async () => {
    // firewalld's output goes straight to a file, never through a pipe to this process: the
    // tests call firewall-cmd with spawnSync, which blocks our event loop, and a firewalld
    // logging every D-Bus call at --debug 1 then fills the 64 KiB pipe and blocks in write()
    // while firewall-cmd waits for its reply (a deadlock that looks like "reload hangs").
    const logFile = join(dir, 'firewalld.log');
    const logFd = openSync(logFile, 'a');
    // unshare -n: firewalld's nftables rules land in a fresh, empty network namespace.
    try {
      fw = spawn(
        '/usr/bin/unshare',
        ['-n', '/usr/sbin/firewalld', '--nofork', '--nopid', '--system-config', etc, '--log-target', 'console', '--debug', '1'],
        { env: { ...env, PYTHONUNBUFFERED: '1' }, stdio: ['ignore', logFd, logFd] },
      );
    } finally {
      closeSync(logFd);
    }
    const child = fw;
    let exited = false;
    fwExit = new Promise((resolve) => child.once('exit', () => ((exited = true), resolve())));
    log(`firewalld started (pid ${child.pid}), log in ${logFile}`);
    await waitFor(
      () => {
        if (exited) throw new Error('firewalld exited during start-up');
        return firewalldRunning();
      },
      30_000,
      'firewalld to say its state is RUNNING',
      50,
    ).catch((e: Error) => {
      const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter((l) => !l.includes('DEBUG')).slice(-15) : [];
      throw new Error(`${e.message}\nfirewalld log (${logFile}):\n${tail.join('\n')}`);
    });
  };

  const stopFirewalld = async () => {
    if (!fw || fw.exitCode !== null) return;
    fw.kill('SIGTERM');
    const done = await Promise.race([fwExit!.then(() => true), sleep(10_000).then(() => false)]);
    if (!done) {
      fw.kill('SIGKILL');
      await fwExit;
    }
    fw = undefined;
    // The bus drops the old owner of org.fedoraproject.FirewallD1 a moment after the process
    // exits; a new firewalld that asks for the name before then does not come up.
    await waitFor(() => !firewalldOnBus(), 10_000, 'the old firewalld to leave the bus', 50);
  };

  if (!opts.withoutFirewalld) {
    try {
      await startFirewalld();
    } catch (e) {
      bus.kill('SIGKILL');
      throw e;
    }
  }

  return {
    dir,
    busAddress,
    env,
    firewalldPid: () => fw?.pid,
    firewallCmdRaw,
    firewallCmd(...args) {
      const r = firewallCmdRaw(...args);
      if (r.status !== 0) throw new Error(`firewall-cmd ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
      return r.stdout;
    },
    inNetns(cmd, ...args) {
      const pid = fw?.pid;
      if (!pid) throw new Error('firewalld is not running in the sandbox');
      // fw.pid is unshare's pid, which exec'd firewalld: same process, same namespace.
      const r = spawnSync('/usr/bin/nsenter', ['-t', String(pid), '-n', cmd, ...args], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout;
    },
    stopFirewalld,
    startFirewalld,
    async restartFirewalld() {
      await stopFirewalld();
      await startFirewalld();
    },
    async stop() {
      await stopFirewalld();
      bus.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(cond: () => boolean, timeoutMs: number, what: string, everyMs = 250) {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
