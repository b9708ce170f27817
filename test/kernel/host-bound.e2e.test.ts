import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost } from '../../electron/hosts/host';
import { openApp, type E2eApp } from '../support/e2e';
import { copyProcSysWithValues } from './support/procsys-copy';

/**
 * Issue #19 step 4: the Kernel page is bound to its host. Two cheap hosts on this machine
 * (each an image root with its own /proc/sys copy): an apply on A keeps its Undo on A; on B
 * nothing of it is offered; back on A, Undo puts back A's own value and B is never touched.
 */
describe('kernel: an apply and its Undo belong to the host they were made on', () => {
  let app: E2eApp;
  let dir = '';
  const ps = (h: 'a' | 'b') => path.join(dir, h, 'proc-sys');
  const value = (h: 'a' | 'b') => readFileSync(path.join(ps(h), 'vm/swappiness'), 'utf8').trim();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-host-bound-e2e-'));
    for (const [h, v] of [['a', '10'], ['b', '20']] as const) {
      copyProcSysWithValues(ps(h), /^(vm\/swappiness|kernel\/(osrelease|ostype))$/);
      writeFileSync(path.join(ps(h), 'vm/swappiness'), `${v}\n`);
      mkdirSync(path.join(dir, h, 'etc/sysctl.d'), { recursive: true });
    }
    app = await openApp({ procSys: ps('a'), root: path.join(dir, 'a') });
    app.runtime.hosts.add(
      createHost({ id: 'local:b', label: 'Image B', kind: 'local', root: path.join(dir, 'b'), procSys: ps('b'), privileged: process.getuid?.() === 0 }),
    );
    await app.page.goto(`${app.server.url}/#/kernel`);
    await app.page.getByTestId('kernel-page').waitFor();
  });
  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const switchTo = async (id: string) => {
    await app.page.getByTestId('host-selector').selectOption(id);
    await app.page.locator(`[data-testid="page-main"][data-host="${id}"]`).waitFor();
    await app.page.getByRole('tab', { name: /Profile, apply/ }).click();
  };

  it('applies on A, offers no Undo on B, and undoes A’s value back on A', async () => {
    const { page } = app;
    await switchTo('local');
    await page.getByTestId('kernel-profile-text').fill('vm.swappiness = 30');
    await page.getByTestId('kernel-apply').click();
    await page.getByTestId('kernel-apply-plan').waitFor();
    await page.getByTestId('kernel-apply-go').click();
    await page.getByTestId('kernel-apply-undo').waitFor();
    expect([value('a'), value('b')]).toEqual(['30', '20']);

    await switchTo('local:b');
    await page.getByTestId('kernel-profile-text').waitFor();
    // The profile is not tied to a host; the apply's outcome and its Undo are.
    expect(await page.getByTestId('kernel-profile-text').inputValue()).toContain('vm.swappiness');
    expect(await page.getByTestId('kernel-apply-result').count()).toBe(0);
    expect(await page.getByTestId('kernel-apply-undo').count()).toBe(0);

    await switchTo('local');
    await page.getByTestId('kernel-apply-undo').click();
    await page.getByTestId('kernel-undo-result').waitFor();
    expect([value('a'), value('b')]).toEqual(['10', '20']);
    expect(await page.getByTestId('kernel-apply-undo').count()).toBe(0);
    expect(app.pageErrors.filter((e) => !/status of 404|Failed to load resource/.test(e))).toEqual([]);
  });
});
