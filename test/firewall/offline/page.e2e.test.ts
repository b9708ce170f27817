/**
 * The Firewall page without a running firewalld (Chromium, browser mode, a real firewalld in its
 * sandbox): it switches to the offline configuration when firewalld stops and back when it
 * starts, says so in the masthead, and shows nothing that needs a daemon; on a running one the
 * admin can ask for the files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eApp } from '../../support/e2e';
import type { FirewalldSandbox } from '../../support/firewalld-sandbox';
import { closeFirewallPage, openFirewallPage } from '../../support/firewall-page';
import { pagesOf } from '../../support/pages';

describe('the firewall page offline', () => {
  let sb: FirewalldSandbox;
  let app: E2eApp;
  beforeAll(async () => {
    ({ sb, app } = await openFirewallPage());
  });
  afterAll(() => closeFirewallPage(app, sb));

  it('switches to the offline configuration when firewalld stops, and back when it starts', async () => {
    const { shell, firewall } = pagesOf(app.page);
    expect(await firewall.deniedPanel.count()).toBe(1);
    expect(await firewall.offlineNotice.count()).toBe(0);
    await sb.stopFirewalld();
    // The masthead says it plainly, with the version whose rules were assumed.
    await expect.poll(() => shell.firewalldStatus.textContent(), { timeout: 20_000 }).toMatch(/firewalld is not running · offline configuration · firewalld \d+\.\d+/);
    await firewall.offlineNotice.waitFor({ timeout: 20_000 });
    expect(await firewall.offlineVersion.textContent()).toMatch(/Version \d+\.\d+\S*: (the package database|firewalld's Python module|its documentation|assumed)/);
    await firewall.zone('public').waitFor();
    // Absent, not broken: no runtime column, no reload, no denied feed, no differences, nothing "not running".
    expect(await firewall.notRunning.count()).toBe(0);
    expect(await firewall.zoneColumnHeads.textContent()).toBe('Configuration files');
    expect(await firewall.reload.count()).toBe(0);
    expect(await firewall.deniedPanel.count()).toBe(0);
    expect(await firewall.differencesTab.count()).toBe(0);
    expect(await firewall.summary.count()).toBe(0);
    await firewall.start.waitFor();

    await sb.startFirewalld();
    await expect.poll(() => shell.firewalldStatus.getAttribute('data-state'), { timeout: 30_000 }).toBe('running');
    await expect.poll(() => firewall.offlineNotice.count(), { timeout: 20_000 }).toBe(0);
    await firewall.reload.waitFor({ timeout: 20_000 });
    expect(await firewall.deniedPanel.count()).toBe(1);
  });

  it('shows the files of a running host when asked (the Offline configuration switch), saved to the files only', async () => {
    const { firewall } = pagesOf(app.page);
    await firewall.setOffline(true);
    await firewall.offlineNotice.waitFor({ timeout: 20_000 });
    expect(await firewall.reload.count()).toBe(0);
    expect(await firewall.zoneColumnHeads.textContent()).toBe('Configuration files');
    // Its changes go to the files, never to the running daemon by mistake: no runtime apply, the notice says when they apply.
    expect(await firewall.offlineSaves.textContent()).toMatch(/uses the saved files after its next reload/);
    // Preview the rules: the ruleset the files make, from a throwaway firewalld, in the rules view.
    const view = await firewall.openRules('zone');
    expect(await view.textContent()).toMatch(/Preview: the ruleset firewalld \S+ makes from the configuration files of .*nothing on .* changed/);
    expect((await firewall.rulesChains()).length).toBeGreaterThan(0);
    await app.page.keyboard.press('Escape');
    await firewall.setOffline(false);
    await firewall.reload.waitFor({ timeout: 20_000 });
    expect(await firewall.offlineNotice.count()).toBe(0);
  });
});
