import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';
import { useFakeHostsConfig } from '../support/hosts-env';

// Pages belong to the host they show. A remote host (fake1) and this machine (local): what is
// read, computed, drafted or applied on fake1 never shows under local, an apply's Undo stays
// with the host it was made on, and an unsaved draft survives the switch and comes back.
describe('switching hosts', () => {
  let fh: FakeHosts;
  let app: E2eApp;
  let env: ReturnType<typeof useFakeHostsConfig> | undefined;
  const key = 'net.ipv4.tcp_fin_timeout';
  const localValue = readFileSync('/proc/sys/net/ipv4/tcp_fin_timeout', 'utf8');

  beforeAll(async () => {
    fh = await startFakeHosts([{ name: 'fake1', etc: { 'resolv.conf': 'search web1.example.test\nnameserver 192.0.2.11\n' } }]);
    env = useFakeHostsConfig(fh, ['fake1']);
    app = await openApp();
  });
  afterAll(async () => {
    await app?.stop();
    await fh?.stop();
    env?.restore();
    expect(readFileSync('/proc/sys/net/ipv4/tcp_fin_timeout', 'utf8')).toBe(localValue);
  });

  const switchTo = async (id: string) => {
    await app.page.getByTestId('host-selector').selectOption(id);
    await app.page.locator(`[data-testid="page-main"][data-host="${id}"]`).waitFor();
  };

  it("DNS: fake1's query plan is not shown under local, and fake1's unsaved draft comes back with it", async () => {
    const { page } = app;
    await page.getByTestId('nav-dns').click();
    await switchTo('fake1');
    await expect.poll(() => page.getByTestId('dns-page').textContent(), { timeout: 30_000 }).toContain('192.0.2.11');
    await page.getByTestId('dns-plan-name').fill('db');
    await page.getByTestId('dns-plan-run').click();
    await expect.poll(() => page.getByTestId('dns-plan').textContent(), { timeout: 30_000 }).toContain('db.web1.example.test');
    await page.getByTestId('dns-new-ns').fill('192.0.2.77');
    await page.getByTestId('dns-new-ns').press('Enter');
    await page.getByTestId('dns-dirty').waitFor();

    await switchTo('local');
    await page.getByTestId('dns-path').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('dns-plan').textContent()).not.toContain('web1.example.test');
    expect(await page.getByTestId('dns-dirty').count()).toBe(0);
    expect(await page.getByTestId('dns-drafts-elsewhere').textContent()).toContain('fake1');

    await switchTo('fake1');
    await page.getByTestId('dns-dirty').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('dns-drafts-elsewhere').count()).toBe(0);
    expect(await page.getByTestId('dns-page').textContent()).toContain('192.0.2.77');
    // The draft was never written: fake1's file is as it was.
    expect(fh.hosts[0]!.readFile('/etc/resolv.conf')).not.toContain('192.0.2.77');
  });

  it("Kernel: an apply's Undo stays with fake1; on local it is not offered, back on fake1 it undoes fake1's value", async () => {
    const { page } = app;
    const host = fh.hosts[0]!;
    const before = String(Number(localValue) + 5);
    const next = String(Number(localValue) + 11);
    host.exec(['/usr/sbin/sysctl', '-w', `${key}=${before}`]);
    await page.getByTestId('nav-kernel').click();
    await switchTo('fake1');
    await page.getByRole('tab', { name: /Profile/ }).click();
    await page.getByTestId('kernel-profile-text').fill(`${key} = ${next}`);
    await page.getByTestId('kernel-apply').click();
    await expect.poll(() => page.getByTestId(`kernel-apply-plan-${key}`).textContent(), { timeout: 30_000 }).toMatch(new RegExp(`${before}.*${next}`));
    await page.getByTestId('kernel-apply-go').click();
    await page.getByTestId('kernel-apply-undo').waitFor({ timeout: 30_000 });
    expect(host.exec(['/usr/sbin/sysctl', '-n', key]).trim()).toBe(next);

    await switchTo('local');
    await page.getByRole('tab', { name: /Profile/ }).click();
    // The profile is not tied to a host (it can be applied to several), its outcome and Undo are.
    expect(await page.getByTestId('kernel-profile-text').inputValue()).toContain(key);
    expect(await page.getByTestId('kernel-apply-result').count()).toBe(0);
    expect(await page.getByTestId('kernel-apply-undo').count()).toBe(0);

    await switchTo('fake1');
    await page.getByRole('tab', { name: /Profile/ }).click();
    await page.getByTestId('kernel-apply-undo').click({ timeout: 30_000 });
    await page.getByTestId('kernel-undo-result').waitFor({ timeout: 30_000 });
    expect(host.exec(['/usr/sbin/sysctl', '-n', key]).trim()).toBe(before);
    expect(readFileSync('/proc/sys/net/ipv4/tcp_fin_timeout', 'utf8')).toBe(localValue);
    expect(app.pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
