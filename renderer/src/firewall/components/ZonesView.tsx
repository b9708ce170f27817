import { useState } from 'react';
import { Label, TextInput } from '@patternfly/react-core';
import { diffCount, diffObject, objectNames } from '../../../../shared/firewall/diff';
import type { FullState } from '../../../../shared/firewall/model';
import { checkName } from '../../../../shared/firewall/validate';
import { draftedNames, useFirewallStore } from '../store';
import { ListNav } from './ListNav';
import { ZoneEditor } from './ZoneEditor';
import { useHostApi, usePageHost } from '../../app/host-store';
import { WriteButton } from '../../app/capabilities';
import { objectOp, useOfflineSave } from '../offline-save';

/** Zones of both layers with their differences marked, and the selected zone's editor. */
export function ZonesView({ full }: { full: FullState }) {
  const selected = useFirewallStore((s) => s.selectedZone);
  const hostId = usePageHost();
  const api = useHostApi();
  const drafts = useFirewallStore((s) => s.drafts);
  const { select, run, load } = useFirewallStore.of(hostId).getState();
  const [newName, setNewName] = useState('');
  const names = objectNames(full, 'zone');
  const problem = newName ? checkName('zone', newName) ?? (full.permanent.zones[newName] ? `Zone "${newName}" exists.` : undefined) : undefined;
  const current = selected && names.includes(selected) ? selected : full.global.defaultZone;
  const createZone = () => {
    if (!newName || problem) return;
    if (full.offline) {
      // Offline: a new /etc/firewalld/zones file, checked and shown before it is written.
      select('zone', newName);
      setNewName('');
      return void useOfflineSave.of(hostId).getState().open(`New zone ${newName}`, [objectOp('zone', 'create', newName)]);
    }
    void run('Creating the zone', () => api.firewall.createZone({ name: newName, settings: {} }), `Zone ${newName} created (permanent; reload to use it)`).then((r) => {
      if (r) {
        select('zone', newName);
        setNewName('');
        void load();
      }
    });
  };

  return (
    <div className="hd-fw-split">
      <ListNav label="Zones">
        {names.map((name) => {
          const d = diffObject('zone', name, full.runtime.zones[name], full.permanent.zones[name]);
          const active = full.global.activeZones[name];
          const n = diffCount(d);
          return (
            <button
              key={name}
              type="button"
              className="hd-fw-list-item"
              aria-current={current === name}
              data-testid={`fw-zone-${name}`}
              onClick={() => select('zone', name)}
            >
              <span>{name}</span>
              <span className="hd-fw-list-badges">
                {draftedNames(drafts, hostId, 'zone').has(name) && <Label isCompact color="blue" data-testid={`fw-zone-${name}-pending`}>pending</Label>}
                {full.global.defaultZone === name && <Label isCompact color="purple">default</Label>}
                {active && <Label isCompact color="green">active</Label>}
                {d && <Label isCompact color="orange" title={d.status === 'changed' ? `${n} difference${n === 1 ? '' : 's'} between runtime and permanent` : d.status === 'runtimeOnly' ? 'exists in runtime only' : 'exists in permanent only: reload to load it'} data-testid={`fw-zone-${name}-diff`}>{d.status === 'changed' ? `Δ ${n}` : d.status === 'runtimeOnly' ? 'runtime' : 'permanent'}</Label>}
              </span>
            </button>
          );
        })}
        <div className="hd-fw-list-new">
          <TextInput aria-label="New zone name" placeholder="new zone name" data-testid="fw-new-zone-name" value={newName} onChange={(_e, v) => setNewName(v)} onKeyDown={(e) => e.key === 'Enter' && createZone()} validated={problem ? 'error' : 'default'} />
          <WriteButton variant="secondary" data-testid="fw-new-zone" isDisabled={!newName || !!problem} onClick={createZone}>
            Create zone
          </WriteButton>
          {problem && <span className="hd-fw-error">{problem}</span>}
        </div>
      </ListNav>
      <div className="hd-fw-main">{current && <ZoneEditor key={current} full={full} name={current} />}</div>
    </div>
  );
}
