import type { Locator, Page } from 'playwright-core';

/** The Firewall page's "Denied packets" section (renderer/src/firewall/components/DeniedFeed.tsx). */
export class DeniedPanel {
  constructor(readonly page: Page) {}

  get toggle(): Locator { return this.page.locator('#fw-denied-toggle'); }
  get feed(): Locator { return this.page.getByTestId('fw-denied'); }
  get filter(): Locator { return this.page.getByTestId('fw-denied-filter'); }
  get source(): Locator { return this.page.getByTestId('fw-denied-source'); }
  get empty(): Locator { return this.page.getByTestId('fw-denied-empty'); }
  get error(): Locator { return this.page.getByTestId('fw-denied-error'); }
  get explainSent(): Locator { return this.page.getByTestId('fw-denied-explain-sent'); }
  get logOff(): Locator { return this.page.getByTestId('fw-denied-log-off'); }
  /** The LogDenied choice on the Global tab (all / unicast / broadcast / multicast / off). */
  get logDenied(): Locator { return this.page.getByTestId('fw-log-denied'); }

  /** The group row of packets from this source. */
  group(src: string): Locator {
    return this.page.locator(`[data-testid="fw-denied-group"][data-src="${src}"]`);
  }

  /** The group's Explain: its flow goes to "Will this connection pass?", which opens and answers. */
  async explain(src: string): Promise<void> {
    await this.group(src).getByTestId('fw-denied-explain').click();
  }

  async open(): Promise<void> {
    if ((await this.toggle.getAttribute('aria-expanded')) !== 'true') await this.toggle.click();
    await this.feed.waitFor();
  }
}
