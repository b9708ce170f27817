import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';

// The fake-host harness itself: real sshd, dbus-daemon and firewalld in their own namespaces.
describe('fake remote hosts', () => {
  let fh: FakeHosts;
  beforeAll(async () => {
    fh = await startFakeHosts([
      { name: 'fake1', sudoers: 'deck ALL=(root) NOPASSWD: /usr/bin/systemd-stdio-bridge', sysctls: { 'net.ipv4.ip_forward': '1' } },
      { name: 'fake2', firewalld: false, known: false },
    ]);
  });
  afterAll(async () => {
    await fh?.stop();
  });

  it('answers ssh as root and as the non-root user, with its own hostname', () => {
    expect(fh.ssh(['fake1', '/usr/bin/hostname'])).toMatchObject({ status: 0, stdout: 'fake1\n' });
    expect(fh.ssh(['deck@fake1', '/usr/bin/id', '-un'])).toMatchObject({ status: 0, stdout: 'deck\n' });
  });

  it('runs firewalld on its own bus, reachable from ssh (a D-Bus call)', () => {
    const r = fh.ssh(['fake1', '/usr/bin/busctl', 'call', 'org.fedoraproject.FirewallD1', '/org/fedoraproject/FirewallD1',
      'org.fedoraproject.FirewallD1', 'getDefaultZone']);
    expect(r.stdout).toBe('s "public"\n');
    fh.hosts[0]!.firewallCmd('--zone=public', '--add-service=http');
    expect(fh.ssh(['fake1', '/usr/bin/firewall-cmd', '--zone=public', '--list-services']).stdout).toMatch(/\bhttp\b/);
  });

  it('has sudo -n for the sudoers line only, and its own sysctls and /etc', () => {
    expect(fh.ssh(['deck@fake1', '/usr/bin/sudo', '-n', '/usr/bin/true']).stderr).toMatch(/a password is required/);
    expect(fh.hosts[0]!.readFile('/proc/sys/net/ipv4/ip_forward').trim()).toBe('1');
    expect(fh.hosts[1]!.readFile('/proc/sys/net/ipv4/ip_forward').trim()).toBe('0');
    expect(fh.hosts[1]!.readFile('/etc/resolv.conf')).toMatch(/# fake2/);
    expect(fh.hosts[0]!.execRaw(['/bin/sh', '-c', 'echo 1 > /proc/sys/vm/swappiness']).status).not.toBe(0);
  });

  it('refuses an unknown host key until trusted', () => {
    const r = fh.ssh(['fake2', '/usr/bin/true']);
    expect(r.status).toBe(255);
    expect(r.stderr).toMatch(/Host key verification failed/);
    fh.trust('fake2');
    expect(fh.ssh(['fake2', '/usr/bin/true']).status).toBe(0);
  });
});
