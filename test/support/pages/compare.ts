import type { Download, Locator, Page } from 'playwright-core';

/**
 * The Compare page: hosts added live or imported as snapshots, the baseline, per-section
 * tabs and grids of differences, the filter, refresh and the Markdown export.
 */
export class ComparePage {
  constructor(readonly page: Page) {}

  // What the suites use and assert on, one locator each, named for what the user sees.
  get addHostPicker(): Locator { return this.page.getByTestId('compare-add-host'); }
  get addGroupPicker(): Locator { return this.page.getByTestId('compare-add-group'); }
  get groupTooMany(): Locator { return this.page.getByTestId('compare-group-too-many'); }
  get exportMd(): Locator { return this.page.getByTestId('compare-export-md'); }
  get filterClear(): Locator { return this.page.getByTestId('compare-filter-clear'); }
  get filterNote(): Locator { return this.page.getByTestId('compare-filter-note'); }
  get filterText(): Locator { return this.page.getByTestId('compare-filter-text'); }
  get gridHosts(): Locator { return this.page.getByTestId('grid-host'); }
  get hostColumns(): Locator { return this.page.getByTestId('compare-host'); }
  get importError(): Locator { return this.page.getByTestId('compare-import-error'); }
  get importInput(): Locator { return this.page.getByTestId('compare-import-input'); }
  get noRows(): Locator { return this.page.getByTestId('compare-no-rows'); }
  get refreshButton(): Locator { return this.page.getByTestId('compare-refresh'); }
  get root(): Locator { return this.page.getByTestId('compare-page'); }
  get rows(): Locator { return this.page.getByTestId('grid-row'); }
  get stale(): Locator { return this.page.getByTestId('compare-stale'); }
  get summary(): Locator { return this.page.getByTestId('compare-summary'); }

  // The fleet summary view (SummaryView.tsx).
  get summaryViewToggle(): Locator { return this.page.getByTestId('compare-view-summary'); }
  get summaryDir(): Locator { return this.page.getByTestId('summary-dir'); }
  get summaryRun(): Locator { return this.page.getByTestId('summary-run'); }
  get summaryHeadline(): Locator { return this.page.getByTestId('summary-headline'); }
  get summaryFilter(): Locator { return this.page.getByTestId('summary-filter'); }
  get summaryRows(): Locator { return this.page.getByTestId('summary-row'); }
  get summaryKinds(): Locator { return this.page.getByTestId('summary-kind'); }

  // "Collect with Ansible" (CollectProgress.tsx, the picker in GroupPicker.tsx).
  get collectGroupPicker(): Locator { return this.page.getByTestId('compare-collect-group'); }
  get collectTooMany(): Locator { return this.page.getByTestId('compare-collect-too-many'); }
  get collectPanel(): Locator { return this.page.getByTestId('compare-collect'); }
  get collectCounts(): Locator { return this.page.getByTestId('compare-collect-counts'); }
  get collectCancel(): Locator { return this.page.getByTestId('compare-collect-cancel'); }

  /** Collects every host of an inventory group through Ansible. */
  async collectGroup(group: string): Promise<void> {
    await this.collectGroupPicker.selectOption(group);
  }

  /** The collect panel once its run is in `state` (running, cancelling, done, error). */
  collectState(state: string): Locator {
    return this.page.locator(`[data-testid="compare-collect"][data-state="${state}"]`);
  }

  /** "host: reason" of each host the collect run could not read. */
  collectFailures(): Promise<{ host: string; text: string }[]> {
    return this.page.getByTestId('compare-collect-failure').evaluateAll((ls) => ls.map((l) => ({ host: (l as HTMLElement).dataset.host ?? '', text: l.textContent ?? '' })));
  }

  /** read / failed / done / total of the collect run, as the counts show them. */
  collectCountsNow(): Promise<Record<string, string | undefined>> {
    return this.collectCounts.evaluate((c) => ({ ...(c as HTMLElement).dataset }));
  }

  /** A grid row's cells (one per compared host, in column order) as their titles say: "label: value". */
  rowCells(section: string, key: string): Promise<string[]> {
    return this.grid(section).locator(`[data-testid="grid-row"][data-key="${key}"] [role="gridcell"]`).evaluateAll((cs) => cs.map((c) => (c as HTMLElement).title));
  }

  /** Adds every saved host of an inventory group (the "Add a group…" picker). */
  async addGroup(group: string): Promise<void> {
    await this.addGroupPicker.selectOption(group);
  }

  /** The host ids of the compared host cards, in order. */
  comparedHosts(): Promise<string[]> {
    return this.hostColumns.evaluateAll((cs) => cs.map((c) => (c as HTMLElement).dataset.host ?? ''));
  }

  /** Summarize the snapshot files of a directory on the machine HostDeck runs on. */
  async summarizeDir(dir: string): Promise<void> {
    await this.summaryViewToggle.click();
    await this.summaryDir.fill(dir);
    await this.summaryRun.click();
  }

  /** "key count" of each summary row shown, in order. */
  summaryRowCounts(): Promise<string[]> {
    return this.summaryRows.evaluateAll((rs) => rs.map((r) => `${(r as HTMLElement).dataset.key} ${(r as HTMLElement).dataset.count}`));
  }

