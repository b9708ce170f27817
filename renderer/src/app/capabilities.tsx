import { createContext, useContext, type ReactNode, type Ref } from 'react';
import { Alert, Button, EmptyState, EmptyStateBody, type ButtonProps } from '@patternfly/react-core';
import type { HostSummary } from '../../../shared/app/contract';
import type { CapabilityName, HostCapabilities } from '../../../shared/hosts/capabilities';
import { canWrite, writeCapability, type ChangeRoute } from '../../../shared/hosts/can-write';
import { usePageHost } from './host-store';
import { useAppStore } from './store';

/**
 * The UI asks the page's host what it can do (HostSummary.capabilities, the same facts the
 * Node side acts on), never what kind of host it is: write controls are disabled with the
 * host's own reason beside them, and a missing feature is explained instead of an empty panel.
 */

/**
 * The route the page's changes take (App sets it per page): the Firewall page's go through
 * firewalld (root or polkit), the other pages' through HostDeck's helper. A login may have one
 * and not the other, so each page asks about its own.
 */
export const ChangeRouteContext = createContext<ChangeRoute>('files');

/**
 * A part of a page whose changes cannot be made whatever the host offers, and why (the Firewall
 * page showing configuration files it cannot write): its write controls are off with this reason.
 */
export const WritesOffContext = createContext<string | undefined>(undefined);

/** The summary of the page's host, once the host list is known. */
export function usePageHostSummary(): HostSummary | undefined {
  const host = usePageHost();
  return useAppStore((s) => (s.hosts.state === 'ready' ? s.hosts.value.find((h) => h.id === host) : undefined));
}

export function useCapabilities(): HostCapabilities | undefined {
  return usePageHostSummary()?.capabilities;
}

/** The id of the element that says why changes are off (write controls point at it). */
export const WRITES_OFF_ID = 'hd-writes-off-reason';

/** Why the host takes no changes by this route, in its own words. */
export function writesOffReason(h: HostSummary, route: ChangeRoute = 'files'): string {
  const c = h.capabilities;
  if (route === 'firewall' && c.firewall !== 'live' && c.firewall !== 'offline') return c.missing.firewall ?? c.missing.firewallWrites ?? `${h.label} has no running firewalld to change.`;
  return c.missing[writeCapability(route, c)] ?? `${h.label} is read-only: HostDeck makes no changes to it.`;
}

export interface WriteGate {
  /** The host cannot take changes: every write control is disabled. */
  blocked: boolean;
  reason?: string;
  /**
   * Props for a write control: marks it (data-write, so a test can find every one), and on a
   * host without writes disables it and points it at the reason.
   */
  guard(isDisabled?: boolean): { isDisabled: boolean; 'data-write': 'true'; 'aria-describedby'?: string; title?: string };
}

export function useWriteGate(): WriteGate {
  const h = usePageHostSummary();
  const route = useContext(ChangeRouteContext);
  // Until the host list is known nothing is disabled: the Node side refuses writes on a read-only host anyway.
  const off = useContext(WritesOffContext);
  const blocked = !!off || (!!h && !canWrite(h.capabilities, route));
  const reason = off ?? (h && blocked ? writesOffReason(h, route) : undefined);
  return {
    blocked,
    reason,
    guard: (isDisabled = false) => ({
      isDisabled: isDisabled || blocked,
      'data-write': 'true',
      ...(blocked ? { 'aria-describedby': WRITES_OFF_ID, title: reason } : {}),
    }),
  };
}

/** A button that changes the host: disabled, with the reason, on a host that takes no changes. */
export function WriteButton({ isDisabled, ref, ...props }: ButtonProps & { ref?: Ref<HTMLButtonElement> }) {
  const w = useWriteGate();
  return <Button {...props} ref={ref} {...w.guard(isDisabled)} />;
}

/** Says once, at the top of the page, why changes are off on this host (write controls are described by it). */
export function WritesOffNotice() {
  const h = usePageHostSummary();
  const route = useContext(ChangeRouteContext);
  if (!h || canWrite(h.capabilities, route)) return null;
  return (
    <Alert isInline isPlain variant="info" title="Changes are off on this host" data-testid="writes-off">
      <span id={WRITES_OFF_ID} data-testid="writes-off-reason">
        {writesOffReason(h, route)}
      </span>
    </Alert>
  );
}

/**
 * In place of a panel for a feature the host lacks: what is missing and why, in the host's
 * words (capabilities.missing), instead of an empty table or a misleading error.
 */
export function MissingFeature({ capability, title, children }: { capability: CapabilityName; title: string; children?: ReactNode }) {
  const h = usePageHostSummary();
  const why = h?.capabilities.missing[capability];
  return (
    <EmptyState titleText={title} headingLevel="h2" data-testid={`missing-${capability}`}>
      <EmptyStateBody>
        {why ?? `${h?.label ?? 'This host'} does not offer this.`}
        {children}
      </EmptyStateBody>
    </EmptyState>
  );
}
