import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { pagesOf } from '../support/pages';

/**
 * Issue #22: an import of many hosts. The host cards are one row that scrolls sideways, so the
 * grid is on screen at once (wrapped, 50 cards pushed it ~1,900 px down), and a card out of view
 * is not rendered until it is scrolled to (the cards were 58% of the page's elements). The
 * workers that compress the upload are started with the page, not after the files are picked.
 */
describe('compare page: imports of many hosts', () => {
  let app: E2eApp;
  let dir: string;
  const HOSTS = 16;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-strip-e2e-'));
    app = await openApp({});
    const snap = await app.runtime.api.compare.snapshot({});
    // vm.swappiness differs on every host, so the grid (differences only) has a row.
    for (let i = 1; i <= HOSTS; i++) {
      const entries = snap.sysctl!.entries.map((e) => (e.key === 'vm.swappiness' ? { ...e, state: 'ok' as const, value: String(i) } : e));
      writeFileSync(path.join(dir, `node-${i}.json`), JSON.stringify({ ...snap, identity: { ...snap.identity, hostname: `node-${i}` }, sysctl: { ...snap.sysctl!, entries } }));
    }
    await app.page.evaluate(() => {
      location.hash = '#/compare';
    });
    await pagesOf(app.page).compare.root.waitFor();
  });
  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the grid without scrolling and renders only the host cards in view', async () => {
    const { compare } = pagesOf(app.page);
    await compare.importSnapshots(Array.from({ length: HOSTS }, (_, i) => path.join(dir, `node-${i + 1}.json`)));
    await expect.poll(() => compare.hostColumns.count()).toBe(HOSTS);
    // The first grid row is on the screen as the import shows it (wrapped, 16 cards put it at ~1,200 px of 860).
    const box = await compare.firstRowBox('sysctl');
    expect(box.top).toBeLessThan(box.viewport);
    // Every card is there (in order), the first ones rendered, the ones out of view not yet.
    expect(await compare.comparedHosts()).toEqual(Array.from({ length: HOSTS }, (_, i) => `snapshot:node-${i + 1}`));
    const rendered = await compare.hostCardsRendered();
    expect(rendered[0]).toBe(true);
    expect(rendered.at(-1)).toBe(false);
    // A card out of view works as any: scrolled to, it renders, and it becomes the baseline.
    await compare.makeBaseline(`snapshot:node-${HOSTS}`);
    await expect.poll(async () => (await compare.hostCardsRendered()).at(-1)).toBe(true);
    await expect.poll(() => compare.summary.textContent()).toContain(`baseline node-${HOSTS}:`);
    expect(app.pageErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });

  it('starts the workers that compress an import with the page: picking files starts none', async () => {
    const { compare } = pagesOf(app.page);
    // Two gzip workers wait while the Compare page is shown (a worker's start was in front of every import).
    await expect.poll(() => compare.workerCount()).toBe(2);
    const files = [HOSTS + 1, HOSTS + 2].map((i) => path.join(dir, `node-${i}.json`));
    for (const f of files) writeFileSync(f, readFileSync(path.join(dir, 'node-1.json')));
    const started = await compare.workersStartedDuring(async () => {
      await compare.importSnapshots(files);
      await expect.poll(() => compare.hostColumns.count()).toBe(HOSTS + 2);
    });
    expect(started).toBe(0);
    // Imported as before, and the workers stay for the next import.
    expect((await compare.comparedHosts()).slice(-2)).toEqual([`snapshot:node-${HOSTS + 1}`, `snapshot:node-${HOSTS + 2}`]);
    expect(compare.workerCount()).toBe(2);
    expect(app.pageErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });
});
