import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { KernelPage } from '../support/pages/kernel';

/**
 * The Kernel page opened cold (a new browser context: no HTTP cache) loads the shell and its
 * own chunk, not the other pages' code, and its 470 KB `kernel.list` comes compressed. Sizes and
 * names only: the time it takes is `npm run bench kernel-page`'s business.
 */
describe('kernel page, cold start', () => {
  let app: E2eApp;
  let js: { name: string; bytes: number }[] = [];
  let listHeaders: Record<string, string> | undefined;
  beforeAll(async () => {
    app = await openApp({});
    const ctx = await app.browser.newContext({ viewport: { width: 1360, height: 860 }, storageState: await app.page.context().storageState() });
    const page = await ctx.newPage();
    const seen: Promise<{ name: string; bytes: number }>[] = [];
    page.on('response', (r) => {
      const name = new URL(r.url()).pathname;
      if (name.endsWith('.js')) seen.push(r.body().then((b) => ({ name: name.split('/').pop()!, bytes: b.length }), () => ({ name, bytes: 0 })));
      if (name === '/api/kernel.list') seen.push(r.allHeaders().then((h) => ((listHeaders = h), { name: '', bytes: 0 })));
    });
    await page.goto(`${app.server.url}#/kernel`);
    await new KernelPage(page).rows.first().waitFor();
    // What arrived up to the first rows (the other pages' chunks are prefetched seconds later).
    const upToFirstRow = seen.slice();
    js = (await Promise.all(upToFirstRow)).filter((j) => j.name);
    await ctx.close();
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  it('loads the Kernel page chunk and none of the other pages', () => {
    const names = js.map((j) => j.name);
    expect(names.some((n) => n.startsWith('KernelPage-')), names.join(' ')).toBe(true);
    for (const other of ['FirewallPage-', 'ComparePage-', 'DnsPage-', 'HostsPage-']) expect(names.filter((n) => n.startsWith(other)), other).toEqual([]);
    const total = js.reduce((a, j) => a + j.bytes, 0);
    // The single bundle was 3.3 MB; the shell and this page are well under that.
    expect(total).toBeLessThan(2.5 * 1024 * 1024);
  });

  it('kernel.list arrives compressed (the browser accepts br)', () => {
    expect(listHeaders).toBeDefined();
    expect(listHeaders!['content-encoding']).toBe('br');
    expect(Number(listHeaders!['content-length'])).toBeLessThan(100 * 1024);
  });
});
