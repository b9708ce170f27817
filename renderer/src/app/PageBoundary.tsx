import { Component, createElement, lazy, type ComponentType, type ReactNode } from 'react';
import { Alert, AlertActionLink } from '@patternfly/react-core';
import { onConnectionChange } from './connection';

/**
 * A lazily loaded page that can be loaded again: React.lazy keeps a failed import for good, so
 * `reset()` starts over with a fresh one (the next render imports the chunk again).
 */
export function retryableLazy(loader: () => Promise<{ default: ComponentType }>): { Page: ComponentType; reset: () => void } {
  let Lazy = lazy(loader);
  return {
    Page: () => createElement(Lazy),
    reset: () => {
      Lazy = lazy(loader);
    },
  };
}

interface Props {
  title: string;
  /** What failed to load, when it is a part of a page ("The Configuration & drift tab"); the page by default. */
  what?: string;
  /** Called before trying again (drops a failed lazy import). */
  onRetry: () => void;
  children: ReactNode;
}

/**
 * A page that failed to load or render is reported in the page's place; the shell (masthead,
 * navigation, the connection banner) stays. Without it, a page chunk that did not arrive (the
 * server stopped while it loaded) took the whole window down to a blank page, banner included.
 * It tries again by itself once the connection is back, or when asked.
 */
export class PageBoundary extends Component<Props, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };
  private off: (() => void) | undefined;

  static getDerivedStateFromError(error: unknown): { error: Error } {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidMount(): void {
    this.off = onConnectionChange((s) => {
      if (s === 'live' && this.state.error) this.retry();
    });
  }

  override componentWillUnmount(): void {
    this.off?.();
  }

  retry = (): void => {
    this.props.onRetry();
    this.setState({ error: null });
  };

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <Alert
        variant="danger"
        isInline
        title={`${this.props.what ?? `The ${this.props.title} page`} could not be loaded`}
        data-testid="page-load-error"
        actionLinks={<AlertActionLink onClick={this.retry}>Try again</AlertActionLink>}
      >
        {error.message}
      </Alert>
    );
  }
}
