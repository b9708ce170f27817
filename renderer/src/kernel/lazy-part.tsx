import { Suspense, lazy, type ComponentType } from 'react';
import { Skeleton } from '@patternfly/react-core';
import { PageBoundary } from '../app/PageBoundary';

/** A part of the Kernel page that arrives in a chunk of its own; `prefetch()` asks for it early. */
export type LazyPart<P> = ComponentType<P> & { prefetch(): void };

/**
 * A part of the Kernel page the first screen does not show (a tab it does not open on, a
 * selected parameter's detail) in a chunk of its own: the first rows do not wait for its code,
 * its tables, dialogs and their CSS (issue #22). The page prefetches every part once its first
 * rows are up, so a click rarely sees the placeholder. A chunk that could not be fetched (the
 * server went away meanwhile) is reported in the part's place, the list staying usable, and
 * "Try again" (or the connection coming back) asks for it with a fresh React.lazy (PageBoundary):
 * a failed one keeps its failure for good.
 */
export function lazyPart<P extends object>(what: string, loader: () => Promise<ComponentType<P>>): LazyPart<P> {
  const load = () => loader().then((c) => ({ default: c }));
  let Lazy = lazy(load);
  const Part = (props: P) => (
    <PageBoundary title={what} what={what} onRetry={() => (Lazy = lazy(load))}>
      <Suspense fallback={<Skeleton height="12rem" screenreaderText={`Loading ${what}`} data-testid="kernel-part-loading" />}>
        <Lazy {...props} />
      </Suspense>
    </PageBoundary>
  );
  return Object.assign(Part, { prefetch: () => void loader().catch(() => undefined) });
}

/** Runs `fn` when the browser is idle (after the first rows have painted), or after `ms` at the latest. */
export function whenIdle(fn: () => void, ms = 1500): () => void {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(fn, { timeout: ms });
    return () => cancelIdleCallback(id);
  }
  const t = setTimeout(fn, 50);
  return () => clearTimeout(t);
}
