import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';
import { useFakeHostsConfig } from '../support/hosts-env';

/**
 * Issue #19 step 1, the UI part, on a remote host whose login may change nothing (deck@fake1:
 * no sudoers line, no polkit): the Kernel and DNS pages disable their writes and say why, in
 * the words the host's privilege probe gave.
 */
describe('write controls on a remote host whose login cannot write', () => {
  let fh: FakeHosts;
  let app: E2eApp;
  let env: ReturnType<typeof useFakeHostsConfig> | undefined;
  const id = 'deck@fake1';

  beforeAll(async () => {
    fh = await startFakeHosts([{ name: 'fake1' }]);
    env = useFakeHostsConfig(fh, [id]);
    app = await openApp();
  });
  afterAll(async () => {
    await app?.stop();
    await fh?.stop();
    env?.restore();
  });

  it('the Kernel and DNS write controls are disabled, described by the reason', async () => {
    const { page } = app;
    await page.getByTestId('nav-kernel').click();
    await page.getByTestId('host-selector').selectOption(id);
    await page.locator(`[data-testid="page-main"][data-host="${id}"]`).waitFor();
    // The login's rights are known after the host's privilege probe; the host list then says so.
    await page.getByTestId('writes-off-reason').waitFor({ timeout: 30_000 });
    const reason = await page.getByTestId('writes-off-reason').textContent();
    expect(reason).toBeTruthy();
    await page.getByRole('tab', { name: /Profile, apply/ }).click();
    await page.getByTestId('kernel-profile-text').fill('net.ipv4.tcp_fin_timeout = 33');
    for (const t of ['kernel-apply', 'kernel-profile-save']) {
      expect(await page.getByTestId(t).isDisabled(), t).toBe(true);
      expect(await page.getByTestId(t).getAttribute('aria-describedby'), t).toBe('hd-writes-off-reason');
      expect(await page.getByTestId(t).getAttribute('title'), t).toBe(reason);
    }
    await page.getByTestId('nav-dns').click();
    await page.getByTestId('dns-path').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('dns-save').isDisabled()).toBe(true);
    expect(await page.getByTestId('dns-save').getAttribute('aria-describedby')).toBe('hd-writes-off-reason');
    expect(fh.hosts[0]!.exec(['/usr/sbin/sysctl', '-n', 'net.ipv4.tcp_fin_timeout']).trim()).not.toBe('33');
  });
});
