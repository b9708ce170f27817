import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFirewalldSandbox, type FirewalldSandbox } from '../support/firewalld-sandbox';
import { openApp, screenshot, type E2eApp } from '../support/e2e';
import { pagesOf } from '../support/pages';

describe('browser mode against a real firewalld', () => {
  let sb: FirewalldSandbox;
  let app: E2eApp;
  beforeAll(async () => {
    sb = await startFirewalldSandbox();
    app = await openApp({ systemBusAddress: sb.busAddress });
  });
  afterAll(async () => {
    await app?.stop();
    await sb?.stop();
  });

  it("shows the daemon's version and default zone as firewall-cmd reports them", async () => {
    const { page } = app;
    const { shell } = pagesOf(page);
    // Waits for the status read itself (expect.poll's 1 s saw "loading" on a loaded machine).
    await shell.firewalldStatusIn('running').waitFor();
    const version = sb.firewallCmd('--version').trim();
    const zone = sb.firewallCmd('--get-default-zone').trim();
    expect(version).toBe('1.3.3');
    expect(await shell.firewalldVersion.textContent()).toBe(version);
    expect(await shell.firewalldDefaultZone.textContent()).toBe(zone);
  });

  it('follows a default-zone change made with firewall-cmd, without any action in the UI', async () => {
    const zone = pagesOf(app.page).shell.firewalldDefaultZone;
    sb.firewallCmd('--set-default-zone=home');
    await expect.poll(() => zone.textContent(), { timeout: 10_000 }).toBe('home');
    sb.firewallCmd('--set-default-zone=public');
    await expect.poll(() => zone.textContent(), { timeout: 10_000 }).toBe('public');
  });

  it('shows which zones are active, live, on the firewall page', async () => {
    const summary = pagesOf(app.page).firewall.summary;
    await expect.poll(() => summary.textContent(), { timeout: 10_000 }).toBe('No interface or source is bound to a zone');
    sb.inNetns('ip', 'link', 'add', 'hd0', 'type', 'veth', 'peer', 'name', 'hd1');
    sb.firewallCmd('--zone=internal', '--add-interface=hd0');
    await expect.poll(() => summary.textContent(), { timeout: 10_000 }).toBe('Active: internal (hd0)');
    sb.firewallCmd('--zone=internal', '--remove-interface=hd0');
  });

  it('navigates between sections, switches theme, and the strict CSP reports nothing', async () => {
    const { page } = app;
    const { shell } = pagesOf(page);
    for (const id of ['dns', 'kernel', 'compare', 'firewall']) {
      await shell.nav(id).click();
      await expect.poll(() => shell.shownPage()).toBe(id);
      expect(page.url()).toContain(`#/${id}`);
    }
    await shell.useTheme('dark');
    expect(await page.evaluate(() => document.documentElement.classList.contains('pf-v6-theme-dark'))).toBe(true);
    await shell.useTheme('light');
    expect(await page.evaluate(() => document.documentElement.classList.contains('pf-v6-theme-dark'))).toBe(false);
    // The token went from the URL into an HttpOnly cookie: scripts cannot read it.
    expect(page.url()).not.toContain('token=');
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(app.pageErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    // docs/screenshot.png only with `npm run screenshots`: a test run leaves the tracked file alone.
    const written = await screenshot(page, 'screenshot.png');
    expect(written.some((f) => f.endsWith('docs/screenshot.png'))).toBe(process.env.HOSTDECK_SCREENSHOTS === '1');
  });
});

describe('browser mode without firewalld', () => {
  it('says plainly that firewalld is not running when the bus has no firewalld', async () => {
    const sb = await startFirewalldSandbox({ withoutFirewalld: true });
    const app = await openApp({ systemBusAddress: sb.busAddress });
    try {
      const status = pagesOf(app.page).shell.firewalldStatus;
      await expect.poll(() => status.getAttribute('data-state')).toBe('not-running');
      expect(await status.textContent()).toContain('firewalld is not running');
    } finally {
      await app.stop();
      await sb.stop();
    }
  });

  it('says that the system bus is missing (and which socket) when there is none at all', async () => {
    const app = await openApp({ systemBusAddress: 'unix:path=/nonexistent/hostdeck-test/bus.sock' });
    try {
      const status = pagesOf(app.page).shell.firewalldStatus;
      await expect.poll(() => status.getAttribute('data-state')).toBe('no-bus');
      expect(await status.textContent()).toContain('No system D-Bus (/nonexistent/hostdeck-test/bus.sock)');
    } finally {
      await app.stop();
    }
  });
});
