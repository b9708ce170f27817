import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost } from '../../electron/hosts/host';
import { openApp, type E2eApp } from '../support/e2e';
import { pagesOf } from '../support/pages';
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
    await pagesOf(app.page).kernel.root.waitFor();
  });
  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const switchTo = async (id: string) => {
    const { shell, kernel } = pagesOf(app.page);
    await shell.switchHost(id);
    await shell.mainOnHost(id).waitFor();
    await kernel.openTab(/Profile, apply/);
  };

  it('applies on A, offers no Undo on B, and undoes A’s value back on A', async () => {
    const { kernel } = pagesOf(app.page);
    await switchTo('local');
    await kernel.writeProfile('vm.swappiness = 30');
    await kernel.planApply();
    await kernel.applyPlan.waitFor();
    await kernel.confirmApply();
    await kernel.applyUndo.waitFor();
    expect([value('a'), value('b')]).toEqual(['30', '20']);

    await switchTo('local:b');
    await kernel.profileText.waitFor();
    // The profile is not tied to a host; the apply's outcome and its Undo are.
    expect(await kernel.profileText.inputValue()).toContain('vm.swappiness');
    expect(await kernel.applyResult.count()).toBe(0);
    expect(await kernel.applyUndo.count()).toBe(0);

    await switchTo('local');
    await kernel.undo();
    await kernel.undoResult.waitFor();
    expect([value('a'), value('b')]).toEqual(['10', '20']);
    expect(await kernel.applyUndo.count()).toBe(0);
    expect(app.pageErrors.filter((e) => !/status of 404|Failed to load resource/.test(e))).toEqual([]);
  });
});
