import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Fake remote hosts for tests: each is a real sshd, dbus-daemon, firewalld (and optionally
 * polkitd) in its own network, mount, UTS and pid namespaces, exactly as
 * The remote-hosts reference (remote-hosts.md) ("Fake remote hosts for tests") describes:
 * - an overlay over /etc (lower: this machine's /etc, upper: a per-host dir seeded with
 *   resolv.conf, sysctl.d, passwd/shadow/group with a non-root user, sudoers.d, polkit rules);
 * - tmpfs on /run and /root, so sockets and root's files are the host's own;
 * - /proc/sys read-only except /proc/sys/net (the fake host shares this machine's kernel:
 *   vm.*, fs.* and most kernel.* keys would change the real machine);
 * - sshd listening on the host's own 127.0.0.1:22, reached by the client through
 *   `ProxyCommand nsenter -t PID -n socat STDIO TCP:127.0.0.1:22`, so no address outside the
 *   hosts' own loopback is ever used.
 * Remote code sees the real default paths (/run/dbus/system_bus_socket, /etc/resolv.conf).
 *
 * The client side is an ssh_config (`sshConfig`) with BatchMode, its own known_hosts and a
 * throwaway key; point ssh at it with `-F` (HostDeck: HOSTDECK_SSH_CONFIG).
 */

export interface FakeHostSpec {
  /** Host name and ssh_config alias; default fake1, fake2, ... */
  name?: string;
  /** Start firewalld (default true). */
  firewalld?: boolean;
  /** Start polkitd (default false). */
  polkit?: boolean;
  /** Files to seed under the host's /etc (relative path -> content), e.g. {'resolv.conf': '...'}. */
  etc?: Record<string, string>;
  /** net.* runtime sysctls to set in the host's own network namespace before it starts. */
  sysctls?: Record<string, string>;
  /** Sudoers rule for the non-root user (`deck`), e.g. `deck ALL=(root) NOPASSWD: /usr/bin/systemd-stdio-bridge`; none when absent. */
  sudoers?: string;
  /** Put this host's key into the client's known_hosts (default true). */
  known?: boolean;
}

export interface FakeHost {
  name: string;
  /** PID 1 of the host's namespaces (for nsenter). */
  pid: number;
  dir: string;
  /** The non-root user that exists on every fake host. */
  user: string;
  /** SHA256 fingerprint of the host's current ed25519 key, as ssh prints it ("SHA256:..."). */
  fingerprint(): string;
  /** Runs argv inside the host (mount, net, pid, uts namespaces) as root; throws on failure. */
  exec(argv: string[], input?: string): string;
  /** Same, without throwing. */
  execRaw(argv: string[], input?: string): { status: number | null; stdout: string; stderr: string };
  /** firewall-cmd on the host itself. */
  firewallCmd(...args: string[]): string;
  /** Reads a file as the host sees it. */
  readFile(path: string): string;
  /** Drops every packet to the host's sshd (an unplugged cable: nothing answers, nothing resets). */
  blackhole(on: boolean): void;
  /** Gives the host a new host key (sshd restarts; existing sessions stay). */
  changeHostKey(): Promise<void>;
  /** The public key line for a known_hosts file. */
  knownHostsLine(): string;
}

export interface FakeHosts {
  dir: string;
  hosts: FakeHost[];
  /** ssh_config for the client: one `Host NAME` block per host, BatchMode, StrictHostKeyChecking yes. */
  sshConfig: string;
  /** The client's known_hosts (UserKnownHostsFile of sshConfig). */
  knownHosts: string;
  /** The client's private key. */
  identity: string;
  /** Environment that makes ssh (and HostDeck) use this client config. */
  env: NodeJS.ProcessEnv;
  /** Runs the system ssh with this config; returns status and output. */
  ssh(args: string[], input?: string): { status: number | null; stdout: string; stderr: string };
  /** Removes a host's line from known_hosts. */
  forget(name: string): void;
  /** Adds a host's current key to known_hosts. */
  trust(name: string): void;
  stop(): Promise<void>;
}

export const FAKE_USER = 'deck';
const FAKE_UID = 1500;

export function fakeHostPrerequisites(): string[] {
  const missing: string[] = [];
  if (typeof process.getuid === 'function' && process.getuid() !== 0) missing.push('root (fake hosts need namespaces)');
  for (const bin of [
    '/usr/sbin/sshd',
    '/usr/bin/ssh',
    '/usr/bin/ssh-keygen',
    '/usr/bin/socat',
    '/usr/bin/sudo',
    '/usr/bin/dbus-daemon',
    '/usr/bin/dbus-send',
    '/usr/sbin/firewalld',
    '/usr/bin/systemd-stdio-bridge',
    '/usr/bin/python3',
    '/usr/bin/nsenter',
    '/usr/sbin/nft',
  ]) {
    if (!existsSync(bin)) missing.push(bin);
  }
  return missing;
}

