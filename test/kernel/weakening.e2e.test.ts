import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { copyProcSysWithValues } from './support/procsys-copy';
import { pagesOf } from '../support/pages';

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
    await pagesOf(app.page).kernel.root.waitFor();
    await app.page.getByRole('tab', { name: /Profile, apply/ }).click();
  });
  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('Apply lists what each weakening value weakens and stays disabled until confirmed', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await kernel.writeProfile('vm.swappiness = 20\nkernel.kptr_restrict = 0');
    await kernel.planApply();
    await kernel.applyPlan.waitFor();
    await expect(kernel.applyWeakeningEntry('kernel.kptr_restrict').textContent()).resolves.toMatch(/kernel\.kptr_restrict = 0: Kernel addresses become visible/);
    await expect(kernel.applyWeakening.textContent()).resolves.not.toContain('vm.swappiness');
    expect(await kernel.confirmApplyButton.isDisabled()).toBe(true);
    await kernel.applyWeakeningAcknowledge.check();
    expect(await kernel.confirmApplyButton.isDisabled()).toBe(false);
    expect(live('kernel/kptr_restrict')).toBe('1'); // nothing written before confirming
    await kernel.confirmApply();
    await kernel.applyResult.waitFor();
    expect([live('kernel/kptr_restrict'), live('vm/swappiness')]).toEqual(['0', '20']);
    // undo restores the stronger previous value: no question asked
    await kernel.undo();
    await kernel.undoResult.waitFor();
    expect([live('kernel/kptr_restrict'), live('vm/swappiness')]).toEqual(['1', '10']);
  });

  it('Save to /etc/sysctl.d asks the same, and writes only after the confirmation', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    const file = path.join(dir, 'etc/sysctl.d/90-hostdeck.conf');
    await kernel.saveProfile();
    await kernel.saveWeakening.waitFor();
    await expect(kernel.saveWeakeningEntry('kernel.kptr_restrict').textContent()).resolves.toMatch(/Kernel addresses become visible/);
    expect(existsSync(file)).toBe(false);
    expect(await kernel.saveWeakeningConfirm.isDisabled()).toBe(true);
    await kernel.saveWeakeningAcknowledge.check();
    await kernel.saveWeakeningConfirm.click();
    await page.getByText(/Saved \/.*90-hostdeck\.conf$/).waitFor();
    expect(readFileSync(file, 'utf8')).toContain('kernel.kptr_restrict = 0\n');
  });

  it('Undo that would put a weak value back asks first', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    writeFileSync(path.join(ps, 'kernel/kptr_restrict'), '0\n');
    await kernel.writeProfile('kernel.kptr_restrict = 2');
    await kernel.planApply();
    await kernel.applyPlan.waitFor();
    expect(await kernel.applyWeakening.count()).toBe(0);
    await kernel.confirmApply();
    await expect.poll(() => live('kernel/kptr_restrict')).toBe('2');
    await kernel.undo();
    await kernel.undoWeakening.waitFor();
    expect(live('kernel/kptr_restrict')).toBe('2');
    await kernel.undoWeakeningAcknowledge.check();
    await kernel.undoWeakeningConfirm.click();
    await kernel.undoResult.waitFor();
    expect(live('kernel/kptr_restrict')).toBe('0');
    expect(app.pageErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });
});
