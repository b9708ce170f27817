import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Message, sessionBus, type MessageBus } from '@jellybrick/dbus-next';
import { readResolved } from '../../../electron/dns/resolved';
import { requireRoot, requireTool, shq, supportDir } from './tools';

/**
 * The real systemd-resolved for tests, never touching this machine: private network and mount
 * namespaces (`unshare -n -m`) with a tmpfs on /run (its state dir), a fresh sysfs (so link names
 * are the namespace's), private copies of /etc/passwd and /etc/group that know the
 * systemd-resolve user it drops privileges to, a private /etc/resolv.conf and a resolved.conf
 * drop-in in /run/systemd/resolved.conf.d. Its D-Bus is a private dbus-daemon started in the same
 * mount namespace (so it knows that user too) whose socket lives in a temp dir: the test process
 * and `resolvectl` reach it by path, like DBUS_SYSTEM_BUS_ADDRESS.
 */

export const repoRoot = join(supportDir, '../../..');

export interface ResolvedBinaries {
  daemon: string;
  resolvectl: string;
}

/**
 * The daemon and resolvectl from the Debian package systemd-resolved, installed or extracted
 * (HOSTDECK_SYSTEMD_RESOLVED_ROOT=DIR after `apt-get download systemd-resolved && dpkg-deb -x
 * systemd-resolved_*.deb DIR`, which leaves the machine's /etc/resolv.conf alone).
 */
export function findResolved(): ResolvedBinaries {
  // npm test unpacks the package into /var/cache/hostdeck/systemd-resolved-root (scripts/deps.mjs).
  const roots = [process.env.HOSTDECK_SYSTEMD_RESOLVED_ROOT, '/var/cache/hostdeck/systemd-resolved-root', '/'].filter(
    (r): r is string => !!r,
  );
  for (const root of roots) {
    const daemon = ['lib/systemd/systemd-resolved', 'usr/lib/systemd/systemd-resolved'].map((p) => join(root, p)).find(existsSync);
    const resolvectl = ['usr/bin/resolvectl', 'bin/resolvectl'].map((p) => join(root, p)).find(existsSync);
    if (daemon && resolvectl) return { daemon, resolvectl };
  }
  throw new Error(
    'systemd-resolved is missing: run `npm test` as root once (it unpacks the package into /var/cache/hostdeck/systemd-resolved-root without installing it), or run `apt-get install -y systemd-resolved` (with a policy-rc.d that exits 101; note that its postinst turns /etc/resolv.conf into a symlink to ../run/systemd/resolve/stub-resolv.conf and keeps the old file as /etc/.resolv.conf.systemd-resolved.bak, so restore it), ' +
      'or without installing: `apt-get download systemd-resolved && dpkg-deb -x systemd-resolved_*.deb DIR` and set HOSTDECK_SYSTEMD_RESOLVED_ROOT=DIR',
  );
}

export interface ResolvedSandbox {
  dir: string;
  busAddress: string;
  /** pid of the shell that owns the namespaces (nsenter -t PID). */
  pid: number;
  /** Runs a command inside the sandbox's network and mount namespaces. */
  inside(cmd: string[], env?: Record<string, string>): { status: number | null; stdout: string; stderr: string };
  ifindex(name: string): number;
  resolvectl(...args: string[]): string;
  /** A D-Bus method call on org.freedesktop.resolve1's Manager, from this (host) process. */
  manager(member: string, signature: string, body: unknown[]): Promise<void>;
  /** Stops only the daemon (the bus stays): "bus there, service gone". */
  stopDaemon(): Promise<void>;
  log(): string;
  stop(): Promise<void>;
}

export interface ResolvedSandboxOptions {
  /** [Resolve] section lines of a resolved.conf drop-in. */
  resolvedConf: string;
  /** The namespace's /etc/resolv.conf (resolved reads a foreign one). */
  resolvConf?: string;
  /** veth pairs to create, e.g. [['hd0', 'hd1']]; both ends are set up. */
  veths?: [string, string][];
  /** Extra shell lines run in the namespaces before the daemons start (ip addr add ...). */
  setup?: string[];
}

