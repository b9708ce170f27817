import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import type { BenchReporter } from './harness';

const root = resolve(import.meta.dirname, '../..');

/**
 * The Kernel page with a cold browser cache, as an admin opening it through browser mode: from
 * navigation to the first parameter row, in Chromium (a fresh context per run: no HTTP cache).
 * Anchors in the same run: the same login page to the app shell (every page's floor: HTML +
 * bundle), and the `kernel.list` answer fetched alone by that page (the data's floor).
 */
export default async function bench(r: BenchReporter): Promise<void> {
  const child = spawn(process.execPath, [join(root, 'out/main/cli.js'), 'serve', '--port', '0'], {
    env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  try {
    const line = await new Promise<string>((res, rej) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => ((out += d.toString()), out.includes('\n') && res(out)));
      child.once('exit', (c) => rej(new Error(`serve exited ${c}`)));
    });
    const [, base, token] = /(http:\/\/\S+?\/)\?token=(\S+)/.exec(line)!;
    const runs = 5;
    const page: number[] = [];
    const shell: number[] = [];
    const payload: number[] = [];
    let bytes = { transferred: 0, decoded: 0 };
    for (let i = 0; i < runs + 1; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1360, height: 860 } });
      const p = await ctx.newPage();
      // Log in first (the cookie), then measure a cold navigation to the Kernel page.
      await p.goto(`${base}?token=${token}`);
      await p.getByTestId('nav-kernel').or(p.locator('a[href="#/kernel"]')).first().waitFor();
      const ctx2 = await browser.newContext({ viewport: { width: 1360, height: 860 }, storageState: await ctx.storageState() });
      await ctx.close();
      const q = await ctx2.newPage();
      let t = performance.now();
      await q.goto(`${base}#/kernel`);
      await q.locator('[data-testid^="kernel-row-"]').first().waitFor();
      const pageMs = performance.now() - t;
      const res = await q.evaluate(() => (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((e) => e.name.includes('/assets/') || e.name.includes('/api/kernel.list')).map((e) => [e.transferSize, e.decodedBodySize]));
      // Anchor: the same page's shell alone (cold, another context) and the payload alone.
      const ctx3 = await browser.newContext({ viewport: { width: 1360, height: 860 }, storageState: await ctx2.storageState() });
      await ctx2.close();
      const s = await ctx3.newPage();
      t = performance.now();
      await s.goto(`${base}#/hosts`);
      await s.locator('a[href="#/kernel"]').first().waitFor();
      const shellMs = performance.now() - t;
      const fetchMs = await s.evaluate(async () => {
        const t0 = performance.now();
        const a = await fetch('/api/kernel.list', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"input":{}}' });
        await a.json();
        return performance.now() - t0;
      });
      await ctx3.close();
      if (i === 0) continue; // warm-up (the server's first kernel.list, the OS page cache)
      page.push(pageMs);
      shell.push(shellMs);
      payload.push(fetchMs);
      bytes = { transferred: res.reduce((a, [x]) => a + x!, 0), decoded: res.reduce((a, [, y]) => a + y!, 0) };
    }
    const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
    r.note(`kernel page: ${(bytes.transferred / 1024).toFixed(0)} KiB transferred for the bundle and kernel.list (${(bytes.decoded / 1024).toFixed(0)} KiB decoded)`);
    r.value('kernel page: cold cache, navigation to the first row', med(page), 'goal < 1000 ms');
    r.ratio('kernel page: cold, to the first row', med(page), 'the app shell alone (cold)', med(shell));
    r.ratio('kernel page: cold, to the first row', med(page), 'shell + kernel.list fetched alone', med(shell) + med(payload));
  } finally {
    await browser.close();
    child.kill('SIGTERM');
  }
}
