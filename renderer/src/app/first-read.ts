import { prefetchRead } from './api';
import { useAppStore, type PageId } from './store';
import { targetInput, useKernelSettings } from '../kernel/settings';

/**
 * The read a page makes first, started by the shell as soon as it runs: the page's own chunk
 * and its data then travel side by side instead of one after the other (the Kernel page's
 * 480 KB kernel.list waited for its 300 KB chunk, issue #22). The input must be exactly what
 * the page's store sends, or the page simply reads again.
 */
const firstReads: Partial<Record<PageId, (hostId: string) => void>> = {
  kernel: (hostId) => prefetchRead(hostId, 'kernel.list', targetInput(useKernelSettings.getState().target)),
};

export function startFirstRead(): void {
  const { page, hostId } = useAppStore.getState();
  firstReads[page]?.(hostId);
}
