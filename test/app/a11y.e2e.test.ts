import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFirewalldSandbox, type FirewalldSandbox } from '../support/firewalld-sandbox';
import { axeViolations, duplicateNames, openApp, tabTo, type E2eApp } from '../support/e2e';
import { fw, fwAll } from '../firewall/fw-cmd';
import { pagesOf, type Pages } from '../support/pages';

/** Each page and what shows it has finished loading. */
const PAGES = [
  { id: 'firewall', ready: (p: Pages) => p.firewall.zone('public') },
  { id: 'dns', ready: (p: Pages) => p.dns.lines },
  { id: 'kernel', ready: (p: Pages) => p.kernel.list },
  { id: 'compare', ready: (p: Pages) => p.compare.root },
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
        const pages = pagesOf(page);
        await pages.shell.useTheme(theme);
        await pages.shell.open(p.id);
        await p.ready(pages).first().waitFor();
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
      const { shell, firewall, dns, kernel } = pagesOf(page);
      const check = async (where: string) => {
        const v = await axeViolations(page);
        expect(v, `${where}: ${JSON.stringify(v, null, 1)}`).toEqual([]);
      };
      await shell.useTheme(theme);
      await shell.open('kernel');
      await kernel.list.waitFor();
      await page.getByRole('tab', { name: /Configuration/ }).click();
      await kernel.effectiveEmpty.waitFor();
      await check('kernel configuration tab');
      await page.getByRole('tab', { name: /Profile/ }).click();
      await kernel.writeProfile('vm.swapiness = 1\nnet.core.somaxconn = 4096');
      await kernel.exportKubelet.click();
      await kernel.exportProblems.waitFor();
      await check('kernel export dialog');
      await kernel.closeExport();
      await page.getByRole('tab', { name: /Live parameters/ }).click();
      await shell.open('dns');
      await dns.editRaw(`${RESOLV}# edited\n`);
      await dns.save();
      await dns.review.waitFor();
      await check('DNS review dialog');
      await page.getByRole('button', { name: 'Keep editing' }).click();
      await dns.revert();
      await dns.revertConfirm.waitFor();
      await check('DNS revert dialog');
      await dns.discardDraft();
      await shell.open('firewall');
      await firewall.zone('public').waitFor();
    });
  }

  it('firewall dialogs and Differences, the DNS plan, Compare tabs and fix choices: no moderate+ axe violation, no duplicate names', async () => {
    const { page } = app;
    const { shell, firewall, safeApply, dns, compare } = pagesOf(page);
    const check = async (where: string) => {
      const v = await axeViolations(page, ['moderate', 'serious', 'critical']);
      // Soft: one run reports every place that fails.
      expect.soft(v, `${where}: ${JSON.stringify(v, null, 1)}`).toEqual([]);
      expect.soft(await duplicateNames(page), where).toEqual([]);
    };
    await shell.useTheme('light');
    await shell.open('firewall');
    await firewall.zone('public').waitFor();
    // Differences both ways, so the Reload dialog has all its parts.
    await fwAll(sb, ['--zone=public', '--add-port=4711/tcp'], ['--permanent', '--zone=public', '--add-service=imap']);
    await firewall.item('services', 'permanent', 'imap').waitFor({ timeout: 15_000 });
    await check('firewall page with differences');
    await firewall.reload.click();
    await firewall.reloadEffects.waitFor();
    await check('Reload dialog');
    await firewall.cancel();
    await firewall.runtimeToPermanent.click();
    await firewall.r2pEffects.waitFor();
    await check('Runtime → permanent dialog');
    await firewall.cancel();
    await page.getByRole('tab', { name: /Differences/ }).click();
    await firewall.differences.waitFor();
    await check('Differences tab');
    await page.getByRole('tab', { name: /Zones/ }).click();
    await firewall.addPort('4712');
    await safeApply.bar.waitFor();
    await check('zone editor with a pending change');
    await safeApply.discard();

    await shell.open('dns');
    await dns.planName.fill('api');
    await dns.planName.press('Enter');
    await dns.planResult.waitFor({ timeout: 15_000 });
    await check('DNS plan');

    // Compare: the live host against a snapshot taken before the firewall changed.
    const snapshot = await app.runtime.api.compare.snapshot({});
    // Two facts of one zone differ: two rows that choose "zone:public" for the fix.
    await fwAll(
      sb,
      ['--zone=public', '--add-port=4713/tcp'],
      ['--permanent', '--zone=public', '--add-port=4713/tcp'],
      ['--zone=public', '--add-service=ftp'],
      ['--permanent', '--zone=public', '--add-service=ftp'],
    );
    const file = join(root, 'before.hostdeck.json');
    writeFileSync(file, JSON.stringify(snapshot));
    await shell.open('compare');
    await compare.root.waitFor();
    await compare.addHost('local');
    await compare.importSnapshots([file]);
    await expect.poll(() => compare.hostColumns.count(), { timeout: 30_000 }).toBe(2);
    await compare.tab('firewall').click();
    await compare.rows.first().waitFor({ timeout: 30_000 });
    expect(await page.getByRole('checkbox', { name: /^Choose zone:public for the fix/ }).count()).toBeGreaterThan(1);
    await check('Compare, firewall section with fix choices');
    await fw(sb, '--reload');
  });

  it('the firewalld badge follows the dark theme instead of staying light green', async () => {
    const { page } = app;
    const { shell } = pagesOf(page);
    const bg = () =>
      shell.firewalldStatus.evaluate((e) => {
        const rgb = getComputedStyle(e.querySelector('.pf-v6-c-label__content')!, '::before').backgroundColor.match(/[\d.]+/g)!.map(Number);
        // Transparent (outline) shows the masthead; otherwise the relative luminance of the fill.
        return rgb[3] === 0 ? 0 : (0.2126 * rgb[0]! + 0.7152 * rgb[1]! + 0.0722 * rgb[2]!) / 255;
      });
    await shell.useTheme('light');
    await shell.firewalldStatusIn('running').waitFor();
    expect(await bg()).toBeGreaterThan(0.6);
    await shell.useTheme('dark');
    await expect.poll(bg).toBeLessThan(0.3);
    await shell.useTheme('light');
  });

  it('reaches every page from the sidebar with Tab and Enter, and skips to the content', async () => {
    const { page } = app;
    const { shell } = pagesOf(page);
    await page.reload();
    await shell.brand.waitFor();
    // The first Tab stop is the skip link; it moves focus into the page.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    const before = await shell.shownPage();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('hd-main-content');
    expect(await shell.shownPage()).toBe(before);
    for (const id of ['dns', 'kernel', 'compare', 'firewall']) {
      await tabTo(page, shell.navSelector(id));
      await page.keyboard.press('Enter');
      await expect.poll(() => shell.shownPage()).toBe(id);
      await PAGES.find((p) => p.id === id)!.ready(pagesOf(page)).first().waitFor();
    }
  });

  it('firewall by keyboard: Tab to the zone list, arrows to a zone, Enter opens it', async () => {
    const { page } = app;
    const { firewall } = pagesOf(page);
    // The zone list is one Tab stop (roving tab index); arrow keys move inside it.
    await tabTo(page, '.hd-fw-list-item');
    for (let i = 0; i < 20 && !(await firewall.zoneHasFocus('home')); i++) {
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
    await expect.poll(() => firewall.zone('home').getAttribute('aria-current')).toBe('true');
    expect(await page.getByRole('heading', { name: /Zone home/ }).count()).toBeGreaterThan(0);
  });

  it('DNS by keyboard: add a search domain with Enter, then apply a fix from its button', async () => {
    const { page } = app;
    const { shell, dns } = pagesOf(page);
    await tabTo(page, shell.navSelector('dns'), 80, true);
    await page.keyboard.press('Enter');
    await dns.lines.waitFor();
    await tabTo(page, dns.newSearchSelector);
    await page.keyboard.type('lab.example');
    await page.keyboard.press('Enter');
    await expect.poll(() => dns.raw.inputValue()).toContain('search corp.example # office lab.example\n');
    await tabTo(page, dns.fixSelector(5, 'INLINE_COMMENT_SEARCH'));
    await page.keyboard.press('Enter');
    await expect.poll(() => dns.raw.inputValue()).toContain('# office lab.example\nsearch corp.example\n');
  });

  it('kernel by keyboard: / searches, Enter opens, arrows move, Tab reaches Add to profile; only the selected row is marked', async () => {
    const { page } = app;
    const { shell, kernel } = pagesOf(page);
    await tabTo(page, shell.navSelector('kernel'), 120, true);
    await page.keyboard.press('Enter');
    await kernel.list.waitFor();
    await page.keyboard.press('/');
    await page.keyboard.type('net.ipv4.tcp_keepalive_');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => kernel.selectedKey()).toBe('net.ipv4.tcp_keepalive_probes');
    // With the list focused, no other row carries the selection bar and the list has no inset ring on its edge.
    const marks = {
      ...(await kernel.list.evaluate((list) => ({
        focused: document.activeElement === list,
        listOutline: getComputedStyle(list).outlineStyle,
        tableOutline: getComputedStyle(list.closest('.hd-kernel-table')!).outlineStyle,
      }))),
      barred: await kernel.barredKeys(),
    };
    expect(marks).toEqual({ focused: true, listOutline: 'none', tableOutline: 'solid', barred: ['net.ipv4.tcp_keepalive_probes'] });
    await tabTo(page, kernel.detailAddSelector);
    await page.keyboard.press('Enter');
    await expect.poll(() => kernel.detailAdd.textContent()).toBe('Update in profile');
  });

  it('kernel keys are whole at 1024×700', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await page.setViewportSize({ width: 1024, height: 700 });
    await kernel.filter('net.ipv6.conf.all.acc');
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