/** Starts the hosts in parallel; resolves when each answers ssh and (if started) firewall-cmd --state. */
export async function startFakeHosts(specs: FakeHostSpec[] | number, opts: { log?: (l: string) => void } = {}): Promise<FakeHosts> {
  const missing = fakeHostPrerequisites();
  if (missing.length) throw new Error(`Cannot start fake hosts, missing: ${missing.join(', ')} (npm test installs the packages)`);
  const list: FakeHostSpec[] = typeof specs === 'number' ? Array.from({ length: specs }, () => ({})) : specs;
  const dir = mkdtempSync(join(tmpdir(), 'hostdeck-hosts-'));
  chmodSync(dir, 0o755);
  const identity = join(dir, 'id_ed25519');
  run('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hostdeck-test', '-f', identity]);
  const pubkey = readFileSync(`${identity}.pub`, 'utf8');
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, '');
  const sshConfig = join(dir, 'ssh_config');
  const procs: ChildProcess[] = [];
  const hosts: FakeHost[] = [];
  let config = '';
  try {
    list.forEach((spec, i) => {
      const name = spec.name ?? `fake${i + 1}`;
      if (!/^[a-z][a-z0-9-]{0,30}$/.test(name)) throw new Error(`Bad fake host name ${name}`);
      const h = prepareHost(dir, name, spec, pubkey);
      const proc = spawn(
        '/usr/bin/unshare',
        ['--net', '--mount', '--uts', '--pid', '--fork', '--mount-proc', '--propagation', 'private', '/bin/sh', join(h.dir, 'init.sh')],
        { stdio: ['ignore', 'ignore', 'ignore'], detached: false },
      );
      procs.push(proc);
      h.unsharePid = proc.pid!;
      hosts.push(makeHost(h, spec));
    });
    // PID 1 of each namespace is unshare's only child.
    for (const h of hosts) {
      const u = (h as HostInternal).unsharePid;
      await waitFor(() => childPid(u) !== undefined, 10_000, `${h.name}'s init`);
      (h as HostInternal).pid = childPid(u)!;
    }
    for (const h of hosts) {
      config += [
        `Host ${h.name}`,
        `  HostName ${h.name}`,
        `  User root`,
        `  ProxyCommand /usr/bin/nsenter -t ${h.pid} -n /usr/bin/socat STDIO TCP:127.0.0.1:22,nodelay`,
        '',
      ].join('\n');
    }
    config += [
      'Host *',
      `  IdentityFile ${identity}`,
      '  IdentitiesOnly yes',
      '  IdentityAgent none',
      `  UserKnownHostsFile ${knownHosts}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '  CheckHostIP no',
      '  BatchMode yes',
      '  LogLevel ERROR',
      '',
    ].join('\n');
    writeFileSync(sshConfig, config);
    const env = { ...process.env, HOSTDECK_SSH_CONFIG: sshConfig };
    const ssh = (args: string[], input?: string) => {
      const r = spawnSync('/usr/bin/ssh', ['-F', sshConfig, ...args], { input, encoding: 'utf8', timeout: 60_000 });
      return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    };
    const trust = (name: string) => {
      const h = hosts.find((x) => x.name === name);
      if (!h) throw new Error(`no fake host ${name}`);
      appendFileSync(knownHosts, h.knownHostsLine());
    };
    const forget = (name: string) => {
      const lines = readFileSync(knownHosts, 'utf8').split('\n').filter((l) => l && !l.startsWith(`${name} `));
      writeFileSync(knownHosts, lines.map((l) => `${l}\n`).join(''));
    };
    hosts.forEach((h, i) => {
      if (list[i]!.known !== false) trust(h.name);
    });
    await Promise.all(
      hosts.map((h) =>
        waitForAsync(
          async () => {
            if (!existsSync(join(h.dir, 'ready'))) return false;
            const r = h.execRaw(['/bin/cat', '/run/sshd.pid']);
            return r.status === 0;
          },
          90_000,
          `${h.name} to start (see ${h.dir}/*.log)`,
        ),
      ),
    );
    opts.log?.(`fake hosts up: ${hosts.map((h) => `${h.name}(pid ${h.pid})`).join(' ')}; ssh -F ${sshConfig}`);
    return {
      dir,
      hosts,
      sshConfig,
      knownHosts,
      identity,
      env,
      ssh,
      trust,
      forget,
      async stop() {
        for (const h of hosts) {
          const pid = (h as HostInternal).pid;
          if (pid) {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              /* gone */
            }
          }
        }
        await Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : null)));
        // Overlay mounts lived in the hosts' mount namespaces, which are gone with them.
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    for (const p of procs) p.kill('SIGKILL');
    throw e;
  }
}

