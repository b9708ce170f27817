import { readFileSync } from 'node:fs';
import path from 'node:path';
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
  let js: { name: string; bytes: number; text: string }[] = [];
  let listHeaders: Record<string, string> | undefined;
  beforeAll(async () => {
    app = await openApp({});
    const ctx = await app.browser.newContext({ viewport: { width: 1360, height: 860 }, storageState: await app.page.context().storageState() });
    const page = await ctx.newPage();
    const seen: Promise<{ name: string; bytes: number; text: string }>[] = [];
    page.on('response', (r) => {
      const name = new URL(r.url()).pathname;
      if (name.endsWith('.js')) seen.push(r.body().then((b) => ({ name: name.split('/').pop()!, bytes: b.length, text: b.toString() }), () => ({ name, bytes: 0, text: '' })));
      if (name === '/api/kernel.list') seen.push(r.allHeaders().then((h) => ((listHeaders = h), { name: '', bytes: 0, text: '' })));
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

  it('needs neither zod nor the contract nor the tabs it does not open on for its first rows', () => {
    // Each marker is a string only that code carries (minified names change, strings stay).
    const markers = {
      zod: '$ZodObject',
      'the kernel contract': 'Live kernel parameters of the host, with namespace', // kernel.list's summary
      'the Configuration & drift tab': 'kernel-effective',
      'the Profile tab': 'kernel-profile-text',
      'the Namespaces tab': 'kernel-probe-unavailable',
      'a selected parameter\'s detail': 'kernel-detail-sandbox',
    };
    for (const [what, marker] of Object.entries(markers)) {
      expect(js.filter((j) => j.text.includes(marker)).map((j) => j.name), what).toEqual([]);
    }
  });

  it('a part of the page whose chunk could not be fetched says so in its place; the list stays usable', async () => {
    // The detail's chunk fails (the server went away meanwhile): the pane says what failed, with
    // Try again, instead of taking the page down; the rows are still there and selectable.
    const ctx = await app.browser.newContext({ viewport: { width: 1360, height: 860 }, storageState: await app.page.context().storageState() });
    try {
      const page = await ctx.newPage();
      await page.route(
        (url) => /\/assets\/DetailPanel-[^/]*\.js$/.test(url.pathname),
        (route) => route.abort('connectionreset'),
      );
      await page.goto(`${app.server.url}#/kernel`);
      const k = new KernelPage(page);
      await k.rows.first().click();
      const failed = k.partLoadError;
      await expect.poll(() => failed.textContent(), { timeout: 30_000 }).toContain('The parameter detail could not be loaded');
      expect(await failed.getByRole('button', { name: 'Try again' }).count()).toBe(1);
      await k.rows.nth(1).click();
      await expect.poll(() => k.selectedKey()).toBe(await k.keyAt(1));
      expect(await k.root.count()).toBe(1);
    } finally {
      await ctx.close();
    }
  });

  it('asks for kernel.list while its page chunk is still on the way, and only once', async () => {
    // The page chunk is held until kernel.list has been asked for (at most 5 s): only a shell
    // that starts the page's first read itself can ask while the chunk is held.
    const ctx = await app.browser.newContext({ viewport: { width: 1360, height: 860 }, storageState: await app.page.context().storageState() });
    try {
      const page = await ctx.newPage();
      let lists = 0;
      let listAsked!: () => void;
      const asked = new Promise<void>((res) => (listAsked = res));
      page.on('request', (r) => {
        if (new URL(r.url()).pathname === '/api/kernel.list') {
          lists++;
          listAsked();
        }
      });
      let askedWhileHeld: boolean | undefined;
      await page.route(
        (url) => /\/assets\/KernelPage-[^/]*\.js$/.test(url.pathname),
        async (route) => {
          askedWhileHeld = await Promise.race([asked.then(() => true), new Promise<boolean>((res) => setTimeout(() => res(false), 5000))]);
          await route.continue();
        },
      );
      await page.goto(`${app.server.url}#/kernel`);
      await new KernelPage(page).rows.first().waitFor();
      expect(askedWhileHeld).toBe(true);
      expect(lists).toBe(1);
    } finally {
      await ctx.close();
    }
  });

  it('the entry chunk is small and sends kernel.list before the shell and the contract have arrived', async () => {
    // Every script but the entry (the one index.html names) is held until kernel.list has been
    // asked for (at most 5 s): only an entry that sends the first read itself, before importing
    // React, PatternFly, zod and the contract, can ask while they are held.
    const ctx = await app.browser.newContext({ viewport: { width: 1360, height: 860 }, storageState: await app.page.context().storageState() });
    try {
      const page = await ctx.newPage();
      // The entry as the built page names it, known before the page asks for it (reading it from
      // the served page's response raced the entry's own request).
      const html = readFileSync(path.resolve('out/renderer/index.html'), 'utf8');
      const entry = /<script type="module"[^>]*src="\.?\/?(assets\/[^"]+\.js)"/.exec(html)?.[1] ?? '';
      let entryBytes = 0;
      let listAsked!: () => void;
      const asked = new Promise<void>((res) => (listAsked = res));
      page.on('request', (r) => new URL(r.url()).pathname === '/api/kernel.list' && listAsked());
      const held: boolean[] = [];
      await page.route(
        (url) => url.pathname.startsWith('/assets/') && url.pathname.endsWith('.js'),
        async (route) => {
          const requested = new URL(route.request().url()).pathname;
          if (entry && requested === `/${entry}`) {
            const res = await route.fetch();
            entryBytes = (await res.body()).length;
            return route.fulfill({ response: res });
          }
          held.push(await Promise.race([asked.then(() => true), new Promise<boolean>((res) => setTimeout(() => res(false), 5000))]));
          await route.continue();
        },
      );
      await page.goto(`${app.server.url}#/kernel`);
      await new KernelPage(page).rows.first().waitFor();
      expect(entry).toMatch(/^assets\/index-.*\.js$/);
      expect(held.length).toBeGreaterThan(0);
      expect(held.every(Boolean), 'a script other than the entry was needed before kernel.list went out').toBe(true);
      // The entry was 708 KB (the shell, React, PatternFly, zod and every contract).
      expect(entryBytes).toBeGreaterThan(0);
      expect(entryBytes).toBeLessThan(64 * 1024);
    } finally {
      await ctx.close();
    }
  });

  it('kernel.list arrives compressed (the browser accepts br)', () => {
    expect(listHeaders).toBeDefined();
    expect(listHeaders!['content-encoding']).toBe('br');
    expect(Number(listHeaders!['content-length'])).toBeLessThan(100 * 1024);
  });
});