const BUS_CONF = (address: string) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>${address}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
    <allow send_type="method_call"/>
  </policy>
</busconfig>
`;

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

export async function startResolvedSandbox(opts: ResolvedSandboxOptions): Promise<ResolvedSandbox> {
  requireRoot();
  requireTool('unshare', 'util-linux');
  requireTool('nsenter', 'util-linux');
  requireTool('ip', 'iproute2');
  requireTool('dbus-daemon', 'dbus-daemon');
  const bin = findResolved();
  const dir = mkdtempSync(join(tmpdir(), 'hostdeck-resolved-'));
  // resolved drops to the systemd-resolve user before it connects: it must reach the socket in here.
  chmodSync(dir, 0o755);
  const socket = join(dir, 'bus.sock');
  const busAddress = `unix:path=${socket}`;
  writeFileSync(join(dir, 'bus.conf'), BUS_CONF(busAddress));
  writeFileSync(join(dir, 'resolved.conf'), `[Resolve]\n${opts.resolvedConf.trim()}\n`);
  writeFileSync(join(dir, 'resolv.conf'), opts.resolvConf ?? 'nameserver 192.0.2.99\nsearch foreign.example\n');
  const passwd = readFileSync('/etc/passwd', 'utf8');
  const group = readFileSync('/etc/group', 'utf8');
  // The uid only has to be unused in the namespace's copy; dbus-daemon there reads the same copy.
  writeFileSync(join(dir, 'passwd'), /^systemd-resolve:/m.test(passwd) ? passwd : `${passwd.trimEnd()}\nsystemd-resolve:x:64991:64991:systemd Resolver:/:/usr/sbin/nologin\n`);
  writeFileSync(join(dir, 'group'), /^systemd-resolve:/m.test(group) ? group : `${group.trimEnd()}\nsystemd-resolve:x:64991:\n`);
  const d = (f: string) => shq(join(dir, f));
  const script = [
    'set -e',
    // resolved keeps its state in /run/systemd/resolve and reads drop-ins from /run/systemd/resolved.conf.d.
    'mount -t tmpfs tmpfs /run',
    'mkdir -p /run/systemd/resolved.conf.d',
    `cp ${d('resolved.conf')} /run/systemd/resolved.conf.d/hostdeck.conf`,
    `mount --bind ${d('passwd')} /etc/passwd`,
    `mount --bind ${d('group')} /etc/group`,
    // Over the real file (or, when /etc/resolv.conf is a symlink into /run, a file at its target).
    't=$(readlink -m /etc/resolv.conf)',
    `if [ -f "$t" ]; then mount --bind ${d('resolv.conf')} "$t"; else mkdir -p "$(dirname "$t")"; cp ${d('resolv.conf')} "$t"; fi`,
    'mount -t sysfs sysfs /sys',
    'ip link set lo up',
    ...(opts.veths ?? []).flatMap(([a, b]) => [`ip link add ${shq(a)} type veth peer name ${shq(b)}`, `ip link set ${shq(a)} up`, `ip link set ${shq(b)} up`]),
    ...(opts.setup ?? []),
    `dbus-daemon --config-file=${d('bus.conf')} --nofork --nopidfile & echo $! > ${d('bus.pid')}`,
    `i=0; while [ ! -S ${shq(socket)} ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done`,
    `DBUS_SYSTEM_BUS_ADDRESS=${shq(busAddress)} SYSTEMD_LOG_LEVEL=debug ${shq(bin.daemon)} & echo $! > ${d('resolved.pid')}`,
    'touch ' + d('started'),
    'wait',
  ].join('\n');
  const logFile = join(dir, 'sandbox.log');
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    // detached: its own process group, so stop() ends the shell, dbus-daemon and resolved together.
    child = spawn('unshare', ['-n', '-m', '--propagation', 'private', 'sh', '-c', script], { detached: true, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  let exited = false;
  const exit = new Promise<void>((r) => child.once('exit', () => ((exited = true), r())));
  const pid = child.pid!;
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');

  const stop = async () => {
    if (!exited) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const done = await Promise.race([exit.then(() => true), sleep(5000).then(() => false)]);
      if (!done) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        await exit;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const inside = (cmd: string[], env: Record<string, string> = {}) => {
    const r = spawnSync('nsenter', ['-t', String(pid), '-n', '-m', 'env', `DBUS_SYSTEM_BUS_ADDRESS=${busAddress}`, ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...cmd], {
      encoding: 'utf8',
      timeout: 60_000,
      cwd: repoRoot,
    });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };

  // Up when org.freedesktop.resolve1 answers on the private bus.
  const start = Date.now();
  for (;;) {
    if (exited) {
      const text = log();
      await stop();
      throw new Error(`the systemd-resolved sandbox exited during start-up:\n${text.slice(-3000)}`);
    }
    if (existsSync(join(dir, 'started')) && existsSync(socket) && (await readResolved(busAddress, 1000)).available) break;
    if (Date.now() - start > 20_000) {
      const text = log();
      await stop();
      throw new Error(`systemd-resolved did not appear on its private bus within 20 s:\n${text.slice(-3000)}`);
    }
    await sleep(100);
  }

  return {
    dir,
    busAddress,
    pid,
    inside,
    ifindex(name) {
      const r = inside(['cat', `/sys/class/net/${name}/ifindex`]);
      if (r.status !== 0) throw new Error(`no link ${name} in the sandbox: ${r.stderr}`);
      return Number(r.stdout.trim());
    },
    resolvectl(...args) {
      // A wide terminal, so that resolvectl never wraps a long list of servers onto a second line.
      const r = inside([bin.resolvectl, '--no-pager', ...args], { COLUMNS: '1000', SYSTEMD_COLORS: '0' });
      if (r.status !== 0) throw new Error(`resolvectl ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
      return r.stdout;
    },
    async manager(member, signature, body) {
      const bus: MessageBus = sessionBus({ busAddress });
      try {
        await bus.call(new Message({ destination: 'org.freedesktop.resolve1', path: '/org/freedesktop/resolve1', interface: 'org.freedesktop.resolve1.Manager', member, signature, body }));
      } finally {
        bus.disconnect();
      }
    },
    async stopDaemon() {
      const rpid = Number(readFileSync(join(dir, 'resolved.pid'), 'utf8').trim());
      process.kill(rpid, 'SIGTERM');
      const t0 = Date.now();
      while ((await readResolved(busAddress, 1000)).available) {
        if (Date.now() - t0 > 10_000) throw new Error('systemd-resolved did not leave the bus');
        await sleep(100);
      }
    },
    log,
    stop,
  };
}

