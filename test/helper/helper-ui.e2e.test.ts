import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { copyProcSysWithValues } from '../kernel/support/procsys-copy';
import { pagesOf } from '../support/pages';

/**
 * The UI of privileged changes in Chromium, against browser mode on a scratch root with a copy
 * of /proc/sys (the helper runs with --root/--proc-sys; nothing reaches this machine):
 * "revert unless confirmed" reverts by itself, or is kept; raw HTTP callers cannot make
 * HostDeck read or write files outside the resolver allow-list.
 */
describe('privileged changes in the UI', () => {
  let app: E2eApp;
  let dir = '';
  let ps = '';
  const somaxconn = () => readFileSync(path.join(ps, 'net/core/somaxconn'), 'utf8').trim();
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-helper-ui-'));
    mkdirSync(path.join(dir, 'etc/sysctl.d'), { recursive: true });
    writeFileSync(path.join(dir, 'etc/resolv.conf'), 'nameserver 192.0.2.1\n');
    writeFileSync(path.join(dir, 'etc/shadow'), 'root:secret-hash:19000::::::\n');
    ps = path.join(dir, 'proc-sys');
    copyProcSysWithValues(ps, /^net\/core\//);
    writeFileSync(path.join(ps, 'net/core/somaxconn'), '4096\n');
    app = await openApp({ root: dir, procSys: ps });
    await app.page.evaluate(() => {
      location.hash = '#/kernel';
    });
    await app.page.getByRole('tab', { name: /Profile/ }).click();
    await pagesOf(app.page).kernel.profileText.waitFor();
  });
  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function applyWithRevert(value: string) {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await kernel.writeProfile(`net.core.somaxconn = ${value}`);
    await kernel.planApply();
    await kernel.applyPlan.waitFor();
    await kernel.confirmApplyWithRevert(5);
    await kernel.revertPending.waitFor();
  }

  it('an apply not confirmed in time reverts by itself, and the page says so', async () => {
    await applyWithRevert('1111');
    expect(somaxconn()).toBe('1111');
    // The outcome shown is the final one: the apply's own result now says it was reverted.
    const done = pagesOf(app.page).kernel.applyResultEnded('reverted');
    await done.waitFor({ timeout: 30_000 });
    expect(await done.textContent()).toMatch(/Reverted/);
    expect(somaxconn()).toBe('4096');
  });

  it('"Keep these values" stops the timer: the value stays', async () => {
    await applyWithRevert('2222');
    await pagesOf(app.page).kernel.keep();
    const done = pagesOf(app.page).kernel.revertDone;
    await done.waitFor();
    expect(await done.textContent()).toMatch(/Kept/);
    expect(somaxconn()).toBe('2222');
  });

  it('raw HTTP: dns.read/check refuse paths outside the resolver files; dns.save writes only /etc/resolv.conf', async () => {
    const call = async (op: string, input: unknown) => {
      const r = await fetch(new URL(`/api/${op}`, app.server.url), { method: 'POST', headers: { Authorization: `Bearer ${app.server.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ input }) });
      return (await r.json()) as { ok: boolean; error?: { code: string; message: string }; result?: unknown };
    };
    for (const p of ['/etc/shadow', 'etc/shadow', '/etc/./resolv.conf', '/proc/self/environ']) {
      const r = await call('dns.read', { path: p });
      expect(r.ok, p).toBe(false);
      expect(r.error!.code, p).toBe('NOT_AUTHORIZED');
      expect(JSON.stringify(r)).not.toContain('secret-hash');
      expect((await call('dns.check', { path: p })).error?.code, p).toBe('NOT_AUTHORIZED');
    }
    expect((await call('dns.read', { path: '/etc/resolv.conf' })).ok).toBe(true);
    const w = await call('dns.save', { path: '/etc/shadow', text: 'nameserver 6.6.6.6\n', expectedSha256: null });
    expect(w.error?.code).toBe('INVALID_VALUE');
    expect(readFileSync(path.join(dir, 'etc/shadow'), 'utf8')).toBe('root:secret-hash:19000::::::\n');
    expect(app.pageErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });
});
