/**
 * Issue 12 in the browser (Chromium, browser mode, a real firewalld in its sandbox), checked
 * with firewall-cmd: ipset runtime/permanent differences by content, deleting an ipset, the
 * reload dialog's lost vs gained, a confirm control for NEEDS_CONFIRMATION, the rich-rule
 * destination check, the multi-line rich-rule field, people's words in the pending list, the
 * expiry of timed items, the zone editor at 1024×700, and the page without a system bus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { startFirewalldSandbox, type FirewalldSandbox } from '../support/firewalld-sandbox';
import { fw, lines } from './fw-cmd';

describe('issue 12: the firewall page', () => {
  let sb: FirewalldSandbox;
  let app: E2eApp;
  beforeAll(async () => {
    sb = await startFirewalldSandbox();
    app = await openApp({ systemBusAddress: sb.busAddress });
    await app.page.getByTestId('fw-zone-public').waitFor({ timeout: 30_000 });
  });
  afterAll(async () => {
    await app?.stop();
    await sb?.stop();
  });

  it('keeps the zone editor usable at 1024×700 with changes pending', async () => {
    const { page } = app;
    await page.setViewportSize({ width: 1024, height: 700 });
    try {
      await page.getByTestId('fw-zone-public').click();
      // A risky change (ssh out of the default zone) brings the lock-out warning: the tallest bar.
      await page.locator('[data-testid="fw-item-services-runtime"][data-item="ssh"] button').click();
      await page.getByTestId('fw-risk').waitFor();
      await page.getByTestId('fw-add-port-input').fill('8450');
      await page.getByTestId('fw-add-port').click();
      await page.getByTestId('fw-applybar').getByRole('button', { name: /2 pending changes/ }).click();
      // Every input of the editor can still be reached and used: visible, and the click lands on it.
      for (const id of ['fw-zone-target', 'fw-add-service-input', 'fw-add-port-input', 'fw-add-protocol-input', 'fw-add-icmp-block-input', 'fw-add-interface-input', 'fw-add-source-input']) {
        const el = page.getByTestId(id);
        await el.scrollIntoViewIfNeeded();
        expect(await el.isVisible()).toBe(true);
        await el.click({ timeout: 5000 });
        expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(id);
      }
      // The pending changes stay in reach too, and take at most half of the window.
      const bar = await page.getByTestId('fw-applybar').boundingBox();
      expect(bar!.height).toBeLessThanOrEqual(350);
      await page.getByTestId('fw-discard').click();
      await page.getByTestId('fw-applybar').waitFor({ state: 'detached' });
    } finally {
      await page.setViewportSize({ width: 1360, height: 860 });
    }
  });
});