export interface ResolvectlSection {
  header: string;
  ifindex: number | null;
  name: string | null;
  fields: Record<string, string>;
}

const KEYS = ['Fallback DNS Servers', 'Current DNS Server', 'DNS Servers', 'DNS Domain', 'Current Scopes', 'Protocols', 'resolv.conf mode', 'Default Route', 'LLMNR setting', 'MulticastDNS setting', 'DNSOverTLS setting', 'DNSSEC setting', 'DNSSEC supported'];

/**
 * `resolvectl status` as data: one section per "Global" / "Link N (name)" block, fields by their
 * label (252 prints some global labels without the colon, so known labels are matched).
 */
export function parseResolvectlStatus(text: string): ResolvectlSection[] {
  const out: ResolvectlSection[] = [];
  let cur: ResolvectlSection | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const link = /^Link (\d+) \((.+)\)$/.exec(line);
    if (line === 'Global' || link) {
      cur = { header: line, ifindex: link ? Number(link[1]) : null, name: link ? link[2]! : null, fields: {} };
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    const key = KEYS.find((k) => line.startsWith(k) && /^:?(\s|$)/.test(line.slice(k.length)));
    if (key) cur.fields[key] = line.slice(key.length).replace(/^:?\s*/, '');
    else throw new Error(`unexpected resolvectl status line: ${raw}`);
  }
  return out;
}
