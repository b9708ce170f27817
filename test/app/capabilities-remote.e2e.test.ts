import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';
import { useFakeHostsConfig } from '../support/hosts-env';
import { pagesOf } from '../support/pages';

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
    const { shell, kernel, dns } = pagesOf(app.page);
    await shell.open('kernel');
    await shell.switchHost(id);
    await shell.mainOnHost(id).waitFor();
    // The login's rights are known after the host's privilege probe; the host list then says so.
    await shell.writesOffReason.waitFor({ timeout: 30_000 });
    const reason = await shell.writesOffReason.textContent();
    expect(reason).toBeTruthy();
    await kernel.openTab(/Profile, apply/);
    await kernel.writeProfile('net.ipv4.tcp_fin_timeout = 33');
    for (const [t, control] of [['apply', kernel.applyButton], ['save profile', kernel.profileSave]] as const) {
      expect(await control.isDisabled(), t).toBe(true);
      expect(await control.getAttribute('aria-describedby'), t).toBe('hd-writes-off-reason');
      expect(await control.getAttribute('title'), t).toBe(reason);
    }
    await shell.open('dns');
    await dns.path.waitFor({ timeout: 30_000 });
    expect(await dns.saveButton.isDisabled()).toBe(true);
    expect(await dns.saveButton.getAttribute('aria-describedby')).toBe('hd-writes-off-reason');
    expect(fh.hosts[0]!.exec(['/usr/sbin/sysctl', '-n', 'net.ipv4.tcp_fin_timeout']).trim()).not.toBe('33');
  });
});
