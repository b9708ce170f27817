import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { writeFleet, type Planted } from '../support/fleet';
import { pagesOf } from '../support/pages';

/**
 * The fleet summary on the Compare page in Chromium: 1,000 snapshot files (this machine's real
 * snapshot, outliers planted by seed) summarized from their directory on the Node side, the
 * outliers listed first, the filter, and a kind opened side by side in the grid.
 */
describe('compare page: fleet summary of 1,000 hosts', () => {
  let app: E2eApp;
  let p: Planted;
  const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-fleet-e2e-'));

  beforeAll(async () => {
    app = await openApp({});
    p = writeFleet(await app.runtime.api.compare.snapshot({}), dir, 1000, 7);
    await app.page.evaluate(() => {
      location.hash = '#/compare';
    });
    await pagesOf(app.page).compare.root.waitFor();
  }, 300_000);
  afterAll(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('summarizes the directory: outliers first, exact counts, folded ranges, kinds', async () => {
    const { compare } = pagesOf(app.page);
    await compare.summarizeDir(dir);
    await expect.poll(() => compare.summaryHeadline.textContent(), { timeout: 240_000 }).toMatch(/^1,000 hosts, 6 of [\d,]+ keys differ; \d+ kinds of host: \d+/);
    // The rarest value first: net.core.somaxconn, absent on exactly one host.
    const first = compare.summaryRows.first();
    expect(await first.getAttribute('data-key')).toBe('net.core.somaxconn');
    expect(await first.getAttribute('data-count')).toBe('1');
    expect(await first.textContent()).toContain(p.names[p.truth.nosomaxconn[0]!]!);
    const kinds = await compare.summaryKindCounts();
    expect(kinds.reduce((a, b) => a + b, 0)).toBe(1000);
  });

  it('filters the list to one key and opens a kind side by side', async () => {
    const { compare } = pagesOf(app.page);
    await compare.summaryFilter.fill('swappiness');
    await expect.poll(() => compare.summaryRowCounts()).toEqual(['vm.swappiness 30', 'vm.swappiness 970']);
    expect(await compare.summaryRows.first().textContent()).toContain('web-[0017-0046]');
    // The kind of the 30 hosts (nothing else planted on them with this seed): with a host of the majority as baseline, only
    // vm.swappiness differs (the hostname is an identity: no difference in the grid either).
    await compare.summaryKind(30).click();
    await expect.poll(() => compare.hostColumns.count(), { timeout: 120_000 }).toBe(31);
    await compare.grid('sysctl').waitFor({ timeout: 120_000 });
    await expect.poll(() => compare.rowKeys('sysctl'), { timeout: 60_000 }).toEqual(['vm.swappiness']);
    expect(app.pageErrors).toEqual([]);
  });
});
