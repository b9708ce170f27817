import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';

// The whole remote-host path in Chromium: add a host over ssh (accepting its fingerprint), then
// change its firewall and its resolv.conf from the UI; every change is checked on that host with
// its own tools (firewall-cmd, cat), its firewall-cmd changes show up live,
// the link drops and comes back. This machine stays as it was.
describe('remote host in the UI', () => {
  let fh: FakeHosts;
  let app: E2eApp;
  let configDir: string;
  const saved = { ssh: process.env.HOSTDECK_SSH_CONFIG, xdg: process.env.XDG_CONFIG_HOME };
  const localResolv = readFileSync('/etc/resolv.conf', 'utf8');
  const localForward = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');

  beforeAll(async () => {
    fh = await startFakeHosts([{ name: 'fake1', known: false }]);
    configDir = mkdtempSync(join(tmpdir(), 'hostdeck-e2e-cfg-'));
    process.env.HOSTDECK_SSH_CONFIG = fh.sshConfig;
    process.env.XDG_CONFIG_HOME = configDir;
    app = await openApp();
  });
  afterAll(async () => {
    await app?.stop();
    await fh?.stop();
    process.env.HOSTDECK_SSH_CONFIG = saved.ssh;
    if (saved.ssh === undefined) delete process.env.HOSTDECK_SSH_CONFIG;
    process.env.XDG_CONFIG_HOME = saved.xdg;
    if (saved.xdg === undefined) delete process.env.XDG_CONFIG_HOME;
    if (configDir) rmSync(configDir, { recursive: true, force: true });
    expect(readFileSync('/etc/resolv.conf', 'utf8')).toBe(localResolv);
    expect(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8')).toBe(localForward);
  });

  it('adds a host: shows its fingerprint, writes known_hosts only after accepting, then connects', async () => {
    const { page } = app;
    await page.getByTestId('nav-hosts').click();
    await page.getByTestId('hosts-empty').waitFor();
    await page.getByTestId('hosts-destination').fill('fake1');
    await page.getByTestId('hosts-add').click();
    await page.getByTestId('host-key-unknown-fake1').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('host-fingerprint-fake1').locator('input').inputValue()).toBe(fh.hosts[0]!.fingerprint());
    expect(readFileSync(fh.knownHosts, 'utf8')).not.toContain('fake1');
    await page.getByTestId('host-accept-fake1').click();
    await page.locator('[data-testid="host-row-fake1"][data-state="connected"]').waitFor({ timeout: 30_000 });
    expect(readFileSync(fh.knownHosts, 'utf8')).toContain('fake1');
    await expect.poll(() => page.getByTestId('host-privilege-fake1').textContent(), { timeout: 15_000 }).toBe('root');
    expect(JSON.parse(readFileSync(join(configDir, 'hostdeck/hosts.json'), 'utf8'))).toEqual({ version: 1, hosts: [{ id: 'fake1', destination: 'fake1' }] });
  });

  it('changes a zone of the remote firewalld; firewall-cmd on the host sees it, and its own changes show up live', async () => {
    const { page } = app;
    await page.getByTestId('host-open-fake1').click();
    await expect.poll(() => page.getByTestId('current-host-name').textContent()).toContain('fake1');
    await page.getByTestId('fw-zone-public').click({ timeout: 30_000 });
    await page.getByTestId('fw-add-port-input').fill('8443');
    await page.getByTestId('fw-add-port').click();
    await page.getByTestId('fw-apply-both').click();
    await expect.poll(() => fh.hosts[0]!.firewallCmd('--zone=public', '--list-ports'), { timeout: 15_000 }).toContain('8443/tcp');
    await expect.poll(() => fh.hosts[0]!.firewallCmd('--permanent', '--zone=public', '--list-ports'), { timeout: 15_000 }).toContain('8443/tcp');
    // firewall-cmd on the host: the signal crosses systemd-stdio-bridge and the UI follows.
    fh.hosts[0]!.firewallCmd('--zone=public', '--add-port=9999/tcp');
    await page.locator('[data-testid="fw-item-ports-runtime"][data-item="9999/tcp"]').waitFor({ timeout: 15_000 });
  });

  it('shows the host as disconnected when the link drops, and connected again when it is back', async () => {
    const { page } = app;
    const link = app.runtime.remote.linkOf('fake1')!;
    fh.hosts[0]!.blackhole(true);
    try {
      link.killMaster();
      await page.locator('[data-testid="current-host"][data-state="disconnected"], [data-testid="current-host"][data-state="unreachable"], [data-testid="current-host"][data-state="connecting"]').waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('current-host-name').textContent()).toContain('fake1');
    } finally {
      fh.hosts[0]!.blackhole(false);
    }
    await page.locator('[data-testid="current-host"][data-state="connected"]').waitFor({ timeout: 45_000 });
  });

  it("saves the remote host's resolv.conf", async () => {
    const { page } = app;
    await page.getByTestId('nav-dns').click();
    await page.getByTestId('dns-new-ns').fill('192.0.2.77');
    await page.getByTestId('dns-new-ns').press('Enter');
    await page.getByTestId('dns-save').click();
    await page.getByTestId('dns-write').click();
    await page.getByTestId('dns-saved').waitFor({ timeout: 30_000 });
    expect(fh.hosts[0]!.readFile('/etc/resolv.conf')).toContain('nameserver 192.0.2.77');
    expect(fh.hosts[0]!.readFile('/etc/resolv.conf')).toContain('# fake1');
    expect(app.pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