interface Prepared {
  name: string;
  dir: string;
  unsharePid: number;
}
type HostInternal = FakeHost & { unsharePid: number };

function prepareHost(base: string, name: string, spec: FakeHostSpec, pubkey: string): Prepared {
  const dir = join(base, name);
  const upper = join(dir, 'upper');
  mkdirSync(join(dir, 'work'), { recursive: true });
  mkdirSync(join(upper, 'sysctl.d'), { recursive: true });
  mkdirSync(join(upper, 'sudoers.d'), { recursive: true });
  mkdirSync(join(upper, 'ssh'), { recursive: true });
  // Accounts: this machine's plus the non-root user.
  const passwd = readFileSync('/etc/passwd', 'utf8').trimEnd();
  writeFileSync(join(upper, 'passwd'), `${passwd}\n${FAKE_USER}:x:${FAKE_UID}:${FAKE_UID}:HostDeck test user:/home/${FAKE_USER}:/bin/bash\n`);
  const group = readFileSync('/etc/group', 'utf8').trimEnd();
  writeFileSync(join(upper, 'group'), `${group}\n${FAKE_USER}:x:${FAKE_UID}:\n`);
  const shadow = readFileSync('/etc/shadow', 'utf8').trimEnd();
  // "*": no password login, but not a locked account (sshd refuses "!" accounts even with a key).
  writeFileSync(join(upper, 'shadow'), `${shadow}\n${FAKE_USER}:*:19000:0:99999:7:::\n`, { mode: 0o640 });
  writeFileSync(join(upper, 'hostname'), `${name}\n`);
  writeFileSync(join(upper, 'hosts'), `127.0.0.1 localhost\n127.0.1.1 ${name}\n`);
  writeFileSync(join(upper, 'resolv.conf'), `# ${name}\nnameserver 192.0.2.53\nsearch ${name}.example\n`);
  if (spec.sudoers) writeFileSync(join(upper, 'sudoers.d', 'hostdeck'), `${spec.sudoers}\n`, { mode: 0o440 });
  for (const [rel, content] of Object.entries(spec.etc ?? {})) {
    mkdirSync(join(upper, rel, '..'), { recursive: true });
    writeFileSync(join(upper, rel), content);
  }
  // sshd
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  run('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', hostKey]);
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      'ListenAddress 127.0.0.1:22',
      `HostKey ${hostKey}`,
      'AuthorizedKeysFile /run/authorized_keys/%u',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'MaxSessions 64',
      'MaxStartups 100:30:200',
      'PidFile /run/sshd.pid',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'authorized_keys'), pubkey);
  // dbus-daemon: Debian's system.conf, minus what a foreground private daemon must not do.
  const sys = readFileSync('/usr/share/dbus-1/system.conf', 'utf8')
    .replace(/<fork\/>/, '')
    .replace(/<pidfile>[^<]*<\/pidfile>/, '')
    .replace(/<syslog\/>/, '')
    .replace(/<standard_system_servicedirs\/>/, '')
    .replace(/<servicehelper>[^<]*<\/servicehelper>/, '')
    // A relative includedir is resolved against the config file's own directory.
    .replace(/<includedir>system\.d<\/includedir>/, '<includedir>/usr/share/dbus-1/system.d</includedir>');
  writeFileSync(join(dir, 'system.conf'), sys);
  const sysctls = Object.entries(spec.sysctls ?? {})
    .map(([k, v]) => {
      if (!/^net\.[A-Za-z0-9_.-]+$/.test(k)) throw new Error(`fake hosts set net.* sysctls only, not ${k}`);
      return `echo ${shq(v)} > /proc/sys/${k.replace(/\./g, '/')}`;
    })
    .join('\n');
  const fw = spec.firewalld !== false;
  writeFileSync(
    join(dir, 'init.sh'),
    `#!/bin/sh
# PID 1 of fake host ${name}. Its logs: ${dir}/*.log
exec >${dir}/init.log 2>&1
set -e
hostname ${name}
ip link set lo up
mount -t overlay overlay -o lowerdir=/etc,upperdir=${upper},workdir=${dir}/work /etc
mount -t tmpfs -o mode=0755 tmpfs /run
# /var/lib too: HostDeck's helper keeps its backups in /var/lib/hostdeck, and they are the host's own.
mkdir -p ${dir}/varlib-upper ${dir}/varlib-work
mount -t overlay overlay -o lowerdir=/var/lib,upperdir=${dir}/varlib-upper,workdir=${dir}/varlib-work /var/lib
# The host's own /usr/libexec (HostDeck's helper is installed at /usr/libexec/hostdeck there).
mkdir -p ${dir}/libexec-upper ${dir}/libexec-work
mount -t overlay overlay -o lowerdir=/usr/libexec,upperdir=${dir}/libexec-upper,workdir=${dir}/libexec-work /usr/libexec
mount -t tmpfs -o mode=0700 tmpfs /root
mkdir -p /run/sshd /run/dbus /run/authorized_keys /run/lock /home/${FAKE_USER} 2>/dev/null || true
chmod 0755 /run/sshd
cp ${dir}/authorized_keys /run/authorized_keys/root
cp ${dir}/authorized_keys /run/authorized_keys/${FAKE_USER}
chmod 0644 /run/authorized_keys/*
${sysctls}
mount --bind /proc/sys /proc/sys
mount --bind /proc/sys/net /proc/sys/net
mount -o remount,bind,ro /proc/sys
set +e
/usr/bin/dbus-daemon --config-file=${dir}/system.conf --nofork --nopidfile >${dir}/dbus.log 2>&1 &
i=0; while [ ! -S /run/dbus/system_bus_socket ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
# sshd in a loop: changeHostKey() kills the listener, the loop starts it with the new key.
( while true; do /usr/sbin/sshd -D -e -f ${dir}/sshd_config >>${dir}/sshd.log 2>&1; sleep 0.2; done ) &
${spec.polkit ? `/usr/lib/polkit-1/polkitd --no-debug >${dir}/polkit.log 2>&1 &` : ''}
${
  fw
    ? `PYTHONUNBUFFERED=1 /usr/sbin/firewalld --nofork --nopid --log-target console >${dir}/firewalld.log 2>&1 &
# firewall-cmd --state's own test (the daemon's state property is RUNNING), asked with dbus-send:
# firewall-cmd spends a second or more of a loaded machine importing Python on every poll.
i=0; until /usr/bin/dbus-send --system --print-reply --reply-timeout=5000 --dest=org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 org.freedesktop.DBus.Properties.Get string:org.fedoraproject.FirewallD1 string:state 2>/dev/null | grep -q 'string "RUNNING"' || [ $i -ge 600 ]; do sleep 0.1; i=$((i+1)); done`
    : ''
}
touch ${dir}/ready
while true; do wait; sleep 1; done
`,
  );
  return { name, dir, unsharePid: 0 };
}

