import { Label, Tooltip } from '@patternfly/react-core';
import type { RemoteHost } from '../../../shared/hosts/contract';
import { useAppStore } from '../app/store';
import { useHostsStore } from './store';
import { HostStateLabel } from './HostStateLabel';
import { filesRoute, firewallRoute } from './privilege';

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
      {remote && remote.state === 'connected' && <LimitedPrivilege host={remote} />}
    </span>
  );
}

/** A non-root login: what it may not change, per route, with what to add in the tooltip (nothing for root). */
function LimitedPrivilege({ host }: { host: RemoteHost }) {
  const p = host.privilege;
  if (p.mode === 'root' || (p.mode === 'unknown' && p.firewall.route === 'unknown')) return null;
  const routes = [filesRoute(p), firewallRoute(p)].filter((r) => r !== null);
  const limited = routes.filter((r) => r.color !== 'green');
  if (limited.length === 0) return null;
  return (
    <Tooltip content={`${p.user ?? 'This login'} on ${host.id}: ${routes.map((r) => r.detail).join(' ')} See the Hosts page for what to add.`}>
      <Label color="orange" data-testid="current-host-privilege">
        {p.user ?? 'login'}: {limited.map((r) => r.text).join(', ')}
      </Label>
    </Tooltip>
  );
}
