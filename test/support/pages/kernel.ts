import type { Locator, Page } from 'playwright-core';

/**
 * The Kernel page: the parameter list (search, rows, detail with its Kubernetes verdicts), the
 * profile editor (text, check, diff, save, tuned import), apply with its plan, undo and revert
 * timer, the weakening confirmations, the fresh-namespace probe and the Kubernetes export.
 */
export class KernelPage {
  constructor(readonly page: Page) {}

  // What the suites use and assert on, one locator each, named for what the user sees.
  get applyButton(): Locator { return this.page.getByTestId('kernel-apply'); }
  get confirmApplyButton(): Locator { return this.page.getByTestId('kernel-apply-go'); }
  get applyPlan(): Locator { return this.page.getByTestId('kernel-apply-plan'); }
  get applyResult(): Locator { return this.page.getByTestId('kernel-apply-result'); }
  get applyRevert(): Locator { return this.page.getByTestId('kernel-apply-revert'); }
  get applyRevertSeconds(): Locator { return this.page.getByTestId('kernel-apply-revert-seconds'); }
  get applyUndo(): Locator { return this.page.getByTestId('kernel-apply-undo'); }
  get applyWeakening(): Locator { return this.page.getByTestId('kernel-apply-weakening'); }
  get applyWeakeningAcknowledge(): Locator { return this.page.getByTestId('kernel-apply-weakening-check'); }
  get detail(): Locator { return this.page.getByTestId('kernel-detail'); }
  get detailAdd(): Locator { return this.page.getByTestId('kernel-detail-add'); }
  get detailAnswer(): Locator { return this.page.getByTestId('kernel-detail-answer'); }
  get detailErrors(): Locator { return this.page.getByTestId('kernel-detail-errors'); }
  get detailPsa(): Locator { return this.page.getByTestId('kernel-detail-psa'); }
  get detailRunc(): Locator { return this.page.getByTestId('kernel-detail-runc'); }
  get detailSandbox(): Locator { return this.page.getByTestId('kernel-detail-sandbox'); }
  get detailTarget(): Locator { return this.page.getByTestId('kernel-detail-target'); }
  get effectiveEmpty(): Locator { return this.page.getByTestId('kernel-effective-empty'); }
  get exportClose(): Locator { return this.page.getByTestId('kernel-export-close'); }
  get exportDialog(): Locator { return this.page.getByTestId('kernel-export-dialog'); }
  get exportError(): Locator { return this.page.getByTestId('kernel-export-error'); }
  get exportImage(): Locator { return this.page.getByTestId('kernel-export-image'); }
  get exportKubelet(): Locator { return this.page.getByTestId('kernel-export-kubelet'); }
  get exportNamespace(): Locator { return this.page.getByTestId('kernel-export-namespace'); }
  get exportNode(): Locator { return this.page.getByTestId('kernel-export-node'); }
  get exportOutput(): Locator { return this.page.getByTestId('kernel-export-output'); }
  get exportPlacements(): Locator { return this.page.getByTestId('kernel-export-placements'); }
  get exportPod(): Locator { return this.page.getByTestId('kernel-export-pod'); }
  get exportPodName(): Locator { return this.page.getByTestId('kernel-export-podName'); }
  get exportProblems(): Locator { return this.page.getByTestId('kernel-export-problems'); }
  get exportSandbox(): Locator { return this.page.getByTestId('kernel-export-sandbox'); }
  get k8sSelect(): Locator { return this.page.getByTestId('kernel-k8s-select'); }
  get list(): Locator { return this.page.getByTestId('kernel-list'); }
  get listHeader(): Locator { return this.page.getByTestId('kernel-list-header'); }
  get noMatch(): Locator { return this.page.getByTestId('kernel-no-match'); }
  get probe(): Locator { return this.page.getByTestId('kernel-probe'); }
  get profileCheck(): Locator { return this.page.getByTestId('kernel-profile-check'); }
  get profileDiff(): Locator { return this.page.getByTestId('kernel-profile-diff'); }
  get profileSave(): Locator { return this.page.getByTestId('kernel-profile-save'); }
  get profileText(): Locator { return this.page.getByTestId('kernel-profile-text'); }
  get psaSelect(): Locator { return this.page.getByTestId('kernel-psa-select'); }
  get revertDone(): Locator { return this.page.getByTestId('kernel-revert-done'); }
  get revertKeep(): Locator { return this.page.getByTestId('kernel-revert-keep'); }
  get revertPending(): Locator { return this.page.getByTestId('kernel-revert-pending'); }
  get root(): Locator { return this.page.getByTestId('kernel-page'); }
  get saveWeakening(): Locator { return this.page.getByTestId('kernel-save-weakening'); }
  get saveWeakeningConfirm(): Locator { return this.page.getByTestId('kernel-save-weakening-go'); }
  get saveWeakeningAcknowledge(): Locator { return this.page.getByTestId('kernel-save-weakening-list-check'); }
  get searchBox(): Locator { return this.page.getByTestId('kernel-search'); }
  get stickyGroup(): Locator { return this.page.getByTestId('kernel-sticky-group'); }
  get tunedImport(): Locator { return this.page.getByTestId('kernel-tuned-import'); }
  get tunedImportConfirm(): Locator { return this.page.getByTestId('kernel-tuned-import-confirm'); }
  get tunedImportOpen(): Locator { return this.page.getByTestId('kernel-tuned-import-open'); }
  get undoResult(): Locator { return this.page.getByTestId('kernel-undo-result'); }
  get undoWeakening(): Locator { return this.page.getByTestId('kernel-undo-weakening'); }
  get undoWeakeningConfirm(): Locator { return this.page.getByTestId('kernel-undo-weakening-go'); }
  get undoWeakeningAcknowledge(): Locator { return this.page.getByTestId('kernel-undo-weakening-list-check'); }

