import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';
import { useFakeHostsConfig } from '../support/hosts-env';
import { pagesOf } from '../support/pages';

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
    const { shell } = pagesOf(app.page);
    await shell.switchHost(id);
    await shell.mainOnHost(id).waitFor();
  };

  it("DNS: fake1's query plan is not shown under local, and fake1's unsaved draft comes back with it", async () => {
    const { page } = app;
    const { shell, dns } = pagesOf(page);
    await shell.open('dns');
    await switchTo('fake1');
    await expect.poll(() => dns.root.textContent(), { timeout: 30_000 }).toContain('192.0.2.11');
    await dns.planLookup('db');
    await expect.poll(() => dns.plan.textContent(), { timeout: 30_000 }).toContain('db.web1.example.test');
    await dns.addNameserver('192.0.2.77');
    await dns.dirty.waitFor();

    await switchTo('local');
    await dns.path.waitFor({ timeout: 30_000 });
    expect(await dns.plan.textContent()).not.toContain('web1.example.test');
    expect(await dns.dirty.count()).toBe(0);
    expect(await dns.draftsElsewhere.textContent()).toContain('fake1');

    await switchTo('fake1');
    await dns.dirty.waitFor({ timeout: 30_000 });
    expect(await dns.draftsElsewhere.count()).toBe(0);
    expect(await dns.root.textContent()).toContain('192.0.2.77');
    // The draft was never written: fake1's file is as it was.
    expect(fh.hosts[0]!.readFile('/etc/resolv.conf')).not.toContain('192.0.2.77');
  });

  it("Kernel: an apply's Undo stays with fake1; on local it is not offered, back on fake1 it undoes fake1's value", async () => {
    const { page } = app;
    const { shell, kernel } = pagesOf(page);
    const host = fh.hosts[0]!;
    const before = String(Number(localValue) + 5);
    const next = String(Number(localValue) + 11);
    host.exec(['/usr/sbin/sysctl', '-w', `${key}=${before}`]);
    await shell.open('kernel');
    await switchTo('fake1');
    await page.getByRole('tab', { name: /Profile/ }).click();
    await kernel.writeProfile(`${key} = ${next}`);
    await kernel.planApply();
    await expect.poll(() => kernel.planRow(key).textContent(), { timeout: 30_000 }).toMatch(new RegExp(`${before}.*${next}`));
    await kernel.confirmApply();
    await kernel.applyUndo.waitFor({ timeout: 30_000 });
    expect(host.exec(['/usr/sbin/sysctl', '-n', key]).trim()).toBe(next);

    await switchTo('local');
    await page.getByRole('tab', { name: /Profile/ }).click();
    // The profile is not tied to a host (it can be applied to several), its outcome and Undo are.
    expect(await kernel.profileText.inputValue()).toContain(key);
    expect(await kernel.applyResult.count()).toBe(0);
    expect(await kernel.applyUndo.count()).toBe(0);

    await switchTo('fake1');
    await page.getByRole('tab', { name: /Profile/ }).click();
    await kernel.applyUndo.click({ timeout: 30_000 });
    await kernel.undoResult.waitFor({ timeout: 30_000 });
    expect(host.exec(['/usr/sbin/sysctl', '-n', key]).trim()).toBe(before);
    expect(readFileSync('/proc/sys/net/ipv4/tcp_fin_timeout', 'utf8')).toBe(localValue);
    expect(app.pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
