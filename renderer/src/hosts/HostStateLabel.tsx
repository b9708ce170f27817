import { Label, Tooltip } from '@patternfly/react-core';
import type { HostLinkState } from '../../../shared/hosts/contract';

const look: Record<HostLinkState, { color: 'green' | 'blue' | 'orange' | 'red' | 'grey'; text: string }> = {
  idle: { color: 'grey', text: 'not connected' },
  connecting: { color: 'blue', text: 'connecting' },
  connected: { color: 'green', text: 'connected' },
  disconnected: { color: 'red', text: 'disconnected' },
  unreachable: { color: 'red', text: 'unreachable' },
  'host-key-unknown': { color: 'orange', text: 'host key unknown' },
  'host-key-changed': { color: 'red', text: 'host key changed' },
  'auth-failed': { color: 'red', text: 'login refused' },
};

/** A remote host's link state as a label, its message as the tooltip. */
export function HostStateLabel({ state, message }: { state: HostLinkState; message: string }) {
  const l = look[state];
  return (
    <Tooltip content={message}>
      <Label color={l.color} data-testid="host-state" data-state={state}>
        {l.text}
      </Label>
    </Tooltip>
  );
}
