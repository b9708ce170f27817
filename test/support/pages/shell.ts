import type { Locator, Page } from 'playwright-core';
import type { CapabilityName } from '../../../shared/hosts/capabilities';

/** The pages the navigation offers, by the id in their URL (#/firewall …). */
export type PageId = 'firewall' | 'dns' | 'kernel' | 'compare' | 'history' | 'hosts';

/** A control marked as a write (data-write) as the user meets it. */
export interface WriteControl {
  /** Its test id, else its text, else its tag. */
  what: string;
  /** Disabled (natively, or aria-disabled on a wrapper). */
  disabled: boolean;
  /** The text of the element its aria-describedby points at, or null when it points at none. */
  describedBy: string | null;
}

/**
 * The app shell around every page: the masthead (brand, firewalld status, current host and its
 * privilege), the host picker, the navigation, the connection banner and the About dialog; on
 * every page, the "changes are off" notice, its write controls and the panels of features the
 * host lacks.
 */
export class AppShell {
  constructor(readonly page: Page) {}

  // What the suites use and assert on, one locator each, named for what the user sees.
  get aboutClose(): Locator { return this.page.getByTestId('about-close'); }
  get aboutDialog(): Locator { return this.page.getByTestId('about-dialog'); }
  get aboutVersion(): Locator { return this.page.getByTestId('about-version'); }
  get brand(): Locator { return this.page.getByTestId('brand'); }
  get connectionBanner(): Locator { return this.page.getByTestId('connection-banner'); }
  /** The page's place when its code did not load (or it failed to render): the shell stays. */
  get pageLoadError(): Locator { return this.page.getByTestId('page-load-error'); }
  get currentHost(): Locator { return this.page.getByTestId('current-host'); }
  get currentHostName(): Locator { return this.page.getByTestId('current-host-name'); }
  get currentHostPrivilege(): Locator { return this.page.getByTestId('current-host-privilege'); }
  get firewalldDefaultZone(): Locator { return this.page.getByTestId('firewalld-default-zone'); }
  get firewalldStatus(): Locator { return this.page.getByTestId('status-firewalld'); }
  get firewalldVersion(): Locator { return this.page.getByTestId('firewalld-version'); }
  get hostPicker(): Locator { return this.page.getByTestId('host-selector'); }
  get main(): Locator { return this.page.getByTestId('page-main'); }
  /** The notice "Changes are off on this host" (a host that takes no changes). */
  get writesOff(): Locator { return this.page.getByTestId('writes-off'); }
  /** Why the host takes no changes, in its own words (write controls are described by it). */
  get writesOffReason(): Locator { return this.page.getByTestId('writes-off-reason'); }

  /** What the page shows in place of the panel of a feature the host lacks, and why. */
  missingFeature(name: CapabilityName): Locator {
    return this.page.getByTestId(`missing-${name}`);
  }

  /** Every control of the page shown now that is marked as a write: disabled?, described by what text. */
  writeControls(): Promise<WriteControl[]> {
    return this.page.locator('[data-write]').evaluateAll((els) =>
      els.map((el) => {
        const by = el.getAttribute('aria-describedby');
        const input = el instanceof HTMLButtonElement || el instanceof HTMLSelectElement || el instanceof HTMLInputElement ? el : el.querySelector('button, select, input');
        return {
          what: el.getAttribute('data-testid') ?? el.textContent?.trim() ?? el.tagName,
          disabled: !!(input as HTMLButtonElement | null)?.disabled || el.getAttribute('aria-disabled') === 'true',
          describedBy: by ? (document.getElementById(by)?.textContent ?? `(no element #${by})`) : null,
        };
      }),
    );
  }

  /** The navigation entry of a page. */
  nav(id: string): Locator {
    return this.page.getByTestId(`nav-${id}`);
  }

  /** CSS selector of a navigation entry, for keyboard walks (tabTo). */
  navSelector(id: string): string {
    return `[data-testid="nav-${id}"]`;
  }

  /** Opens a page from the navigation. */
  async open(id: PageId): Promise<void> {
    await this.nav(id).click();
  }

  /** The page area once it shows the page `id` (its data-page). */
  mainShowing(id: string): Locator {
    return this.page.locator(`[data-testid="page-main"][data-page="${id}"]`);
  }

  /** The page area once it is bound to host `id` (its data-host); with `pageId`, once it also shows that page. */
  mainOnHost(id: string, pageId?: PageId): Locator {
    return this.page.locator(`[data-testid="page-main"][data-host="${id}"]${pageId ? `[data-page="${pageId}"]` : ''}`);
  }

  /** Which page the page area shows (its data-page). */
  shownPage(): Promise<string | null> {
    return this.main.getAttribute('data-page');
  }

  /** The masthead's firewalld status once it is in `state` (running, no-bus, …). */
  firewalldStatusIn(state: string): Locator {
    return this.page.locator(`[data-testid="status-firewalld"][data-state="${state}"]`);
  }

  /** The masthead's current host once its connection is in one of `states`. */
  currentHostIn(...states: string[]): Locator {
    return this.page.locator(states.map((s) => `[data-testid="current-host"][data-state="${s}"]`).join(', '));
  }

  /** Switches the host the pages work on, with the host picker (a host id or `{ label }`). */
  async switchHost(host: string | { label: string }): Promise<void> {
    await this.hostPicker.selectOption(host);
  }

  /** The host picker's choices as the user reads them. */
  hostChoices(): Promise<string[]> {
    return this.hostPicker.locator('option').allTextContents();
  }

  /** What has the keyboard focus, for a failure message: its test id, else its label, else its markup. */
  focused(): Promise<string> {
    return this.page.evaluate(() => {
      const a = document.activeElement;
      return a?.getAttribute('data-testid') ?? a?.getAttribute('aria-label') ?? a?.outerHTML.slice(0, 80) ?? '';
    });
  }

  /** Opens the About dialog from the masthead. */
  async openAbout(): Promise<void> {
    await this.page.getByRole('button', { name: 'Help and about HostDeck' }).click();
  }

  /** Switches the theme with the masthead's toggle. */
  async useTheme(theme: 'light' | 'dark'): Promise<void> {
    await this.page.getByRole('button', { name: theme === 'dark' ? 'Dark theme' : 'Light theme' }).click();
  }

  /** Closes the About dialog. */
  async closeAbout(): Promise<void> {
    await this.aboutClose.click();
  }
}
