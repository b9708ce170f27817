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

/**
 * The app opens on the local host (store.ts); the page comes from the URL. `loadShell` imports
 * the shell. Code first, data last, all in this one task: browser mode's server is one event
 * loop, and a read such as kernel.list holds it for its whole computation (~200 ms), so the
 * scripts and styles asked for after it waited that long for their first byte. Asked for
 * first, they are served before it, and the page evaluates its code while the server computes.
 */
export function startFirstRead(loadShell: () => Promise<unknown>): void {
  const page = pageFromHash();
  // The opened page's chunk now, not once the shell has rendered and React asks for it.
  void loadPage[page]().catch(() => undefined);
  void loadShell();
  firstReads[page]?.('local');
}
