import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFirewalldSandbox, type FirewalldSandbox } from '../support/firewalld-sandbox';
import { axeViolations, duplicateNames, openApp, tabTo, type E2eApp } from '../support/e2e';
import { fw } from '../firewall/fw-cmd';

/** Each page and what shows it has finished loading. */
const PAGES = [
  { id: 'firewall', ready: 'fw-zone-public' },
  { id: 'dns', ready: 'dns-lines' },
  { id: 'kernel', ready: 'kernel-list' },
  { id: 'compare', ready: 'compare-page' },
] as const;

const RESOLV = 'nameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 192.0.2.3\nnameserver 192.0.2.4\nsearch corp.example # office\noptions ndots:2\n';

describe('accessibility: axe-core on every page in both themes, and every page by keyboard alone', () => {
  let sb: FirewalldSandbox;
  let app: E2eApp;
  let root = '';
  beforeAll(async () => {
    sb = await startFirewalldSandbox();
    root = mkdtempSync(join(tmpdir(), 'hostdeck-a11y-'));
    mkdirSync(join(root, 'etc/sysctl.d'), { recursive: true });
    writeFileSync(join(root, 'etc/resolv.conf'), RESOLV);
    app = await openApp({ systemBusAddress: sb.busAddress, root, procSys: '/proc/sys' });
  });
  afterAll(async () => {
    await app?.stop();
    await sb?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  for (const theme of ['light', 'dark'] as const) {
    for (const p of PAGES) {
      it(`${p.id} page, ${theme} theme: no moderate, serious or critical axe violation, no two controls with one name, one main landmark`, async () => {
        const { page } = app;
        await page.getByRole('button', { name: theme === 'dark' ? 'Dark theme' : 'Light theme' }).click();
        await page.getByTestId(`nav-${p.id}`).click();
        await page.getByTestId(p.ready).first().waitFor();
        const all = await axeViolations(page, ['minor', 'moderate', 'serious', 'critical']);
        const report = JSON.stringify(all, null, 1);
        // Moderate counts too: heading-order, page-has-heading-one, region, ... are what a screen-reader user navigates by.
        expect(all.filter((v) => v.impact !== 'minor'), report).toEqual([]);
        expect(all.filter((v) => v.id.startsWith('landmark')), report).toEqual([]);
        expect(await duplicateNames(page)).toEqual([]);
        expect(await page.locator('main').count()).toBe(1);
      });
    }
  }

  for (const theme of ['light', 'dark'] as const) {
    it(`kernel tabs and export dialog, DNS review and revert dialogs, ${theme} theme: no serious or critical axe violation`, async () => {
      const { page } = app;
      const check = async (where: string) => {
        const v = await axeViolations(page);
        expect(v, `${where}: ${JSON.stringify(v, null, 1)}`).toEqual([]);
      };
      await page.getByRole('button', { name: theme === 'dark' ? 'Dark theme' : 'Light theme' }).click();
      await page.getByTestId('nav-kernel').click();
      await page.getByTestId('kernel-list').waitFor();
      await page.getByRole('tab', { name: /Configuration/ }).click();
      await page.getByTestId('kernel-effective-empty').waitFor();
      await check('kernel configuration tab');
      await page.getByRole('tab', { name: /Profile/ }).click();
      await page.getByTestId('kernel-profile-text').fill('vm.swapiness = 1\nnet.core.somaxconn = 4096');
      await page.getByTestId('kernel-export-kubelet').click();
      await page.getByTestId('kernel-export-problems').waitFor();
      await check('kernel export dialog');
      await page.getByTestId('kernel-export-close').click();
      await page.getByRole('tab', { name: /Live parameters/ }).click();
      await page.getByTestId('nav-dns').click();
      await page.getByTestId('dns-raw').fill(`${RESOLV}# edited\n`);
      await page.getByTestId('dns-save').click();
      await page.getByTestId('dns-review').waitFor();
      await check('DNS review dialog');
      await page.getByRole('button', { name: 'Keep editing' }).click();
      await page.getByTestId('dns-revert').click();
      await page.getByTestId('dns-revert-confirm').waitFor();
      await check('DNS revert dialog');
      await page.getByTestId('dns-revert-discard').click();
      await page.getByTestId('nav-firewall').click();
      await page.getByTestId('fw-zone-public').waitFor();
    });
  }

  it('firewall dialogs and Differences, the DNS plan, Compare tabs and fix choices: no moderate+ axe violation, no duplicate names', async () => {
    const { page } = app;
    const check = async (where: string) => {
      const v = await axeViolations(page, ['moderate', 'serious', 'critical']);
      // Soft: one run reports every place that fails.
      expect.soft(v, `${where}: ${JSON.stringify(v, null, 1)}`).toEqual([]);
      expect.soft(await duplicateNames(page), where).toEqual([]);
    };
    await page.getByRole('button', { name: 'Light theme' }).click();
    await page.getByTestId('nav-firewall').click();
    await page.getByTestId('fw-zone-public').waitFor();
    // Differences both ways, so the Reload dialog has all its parts.
    await fw(sb, '--zone=public', '--add-port=4711/tcp');
    await fw(sb, '--permanent', '--zone=public', '--add-service=imap');
    await page.locator('[data-testid="fw-item-services-permanent"][data-item="imap"]').waitFor({ timeout: 15_000 });
    await check('firewall page with differences');
    await page.getByTestId('fw-reload').click();
    await page.getByTestId('fw-reload-effects').waitFor();
    await check('Reload dialog');
    await page.getByTestId('fw-confirm-cancel').click();
    await page.getByTestId('fw-runtime-to-permanent').click();
    await page.getByTestId('fw-r2p-effects').waitFor();
    await check('Runtime → permanent dialog');
    await page.getByTestId('fw-confirm-cancel').click();
    await page.getByRole('tab', { name: /Differences/ }).click();
    await page.getByTestId('fw-differences').waitFor();
    await check('Differences tab');
    await page.getByRole('tab', { name: /Zones/ }).click();
    await page.getByTestId('fw-add-port-input').fill('4712');
    await page.getByTestId('fw-add-port').click();
    await page.getByTestId('fw-applybar').waitFor();
    await check('zone editor with a pending change');
    await page.getByTestId('fw-discard').click();

    await page.getByTestId('nav-dns').click();
    await page.getByTestId('dns-plan-name').fill('api');
    await page.getByTestId('dns-plan-name').press('Enter');
    await page.getByTestId('dns-plan-result').waitFor({ timeout: 15_000 });
    await check('DNS plan');

    // Compare: the live host against a snapshot taken before the firewall changed.
    const snapshot = await app.runtime.api.compare.snapshot({});
    await fw(sb, '--zone=public', '--add-port=4713/tcp');
    await fw(sb, '--permanent', '--zone=public', '--add-port=4713/tcp');
    // Two facts of one zone differ: two rows that choose "zone:public" for the fix.
    await fw(sb, '--zone=public', '--add-service=ftp');
    await fw(sb, '--permanent', '--zone=public', '--add-service=ftp');
    const file = join(root, 'before.hostdeck.json');
    writeFileSync(file, JSON.stringify(snapshot));
    await page.getByTestId('nav-compare').click();
    await page.getByTestId('compare-page').waitFor();
    await page.getByTestId('compare-add-host').selectOption('local');
    await page.getByTestId('compare-import-input').setInputFiles([file]);
    await expect.poll(() => page.getByTestId('compare-host').count(), { timeout: 30_000 }).toBe(2);
    await page.getByTestId('compare-tab-firewall').click();
    await page.locator('[data-testid="grid-row"]').first().waitFor({ timeout: 30_000 });
    expect(await page.getByRole('checkbox', { name: /^Choose zone:public for the fix/ }).count()).toBeGreaterThan(1);
    await check('Compare, firewall section with fix choices');
    await fw(sb, '--reload');
  });

  it('the firewalld badge follows the dark theme instead of staying light green', async () => {
    const { page } = app;
    const bg = () =>
      page.getByTestId('status-firewalld').evaluate((e) => {
        const rgb = getComputedStyle(e.querySelector('.pf-v6-c-label__content')!, '::before').backgroundColor.match(/[\d.]+/g)!.map(Number);
        // Transparent (outline) shows the masthead; otherwise the relative luminance of the fill.
        return rgb[3] === 0 ? 0 : (0.2126 * rgb[0]! + 0.7152 * rgb[1]! + 0.0722 * rgb[2]!) / 255;
      });
    await page.getByRole('button', { name: 'Light theme' }).click();
    await page.locator('[data-testid="status-firewalld"][data-state="running"]').waitFor();
    expect(await bg()).toBeGreaterThan(0.6);
    await page.getByRole('button', { name: 'Dark theme' }).click();
    await expect.poll(bg).toBeLessThan(0.3);
    await page.getByRole('button', { name: 'Light theme' }).click();
  });

  it('reaches every page from the sidebar with Tab and Enter, and skips to the content', async () => {
    const { page } = app;
    await page.reload();
    await page.getByTestId('brand').waitFor();
    // The first Tab stop is the skip link; it moves focus into the page.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    const before = await page.getByTestId('page-main').getAttribute('data-page');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('hd-main-content');
    expect(await page.getByTestId('page-main').getAttribute('data-page')).toBe(before);
    for (const id of ['dns', 'kernel', 'compare', 'firewall']) {
      await tabTo(page, `[data-testid="nav-${id}"]`);
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByTestId('page-main').getAttribute('data-page')).toBe(id);
      await page.getByTestId(PAGES.find((p) => p.id === id)!.ready).first().waitFor();
    }
  });

  it('firewall by keyboard: Tab to the zone list, arrows to a zone, Enter opens it', async () => {
    const { page } = app;
    // The zone list is one Tab stop (roving tab index); arrow keys move inside it.
    await tabTo(page, '.hd-fw-list-item');
    for (let i = 0; i < 20 && !(await page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'fw-zone-home')); i++) {
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('fw-zone-home').getAttribute('aria-current')).toBe('true');
    expect(await page.getByRole('heading', { name: /Zone home/ }).count()).toBeGreaterThan(0);
  });

  it('DNS by keyboard: add a search domain with Enter, then apply a fix from its button', async () => {
    const { page } = app;
    await tabTo(page, '[data-testid="nav-dns"]', 80, true);
    await page.keyboard.press('Enter');
    await page.getByTestId('dns-lines').waitFor();
    await tabTo(page, '[data-testid="dns-new-search"]');
    await page.keyboard.type('lab.example');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('dns-raw').inputValue()).toContain('search corp.example # office lab.example\n');
    await tabTo(page, '[data-testid="dns-fix-line-5"][data-code="INLINE_COMMENT_SEARCH"]');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('dns-raw').inputValue()).toContain('# office lab.example\nsearch corp.example\n');
  });

  it('kernel by keyboard: / searches, Enter opens, arrows move, Tab reaches Add to profile; only the selected row is marked', async () => {
    const { page } = app;
    await tabTo(page, '[data-testid="nav-kernel"]', 120, true);
    await page.keyboard.press('Enter');
    await page.getByTestId('kernel-list').waitFor();
    await page.keyboard.press('/');
    await page.keyboard.type('net.ipv4.tcp_keepalive_');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('[role="option"][aria-selected="true"]').getAttribute('data-testid')).toBe('kernel-row-net.ipv4.tcp_keepalive_probes');
    // With the list focused, no other row carries the selection bar and the list has no inset ring on its edge.
    const marks = await page.getByTestId('kernel-list').evaluate((list) => ({
      focused: document.activeElement === list,
      listOutline: getComputedStyle(list).outlineStyle,
      tableOutline: getComputedStyle(list.closest('.hd-kernel-table')!).outlineStyle,
      barred: Array.from(list.querySelectorAll('[role="option"]')).filter((r) => getComputedStyle(r).boxShadow !== 'none').map((r) => r.getAttribute('data-testid')),
    }));
    expect(marks).toEqual({ focused: true, listOutline: 'none', tableOutline: 'solid', barred: ['kernel-row-net.ipv4.tcp_keepalive_probes'] });
    await tabTo(page, '[data-testid="kernel-detail-add"]');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('kernel-detail-add').textContent()).toBe('Update in profile');
  });

  it('kernel keys are whole at 1024×700', async () => {
    const { page } = app;
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.getByTestId('kernel-search').locator('input').fill('net.ipv6.conf.all.acc');
    await expect.poll(() => page.locator('[role="option"]').count()).toBeGreaterThan(5);
    const cut = await page.locator('.hd-kernel-key').evaluateAll((keys) =>
      keys.filter((k) => Array.from(k.children).some((c) => c.scrollWidth > c.clientWidth)).map((k) => k.textContent),
    );
    expect(cut).toEqual([]);
    expect(await page.locator('.hd-kernel-key').first().textContent()).toMatch(/^net\.ipv6\.conf\.all\.acc/);
    await page.setViewportSize({ width: 1360, height: 860 });
    expect(app.pageErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });
});
