import { prefetchRead } from './transport';
import { loadPage, pageFromHash, type PageId } from './route';
import { targetInput, useKernelSettings } from '../kernel/settings';

/**
 * The read a page makes first, started by the entry chunk as soon as it runs: the page's data,
 * its chunk and the shell's then travel side by side instead of one after the other (the Kernel
 * page's 480 KB kernel.list waited for a 1.3 MB bundle to load and run, issue #22). The input
 * must be exactly what the page's store sends, or the page simply reads again. Nothing here may
 * import the contract or the app store: this runs before they have arrived.
 */
const firstReads: Partial<Record<PageId, (hostId: string) => void>> = {
  kernel: (hostId) => prefetchRead(hostId, 'kernel.list', targetInput(useKernelSettings.getState().target)),
};

/** The app opens on the local host (store.ts); the page comes from the URL. */
export function startFirstRead(): void {
  const page = pageFromHash();
  firstReads[page]?.('local');
  // The opened page's chunk now, not once the shell has rendered and React asks for it.
  void loadPage[page]().catch(() => undefined);
}
