import type { Locator, Page } from 'playwright-core';

/**
 * The firewall's apply bar (pending changes: apply to runtime, to both layers, safe apply,
 * discard) and the safe-apply banner that follows (countdown, Keep it, Revert now, outcome).
 */
export class SafeApplyBar {
  constructor(readonly page: Page) {}

  // What the suites use and assert on, one locator each, named for what the user sees.
  get applyBothButton(): Locator { return this.page.getByTestId('fw-apply-both'); }
  get applyRuntimeButton(): Locator { return this.page.getByTestId('fw-apply-runtime'); }
  get banner(): Locator { return this.page.getByTestId('fw-safe-apply-banner'); }
  get bar(): Locator { return this.page.getByTestId('fw-applybar'); }
  get countdown(): Locator { return this.page.getByTestId('fw-safe-apply-countdown'); }
  get discardButton(): Locator { return this.page.getByTestId('fw-discard'); }
  get dismissButton(): Locator { return this.page.getByTestId('fw-safe-apply-dismiss'); }
  get keepButton(): Locator { return this.page.getByTestId('fw-safe-apply-confirm'); }
  get needsConfirmation(): Locator { return this.page.getByTestId('fw-needs-confirmation'); }
  get needsConfirmationLost(): Locator { return this.page.getByTestId('fw-needs-confirmation-lost'); }
  get needsConfirmationSave(): Locator { return this.page.getByTestId('fw-needs-confirmation-save'); }
  get result(): Locator { return this.page.getByTestId('fw-safe-apply-result'); }
  get revertButton(): Locator { return this.page.getByTestId('fw-safe-apply-revert'); }
  get risk(): Locator { return this.page.getByTestId('fw-risk'); }
  get safeApplyButton(): Locator { return this.page.getByTestId('fw-safe-apply'); }
  get seconds(): Locator { return this.page.getByTestId('fw-safe-seconds'); }

  /** The outcome of the last safe apply (where the focus goes after Keep it / Revert now). */
  get outcome(): Locator {
    return this.page.getByTestId('fw-safe-apply-outcome');
  }

  /** The outcome of the last safe apply once it is `status` (confirmed, reverted, …). */
  resultWith(status: string): Locator {
    return this.page.locator(`[data-testid="fw-safe-apply-result"][data-status="${status}"]`);
  }

  /**
   * Starts watching now for the outcome of the safe apply whose summary has `text`, and answers
   * its status and text once it is shown (read in the page in one step). An outcome stays only
   * RESULT_SHOWN_MS (8 s): a suite that first polls firewall-cmd (seconds per call on a loaded
   * machine) and only then looks can miss it, so start this before those checks and await it after.
   */
  watchOutcome(text: string, timeout = 40_000): Promise<{ status: string | null; text: string }> {
    const seen = this.page
      .waitForFunction(
        (t) => {
          const el = Array.from(document.querySelectorAll('[data-testid="fw-safe-apply-result"]')).find((e) => (e.textContent ?? '').includes(t));
          return el ? { status: el.getAttribute('data-status'), text: el.textContent ?? '' } : null;
        },
        text,
        { timeout },
      )
      .then((h) => h.jsonValue() as Promise<{ status: string | null; text: string }>);
    // Awaited by the caller after its other checks; a failure before that must not be unhandled.
    seen.catch(() => undefined);
    return seen;
  }

  /** The bar's "N pending changes" toggle. */
  pendingToggle(count: number): Locator {
    return this.bar.getByRole('button', { name: new RegExp(`${count} pending ${count === 1 ? 'change' : 'changes'}`) });
  }

  /** The pending changes as the bar lists them (once opened with `pendingToggle`). */
  pending(): Promise<string[]> {
    return this.bar.locator('.hd-fw-pending li').allTextContents();
  }

  /** Applies the pending changes to runtime and permanent configuration. */
  async applyBoth(): Promise<void> {
    await this.applyBothButton.click();
  }

  /** Applies the pending changes to runtime only. */
  async applyRuntime(): Promise<void> {
    await this.applyRuntimeButton.click();
  }

  /** Throws the pending changes away. */
  async discard(): Promise<void> {
    await this.discardButton.click();
  }

  /** Applies with safe apply, optionally with a revert timeout in seconds. */
  async safeApply(seconds?: number): Promise<void> {
    if (seconds !== undefined) await this.seconds.fill(String(seconds));
    await this.safeApplyButton.click();
  }

  /** Keeps a safe-applied change before its countdown ends. */
  async keep(): Promise<void> {
    await this.keepButton.click();
  }

  /** Reverts a safe-applied change now. */
  async revert(): Promise<void> {
    await this.revertButton.click();
  }
}
