import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';
import { useFakeHostsConfig } from '../support/hosts-env';
import { pagesOf } from '../support/pages';

// The whole remote-host path in Chromium: add a host over ssh (accepting its fingerprint), then
// change its firewall and its resolv.conf and a sysctl from the UI; every change is checked on that host with
// its own tools (firewall-cmd, cat, sysctl), its firewall-cmd changes show up live,
// the link drops and comes back. This machine stays as it was.
describe('remote host in the UI', () => {
  let fh: FakeHosts;
  let app: E2eApp;
  let configDir: string;
  let env: ReturnType<typeof useFakeHostsConfig> | undefined;
  const localResolv = readFileSync('/etc/resolv.conf', 'utf8');
  const localForward = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');

  beforeAll(async () => {
    fh = await startFakeHosts([{ name: 'fake1', known: false }]);
    env = useFakeHostsConfig(fh);
    configDir = env.configDir;
    app = await openApp();
  });
  afterAll(async () => {
    await app?.stop();
    await fh?.stop();
    env?.restore();
    expect(readFileSync('/etc/resolv.conf', 'utf8')).toBe(localResolv);
    expect(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8')).toBe(localForward);
  });

  it('adds a host: shows its fingerprint, writes known_hosts only after accepting, then connects', async () => {
    const { page } = app;
    const { shell, hosts } = pagesOf(page);
    await shell.open('hosts');
    await hosts.empty.waitFor();
    await hosts.add('fake1');
    await hosts.host('fake1').keyUnknown.waitFor({ timeout: 30_000 });
    expect(await hosts.host('fake1').fingerprintShown()).toBe(fh.hosts[0]!.fingerprint());
    expect(readFileSync(fh.knownHosts, 'utf8')).not.toContain('fake1');
    await hosts.host('fake1').trustKey();
    await hosts.host('fake1').rowIn('connected').waitFor({ timeout: 30_000 });
    expect(readFileSync(fh.knownHosts, 'utf8')).toContain('fake1');
    await expect.poll(() => hosts.host('fake1').privilege.textContent(), { timeout: 15_000 }).toBe('root');
    expect(JSON.parse(readFileSync(join(configDir, 'hostdeck/hosts.json'), 'utf8'))).toEqual({ version: 1, hosts: [{ id: 'fake1', destination: 'fake1' }] });
  });

  it('changes a zone of the remote firewalld; firewall-cmd on the host sees it, and its own changes show up live', async () => {
    const { page } = app;
    const { shell, firewall, safeApply, hosts } = pagesOf(page);
    await hosts.host('fake1').open();
    await expect.poll(() => shell.currentHostName.textContent()).toContain('fake1');
    await firewall.zone('public').click({ timeout: 30_000 });
    await firewall.addPort('8443');
    await safeApply.applyBoth();
    await expect.poll(() => fh.hosts[0]!.firewallCmd('--zone=public', '--list-ports'), { timeout: 15_000 }).toContain('8443/tcp');
    await expect.poll(() => fh.hosts[0]!.firewallCmd('--permanent', '--zone=public', '--list-ports'), { timeout: 15_000 }).toContain('8443/tcp');
    // firewall-cmd on the host: the signal crosses systemd-stdio-bridge and the UI follows.
    fh.hosts[0]!.firewallCmd('--zone=public', '--add-port=9999/tcp');
    await firewall.item('ports', 'runtime', '9999/tcp').waitFor({ timeout: 15_000 });
  });

  it('shows the host as disconnected when the link drops, and connected again when it is back', async () => {
    const { page } = app;
    const { shell } = pagesOf(page);
    const link = app.runtime.remote.linkOf('fake1')!;
    fh.hosts[0]!.blackhole(true);
    try {
      link.killMaster();
      await shell.currentHostIn('disconnected', 'unreachable', 'connecting').waitFor({ timeout: 15_000 });
      expect(await shell.currentHostName.textContent()).toContain('fake1');
    } finally {
      fh.hosts[0]!.blackhole(false);
    }
    await shell.currentHostIn('connected').waitFor({ timeout: 45_000 });
  });

  it("saves the remote host's resolv.conf", async () => {
    const { page } = app;
    const { shell, dns } = pagesOf(page);
    await shell.open('dns');
    await dns.addNameserver('192.0.2.77');
    await dns.save();
    await dns.write();
    await dns.saved.waitFor({ timeout: 30_000 });
    expect(fh.hosts[0]!.readFile('/etc/resolv.conf')).toContain('nameserver 192.0.2.77');
    expect(fh.hosts[0]!.readFile('/etc/resolv.conf')).toContain('# fake1');
    expect(app.pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });

  it("applies a net.* sysctl on the remote host from the Kernel page: the plan shows the host's value, its sysctl sees the new one", async () => {
    const { page } = app;
    const { shell, kernel } = pagesOf(page);
    const key = 'net.ipv4.tcp_fin_timeout';
    const local = readFileSync('/proc/sys/net/ipv4/tcp_fin_timeout', 'utf8');
    const before = String(Number(local) + 7);
    const next = String(Number(local) + 13);
    fh.hosts[0]!.exec(['/usr/sbin/sysctl', '-w', `${key}=${before}`]);
    await shell.open('kernel');
    await page.getByRole('tab', { name: /Profile/ }).click();
    await kernel.writeProfile(`${key} = ${next}`);
    await kernel.planApply();
    await expect.poll(() => kernel.planRow(key).textContent(), { timeout: 30_000 }).toMatch(new RegExp(`${before}.*${next}`));
    await kernel.confirmApply();
    await kernel.applyResult.waitFor({ timeout: 30_000 });
    expect(fh.hosts[0]!.exec(['/usr/sbin/sysctl', '-n', key]).trim()).toBe(next);
    expect(readFileSync('/proc/sys/net/ipv4/tcp_fin_timeout', 'utf8')).toBe(local);
    expect(app.pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });

  it('a non-root login: the Hosts page and the masthead say per route what it may change and what to add', async () => {
    const { page } = app;
    const { shell, hosts } = pagesOf(page);
    const id = 'deck@fake1';
    await shell.open('hosts');
    await hosts.add(id);
    await hosts.host(id).rowIn('connected').waitFor({ timeout: 30_000 });
    // No sudoers line and no polkit on this host: read-only on both routes, each with what to add.
    await expect.poll(() => hosts.host(id).privilegeFiles.textContent(), { timeout: 15_000 }).toBe('files: read-only');
    expect(await hosts.host(id).privilegeFirewall.textContent()).toBe('firewall: no access');
    expect(await hosts.host(id).sudoersLine()).toBe('deck ALL=(root) NOPASSWD: /usr/libexec/hostdeck/hostdeck-helper');
    expect(await hosts.host(id).firewallPrivilege.textContent()).toMatch(/polkit is not running on deck@fake1/);
    expect(await hosts.host(id).polkitRule.textContent()).toContain('subject.user === "deck"');
    await hosts.host(id).open();
    await expect.poll(() => shell.currentHostPrivilege.textContent(), { timeout: 15_000 }).toBe('deck: files: read-only, firewall: no access');
    expect(app.pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
