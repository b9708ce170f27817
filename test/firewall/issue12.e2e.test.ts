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
import { fw, fwAll, lines } from './fw-cmd';
import { hasFocus, pagesOf } from '../support/pages';

describe('issue 12: the firewall page', () => {
  let sb: FirewalldSandbox;
  let app: E2eApp;
  beforeAll(async () => {
    ({ sb, app } = await openFirewallPage());
  });
  afterAll(() => closeFirewallPage(app, sb));

  it('shows ipset runtime/permanent differences by content, and the reload dialog says what is lost and what is gained', async () => {
    const { page } = app;
    const { firewall } = pagesOf(page);
    await fwAll(
      sb,
      ['--permanent', '--new-ipset=hd-swap', '--type=hash:ip'],
      ['--reload'],
      ['--ipset=hd-swap', '--add-entry=1.2.3.4'],
      ['--permanent', '--ipset=hd-swap', '--add-entry=1.2.3.5'],
      ['--zone=public', '--add-port=1111/tcp'],
      ['--permanent', '--zone=public', '--add-port=2222/tcp'],
    );
    await page.reload();
    await firewall.openTab('IP sets');
    await firewall.ipsetDiffers('hd-swap').waitFor({ timeout: 15_000 });
    await firewall.ipset('hd-swap').click();
    await expect.poll(() => firewall.ipsetDiff.textContent(), { timeout: 10_000 }).toBe('entries differ: 1 only in runtime, 1 only in permanent');
    await page.locator('#fw-ipset-view-runtimeOnly').click();
    await expect.poll(() => firewall.ipsetEntry.allTextContents()).toEqual([' 1.2.3.4']);
    await page.locator('#fw-ipset-view-permanentOnly').click();
    await expect.poll(() => firewall.ipsetEntry.allTextContents()).toEqual([' 1.2.3.5']);
    expect(await firewall.runtimeToPermanent.isDisabled()).toBe(false);

    // Reload: lost and gained apart, in people's words; nothing counted as "lost" that a reload adds.
    await firewall.reload.click();
    await firewall.reloadEffects.waitFor();
    expect(await firewall.reloadLost.locator('li').allTextContents()).toEqual(['zone public: port 1111/tcp', 'ipset hd-swap: entry 1.2.3.4']);
    expect(await firewall.reloadGained.locator('li').allTextContents()).toEqual(['zone public: port 2222/tcp', 'ipset hd-swap: entry 1.2.3.5']);
    const text = await firewall.reloadEffects.textContent();
    expect(text).toContain('Lost: 2 runtime-only items');
    expect(text).toContain('Added by the reload: 2 permanent-only items');
    expect(text).not.toMatch(/difference\(s\)/);
    await firewall.confirm();
    await expect.poll(async () => lines(await fw(sb, '--ipset=hd-swap', '--get-entries')), { timeout: 15_000 }).toEqual(['1.2.3.5']);
    expect(lines(await fw(sb, '--zone=public', '--list-ports'))).toEqual(['2222/tcp']);
    await firewall.ipsetDiffers('hd-swap').waitFor({ state: 'detached', timeout: 15_000 });
    await fwAll(sb, ['--permanent', '--zone=public', '--remove-port=2222/tcp'], ['--reload']);
  });

  it('deletes an ipset, and refuses while a zone uses it', async () => {
    const { page } = app;
    const { firewall } = pagesOf(page);
    await fwAll(sb, ['--permanent', '--new-ipset=hd-gone', '--type=hash:net'], ['--permanent', '--zone=work', '--add-source=ipset:hd-gone']);
    await page.reload();
    await firewall.openTab('IP sets');
    await firewall.ipset('hd-gone').click();
    await expect.poll(() => firewall.ipsetUsers.textContent(), { timeout: 10_000 }).toContain('zone work (source ipset:hd-gone)');
    expect(await firewall.deleteIpset.isDisabled()).toBe(true);
    await fw(sb, '--permanent', '--zone=work', '--remove-source=ipset:hd-gone');
    await firewall.ipsetUsers.waitFor({ state: 'detached', timeout: 10_000 });
    await firewall.deleteIpset.click();
    await firewall.confirm();
    await firewall.ipset('hd-gone').waitFor({ state: 'detached', timeout: 15_000 });
    expect(lines(await fw(sb, '--permanent', '--get-ipsets')).join(' ').split(' ')).not.toContain('hd-gone');
  });

  it('does not offer to delete or rename a zone that a policy uses', async () => {
    const { page } = app;
    const { firewall } = pagesOf(page);
    await fwAll(sb, ['--permanent', '--new-zone=hd-zu'], ['--permanent', '--new-policy=hd-pu'], ['--permanent', '--policy=hd-pu', '--add-ingress-zone=hd-zu']);
    await page.reload();
    await firewall.selectZone('hd-zu');
    await expect.poll(() => firewall.zoneInUse.textContent(), { timeout: 10_000 }).toContain('policy hd-pu (ingress zone hd-zu)');
    expect(await firewall.deleteZoneButton.isDisabled()).toBe(true);
    expect(await firewall.renameZoneButton.isDisabled()).toBe(true);
    await fw(sb, '--permanent', '--delete-policy=hd-pu');
    await firewall.zoneInUse.waitFor({ state: 'detached', timeout: 10_000 });
    expect(await firewall.deleteZoneButton.isDisabled()).toBe(false);
    await fw(sb, '--permanent', '--delete-zone=hd-zu');
  });

  it('offers a confirm control when the host needs confirmation (safe-applying a zone target loses runtime changes)', async () => {
    const { page } = app;
    const { firewall, safeApply } = pagesOf(page);
    await fw(sb, '--zone=work', '--add-port=3333/tcp');
    await firewall.openTab('Zones');
    await firewall.selectZone('work');
    await firewall.item('ports', 'runtime', '3333/tcp').waitFor({ timeout: 10_000 });
    await firewall.zoneTarget.selectOption('DROP');
    await safeApply.safeApply(30);
    await safeApply.needsConfirmation.waitFor({ timeout: 10_000 });
    expect(await safeApply.needsConfirmationLost.textContent()).toContain('zone work: port 3333/tcp');
    // "Save them first": runtime goes to permanent, then the safe apply runs.
    await safeApply.needsConfirmationSave.click();
    await safeApply.countdown.waitFor({ timeout: 20_000 });
    expect(lines(await fw(sb, '--permanent', '--zone=work', '--list-ports'))).toContain('3333/tcp');
    await expect.poll(async () => (await fw(sb, '--permanent', '--zone=work', '--get-target')).trim(), { timeout: 15_000 }).toBe('DROP');
    await safeApply.revert();
    // Closed while it is shown (an outcome goes away by itself after a few seconds); the session
    // ends once the host is reverted, so firewall-cmd is asked after.
    expect(await safeApply.watchOutcome('zone work: target')).toMatchObject({ status: 'reverted' });
    await safeApply.dismissButton.click();
    await expect.poll(async () => (await fw(sb, '--permanent', '--zone=work', '--get-target')).trim(), { timeout: 20_000 }).toBe('default');
    await fwAll(sb, ['--permanent', '--zone=work', '--remove-port=3333/tcp'], ['--reload']);
  });

  it('refuses a rule destination with a service that has its own (mdns), in the editor', async () => {
    const { page } = app;
    const { firewall } = pagesOf(page);
    await firewall.openTab('Zones');
    await firewall.selectZone('public');
    await firewall.openRichRuleEditor();
    await firewall.richRuleInput.fill('rule family="ipv4" destination address="192.168.122.235/32" service name="mdns" accept');
    await expect.poll(() => firewall.richRuleProblems.textContent()).toContain('The service mdns has its own destination (ipv4 224.0.0.251)');
    expect(await firewall.richRuleSubmit.isDisabled()).toBe(true);
    await firewall.richRuleInput.press('Enter');
    expect(await firewall.item('richRules', 'adding').count()).toBe(0);
    await firewall.cancelRichRule();
  });

  it('shows a long rich rule whole (wrapping), stages it with Enter, and lists pending changes in people\'s words', async () => {
    const { page } = app;
    const { firewall, safeApply } = pagesOf(page);
    await firewall.selectZone('public');
    await firewall.openRichRuleEditor();
    const input = firewall.richRuleInput;
    const rule = 'rule family="ipv4" source address="198.51.100.0/24" destination address="203.0.113.10/32" port port="8443" protocol="tcp" log prefix="long-rule-check " level="warning" limit value="10/m" accept limit value="20/m"';
    // Pasted with a line break: still one rule.
    await input.fill(rule.replace(' port port', '\nport port'));
    await expect.poll(() => input.inputValue()).toBe(rule);
    expect(await input.evaluate((el) => el.tagName)).toBe('TEXTAREA');
    // All of it is in view: no horizontal scrolling, and the field grew to fit it.
    const fits = await input.evaluate((el) => ({ w: el.scrollWidth <= el.clientWidth + 1, h: el.scrollHeight <= el.clientHeight + 2 }));
    expect(fits).toEqual({ w: true, h: true });
    await input.press('Enter');
    await firewall.item('richRules', 'adding').filter({ hasText: 'long-rule-check' }).waitFor();
    await firewall.addPort('8451');
    await page.locator('label.pf-v6-c-switch:has(#fw-zone-masq)').click();
    await safeApply.pendingToggle(3).click();
    const pending = await safeApply.pending();
    expect(pending).toEqual([`Add rich rule: ${rule}`, 'Add port 8451/tcp', 'Set masquerade to on']);
    expect(pending.join(' ')).not.toMatch(/richRules|ports:|masquerade =/);
    await safeApply.discard();
  });

  it('shows when a port added with a runtime timeout expires', async () => {
    const { page } = app;
    const { firewall, safeApply } = pagesOf(page);
    await firewall.selectZone('public');
    await firewall.addPort('8452');
    await firewall.timeout.fill('10m');
    await safeApply.applyRuntime();
    await expect.poll(async () => lines(await fw(sb, '--zone=public', '--list-ports')).join(' '), { timeout: 15_000 }).toContain('8452/tcp');
    const expiry = firewall.itemExpiry('ports', 'runtime', '8452/tcp');
    await expiry.waitFor({ timeout: 10_000 });
    expect(await expiry.textContent()).toMatch(/expires in (9m \d\ds|10m 00s) \(at \d/);
    expect(await expiry.getAttribute('title')).toMatch(/^firewalld removes it at /);
    await fw(sb, '--zone=public', '--remove-port=8452/tcp');
    await firewall.item('ports', 'runtime', '8452/tcp').waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('keeps the zone editor usable at 1024×700 with changes pending', async () => {
    const { page } = app;
    const { firewall, safeApply } = pagesOf(page);
    await page.setViewportSize({ width: 1024, height: 700 });
    try {
      await firewall.selectZone('public');
      // A risky change (ssh out of the default zone) brings the lock-out warning: the tallest bar.
      await firewall.removeButton('services', 'runtime', 'ssh').click();
      await safeApply.risk.waitFor();
      await firewall.addPort('8450');
      await safeApply.pendingToggle(2).click();
      // Every input of the editor can still be reached and used: visible, and the click lands on it.
      for (const name of ['target', 'service', 'port', 'protocol', 'ICMP block', 'interface', 'source'] as const) {
        const el = firewall.zoneField(name);
        await el.scrollIntoViewIfNeeded();
        expect(await el.isVisible(), name).toBe(true);
        await el.click({ timeout: 5000 });
        expect(await hasFocus(el), name).toBe(true);
      }
      // The pending changes stay in reach too, and take at most half of the window.
      const bar = await safeApply.bar.boundingBox();
      expect(bar!.height).toBeLessThanOrEqual(350);
      await safeApply.discard();
      await safeApply.bar.waitFor({ state: 'detached' });
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
      const { shell, firewall } = pagesOf(page);
      await firewall.noBus.waitFor({ timeout: 15_000 });
      expect(await firewall.noBusSocket.textContent()).toBe('/nonexistent/hostdeck-i12/bus.sock');
      expect(await firewall.noBusReason.textContent()).toContain('No system D-Bus: HostDeck tried /nonexistent/hostdeck-i12/bus.sock and the socket does not exist');
      expect(await firewall.start.count()).toBe(0);
      expect(await firewall.notRunning.count()).toBe(0);
      expect(await shell.firewalldStatus.getAttribute('data-state')).toBe('no-bus');
      await firewall.checkAgain.click();
      await firewall.noBus.waitFor();
    } finally {
      await app.stop();
    }
  });
});