  /** A parameter's row in the list. */
  row(key: string): Locator {
    return this.page.getByTestId(`kernel-row-${key}`);
  }

  /** Every parameter row the list has rendered (the first one is the page's first row). */
  get rows(): Locator {
    return this.page.locator('[data-testid^="kernel-row-"]');
  }

  /** The key of the n-th rendered row (0-based). */
  async keyAt(n: number): Promise<string> {
    return ((await this.rows.nth(n).getAttribute('data-testid')) ?? '').replace(/^kernel-row-/, '');
  }

  /** A part of the page that could not be loaded, said in its place (PageBoundary). */
  get partLoadError(): Locator {
    return this.page.getByTestId('page-load-error');
  }

  /** The key of the row selected in the list (aria-selected), or null. */
  async selectedKey(): Promise<string | null> {
    const id = await this.page.locator('[role="option"][aria-selected="true"]').getAttribute('data-testid');
    return id?.replace(/^kernel-row-/, '') ?? null;
  }

  /** The key of the first row below the sticky group bar (40 px under the list's top). */
  firstKeyInView(): Promise<string> {
    return this.list.evaluate((list) => {
      const top = list.getBoundingClientRect().top + 40;
      const rows = Array.from(list.querySelectorAll('[role="option"]')) as HTMLElement[];
      return (rows.find((r) => r.getBoundingClientRect().top >= top)?.dataset.testid ?? '').replace('kernel-row-', '');
    });
  }

  /** Keys of the rows drawn with the "changed" bar, in list order. */
  barredKeys(): Promise<string[]> {
    return this.list.evaluate((list) =>
      Array.from(list.querySelectorAll('[role="option"]'))
        .filter((r) => getComputedStyle(r).boxShadow !== 'none')
        .map((r) => (r.getAttribute('data-testid') ?? '').replace(/^kernel-row-/, '')),
    );
  }

  /** The search field of the parameter list. */
  get searchInput(): Locator {
    return this.searchBox.locator('input');
  }

  /** Opens a tab of the page by its label (Live parameters, Profile, apply & export …). */
  async openTab(name: string | RegExp): Promise<void> {
    await this.page.getByRole('tab', { name }).click();
  }

  /** Searches for a key and opens its detail (Enter in the search field). */
  async openDetail(key: string): Promise<void> {
    await this.filter(key);
    await this.searchInput.press('Enter');
  }

