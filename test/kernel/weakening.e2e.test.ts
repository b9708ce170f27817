import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { copyProcSysWithValues } from './support/procsys-copy';

/**
 * Issue #20 item 7 in the UI (Chromium, browser mode, a /proc/sys copy and a scratch root):
 * apply, save and undo of a security-weakening value each show what it weakens and go through
 * only after the admin ticks the confirmation; nothing is written before.
 */
describe('kernel: security-weakening values need an explicit confirmation', () => {
  let app: E2eApp;
  let dir = '';
  let ps = '';
  const live = (rel: string) => readFileSync(path.join(ps, rel), 'utf8').trim();
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-weak-e2e-'));
    ps = path.join(dir, 'proc-sys');
    copyProcSysWithValues(ps, /^(vm\/swappiness|kernel\/(kptr_restrict|osrelease|ostype))$/);
    writeFileSync(path.join(ps, 'kernel/kptr_restrict'), '1\n');
    writeFileSync(path.join(ps, 'vm/swappiness'), '10\n');
    mkdirSync(path.join(dir, 'etc/sysctl.d'), { recursive: true });
    app = await openApp({ procSys: ps, root: dir });
    await app.page.evaluate(() => {
      location.hash = '#/kernel';
    });
    await app.page.getByTestId('kernel-page').waitFor();
    await app.page.getByRole('tab', { name: /Profile, apply/ }).click();
  });
  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('Apply lists what each weakening value weakens and stays disabled until confirmed', async () => {
    const { page } = app;
    await page.getByTestId('kernel-profile-text').fill('vm.swappiness = 20\nkernel.kptr_restrict = 0');
    await page.getByTestId('kernel-apply').click();
    await page.getByTestId('kernel-apply-plan').waitFor();
    await expect(page.getByTestId('kernel-apply-weakening-kernel.kptr_restrict').textContent()).resolves.toMatch(/kernel\.kptr_restrict = 0: Kernel addresses become visible/);
    await expect(page.getByTestId('kernel-apply-weakening').textContent()).resolves.not.toContain('vm.swappiness');
    expect(await page.getByTestId('kernel-apply-go').isDisabled()).toBe(true);
    await page.getByTestId('kernel-apply-weakening-check').check();
    expect(await page.getByTestId('kernel-apply-go').isDisabled()).toBe(false);
    expect(live('kernel/kptr_restrict')).toBe('1'); // nothing written before confirming
    await page.getByTestId('kernel-apply-go').click();
    await page.getByTestId('kernel-apply-result').waitFor();
    expect([live('kernel/kptr_restrict'), live('vm/swappiness')]).toEqual(['0', '20']);
    // undo restores the stronger previous value: no question asked
    await page.getByTestId('kernel-apply-undo').click();
    await page.getByTestId('kernel-undo-result').waitFor();
    expect([live('kernel/kptr_restrict'), live('vm/swappiness')]).toEqual(['1', '10']);
  });

  it('Save to /etc/sysctl.d asks the same, and writes only after the confirmation', async () => {
    const { page } = app;
    const file = path.join(dir, 'etc/sysctl.d/90-hostdeck.conf');
    await page.getByTestId('kernel-profile-save').click();
    await page.getByTestId('kernel-save-weakening').waitFor();
    await expect(page.getByTestId('kernel-save-weakening-list-kernel.kptr_restrict').textContent()).resolves.toMatch(/Kernel addresses become visible/);
    expect(existsSync(file)).toBe(false);
    expect(await page.getByTestId('kernel-save-weakening-go').isDisabled()).toBe(true);
    await page.getByTestId('kernel-save-weakening-list-check').check();
    await page.getByTestId('kernel-save-weakening-go').click();
    await page.getByText(/Saved \/.*90-hostdeck\.conf$/).waitFor();
    expect(readFileSync(file, 'utf8')).toContain('kernel.kptr_restrict = 0\n');
  });

  it('Undo that would put a weak value back asks first', async () => {
    const { page } = app;
    writeFileSync(path.join(ps, 'kernel/kptr_restrict'), '0\n');
    await page.getByTestId('kernel-profile-text').fill('kernel.kptr_restrict = 2');
    await page.getByTestId('kernel-apply').click();
    await page.getByTestId('kernel-apply-plan').waitFor();
    expect(await page.getByTestId('kernel-apply-weakening').count()).toBe(0);
    await page.getByTestId('kernel-apply-go').click();
    await expect.poll(() => live('kernel/kptr_restrict')).toBe('2');
    await page.getByTestId('kernel-apply-undo').click();
    await page.getByTestId('kernel-undo-weakening').waitFor();
    expect(live('kernel/kptr_restrict')).toBe('2');
    await page.getByTestId('kernel-undo-weakening-list-check').check();
    await page.getByTestId('kernel-undo-weakening-go').click();
    await page.getByTestId('kernel-undo-result').waitFor();
    expect(live('kernel/kptr_restrict')).toBe('0');
    expect(app.pageErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });
});
