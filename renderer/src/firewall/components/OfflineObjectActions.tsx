import { Label } from '@patternfly/react-core';
import type { ObjectMeta } from '../../../../shared/firewall/model';
import type { OfflineWriteOp } from '../../../../shared/firewall/offline/write-contract';
import { useOfflineSave } from '../offline-save';
import { useFirewallStore } from '../store';
import { usePageHost } from '../../app/host-store';
import { WriteButton } from '../../app/capabilities';
import { OfflineZoneRename } from './OfflineZoneRename';

type Kind = 'zone' | 'policy' | 'service' | 'ipset' | 'icmptype' | 'helper';
const WORD: Record<Kind, string> = { zone: 'Zone', policy: 'Policy', service: 'Service', ipset: 'ipset', icmptype: 'ICMP type', helper: 'Helper' };

/**
 * An object of an offline configuration: where its file is (a default, a builtin modified in
 * /etc, or its own), "Reset to the default" for a modified builtin (its /etc copy removed, as
 * --load-*-defaults) and Delete for one of the admin's own (builtins cannot be deleted), and
 * Rename for a zone of the admin's own (firewalld renames no builtin).
 */
export function OfflineObjectActions({ kind, name, meta, inUse, origin = true }: { kind: Kind; name: string; meta?: ObjectMeta; inUse?: string; origin?: boolean }) {
  const hostId = usePageHost();
  const busy = useFirewallStore((s) => s.busy);
  const { open } = useOfflineSave.of(hostId).getState();
  // The object's staged edits go with it once saved: a reset or a delete makes them meaningless.
  const key = JSON.stringify([hostId, kind, name]);
  const staged = () => (useFirewallStore.of(hostId).getState().drafts[key] ? [key] : []);
  const modified = !!meta?.builtin && !meta.default;
  return (
    <span className="hd-fw-inline" data-testid="fw-offline-object-actions">
      {!origin ? null : meta?.builtin ? (
        <Label color={modified ? 'orange' : 'grey'} data-testid="fw-offline-origin">{modified ? 'modified from the default' : 'the default (firewalld ships it)'}</Label>
      ) : (
        <Label color="blue" data-testid="fw-offline-origin">own file in /etc/firewalld</Label>
      )}
      {modified && (
        <WriteButton variant="secondary" data-testid="fw-offline-reset" isDisabled={busy} title="Removes the /etc/firewalld copy: firewalld loads its default again" onClick={() => {
          void open(`Reset ${WORD[kind].toLowerCase()} ${name} to the default`, [{ op: `${kind}.reset`, name } as OfflineWriteOp], staged());
        }}>
          Reset to the default
        </WriteButton>
      )}
      {!meta?.builtin && (
        <WriteButton variant="secondary" isDanger data-testid={`fw-offline-delete-${kind}`} isDisabled={busy || !!inUse} title={inUse} onClick={() => {
          void open(`Delete ${WORD[kind].toLowerCase()} ${name}`, [{ op: `${kind}.delete`, name } as OfflineWriteOp], staged());
        }}>
          Delete {WORD[kind].toLowerCase()}
        </WriteButton>
      )}
      {kind === 'zone' && meta && !meta.builtin && <OfflineZoneRename name={name} />}
    </span>
  );
}
