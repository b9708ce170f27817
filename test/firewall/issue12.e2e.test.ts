/**
 * Issue 12 in the browser (Chromium, browser mode, a real firewalld in its sandbox), checked
 * with firewall-cmd: ipset runtime/permanent differences by content, deleting an ipset, the
 * reload dialog's lost vs gained, a confirm control for NEEDS_CONFIRMATION, the rich-rule
 * destination check, the multi-line rich-rule field, people's words in the pending list, the
 * expiry of timed items, the zone editor at 1024×700, and the page without a system bus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import type { FirewalldSandbox } from '../support/firewalld-sandbox';
import { closeFirewallPage, openFirewallPage } from '../support/firewall-page';
import { fw, lines } from './fw-cmd';

describe('issue 12: the firewall page', () => {
  let sb: FirewalldSandbox;
  let app: E2eApp;
  beforeAll(async () => {
    ({ sb, app } = await openFirewallPage());
  });
  afterAll(() => closeFirewallPage(app, sb));

  it('shows ipset runtime/permanent differences by content, and the reload dialog says what is lost and what is gained', async () => {
    const { page } = app;
    await fw(sb, '--permanent', '--new-ipset=hd-swap', '--type=hash:ip');
    await fw(sb, '--reload');
    await fw(sb, '--ipset=hd-swap', '--add-entry=1.2.3.4');
    await fw(sb, '--permanent', '--ipset=hd-swap', '--add-entry=1.2.3.5');
    await fw(sb, '--zone=public', '--add-port=1111/tcp');
    await fw(sb, '--permanent', '--zone=public', '--add-port=2222/tcp');
    await page.reload();
    await page.getByRole('tab', { name: 'IP sets' }).click();
    await page.getByTestId('fw-ipset-hd-swap-diff').waitFor({ timeout: 15_000 });
    await page.getByTestId('fw-ipset-hd-swap').click();
    await expect.poll(() => page.getByTestId('fw-ipset-diff').textContent(), { timeout: 10_000 }).toBe('entries differ: 1 only in runtime, 1 only in permanent');
    await page.locator('#fw-ipset-view-runtimeOnly').click();
    await expect.poll(() => page.getByTestId('fw-ipset-entry').allTextContents()).toEqual([' 1.2.3.4']);
    await page.locator('#fw-ipset-view-permanentOnly').click();
    await expect.poll(() => page.getByTestId('fw-ipset-entry').allTextContents()).toEqual([' 1.2.3.5']);
    expect(await page.getByTestId('fw-runtime-to-permanent').isDisabled()).toBe(false);

    // Reload: lost and gained apart, in people's words; nothing counted as "lost" that a reload adds.
    await page.getByTestId('fw-reload').click();
    await page.getByTestId('fw-reload-effects').waitFor();
    expect(await page.getByTestId('fw-reload-lost').locator('li').allTextContents()).toEqual(['zone public: port 1111/tcp', 'ipset hd-swap: entry 1.2.3.4']);
    expect(await page.getByTestId('fw-reload-gained').locator('li').allTextContents()).toEqual(['zone public: port 2222/tcp', 'ipset hd-swap: entry 1.2.3.5']);
    const text = await page.getByTestId('fw-reload-effects').textContent();
    expect(text).toContain('Lost: 2 runtime-only items');
    expect(text).toContain('Added by the reload: 2 permanent-only items');
    expect(text).not.toMatch(/difference\(s\)/);
    await page.getByTestId('fw-confirm-ok').click();
    await expect.poll(async () => lines(await fw(sb, '--ipset=hd-swap', '--get-entries')), { timeout: 15_000 }).toEqual(['1.2.3.5']);
    expect(lines(await fw(sb, '--zone=public', '--list-ports'))).toEqual(['2222/tcp']);
    await page.getByTestId('fw-ipset-hd-swap-diff').waitFor({ state: 'detached', timeout: 15_000 });
    await fw(sb, '--permanent', '--zone=public', '--remove-port=2222/tcp');
    await fw(sb, '--reload');
  });

  it('deletes an ipset, and refuses while a zone uses it', async () => {
    const { page } = app;
    await fw(sb, '--permanent', '--new-ipset=hd-gone', '--type=hash:net');
    await fw(sb, '--permanent', '--zone=work', '--add-source=ipset:hd-gone');
    await page.reload();
    await page.getByRole('tab', { name: 'IP sets' }).click();
    await page.getByTestId('fw-ipset-hd-gone').click();
    await expect.poll(() => page.getByTestId('fw-ipset-users').textContent(), { timeout: 10_000 }).toContain('zone work (source ipset:hd-gone)');
    expect(await page.getByTestId('fw-delete-ipset').isDisabled()).toBe(true);
    await fw(sb, '--permanent', '--zone=work', '--remove-source=ipset:hd-gone');
    await page.getByTestId('fw-ipset-users').waitFor({ state: 'detached', timeout: 10_000 });
    await page.getByTestId('fw-delete-ipset').click();
    await page.getByTestId('fw-confirm-ok').click();
    await page.getByTestId('fw-ipset-hd-gone').waitFor({ state: 'detached', timeout: 15_000 });
    expect(lines(await fw(sb, '--permanent', '--get-ipsets')).join(' ').split(' ')).not.toContain('hd-gone');
  });

  it('does not offer to delete or rename a zone that a policy uses', async () => {
    const { page } = app;
    await fw(sb, '--permanent', '--new-zone=hd-zu');
    await fw(sb, '--permanent', '--new-policy=hd-pu');
    await fw(sb, '--permanent', '--policy=hd-pu', '--add-ingress-zone=hd-zu');
    await page.reload();
    await page.getByTestId('fw-zone-hd-zu').click();
    await expect.poll(() => page.getByTestId('fw-zone-in-use').textContent(), { timeout: 10_000 }).toContain('policy hd-pu (ingress zone hd-zu)');
    expect(await page.getByTestId('fw-delete-zone').isDisabled()).toBe(true);
    expect(await page.getByTestId('fw-rename-zone').isDisabled()).toBe(true);
    await fw(sb, '--permanent', '--delete-policy=hd-pu');
    await page.getByTestId('fw-zone-in-use').waitFor({ state: 'detached', timeout: 10_000 });
    expect(await page.getByTestId('fw-delete-zone').isDisabled()).toBe(false);
    await fw(sb, '--permanent', '--delete-zone=hd-zu');
  });

  it('offers a confirm control when the host needs confirmation (safe-applying a zone target loses runtime changes)', async () => {
    const { page } = app;
    await fw(sb, '--zone=work', '--add-port=3333/tcp');
    await page.getByRole('tab', { name: 'Zones' }).click();
    await page.getByTestId('fw-zone-work').click();
    await page.locator('[data-testid="fw-item-ports-runtime"][data-item="3333/tcp"]').waitFor({ timeout: 10_000 });
    await page.getByTestId('fw-zone-target').selectOption('DROP');
    await page.getByTestId('fw-safe-seconds').fill('30');
    await page.getByTestId('fw-safe-apply').click();
    await page.getByTestId('fw-needs-confirmation').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('fw-needs-confirmation-lost').textContent()).toContain('zone work: port 3333/tcp');
    // "Save them first": runtime goes to permanent, then the safe apply runs.
    await page.getByTestId('fw-needs-confirmation-save').click();
    await page.getByTestId('fw-safe-apply-countdown').waitFor({ timeout: 20_000 });
    expect(lines(await fw(sb, '--permanent', '--zone=work', '--list-ports'))).toContain('3333/tcp');
    await expect.poll(async () => (await fw(sb, '--permanent', '--zone=work', '--get-target')).trim(), { timeout: 15_000 }).toBe('DROP');
    await page.getByTestId('fw-safe-apply-revert').click();
    await expect.poll(async () => (await fw(sb, '--permanent', '--zone=work', '--get-target')).trim(), { timeout: 20_000 }).toBe('default');
    await page.locator('[data-testid="fw-safe-apply-result"][data-status="reverted"]').waitFor({ timeout: 20_000 });
    await page.getByTestId('fw-safe-apply-dismiss').click();
    await fw(sb, '--permanent', '--zone=work', '--remove-port=3333/tcp');
    await fw(sb, '--reload');
  });

  it('refuses a rule destination with a service that has its own (mdns), in the editor', async () => {
    const { page } = app;
    await page.getByRole('tab', { name: 'Zones' }).click();
    await page.getByTestId('fw-zone-public').click();
    await page.getByTestId('fw-add-rich-rule').click();
    await page.getByTestId('fw-rich-rule-input').fill('rule family="ipv4" destination address="192.168.122.235/32" service name="mdns" accept');
    await expect.poll(() => page.getByTestId('fw-rich-rule-problems').textContent()).toContain('The service mdns has its own destination (ipv4 224.0.0.251)');
    expect(await page.getByTestId('fw-rich-rule-submit').isDisabled()).toBe(true);
    await page.getByTestId('fw-rich-rule-input').press('Enter');
    expect(await page.getByTestId('fw-item-richRules-adding').count()).toBe(0);
    await page.getByTestId('fw-rich-rule-editor').getByRole('button', { name: 'Cancel' }).click();
  });

  it('shows a long rich rule whole (wrapping), stages it with Enter, and lists pending changes in people\'s words', async () => {
    const { page } = app;
    await page.getByTestId('fw-zone-public').click();
    await page.getByTestId('fw-add-rich-rule').click();
    const input = page.getByTestId('fw-rich-rule-input');
    const rule = 'rule family="ipv4" source address="198.51.100.0/24" destination address="203.0.113.10/32" port port="8443" protocol="tcp" log prefix="long-rule-check " level="warning" limit value="10/m" accept limit value="20/m"';
    // Pasted with a line break: still one rule.
    await input.fill(rule.replace(' port port', '\nport port'));
    await expect.poll(() => input.inputValue()).toBe(rule);
    expect(await input.evaluate((el) => el.tagName)).toBe('TEXTAREA');
    // All of it is in view: no horizontal scrolling, and the field grew to fit it.
    const fits = await input.evaluate((el) => ({ w: el.scrollWidth <= el.clientWidth + 1, h: el.scrollHeight <= el.clientHeight + 2 }));
    expect(fits).toEqual({ w: true, h: true });
    await input.press('Enter');
    await page.locator('[data-testid="fw-item-richRules-adding"]').filter({ hasText: 'long-rule-check' }).waitFor();
    await page.getByTestId('fw-add-port-input').fill('8451');
    await page.getByTestId('fw-add-port').click();
    await page.locator('label.pf-v6-c-switch:has(#fw-zone-masq)').click();
    await page.getByTestId('fw-applybar').getByRole('button', { name: /3 pending changes/ }).click();
    const pending = await page.getByTestId('fw-applybar').locator('.hd-fw-pending li').allTextContents();
    expect(pending).toEqual([`Add rich rule: ${rule}`, 'Add port 8451/tcp', 'Set masquerade to on']);
    expect(pending.join(' ')).not.toMatch(/richRules|ports:|masquerade =/);
    await page.getByTestId('fw-discard').click();
  });

  it('shows when a port added with a runtime timeout expires', async () => {
    const { page } = app;
    await page.getByTestId('fw-zone-public').click();
    await page.getByTestId('fw-add-port-input').fill('8452');
    await page.getByTestId('fw-add-port').click();
    await page.getByTestId('fw-timeout').fill('10m');
    await page.getByTestId('fw-apply-runtime').click();
    await expect.poll(async () => lines(await fw(sb, '--zone=public', '--list-ports')).join(' '), { timeout: 15_000 }).toContain('8452/tcp');
    const expiry = page.locator('[data-testid="fw-item-ports-runtime"][data-item="8452/tcp"] [data-testid="fw-item-expiry"]');
    await expiry.waitFor({ timeout: 10_000 });
    expect(await expiry.textContent()).toMatch(/expires in (9m \d\ds|10m 00s) \(at \d/);
    expect(await expiry.getAttribute('title')).toMatch(/^firewalld removes it at /);
    await fw(sb, '--zone=public', '--remove-port=8452/tcp');
    await page.locator('[data-testid="fw-item-ports-runtime"][data-item="8452/tcp"]').waitFor({ state: 'detached', timeout: 10_000 });
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

describe('issue 12: the firewall page without a system bus', () => {
  it('says which bus socket is missing and offers no "Start firewalld"', async () => {
    const app = await openApp({ systemBusAddress: 'unix:path=/nonexistent/hostdeck-i12/bus.sock' });
    try {
      const { page } = app;
      await page.getByTestId('fw-no-bus').waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('fw-no-bus-socket').textContent()).toBe('/nonexistent/hostdeck-i12/bus.sock');
      expect(await page.getByTestId('fw-no-bus-reason').textContent()).toContain('No system D-Bus: HostDeck tried /nonexistent/hostdeck-i12/bus.sock and the socket does not exist');
      expect(await page.getByTestId('fw-start').count()).toBe(0);
      expect(await page.getByTestId('fw-not-running').count()).toBe(0);
      expect(await page.getByTestId('status-firewalld').getAttribute('data-state')).toBe('no-bus');
      await page.getByTestId('fw-check-again').click();
      await page.getByTestId('fw-no-bus').waitFor();
    } finally {
      await app.stop();
    }
  });
});