function makeHost(p: Prepared, _spec: FakeHostSpec): FakeHost {
  const hostKey = join(p.dir, 'ssh_host_ed25519_key');
  const h: HostInternal = {
    name: p.name,
    pid: 0,
    unsharePid: p.unsharePid,
    dir: p.dir,
    user: FAKE_USER,
    fingerprint() {
      const out = run('/usr/bin/ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`]);
      return out.split(/\s+/)[1]!;
    },
    execRaw(argv, input) {
      const r = spawnSync('/usr/bin/nsenter', ['-t', String(h.pid), '-m', '-n', '-u', '-p', '--', ...argv], {
        input,
        encoding: 'utf8',
        timeout: 60_000,
      });
      return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    },
    exec(argv, input) {
      const r = h.execRaw(argv, input);
      if (r.status !== 0) throw new Error(`${p.name}: ${argv.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
      return r.stdout;
    },
    firewallCmd(...args) {
      return h.exec(['/usr/bin/firewall-cmd', ...args]);
    },
    readFile(path) {
      return h.exec(['/bin/cat', path]);
    },
    blackhole(on) {
      if (on) {
        h.exec(
          ['/usr/sbin/nft', '-f', '-'],
          'table inet hostdeck_blackhole {\n chain input { type filter hook input priority -300; tcp dport 22 drop; tcp sport 22 drop; }\n}\n',
        );
      } else {
        h.execRaw(['/usr/sbin/nft', 'delete', 'table', 'inet', 'hostdeck_blackhole']);
      }
    },
    async changeHostKey() {
      rmSync(hostKey, { force: true });
      rmSync(`${hostKey}.pub`, { force: true });
      run('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', p.name, '-f', hostKey]);
      const old = h.exec(['/bin/cat', '/run/sshd.pid']).trim();
      h.exec(['/bin/kill', old]);
      await waitFor(
        () => {
          const r = h.execRaw(['/bin/cat', '/run/sshd.pid']);
          return r.status === 0 && r.stdout.trim() !== old && r.stdout.trim() !== '';
        },
        10_000,
        `${p.name}'s sshd to restart`,
      );
    },
    knownHostsLine() {
      const key = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
      return `${p.name} ${key}\n`;
    },
  };
  return h;
}

function childPid(pid: number): number | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return s ? Number(s.split(/\s+/)[0]) : undefined;
  } catch {
    return undefined;
  }
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(cond: () => boolean, timeoutMs: number, what: string) {
  return waitForAsync(async () => cond(), timeoutMs, what);
}

async function waitForAsync(cond: () => Promise<boolean>, timeoutMs: number, what: string) {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}
