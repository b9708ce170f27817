import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { pagesOf } from '../support/pages';

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
    const { compare } = pagesOf(app.page);
    await compare.root.waitFor();
    await compare.importSnapshots([file('node-3.txt'), file('node-7.txt')]);
    await compare.grid('sysctl').waitFor({ timeout: 30_000 });
  });
  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const rowKeys = async () => {
    const { compare } = pagesOf(app.page);
    if (!(await compare.grid('sysctl').count())) return [];
    return compare.rowKeys('sysctl');
  };

  it('a text filter says it narrows every tab, counts what it hides per tab, and clears', async () => {
    const { page } = app;
    const { compare } = pagesOf(page);
    await expect.poll(rowKeys).toEqual(['net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_time']);
    expect(await compare.tab('sysctl').textContent()).toBe('Kernel parameters (2)');
    await compare.filter('fin_timeout');
    await expect.poll(rowKeys).toEqual(['net.ipv4.tcp_fin_timeout']);
    expect(await compare.tab('sysctl').textContent()).toBe('Kernel parameters (1 of 2)');
    expect(await compare.filterNote.textContent()).toMatch(/Filters apply to every tab: 1 differences of this tab are hidden/);
    await compare.filter('no-such-key');
    await compare.noRows.waitFor();
    expect(await compare.noRows.textContent()).toBe('No row here matches the filters.');
    await compare.filterClear.click();
    await expect.poll(rowKeys).toEqual(['net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_time']);
    expect(await compare.filterNote.count()).toBe(0);
  });

  it('keys absent on a host can be hidden', async () => {
    const { page } = app;
    const { compare } = pagesOf(page);
    await page.getByText('Hide keys some host lacks').click();
    await expect.poll(rowKeys).toEqual(['net.ipv4.tcp_fin_timeout']);
    expect(await compare.tab('sysctl').textContent()).toBe('Kernel parameters (1 of 2)');
    await page.getByText('Hide keys some host lacks').click();
    await expect.poll(rowKeys).toEqual(['net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_time']);
  });

  it('the compare set, imports included, and its filters survive a browser reload', async () => {
    const { page } = app;
    const { compare } = pagesOf(page);
    await compare.filter('tcp_');
    await page.reload();
    await compare.root.waitFor();
    await expect.poll(() => compare.hostColumns.count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(rowKeys, { timeout: 30_000 }).toEqual(['net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_time']);
    expect(await compare.filterValue()).toBe('tcp_');
    expect(await compare.gridHosts.allTextContents()).toEqual(['node-3 ★', 'node-7']);
  });

  it('Refresh marks the table it is about to replace as stale until the new reading is in', async () => {
    const { page } = app;
    const { compare } = pagesOf(page);
    // Hold the new readings until the page has been looked at.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/compare.capture', async (route) => {
      await held;
      await route.continue();
    });
    await compare.refresh();
    await compare.tableStale(true).waitFor();
    expect(await compare.stale.textContent()).toMatch(/Refreshing: the table shows the reading from before/);
    release();
    await compare.tableStale(false).waitFor({ timeout: 30_000 });
    expect(await compare.stale.count()).toBe(0);
    expect(app.pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
