import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';

describe('kernel page', () => {
  let app: E2eApp;
  beforeAll(async () => {
    app = await openApp({});
    await app.page.evaluate(() => {
      location.hash = '#/kernel';
    });
    await app.page.getByTestId('kernel-page').waitFor();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('searches a key and shows its Kubernetes verdict badge and detail', async () => {
    const { page } = app;
    await page.getByTestId('kernel-search').locator('input').fill('ip_local_port_range');
    const row = page.getByTestId('kernel-row-net.ipv4.ip_local_port_range');
    await row.waitFor();
    await expect(page.getByTestId('kernel-verdict-net.ipv4.ip_local_port_range').textContent()).resolves.toBe('safe');
    await row.click();
    await page.getByTestId('kernel-detail').waitFor();
    await expect(page.getByTestId('kernel-detail-psa').textContent()).resolves.toBe('allowed');
    await page.getByTestId('kernel-search').locator('input').fill('vm.max_map_count');
    await expect(page.getByTestId('kernel-verdict-vm.max_map_count').textContent()).resolves.toBe('node-level');
    // no CSP violations or script errors (the shell's own missing favicon is not ours)
    expect(app.pageErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });
});
