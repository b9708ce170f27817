import { useState } from 'react';
import { Button, Label, Spinner, Tooltip } from '@patternfly/react-core';
import type { RemoteHost } from '../../../../shared/hosts/contract';
import { useAppStore } from '../../app/store';
import { useHostsStore } from '../store';
import { HostStateLabel } from '../HostStateLabel';
import { Tbody, Td, Tr } from '@patternfly/react-table';
import { HostAttention, PrivilegeLabels } from './HostAttention';

/** One host: its row (state, system, privilege, firewalld, actions) and what needs the user's attention. */
export function HostRows({ host: h }: { host: RemoteHost }) {
  const busy = useHostsStore((s) => s.busy[h.id]);
  const check = useHostsStore((s) => s.check);
  const remove = useHostsStore((s) => s.remove);
  const setHost = useAppStore((s) => s.setHost);
  const setPage = useAppStore((s) => s.setPage);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const needsAttention =
    h.state === 'host-key-unknown' ||
    h.state === 'host-key-changed' ||
    h.state === 'auth-failed' ||
    h.privilege.sudoersLine !== null ||
    h.privilege.firewall.polkitRule !== null ||
    (h.state === 'connected' && (h.privilege.message !== null || h.privilege.firewall.message !== null));
  return (
    <Tbody data-testid={`host-row-${h.id}`} data-state={h.state}>
      <Tr>
        <Td dataLabel="Name">
          <strong>{h.id}</strong>
          {h.groups.length > 0 && (
            <div data-testid={`host-groups-${h.id}`}>
              {h.groups.map((g) => (
                <Label key={g} isCompact color="blue" className="pf-v6-u-mr-xs">
                  @{g}
                </Label>
              ))}
            </div>
          )}
          {h.become && (
            <Tooltip content={`The inventory sets ansible_become (${h.become.method} to ${h.become.user}): HostDeck's snapshots through Ansible use it; HostDeck's own changes go through sudo -n of its helper.`}>
              <Label isCompact color="purple" data-testid={`host-become-${h.id}`}>
                become {h.become.user}
              </Label>
            </Tooltip>
          )}
        </Td>
        <Td dataLabel="Destination">
          <code>{h.destination}</code>
        </Td>
        <Td dataLabel="State">
          <HostStateLabel state={h.state} message={h.message} />
          {h.state !== 'connected' && (h.lastSeen !== null || h.nextReconnect !== null) && (
            <div className="hd-muted" data-testid={`host-outage-${h.id}`}>
              {h.lastSeen !== null ? `last seen ${new Date(h.lastSeen).toLocaleTimeString()}` : 'not seen yet'}
              {h.nextReconnect !== null ? `; next try ${new Date(h.nextReconnect).toLocaleTimeString()}` : ''}
            </div>
          )}
        </Td>
        <Td dataLabel="System">{h.identity ? `${h.identity.hostname} · ${h.identity.os} · ${h.identity.kernel}` : '—'}</Td>
        <Td dataLabel="Privilege" data-testid={`host-privilege-${h.id}`} data-stale={h.stale} style={h.stale ? { opacity: 0.55 } : undefined}>
          <PrivilegeLabels host={h} />
        </Td>
        <Td dataLabel="firewalld" data-stale={h.stale} style={h.stale ? { opacity: 0.55 } : undefined}>
          {h.stale && (
            <Tooltip content="What the host said when it was last seen: it is not reachable now.">
              <Label isCompact color="grey" data-testid={`host-stale-${h.id}`}>
                last known
              </Label>
            </Tooltip>
          )}{' '}
          {h.firewalld === 'running' && <Label color="green">running</Label>}
          {h.firewalld === 'not-running' && <Label color="grey">not running</Label>}
          {h.firewalld === 'no-access' && <Label color="orange">no access</Label>}
          {h.firewalld === null && '—'}
        </Td>
        <Td dataLabel="Actions" isActionCell>
          <Button variant="secondary" size="sm" isDisabled={!!busy} onClick={() => void check(h.id)} data-testid={`host-check-${h.id}`}>
            {h.state === 'connected' ? 'Check' : 'Connect'}
          </Button>{' '}
          <Button
            variant="link"
            size="sm"
            isDisabled={h.state !== 'connected'}
            onClick={() => {
              setHost(h.id);
              setPage('firewall');
            }}
            data-testid={`host-open-${h.id}`}
          >
            Open
          </Button>{' '}
          {confirmRemove ? (
            <>
              <Button variant="danger" size="sm" onClick={() => void remove(h.id)} data-testid={`host-remove-confirm-${h.id}`}>
                Remove {h.id}
              </Button>{' '}
              <Button variant="link" size="sm" onClick={() => setConfirmRemove(false)}>
                Keep
              </Button>
            </>
          ) : (
            <Button variant="link" isDanger size="sm" isDisabled={!!busy} onClick={() => setConfirmRemove(true)} data-testid={`host-remove-${h.id}`}>
              Remove
            </Button>
          )}
          {busy && (
            <span className="hd-muted">
              {' '}
              <Spinner size="sm" aria-label={busy} /> {busy}…
            </span>
          )}
        </Td>
      </Tr>
      {needsAttention && (
        <Tr>
          <Td colSpan={7}>
            <HostAttention host={h} />
          </Td>
        </Tr>
      )}
    </Tbody>
  );
}
