import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { pagesOf } from '../support/pages';

/**
 * The History page in Chromium (browser mode) on a scratch root: a resolv.conf change made on
 * the DNS page appears in the timeline, its difference shows in Compare's grid, and "back to
 * this point" returns the file (checked with cat, not with HostDeck's reader). With history off
 * the page says so.
 */
const ORIGINAL = 'nameserver 192.0.2.53\nsearch example.org\n';
const errorsOf = (app: E2eApp) => app.pageErrors.filter((e) => !/status of 404/.test(e));

// One Chromium for the file: the app with history on starts it, the app with history off opens a page in it.
let app: E2eApp;

describe('History page: a DNS change, its difference, and back to the point before it', () => {
  let work = '';
  let root = '';
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'hostdeck-history-page-'));
    root = join(work, 'root');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc/resolv.conf'), ORIGINAL);
    app = await openApp({ root }, '', { history: { dir: join(work, 'history') } });
    await pagesOf(app.page).shell.open('dns');
    await pagesOf(app.page).dns.lines.waitFor();
  }, 60_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('a nameserver added on the DNS page is a HostDeck change in the timeline, with who and what changed', async () => {
    const { dns, shell, history } = pagesOf(app.page);
    await dns.addNameserver('198.51.100.7');
    await dns.save();
    await dns.write();
    await dns.saved.waitFor();
    expect(readFileSync(join(root, 'etc/resolv.conf'), 'utf8')).toContain('nameserver 198.51.100.7');
    await shell.open('history');
    await history.root.waitFor();
    // The DNS timeline (the app opened on the Firewall page first: its read is a point of its own).
    await history.filterFeature.selectOption('dns');
    const change = history.pointsBy('dns.save').first();
    await change.waitFor();
    expect(await change.getAttribute('data-kind')).toBe('change');
    expect(await history.who(change).textContent()).toMatch(/^by \S+ on \S+/);
    expect(await history.changes(change).textContent()).toContain('198.51.100.7');
    // Newest first: the change is above the first read.
    const kinds = await history.points.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
    expect(kinds[0]).toBe('change');
    expect(kinds.at(-1)).toBe('first');
    // Filters: "outside changes only" hides HostDeck's change; the text filter finds it by its value.
    await history.outsideOnly(true);
    await history.empty.waitFor();
    await history.outsideOnly(false);
    await history.filterText.fill('198.51.100.7');
    await expect.poll(() => history.points.evaluateAll((els) => els.map((e) => e.getAttribute('data-operation')))).toEqual(['dns.save']);
    await history.filterText.fill('');
    await expect.poll(() => history.pointsOf('first').count()).toBe(1);
  });

  it('two picked points show their difference in Compare\'s grid, with the exports', async () => {
    const { history } = pagesOf(app.page);
    await history.pick(history.pointsOf('first').first());
    await history.pick(history.pointsBy('dns.save').first());
    await history.compareButton.click();
    await history.diff.waitFor();
    expect(await history.diffSummary.textContent()).toMatch(/\d+ difference/);
    const row = history.diffRow('dns:nameservers');
    await row.waitFor();
    const cells = await row.getByRole('gridcell').allTextContents();
    expect(cells[0]).toContain('192.0.2.53');
    expect(cells[0]).not.toContain('198.51.100.7');
    expect(cells[1]).toContain('198.51.100.7');
    const download = app.page.waitForEvent('download');
    await history.exportMarkdown.click();
    const md = readFileSync((await (await download).path())!, 'utf8');
    expect(md).toContain('198.51.100.7');
  });

  it('back to the first point: the plan first, the file returned on confirm (cat), recorded as a point', async () => {
    const { history } = pagesOf(app.page);
    await history.backTo(history.pointsOf('first').first());
    await history.restorePlan.waitFor();
    expect(await history.restorePlan.textContent()).toContain('dns.save');
    // Nothing changed before the confirmation.
    expect(readFileSync(join(root, 'etc/resolv.conf'), 'utf8')).toContain('198.51.100.7');
    await history.restoreConfirm.click();
    await history.restoreResult.waitFor();
    expect(await history.restoreResult.textContent()).toContain('every change applied');
    expect(readFileSync(join(root, 'etc/resolv.conf'), 'utf8')).toBe(ORIGINAL);
    await history.pointsBy('history.restore').first().waitFor();
    expect(errorsOf(app)).toEqual([]);
  });

  it('the DNS page\'s History panel shows the DNS timeline', async () => {
    const { shell, historyPanel } = pagesOf(app.page);
    await shell.open('dns');
    const panel = historyPanel('dns');
    await panel.openSection();
    await panel.pointsBy('dns.save').first().waitFor();
    expect(await panel.pointsBy('history.restore').count()).toBe(1);
    // A panel is fixed to its feature: no feature filter.
    expect(await panel.filterFeature.count()).toBe(0);
  });

  it('"Read the host\'s journal" reads the helper\'s journal (here: the save and the restore) and says how many entries', async () => {
    const { shell, history } = pagesOf(app.page);
    await shell.open('history');
    await history.readJournal.click();
    const said = history.journalRead;
    await said.waitFor();
    expect(await said.textContent()).toMatch(/^\d+ new of [1-9]\d* journal entr(y|ies) read/);
    expect(errorsOf(app)).toEqual([]);
  });
});

describe('History page with HOSTDECK_HISTORY=off', () => {
  let off: E2eApp;
  beforeAll(async () => {
    off = await openApp({}, '', { history: false }, app.browser);
    await pagesOf(off.page).shell.open('history');
  }, 60_000);
  afterAll(async () => {
    await off?.stop();
    await app?.stop();
  });

  it('says history is off instead of an empty timeline or an error', async () => {
    const { history } = pagesOf(off.page);
    await history.off.waitFor();
    expect(await history.off.textContent()).toContain('History is off');
    expect(await history.error.count()).toBe(0);
  });
});
