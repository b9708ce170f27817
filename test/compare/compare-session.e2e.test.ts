import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';

/**
 * The Compare page as a session: filters say that they narrow every tab, keys a host lacks can
 * be hidden, the compare set (imports included) survives a browser reload, and Refresh marks
 * the table it is about to replace.
 */
describe('compare session', () => {
  let app: E2eApp;
  let dir: string;
  const file = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-compare-session-'));
    // Real `sysctl -a` of two private network namespaces: the second has tcp_fin_timeout changed and lacks tcp_keepalive_time.
    const a = spawnSync('unshare', ['-n', 'sysctl', '-a'], { encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
    const b = spawnSync('unshare', ['-n', 'sh', '-c', 'sysctl -q -w net.ipv4.tcp_fin_timeout=17 && sysctl -a'], { encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
    if (a.status !== 0 || b.status !== 0) throw new Error(`sysctl -a failed: ${a.stderr}${b.stderr}`);
    writeFileSync(file('node-3.txt'), a.stdout);
    writeFileSync(file('node-7.txt'), b.stdout.split('\n').filter((l) => !l.startsWith('net.ipv4.tcp_keepalive_time ')).join('\n'));
    app = await openApp({});
    await app.page.evaluate(() => {
      location.hash = '#/compare';
    });
    await app.page.getByTestId('compare-page').waitFor();
    await app.page.getByTestId('compare-import-input').setInputFiles([file('node-3.txt'), file('node-7.txt')]);
    await app.page.getByTestId('compare-grid-sysctl').waitFor({ timeout: 30_000 });
  });
  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const rowKeys = async () => {
    const grid = app.page.getByTestId('compare-grid-sysctl');
    if (!(await grid.count())) return [];
    return grid.getByTestId('grid-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.key));
  };

  it('a text filter says it narrows every tab, counts what it hides per tab, and clears', async () => {
    const { page } = app;
    await expect.poll(rowKeys).toEqual(['net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_time']);
    expect(await page.getByTestId('compare-tab-sysctl').textContent()).toBe('Kernel parameters (2)');
    await page.getByTestId('compare-filter-text').locator('input').fill('fin_timeout');
    await expect.poll(rowKeys).toEqual(['net.ipv4.tcp_fin_timeout']);
    expect(await page.getByTestId('compare-tab-sysctl').textContent()).toBe('Kernel parameters (1 of 2)');
    expect(await page.getByTestId('compare-filter-note').textContent()).toMatch(/Filters apply to every tab: 1 differences of this tab are hidden/);
    await page.getByTestId('compare-filter-text').locator('input').fill('no-such-key');
    await page.getByTestId('compare-no-rows').waitFor();
    expect(await page.getByTestId('compare-no-rows').textContent()).toBe('No row here matches the filters.');
    await page.getByTestId('compare-filter-clear').click();
    await expect.poll(rowKeys).toEqual(['net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_time']);
    expect(await page.getByTestId('compare-filter-note').count()).toBe(0);
  });

  it('keys absent on a host can be hidden', async () => {
    const { page } = app;
    await page.getByText('Hide keys some host lacks').click();
    await expect.poll(rowKeys).toEqual(['net.ipv4.tcp_fin_timeout']);
    expect(await page.getByTestId('compare-tab-sysctl').textContent()).toBe('Kernel parameters (1 of 2)');
    await page.getByText('Hide keys some host lacks').click();
    await expect.poll(rowKeys).toEqual(['net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_time']);
  });

  it('the compare set, imports included, and its filters survive a browser reload', async () => {
    const { page } = app;
    await page.getByTestId('compare-filter-text').locator('input').fill('tcp_');
    await page.reload();
    await page.getByTestId('compare-page').waitFor();
    await expect.poll(() => page.getByTestId('compare-host').count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(rowKeys, { timeout: 30_000 }).toEqual(['net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_time']);
    expect(await page.getByTestId('compare-filter-text').locator('input').inputValue()).toBe('tcp_');
    expect(await page.getByTestId('grid-host').allTextContents()).toEqual(['node-3 ★', 'node-7']);
  });

  it('Refresh marks the table it is about to replace as stale until the new reading is in', async () => {
    const { page } = app;
    // Hold the new readings until the page has been looked at.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/compare.capture', async (route) => {
      await held;
      await route.continue();
    });
    await page.getByTestId('compare-refresh').click();
    await page.locator('[data-testid="compare-table"][data-stale="true"]').waitFor();
    expect(await page.getByTestId('compare-stale').textContent()).toMatch(/Refreshing: the table shows the reading from before/);
    release();
    await page.locator('[data-testid="compare-table"][data-stale="false"]').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('compare-stale').count()).toBe(0);
    expect(app.pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