  /** How many hosts each kind holds, in order. */
  summaryKindCounts(): Promise<number[]> {
    return this.summaryKinds.evaluateAll((ks) => ks.map((k) => Number((k as HTMLElement).dataset.count)));
  }

  /** The kind of exactly `count` hosts. */
  summaryKind(count: number): Locator {
    return this.summaryKinds.and(this.page.locator(`[data-count="${count}"]`));
  }

  /** The grid of one section (sysctl, firewall …). */
  grid(section: string): Locator {
    return this.page.getByTestId(`compare-grid-${section}`);
  }

  /** The keys of a section's grid rows, in order. */
  rowKeys(section: string): Promise<(string | undefined)[]> {
    return this.grid(section).getByTestId('grid-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.key));
  }

  /** A section's tab (its label carries the counts). */
  tab(section: string): Locator {
    return this.page.getByTestId(`compare-tab-${section}`);
  }

  /** A compared host's column header. */
  host(id: string): Locator {
    return this.page.locator(`[data-testid="compare-host"][data-host="${id}"]`);
  }

  /** What a compared host's header says about its reading (read …, failed …). */
  hostState(id: string): Locator {
    return this.host(id).getByTestId('host-state');
  }

  /** Makes host `id` the baseline. */
  async makeBaseline(id: string): Promise<void> {
    await this.host(id).getByTestId('compare-baseline').check();
  }

  /** The table once it is (or is no longer) showing a stale reading. */
  tableStale(stale: boolean): Locator {
    return this.page.locator(`[data-testid="compare-table"][data-stale="${stale}"]`);
  }

  /** Adds a live host to the comparison. */
  async addHost(id: string): Promise<void> {
    await this.addHostPicker.selectOption(id);
  }

  /** Imports snapshot files (sysctl -a output, HostDeck snapshots, firewall-cmd listings). */
  async importSnapshots(files: Parameters<Locator['setInputFiles']>[0]): Promise<void> {
    await this.importInput.setInputFiles(files);
  }

  /**
   * Imports files and waits until `done` holds, with a Chromium trace running: the names of the
   * threads that gzip-compressed the upload (CompressionStream), e.g. CrRendererMain (the page's own).
   */
  async importTracingGzip(files: string[], done: () => Promise<unknown>): Promise<string[]> {
    const cdp = await this.page.context().newCDPSession(this.page);
    const events: { name: string; pid: number; tid: number; ph: string; args?: { name?: string } }[] = [];
    cdp.on('Tracing.dataCollected', (d) => events.push(...(d.value as unknown as typeof events)));
    const complete = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.start', { categories: 'devtools.timeline,__metadata', transferMode: 'ReportEvents' });
    try {
      await this.importSnapshots(files);
      await done();
    } finally {
      await cdp.send('Tracing.end');
      await complete;
      await cdp.detach();
    }
    const names = new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [`${e.pid}:${e.tid}`, e.args?.name ?? '']));
    return [...new Set(events.filter((e) => e.name === 'CompressionStream Deflate').map((e) => names.get(`${e.pid}:${e.tid}`) ?? `thread ${e.tid}`))];
  }

  /**
   * Per compared host card, in order, whether its content is rendered: a card out of view is
   * skipped (content-visibility: auto) until it is scrolled to (issue #22).
   */
  hostCardsRendered(): Promise<boolean[]> {
    return this.hostColumns.evaluateAll((cs) => cs.map((c) => (c.querySelector('[data-testid="compare-baseline"]') ?? c).checkVisibility({ contentVisibilityAuto: true })));
  }

  /** Where a section grid's first row is on the screen, as the page is shown (no scrolling). */
  async firstRowBox(section: string): Promise<{ top: number; bottom: number; viewport: number }> {
    const row = this.grid(section).getByTestId('grid-row').first();
    await row.waitFor();
    return row.evaluate((r) => {
      const b = r.getBoundingClientRect();
      return { top: b.top, bottom: b.bottom, viewport: window.innerHeight };
    });
  }

  /** How many workers the page runs now (the Compare page keeps its gzip workers). */
  workerCount(): number {
    return this.page.workers().length;
  }

  /** Runs `fn` and tells how many workers the page started meanwhile. */
  async workersStartedDuring(fn: () => Promise<unknown>): Promise<number> {
    let started = 0;
    const count = () => void started++;
    this.page.on('worker', count);
    try {
      await fn();
    } finally {
      this.page.off('worker', count);
    }
    return started;
  }

  /** Filters every tab by text. */
  async filter(text: string): Promise<void> {
    await this.filterText.locator('input').fill(text);
  }

  /** The filter's text as typed. */
  filterValue(): Promise<string> {
    return this.filterText.locator('input').inputValue();
  }

  /** Exports the comparison as Markdown; the browser's download. */
  async exportMarkdown(): Promise<Download> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.exportMd.click()]);
    return download;
  }

  /** Reads every host again. */
  async refresh(): Promise<void> {
    await this.refreshButton.click();
  }
}
