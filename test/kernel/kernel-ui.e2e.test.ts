import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openApp, type E2eApp } from '../support/e2e';

const pageErrors = (app: E2eApp) => app.pageErrors.filter((e) => !/status of 404/.test(e));

describe('kernel page usability (root with an empty sysctl.d)', () => {
  let app: E2eApp;
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-kernel-ui-'));
    mkdirSync(path.join(dir, 'etc/sysctl.d'), { recursive: true });
    app = await openApp({ root: dir, procSys: '/proc/sys' });
    await app.page.evaluate(() => {
      location.hash = '#/kernel';
    });
    await app.page.getByTestId('kernel-list').waitFor();
  });
  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the column header and the current group visible while the list scrolls', async () => {
    const { page } = app;
    const header = page.getByTestId('kernel-list-header');
    const before = await header.boundingBox();
    await page.getByTestId('kernel-list').evaluate((e) => e.scrollTo(0, 6000));
    await expect.poll(async () => (await page.getByTestId('kernel-sticky-group').textContent()) ?? '').not.toMatch(/^abi /);
    expect(await header.boundingBox()).toEqual(before);
    expect(await header.textContent()).toBe('KeyLive valueNamespaceKubernetesSet in');
    // The sticky bar names the group of the rows at the top of the view.
    const group = ((await page.getByTestId('kernel-sticky-group').textContent()) ?? '').split(' ')[0]!;
    const firstVisible = await page.getByTestId('kernel-list').evaluate((list) => {
      const top = list.getBoundingClientRect().top + 40;
      const rows = Array.from(list.querySelectorAll('[role="option"]')) as HTMLElement[];
      return rows.find((r) => r.getBoundingClientRect().top >= top)?.dataset.testid ?? '';
    });
    expect(firstVisible.replace('kernel-row-', '').startsWith(`${group}.`)).toBe(true);
    await page.getByTestId('kernel-list').evaluate((e) => e.scrollTo(0, 0));
  });

  it('works from the keyboard: / focuses search, Enter opens the first match, arrows move, Escape clears', async () => {
    const { page } = app;
    await page.getByTestId('kernel-page').locator('h1').click();
    await page.keyboard.press('/');
    const search = page.getByTestId('kernel-search').locator('input');
    await expect.poll(() => search.evaluate((e) => e === document.activeElement)).toBe(true);
    await page.keyboard.type('net.core.somaxconn');
    await page.keyboard.press('Enter');
    await page.getByTestId('kernel-detail').waitFor();
    expect(await page.getByTestId('kernel-row-net.core.somaxconn').getAttribute('aria-selected')).toBe('true');
    expect(await page.getByTestId('kernel-detail-target').textContent()).toMatch(/^For Kubernetes 1\.33 on this host's kernel .*: a pod can set it only after the nodes allow it\.$/);
    expect(await page.getByTestId('kernel-detail-errors').textContent()).toContain('not allowlisted');
    await search.press('Escape');
    await expect.poll(() => search.inputValue()).toBe('');
    await search.fill('net.ipv4.tcp_keepalive_');
    await search.press('ArrowDown');
    await expect.poll(() => page.getByTestId('kernel-list').evaluate((e) => e === document.activeElement)).toBe(true);
    const selected = () => page.locator('[role="option"][aria-selected="true"]').getAttribute('data-testid');
    await expect.poll(selected).toBe('kernel-row-net.ipv4.tcp_keepalive_intvl');
    await page.keyboard.press('ArrowDown');
    await expect.poll(selected).toBe('kernel-row-net.ipv4.tcp_keepalive_probes');
    await page.keyboard.press('End');
    await expect.poll(selected).toBe('kernel-row-net.ipv4.tcp_keepalive_time');
    await page.keyboard.press('Home');
    await expect.poll(selected).toBe('kernel-row-net.ipv4.tcp_keepalive_intvl');
    await page.getByTestId('kernel-search').locator('input').fill('');
  });

  it('a node-level key says plainly that a pod cannot set it', async () => {
    const { page } = app;
    await page.getByTestId('kernel-search').locator('input').fill('vm.max_map_count');
    await page.getByTestId('kernel-search').locator('input').press('Enter');
    const answer = page.getByTestId('kernel-detail-answer');
    await expect.poll(() => answer.getAttribute('data-tone')).toBe('danger');
    expect(await page.getByTestId('kernel-detail-target').textContent()).toMatch(/: a pod cannot set it\.$/);
    expect(await answer.textContent()).toContain('Set it on the node');
  });

  it('shows a designed empty state, with a clear-filters action, when nothing matches', async () => {
    const { page } = app;
    await page.getByTestId('kernel-search').locator('input').fill('no-such-key-anywhere');
    await page.getByTestId('kernel-no-match').waitFor();
    await page.getByRole('button', { name: 'Clear search and filters' }).click();
    await page.getByTestId('kernel-list').waitFor();
    expect(await page.getByTestId('kernel-search').locator('input').inputValue()).toBe('');
  });

  it('explains an empty sysctl.d instead of showing empty headings', async () => {
    const { page } = app;
    await page.getByRole('tab', { name: /Configuration/ }).click();
    const empty = page.getByTestId('kernel-effective-empty');
    await empty.waitFor();
    expect(await empty.textContent()).toContain('No sysctl.d files');
    expect(await empty.textContent()).toContain('/etc/sysctl.d');
    await page.getByRole('tab', { name: /Profile/ }).click();
    // An empty profile cannot be applied or exported: the buttons say so by being disabled.
    await page.getByTestId('kernel-profile-text').waitFor();
    expect(await page.getByTestId('kernel-apply').isDisabled()).toBe(true);
    expect(await page.getByTestId('kernel-export-pod').isDisabled()).toBe(true);
    await page.getByTestId('kernel-profile-text').fill('net.ipv4.ip_local_port_range = 20000 30000');
    expect(await page.getByTestId('kernel-export-pod').isDisabled()).toBe(false);
    expect(pageErrors(app)).toEqual([]);
  });
});
