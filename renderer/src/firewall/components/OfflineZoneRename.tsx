import { useState } from 'react';
import { Button, Checkbox, TextInput } from '@patternfly/react-core';
import { checkName } from '../../../../shared/firewall/validate';
import { zoneReferences, zoneRenameOps } from '../offline-kinds';
import { useOfflineSave } from '../offline-save';
import { useFirewallStore } from '../store';
import { usePageHost } from '../../app/host-store';
import { WriteButton } from '../../app/capabilities';

/**
 * Rename of a zone of the admin's own (firewalld renames only those): the file under the new
 * name, the old one removed. firewalld changes no reference; here the policies and DefaultZone
 * that name the zone move with it unless the admin unticks that (the check then refuses what
 * firewalld would fail to load).
 */
export function OfflineZoneRename({ name }: { name: string }) {
  const hostId = usePageHost();
  const full = useFirewallStore((s) => (s.full.state === 'ready' ? s.full.value : undefined));
  const busy = useFirewallStore((s) => s.busy);
  const [to, setTo] = useState<string>();
  const [withRefs, setWithRefs] = useState(true);
  if (!full) return null;
  if (to === undefined) {
    return <WriteButton variant="secondary" data-testid="fw-zone-rename" isDisabled={busy} onClick={() => {
      // Each rename starts with the references ticked: an untick is for that one attempt.
      setWithRefs(true);
      setTo(name);
    }}>Rename zone</WriteButton>;
  }
  const refs = zoneReferences(full, name);
  const named = [...refs.policies.map((p) => `policy ${p}`), ...(refs.defaultZone ? ['the default zone (firewalld.conf)'] : [])];
  const problem = to === name ? undefined : checkName('zone', to) ?? (full.permanent.zones[to] || full.permanent.policies[to] ? `"${to}" is taken (zones and policies share names).` : undefined);
  const rename = () => {
    if (!to || to === name || problem) return;
    // Staged edits of the old name would not apply to the new one: they are dropped with the save.
    const key = JSON.stringify([hostId, 'zone', name]);
    const staged = useFirewallStore.of(hostId).getState().drafts[key] ? [key] : [];
    useFirewallStore.of(hostId).getState().select('zone', to);
    setTo(undefined);
    void useOfflineSave.of(hostId).getState().open(`Rename zone ${name} to ${to}`, zoneRenameOps(full, name, to, withRefs), staged);
  };
  return (
    <span className="hd-fw-inline" data-testid="fw-zone-rename-form">
      <TextInput aria-label={`New name of zone ${name}`} data-testid="fw-zone-rename-name" value={to} onChange={(_e, v) => setTo(v)} onKeyDown={(e) => (e.key === 'Enter' ? rename() : e.key === 'Escape' && setTo(undefined))} validated={problem ? 'error' : 'default'} autoFocus />
      {named.length > 0 && (
        <Checkbox id="fw-zone-rename-refs" data-testid="fw-zone-rename-refs" isChecked={withRefs} onChange={(_e, v) => setWithRefs(v)} label={`Also rename it in ${named.join(', ')}`} />
      )}
      <WriteButton variant="primary" data-testid="fw-zone-rename-ok" isDisabled={busy || !to || to === name || !!problem} onClick={rename}>Rename</WriteButton>
      <Button variant="link" data-testid="fw-zone-rename-cancel" onClick={() => setTo(undefined)}>Cancel</Button>
      {problem && <span className="hd-fw-error">{problem}</span>}
    </span>
  );
}
