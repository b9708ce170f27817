/** The pages and the one the URL opens (#/kernel): small, so the entry chunk can know it before the app has loaded. */
export type PageId = 'firewall' | 'dns' | 'kernel' | 'compare' | 'history' | 'hosts';
export const pageIds: PageId[] = ['firewall', 'dns', 'kernel', 'compare', 'history', 'hosts'];

export function pageFromHash(): PageId {
  const h = typeof location !== 'undefined' ? location.hash.replace(/^#\/?/, '') : '';
  return (pageIds as string[]).includes(h) ? (h as PageId) : 'firewall';
}

/**
 * Each page is its own chunk: a cold start loads the shell and the page it opens, not all six
 * (the Kernel page was 2.5 s to its first row behind one 3.3 MB bundle). The entry starts the
 * opened page's import at once, beside the shell's; the shell fetches another page's chunk as
 * soon as the pointer or the keyboard focus reaches its link, before the click.
 */
export const loadPage = {
  firewall: () => import('../firewall/FirewallPage').then((m) => ({ default: m.FirewallPage })),
  dns: () => import('../dns/DnsPage').then((m) => ({ default: m.DnsPage })),
  kernel: () => import('../kernel/KernelPage').then((m) => ({ default: m.KernelPage })),
  compare: () => import('../compare/ComparePage').then((m) => ({ default: m.ComparePage })),
  hosts: () => import('../hosts/HostsPage').then((m) => ({ default: m.HostsPage })),
  history: () => import('../history/HistoryPage').then((m) => ({ default: m.HistoryPage })),
} satisfies Record<PageId, () => Promise<{ default: React.ComponentType }>>;
