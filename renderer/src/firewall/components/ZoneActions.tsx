import { useState } from 'react';
import { Button, TextInput } from '@patternfly/react-core';
import type { FullState } from '../../../../shared/firewall/model';
import { usesText, zoneUsers } from '../../../../shared/firewall/references';
import { checkName } from '../../../../shared/firewall/validate';
import { useFirewallStore } from '../store';
import { ConfirmModal, type Confirm } from './ConfirmModal';
import { useHostApi, usePageHost } from '../../app/host-store';
import { WriteButton } from '../../app/capabilities';

/** Rename and Delete of a custom zone, in that zone's own header (built-in zones cannot be renamed or deleted). */
export function ZoneActions({ full, name }: { full: FullState; name: string }) {
  const hostId = usePageHost();
  const api = useHostApi();
  const busy = useFirewallStore((s) => s.busy);
  const { run, load, select } = useFirewallStore.of(hostId).getState();
  const [confirm, setConfirm] = useState<Confirm>();
  const [renaming, setRenaming] = useState(false);
  const [to, setTo] = useState('');
  const perm = full.permanent.zones[name];
  // firewalld's own test (fw_config.check_builtin_zone): a built-in zone, and a built-in's /etc
  // override (builtin false, default false), answer BUILTIN_ZONE to rename and remove.
  if (!perm?.meta || perm.meta.builtin || !perm.meta.default) return null;

  // Policies that name this zone: firewalld would take a delete or rename and then fail its next reload.
  const users = zoneUsers(full.permanent, name);
  const inUse = users.length ? `Used by ${usesText(users)}: change those first.` : undefined;
  const problem = to ? checkName('zone', to) ?? (to !== name && full.permanent.zones[to] ? `Zone "${to}" exists.` : undefined) : undefined;
  const rename = () => {
    if (!to || problem || to === name) return;
    void run('Renaming the zone', () => api.firewall.renameZone({ name, newName: to }), `Zone ${name} renamed to ${to}`).then((r) => {
      if (r) {
        select('zone', to);
        setRenaming(false);
        setTo('');
        void load();
      }
    });
  };
  const cancel = () => {
    setRenaming(false);
    setTo('');
  };

  return (
    <span className="hd-fw-inline hd-fw-zone-actions" data-testid="fw-zone-actions">
      {renaming ? (
        <>
          <TextInput
            aria-label="Rename zone to"
            data-testid="fw-rename-zone-input"
            placeholder={`new name for ${name}`}
            value={to}
            autoFocus
            onChange={(_e, v) => setTo(v)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') rename();
              if (e.key === 'Escape') cancel();
            }}
            validated={problem ? 'error' : 'default'}
            className="hd-fw-rename"
          />
          <WriteButton variant="primary" data-testid="fw-rename-zone-save" isDisabled={busy || !to || !!problem || to === name} onClick={rename}>Rename</WriteButton>
          <Button variant="link" onClick={cancel}>Cancel</Button>
          {problem && <span className="hd-fw-error" data-testid="fw-rename-zone-error">{problem}</span>}
        </>
      ) : (
        <WriteButton variant="secondary" data-testid="fw-rename-zone" isDisabled={busy || !!inUse} title={inUse} onClick={() => setRenaming(true)}>Rename…</WriteButton>
      )}
      <WriteButton
        variant="secondary"
        isDanger
        data-testid="fw-delete-zone"
        isDisabled={busy || !!inUse}
        title={inUse}
        onClick={() =>
          setConfirm({
            title: `Delete zone ${name}?`,
            danger: true,
            body: <p>The permanent zone {name} is deleted. Its interfaces and sources move to the default zone ({full.global.defaultZone}) after a reload.</p>,
            action: 'Delete zone',
            run: () => run('Deleting the zone', () => api.firewall.deleteZone({ name }), `Zone ${name} deleted`).then(() => load()),
          })
        }
      >
        Delete zone
      </WriteButton>
      {inUse && <span className="hd-fw-none" data-testid="fw-zone-in-use">{inUse}</span>}
      {confirm && <ConfirmModal c={confirm} onClose={() => setConfirm(undefined)} />}
    </span>
  );
}
