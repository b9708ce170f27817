import type { Locator, Page } from 'playwright-core';

/**
 * The DNS page: /etc/resolv.conf as lines with warnings and fixes, the form (nameservers,
 * search domains, options) and the raw text, review and write with revert, the lookup plan
 * (which names glibc tries, in which order), systemd-resolved and the pod view.
 */
export class DnsPage {
  constructor(readonly page: Page) {}

  // What the suites use and assert on, one locator each, named for what the user sees.
  get diff(): Locator { return this.page.getByTestId('dns-diff'); }
  get dirty(): Locator { return this.page.getByTestId('dns-dirty'); }
  get draftsElsewhere(): Locator { return this.page.getByTestId('dns-drafts-elsewhere'); }
  get form(): Locator { return this.page.getByTestId('dns-form'); }
  get lines(): Locator { return this.page.getByTestId('dns-lines'); }
  get linesEmpty(): Locator { return this.page.getByTestId('dns-lines-empty'); }
  get newNs(): Locator { return this.page.getByTestId('dns-new-ns'); }
  get newSearch(): Locator { return this.page.getByTestId('dns-new-search'); }
  get owner(): Locator { return this.page.getByTestId('dns-owner'); }
  get path(): Locator { return this.page.getByTestId('dns-path'); }
  get plan(): Locator { return this.page.getByTestId('dns-plan'); }
  get planName(): Locator { return this.page.getByTestId('dns-plan-name'); }
  get planResult(): Locator { return this.page.getByTestId('dns-plan-result'); }
  get planResultAdvice(): Locator { return this.page.getByTestId('dns-plan-result-advice'); }
  get planResultPackets(): Locator { return this.page.getByTestId('dns-plan-result-packets'); }
  /** Packets per row of the lookup plan's result. */
  get planResultRowPackets(): Locator { return this.planResult.getByTestId('dns-plan-result-row-packets'); }
  get planRun(): Locator { return this.page.getByTestId('dns-plan-run'); }
  get podForm(): Locator { return this.page.getByTestId('dns-pod-form'); }
  get podOptions(): Locator { return this.page.getByTestId('dns-pod-options'); }
  get podResult(): Locator { return this.page.getByTestId('dns-pod-result'); }
  get podRun(): Locator { return this.page.getByTestId('dns-pod-run'); }
  get raw(): Locator { return this.page.getByTestId('dns-raw'); }
  get resolved(): Locator { return this.page.getByTestId('dns-resolved'); }
  get resolvedAbsent(): Locator { return this.page.getByTestId('dns-resolved-absent'); }
  get resolvedEmpty(): Locator { return this.page.getByTestId('dns-resolved-empty'); }
  get resolvedTable(): Locator { return this.page.getByTestId('dns-resolved-table'); }
  get revertButton(): Locator { return this.page.getByTestId('dns-revert'); }
  get revertConfirm(): Locator { return this.page.getByTestId('dns-revert-confirm'); }
  get revertDiscard(): Locator { return this.page.getByTestId('dns-revert-discard'); }
  get revertKeep(): Locator { return this.page.getByTestId('dns-revert-keep'); }
  get review(): Locator { return this.page.getByTestId('dns-review'); }
  get root(): Locator { return this.page.getByTestId('dns-page'); }
  get saveButton(): Locator { return this.page.getByTestId('dns-save'); }
  get saved(): Locator { return this.page.getByTestId('dns-saved'); }
  get searchSection(): Locator { return this.page.getByTestId('dns-search'); }
  get writeButton(): Locator { return this.page.getByTestId('dns-write'); }

  /** Line n of the file as shown. */
  line(n: number): Locator {
    return this.page.getByTestId(`dns-line-${n}`);
  }

  /** Warnings on line n; with `code`, the one with that code. */
  warning(n: number, code?: string): Locator {
    return this.page.locator(`[data-testid="dns-warning-line-${n}"]${code ? `[data-code="${code}"]` : ''}`);
  }

  /** Fix offers on line n; with `code`, the one for that warning. */
  fix(n: number, code?: string): Locator {
    return this.page.locator(`[data-testid="dns-fix-line-${n}"]${code ? `[data-code="${code}"]` : ''}`);
  }

  /** CSS selector of a fix offer, for keyboard walks (tabTo). */
  fixSelector(n: number, code: string): string {
    return `[data-testid="dns-fix-line-${n}"][data-code="${code}"]`;
  }

  /** CSS selector of the "new search domain" field, for keyboard walks (tabTo). */
  readonly newSearchSelector = '[data-testid="dns-new-search"]';

  /** The n-th search domain in the form. */
  searchDomain(n: number): Locator {
    return this.page.getByTestId(`dns-search-domain-${n}`);
  }

  /** The n-th step of the pod lookup plan. */
  podPlan(n: number): Locator {
    return this.page.getByTestId(`dns-pod-plan-${n}`);
  }

  /** What the systemd-resolved panel shows: absent, its table, or empty. */
  get resolvedState(): Locator {
    return this.resolved.locator('[data-testid="dns-resolved-absent"], [data-testid="dns-resolved-table"], [data-testid="dns-resolved-empty"]').first();
  }

  /** Adds a nameserver in the form (Enter in the field). */
  async addNameserver(address: string): Promise<void> {
    await this.newNs.fill(address);
    await this.newNs.press('Enter');
  }

  /** Adds a search domain in the form (Enter in the field). */
  async addSearchDomain(domain: string): Promise<void> {
    await this.newSearch.fill(domain);
    await this.newSearch.press('Enter');
  }

  /** Replaces the raw text of the file. */
  async editRaw(text: string): Promise<void> {
    await this.raw.fill(text);
  }

  /** Asks to save: the review (diff) opens. */
  async save(): Promise<void> {
    await this.saveButton.click();
  }

  /** Writes the reviewed file. */
  async write(): Promise<void> {
    await this.writeButton.click();
  }

  /** Asks to revert the unsaved draft: the confirmation opens. */
  async revert(): Promise<void> {
    await this.revertButton.click();
  }

  /** Answers the revert confirmation with "keep editing". */
  async keepEditing(): Promise<void> {
    await this.revertKeep.click();
  }

  /** Answers the revert confirmation with "discard": the file as on disk comes back. */
  async discardDraft(): Promise<void> {
    await this.revertDiscard.click();
  }

  /** Shows the lookup plan for a name (Run). */
  async planLookup(name: string): Promise<void> {
    await this.planName.fill(name);
    await this.planRun.click();
  }
}
