// What the tests need from Debian, checked (and installed when root) by `npm test` itself.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';

/** [file that must exist, Debian package that provides it] */
export const debianNeeds = [
  ['/usr/sbin/firewalld', 'firewalld'],
  ['/usr/bin/firewall-cmd', 'firewalld'],
  ['/usr/sbin/nft', 'nftables'],
  ['/usr/bin/dbus-daemon', 'dbus'],
  ['/usr/bin/dbus-send', 'dbus-bin'],
  ['/usr/bin/chromium', 'chromium'],
  ['/usr/bin/unshare', 'util-linux'],
  ['/usr/bin/nsenter', 'util-linux'],
  ['/usr/sbin/ip', 'iproute2'],
  ['/usr/sbin/sysctl', 'procps'],
  ['/lib/systemd/systemd-sysctl', 'systemd'],
  ['/usr/bin/gcc', 'gcc'],
  ['/usr/include/resolv.h', 'libc6-dev'],
  ['/usr/bin/musl-gcc', 'musl-tools'],
  ['/usr/bin/getent', 'libc-bin'],
  ['/usr/bin/lsattr', 'e2fsprogs'],
  // the privileged helper's tests: real pkexec and polkitd in private namespaces, the helper's python3
  ['/usr/bin/pkexec', 'pkexec'],
  // compare: the generated playbook is run by the real ansible-playbook (ansible.posix ships inside).
  ['/usr/bin/ansible-playbook', 'ansible'],
  // remote hosts: the client, and the fake hosts' sshd/sudo/polkitd (never started on this machine)
  ['/usr/bin/ssh', 'openssh-client'],
  ['/usr/sbin/sshd', 'openssh-server'],
  ['/usr/bin/socat', 'socat'],
  ['/usr/bin/sudo', 'sudo'],
  ['/usr/lib/polkit-1/polkitd', 'polkitd'],
  ['/usr/bin/python3', 'python3'],
];

export function missingPackages() {
  return [...new Set(debianNeeds.filter(([file]) => !existsSync(file)).map(([, pkg]) => pkg))];
}

/**
 * Installs what is missing when root. Package scripts must not start firewalld (or anything)
 * in this machine's own namespaces: a policy-rc.d that answers 101 blocks every service start
 * during the install, and is removed again if we created it.
 */
export function ensureDebianPackages(log = console.log) {
  const missing = missingPackages();
  if (missing.length === 0) return;
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error(`The tests need these Debian packages: ${missing.join(' ')}.\nRun as root:\n  ${cmd}`);
  }
  log(`Installing Debian packages the tests need: ${missing.join(' ')}`);
  const policy = '/usr/sbin/policy-rc.d';
  const ours = !existsSync(policy);
  if (ours) writeFileSync(policy, '#!/bin/sh\n# HostDeck test install: start no services\nexit 101\n', { mode: 0o755 });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...missing]]) {
      const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
      if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status}). Run it by hand:\n  ${cmd}`);
    }
  } finally {
    if (ours) rmSync(policy, { force: true });
  }
  const still = missingPackages();
  if (still.length) throw new Error(`Still missing after install: ${still.join(' ')}`);
}

/**
 * systemd-resolved is needed by the DNS tests but must not be *installed*: its postinst turns
 * /etc/resolv.conf into a symlink to its stub. So the package is only unpacked (dpkg-deb -x)
 * into a cache directory and the tests run the daemon from there, in their own namespaces.
 */
export const resolvedRoot = '/var/cache/hostdeck/systemd-resolved-root';

export function ensureSystemdResolvedTree(log = console.log) {
  const daemon = join(resolvedRoot, 'lib/systemd/systemd-resolved');
  if (existsSync(daemon) || existsSync('/lib/systemd/systemd-resolved')) return existsSync(daemon) ? resolvedRoot : '/';
  const cmd = `cd "$(mktemp -d)" && apt-get download systemd-resolved && mkdir -p ${resolvedRoot} && dpkg-deb -x systemd-resolved_*.deb ${resolvedRoot}`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error(`The DNS tests need systemd-resolved unpacked (not installed). Run as root:\n  ${cmd}`);
  }
  log('Unpacking systemd-resolved for the DNS tests (not installing it: that would replace /etc/resolv.conf)');
  const work = mkdtempSync(join(tmpdir(), 'hostdeck-resolved-'));
  try {
    let dl = spawnSync('apt-get', ['download', 'systemd-resolved'], { cwd: work, stdio: 'inherit' });
    if (dl.status !== 0) {
      // A fresh machine may have no package lists yet.
      spawnSync('apt-get', ['update'], { stdio: 'inherit' });
      dl = spawnSync('apt-get', ['download', 'systemd-resolved'], { cwd: work, stdio: 'inherit' });
    }
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (dl.status !== 0 || !deb) throw new Error(`apt-get download systemd-resolved failed. Run by hand:\n  ${cmd}`);
    const staging = join(work, 'root');
    mkdirSync(staging);
    const x = spawnSync('dpkg-deb', ['-x', join(work, deb), staging], { stdio: 'inherit' });
    if (x.status !== 0) throw new Error(`dpkg-deb -x ${deb} failed. Run by hand:\n  ${cmd}`);
    mkdirSync(join(resolvedRoot, '..'), { recursive: true });
    rmSync(resolvedRoot, { recursive: true, force: true });
    renameSync(staging, resolvedRoot);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!existsSync(daemon)) throw new Error(`${daemon} is missing after unpacking systemd-resolved`);
  return resolvedRoot;
}
