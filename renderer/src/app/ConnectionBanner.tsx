import { useEffect, useRef, useSyncExternalStore } from 'react';
import { Alert, AlertActionLink } from '@patternfly/react-core';
import { connectionState, onConnectionChange } from './connection';
import { useAppStore } from './store';

/**
 * Tells the user when this page lost its server (browser mode): reconnecting while the events
 * stream is down, and "session expired, reload" once the server answers that the page's token
 * is not valid any more (it restarted). What the page shows meanwhile may be stale, so it says so.
 */
export function ConnectionBanner() {
  const state = useSyncExternalStore(onConnectionChange, connectionState);
  const previous = useRef(state);
  useEffect(() => {
    // Back after a drop: what was pushed meanwhile is lost, so read the status again.
    if (previous.current === 'reconnecting' && state === 'live') void useAppStore.getState().refreshFirewallStatus();
    previous.current = state;
  }, [state]);

  if (state === 'live') return null;
  if (state === 'reconnecting') {
    return (
      <Alert variant="warning" isInline title="Lost the connection to HostDeck: reconnecting…" data-testid="connection-banner" data-state="reconnecting" className="hd-connection-banner">
        What this page shows may be out of date until the connection is back. A pending safe apply still reverts on the host unless you keep it.
      </Alert>
    );
  }
  return (
    <Alert
      variant="danger"
      isInline
      title="Session expired: HostDeck restarted"
      data-testid="connection-banner"
      data-state="expired"
      className="hd-connection-banner"
      actionLinks={<AlertActionLink onClick={() => window.location.reload()}>Reload the page</AlertActionLink>}
    >
      This page is no longer signed in to the HostDeck server, so nothing it shows is live and nothing you do here is sent. Reload it, or open the new URL (with its ?token=) that{' '}
      <code>hostdeck serve</code> printed.
    </Alert>
  );
}
