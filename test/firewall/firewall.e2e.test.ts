/**
 * The firewall page in browser mode against a real firewalld (sandbox), checked with firewall-cmd:
 * a port and a rich rule added in the UI reach firewalld; a change made with firewall-cmd shows
 * in the UI without reloading; safe apply reverts by itself when nobody confirms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import type { FirewalldSandbox } from '../support/firewalld-sandbox';
import { fw, lines, startSandbox } from './fw-cmd';

describe('firewall page (browser mode, real firewalld)', () => {
  let sb: FirewalldSandbox;
  let app: E2eApp;
  beforeAll(async () => {
    sb = await startSandbox();
    app = await openApp({ systemBusAddress: sb.busAddress });
    await app.page.getByTestId('fw-zone-public').waitFor({ timeout: 30_000 });
  });
  afterAll(async () => {
    await app?.stop();
    await sb?.stop();
  });

  it('adds a port and a rich rule to a zone; firewall-cmd sees them', async () => {
    const { page } = app;
    await page.getByTestId('fw-zone-public').click();
    await page.getByTestId('fw-add-port-input').fill('8443');
    await page.getByTestId('fw-add-port-protocol').selectOption('udp');
    await page.getByTestId('fw-add-port').click();
    await page.getByTestId('fw-add-rich-rule').click();
    await page.getByTestId('fw-rich-rule-input').fill("rule family=ipv4 source address=192.0.2.0/24 service name=http log prefix='web ' limit value=3/minute accept");
    await page.getByTestId('fw-rich-rule-submit').click();
    await page.getByTestId('fw-apply-both').click();
    const rule = 'rule family="ipv4" source address="192.0.2.0/24" service name="http" log prefix="web " limit value="3/m" accept';
    await expect.poll(async () => lines(await fw(sb, '--zone=public', '--list-ports')).join(' '), { timeout: 15_000 }).toContain('8443/udp');
    expect(lines(await fw(sb, '--zone=public', '--list-rich-rules'))).toContain(rule);
    expect(await fw(sb, '--permanent', '--zone=public', '--list-ports')).toContain('8443/udp');
    expect(lines(await fw(sb, '--permanent', '--zone=public', '--list-rich-rules'))).toContain(rule);
    // The UI shows them in both columns.
    await page.locator(`[data-testid="fw-item-ports-runtime"][data-item="8443/udp"]`).waitFor();
    await page.locator(`[data-testid="fw-item-richRules-permanent"][data-item='${rule}']`).waitFor();
  });

  it('shows a change made with firewall-cmd without a reload, marked runtime only', async () => {
    const { page } = app;
    await fw(sb, '--zone=public', '--add-service=imap');
    const item = page.locator('[data-testid="fw-item-services-runtime"][data-item="imap"]');
    await item.waitFor({ timeout: 10_000 });
    expect(await item.getAttribute('data-diff')).toBe('runtime-only');
    await fw(sb, '--zone=public', '--remove-service=imap');
    await item.waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('refuses a bad port in the page, before anything is sent', async () => {
    const { page } = app;
    await page.getByTestId('fw-add-port-input').fill('99999');
    await expect.poll(() => page.getByTestId('fw-add-port-error').textContent()).toContain('"99999"');
    expect(await page.getByTestId('fw-add-port').isDisabled()).toBe(true);
    await page.getByTestId('fw-add-port-input').fill('');
  });

  it('safe apply reverts by itself when not confirmed', async () => {
    const { page } = app;
    await page.getByTestId('fw-zone-public').click();
    // Removing ssh from the default zone could cut off an admin: safe apply is the default.
    await page.locator('[data-testid="fw-item-services-runtime"][data-item="ssh"] button').click();
    await page.getByTestId('fw-risk').waitFor();
    expect(await page.getByTestId('fw-apply-runtime').isDisabled()).toBe(true);
    await page.getByTestId('fw-safe-seconds').fill('6');
    await page.getByTestId('fw-safe-apply').click();
    await page.getByTestId('fw-safe-apply-countdown').waitFor();
    await page.getByTestId('fw-safe-apply-confirm').waitFor();
    await expect.poll(async () => lines(await fw(sb, '--zone=public', '--list-services')).join(' '), { timeout: 5_000 }).not.toMatch(/\bssh\b/);
    // Nobody confirms: ssh comes back by itself.
    await expect.poll(async () => (await fw(sb, '--zone=public', '--list-services')).split(/\s+/), { timeout: 20_000 }).toContain('ssh');
    await page.locator('[data-testid="fw-safe-apply-result"][data-status="reverted"]').waitFor({ timeout: 10_000 });
    expect((await fw(sb, '--permanent', '--zone=public', '--list-services')).split(/\s+/)).toContain('ssh');
  });
});
