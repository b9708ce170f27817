import type { Locator, Page } from 'playwright-core';
import { ComparePage } from './compare';
import { DnsPage } from './dns';
import { ExplainPanel } from './explain';
import { FirewallPage } from './firewall';
import { HistoryPage } from './history';
import { HostsPage } from './hosts';
import { KernelPage } from './kernel';
import { OfflineKindsPanel } from './offline-kinds';
import { SafeApplyBar } from './safe-apply';
import { AppShell, type PageId, type WriteControl } from './shell';

export { AppShell, ComparePage, DnsPage, ExplainPanel, FirewallPage, HistoryPage, HostsPage, KernelPage, OfflineKindsPanel, SafeApplyBar };
export type { PageId, WriteControl };

/**
 * The page objects of one browser page. The e2e suites speak to the UI only through these:
 * test ids live in test/support/pages/ (test/app/e2e-style.test.ts keeps it so).
 */
export interface Pages {
  shell: AppShell;
  firewall: FirewallPage;
  safeApply: SafeApplyBar;
  dns: DnsPage;
  kernel: KernelPage;
  hosts: HostsPage;
  compare: ComparePage;
  explain: ExplainPanel;
  /** The offline Firewall page's ICMP type, helper and zone-rename controls. */
  offlineKinds: OfflineKindsPanel;
  /** The History page; `historyPanel(feature)` is a feature page's History panel. */
  history: HistoryPage;
  historyPanel(feature: 'firewall' | 'dns' | 'kernel'): HistoryPage;
}

const made = new WeakMap<Page, Pages>();

/** The page objects for `page` (made once per page). */
export function pagesOf(page: Page): Pages {
  let p = made.get(page);
  if (!p) {
    const firewall = new FirewallPage(page);
    p = { shell: new AppShell(page), firewall, safeApply: firewall.applyBar, dns: new DnsPage(page), kernel: new KernelPage(page), hosts: new HostsPage(page), compare: new ComparePage(page), explain: new ExplainPanel(page), offlineKinds: new OfflineKindsPanel(page), history: new HistoryPage(page), historyPanel: (feature) => new HistoryPage(page, feature) };
    made.set(page, p);
  }
  return p;
}

/** The element has the keyboard focus. */
export function hasFocus(locator: Locator): Promise<boolean> {
  return locator.evaluate((e) => e === document.activeElement);
}