  /** Checks the profile against the host: the diff opens. */
  async checkProfile(): Promise<void> {
    await this.profileCheck.click();
  }

  /** Saves the profile to its sysctl.d file. */
  async saveProfile(): Promise<void> {
    await this.profileSave.click();
  }

  /** Closes the export dialog. */
  async closeExport(): Promise<void> {
    await this.exportClose.click();
  }

  /** Filters the parameter list by text. */
  async filter(text: string): Promise<void> {
    await this.searchInput.fill(text);
  }

  /** CSS selector of the detail's "Add to profile" control, for keyboard walks (tabTo). */
  readonly detailAddSelector = '[data-testid="kernel-detail-add"]';

  /** A parameter's line in the profile diff. */
  diff(key: string): Locator {
    return this.page.getByTestId(`kernel-diff-${key}`);
  }

  /** The "overridden by a later file" mark of a parameter in the profile diff. */
  overridden(key: string): Locator {
    return this.page.getByTestId(`kernel-diff-overridden-${key}`);
  }

  /** A parameter's Kubernetes verdict. */
  verdict(key: string): Locator {
    return this.page.getByTestId(`kernel-verdict-${key}`);
  }

  /** A parameter's "changed" mark. */
  changed(key: string): Locator {
    return this.page.getByTestId(`kernel-changed-${key}`);
  }

  /** A parameter's row in the fresh-namespace probe. */
  probeRow(key: string): Locator {
    return this.page.getByTestId(`kernel-probe-row-${key}`);
  }

  /** A parameter's line in the apply plan (before → after). */
  planRow(key: string): Locator {
    return this.page.getByTestId(`kernel-apply-plan-${key}`);
  }

  /** A parameter's outcome after apply. */
  outcome(key: string): Locator {
    return this.page.getByTestId(`kernel-apply-outcome-${key}`);
  }

  /** The apply result once it ended as `final` (e.g. reverted). */
  applyResultEnded(final: string): Locator {
    return this.page.locator(`[data-testid="kernel-apply-result"][data-final="${final}"]`);
  }

  /** A parameter in the "this weakens the host" list before apply. */
  applyWeakeningEntry(key: string): Locator {
    return this.page.getByTestId(`kernel-apply-weakening-${key}`);
  }

  /** A parameter in the "this weakens the host" list before saving the profile. */
  saveWeakeningEntry(key: string): Locator {
    return this.page.getByTestId(`kernel-save-weakening-list-${key}`);
  }

  /** A problem the export reports for a parameter. */
  exportProblem(key: string): Locator {
    return this.page.getByTestId(`kernel-export-problem-${key}`);
  }

  /** A parameter the export left out. */
  exportOmitted(key: string): Locator {
    return this.page.getByTestId(`kernel-export-omitted-${key}`);
  }

  /** The n-th text block of the export output. */
  exportText(n: number): Locator {
    return this.page.getByTestId(`kernel-export-text-${n}`);
  }

  /** The export output block titled `title`. */
  exportTextTitled(title: string): Locator {
    return this.page.locator(`[data-title="${title}"] [data-testid^="kernel-export-text-"]`);
  }

  /** Replaces the profile text. */
  async writeProfile(text: string): Promise<void> {
    await this.profileText.fill(text);
  }

  /** Asks to apply the profile: the plan opens. */
  async planApply(): Promise<void> {
    await this.applyButton.click();
  }

  /** Applies the planned values (the plan's Apply). */
  async confirmApply(): Promise<void> {
    await this.confirmApplyButton.click();
  }

  /** Applies the planned values with a revert timer: they go back after `seconds` unless kept. */
  async confirmApplyWithRevert(seconds: number): Promise<void> {
    await this.applyRevert.check();
    await this.applyRevertSeconds.fill(String(seconds));
    await this.confirmApply();
  }

  /** Undoes the last apply. */
  async undo(): Promise<void> {
    await this.applyUndo.click();
  }

  /** Keeps values applied with a revert timer. */
  async keep(): Promise<void> {
    await this.revertKeep.click();
  }
}
