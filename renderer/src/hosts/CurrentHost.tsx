import { Label, Tooltip } from '@patternfly/react-core';
import { useAppStore } from '../app/store';
import { useHostsStore } from './store';
import { HostStateLabel } from './HostStateLabel';

/** The masthead's "which host am I changing" line: always visible, with the remote link state. */
export function CurrentHost() {
  const hostId = useAppStore((s) => s.hostId);
  const hosts = useAppStore((s) => s.hosts);
  const remote = useHostsStore((s) => (s.hosts.state === 'ready' ? s.hosts.value.find((h) => h.id === hostId) : undefined));
  const summary = hosts.state === 'ready' ? hosts.value.find((h) => h.id === hostId) : undefined;
  const label = summary?.label ?? hostId;
  return (
    <span className="hd-current-host" data-testid="current-host" data-host={hostId} data-state={remote?.state ?? 'local'}>
      <Tooltip content={remote ? `${remote.destination}${remote.identity ? ` — ${remote.identity.hostname}, logged in as ${remote.identity.user}` : ''}` : 'This machine'}>
        <Label color={remote ? 'purple' : 'grey'} data-testid="current-host-name">
          Changing: {remote?.identity?.hostname && remote.identity.hostname !== hostId ? `${label} (${remote.identity.hostname})` : label}
        </Label>
      </Tooltip>{' '}
      {remote && remote.state !== 'connected' && <HostStateLabel state={remote.state} message={remote.message} />}
    </span>
  );
}
