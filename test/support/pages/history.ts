import type { Locator, Page } from 'playwright-core';

/**
 * The History page (and the History panel of the Firewall, DNS and Kernel pages, `within`): the
 * timeline with its filters, picking points, their difference in Compare's grid with its
 * exports, and "back to this point" (the plan, the confirmation, the outcome).
 */
export class HistoryPage {
  constructor(
    readonly page: Page,
    /** The panel's scope: the whole page ('all') or a feature page's panel. */
    readonly scope: 'all' | 'firewall' | 'dns' | 'kernel' = 'all',
  ) {}

  private get area(): Locator { return this.page.getByTestId(`history-panel-${this.scope}`); }

  // What the suites use and assert on, one locator each, named for what the user sees.
  get root(): Locator { return this.page.getByTestId('history-page'); }
  get panel(): Locator { return this.area; }
  get off(): Locator { return this.page.getByTestId('history-off'); }
  get error(): Locator { return this.page.getByTestId('history-error'); }
  get count(): Locator { return this.area.getByTestId('history-count'); }
  get timeline(): Locator { return this.area.getByTestId('history-timeline'); }
  get empty(): Locator { return this.area.getByTestId('history-empty'); }
  get compareButton(): Locator { return this.area.getByTestId('history-compare'); }
  get refreshButton(): Locator { return this.area.getByTestId('history-refresh'); }
  get filterFeature(): Locator { return this.area.getByTestId('history-filter-feature'); }
  get filterWho(): Locator { return this.area.getByTestId('history-filter-who'); }
  get filterOutside(): Locator { return this.area.getByTestId('history-filter-outside'); }
  get filterText(): Locator { return this.area.locator('[data-testid="history-filter-text"] input, input[data-testid="history-filter-text"]'); }
  get diff(): Locator { return this.area.getByTestId('history-diff'); }
  get diffSummary(): Locator { return this.area.getByTestId('history-diff-summary'); }
  get diffGrid(): Locator { return this.area.getByTestId('history-diff-grid'); }
  get diffNone(): Locator { return this.area.getByTestId('history-diff-none'); }
  get exportMarkdown(): Locator { return this.area.getByTestId('history-export-md'); }
  get exportCsv(): Locator { return this.area.getByTestId('history-export-csv'); }
  get exportJson(): Locator { return this.area.getByTestId('history-export-json'); }
  get restore(): Locator { return this.area.getByTestId('history-restore'); }
  get restorePlan(): Locator { return this.area.getByTestId('history-restore-plan'); }
  get restoreSummary(): Locator { return this.area.getByTestId('history-restore-summary'); }
  get restoreConfirm(): Locator { return this.area.getByTestId('history-restore-confirm'); }
  get restoreResult(): Locator { return this.area.getByTestId('history-restore-result'); }
  get restoreError(): Locator { return this.area.getByTestId('history-restore-error'); }
  /** "Read the host's journal" (the History page) and what it said it read. */
  get readJournal(): Locator { return this.page.getByTestId('history-read-journal'); }
  get journalRead(): Locator { return this.page.getByTestId('history-journal-read'); }
  /** The feature page's closed "History" section (its toggle opens the panel). */
  get sectionToggle(): Locator { return this.page.getByTestId(`history-section-${this.scope}`).locator('button').first(); }

  /** Every point the timeline has rendered, newest first. */
  get points(): Locator {
    return this.area.getByTestId('history-point');
  }

  /** The rendered points of one kind (change, outside, first), newest first. */
  pointsOf(kind: 'change' | 'outside' | 'first'): Locator {
    return this.area.locator(`[data-testid="history-point"][data-kind="${kind}"]`);
  }

  /** The rendered points made by one operation (`dns.save`, `history.restore`), newest first. */
  pointsBy(operation: string): Locator {
    return this.area.locator(`[data-testid="history-point"][data-operation="${operation}"]`);
  }

  /** What a point says (its headline), who asked, and its listed changes. */
  what(point: Locator): Locator { return point.getByTestId('history-point-what'); }
  who(point: Locator): Locator { return point.getByTestId('history-point-who'); }
  changes(point: Locator): Locator { return point.getByTestId('history-point-changes'); }

  /** Picks (or unpicks) a point for the difference. */
  async pick(point: Locator): Promise<void> {
    // PatternFly puts the test id on the checkbox's input itself.
    await point.getByTestId('history-pick').click();
  }

  /** Turns "outside changes only" on or off. */
  async outsideOnly(on: boolean): Promise<void> {
    await this.filterOutside.setChecked(on, { force: true });
  }

  /** "Back to this point" on a point: the plan opens. */
  async backTo(point: Locator): Promise<void> {
    await point.getByTestId('history-back').click();
  }

  /** A row of the difference grid by its key as Compare names it (`dns:nameservers`, a sysctl key). */
  diffRow(key: string): Locator {
    return this.area.locator(`[data-testid="grid-row"][data-key="${key}"]`);
  }

  /** A tab of the difference (sysctl, sysctld, dns, firewall). */
  diffTab(section: 'sysctl' | 'sysctld' | 'dns' | 'firewall'): Locator {
    return this.area.getByTestId(`history-tab-${section}`);
  }

  /** Opens the feature page's History section (a panel, not the History page). */
  async openSection(): Promise<void> {
    await this.sectionToggle.click();
  }
}
