import { useState } from 'react';
import { Button, Label, SearchInput, TextInput, Title } from '@patternfly/react-core';
import type { FullState, Service } from '../../../../shared/firewall/model';
import { checkAddress, checkName, checkPort, checkProtocol } from '../../../../shared/firewall/validate';
import { parsePortText, portsText } from '../draft';
import { useFirewallStore } from '../store';
import { ListNav } from './ListNav';
import { AddItem } from './AddItem';
import { useHostApi, usePageHost } from '../../app/host-store';
import { WriteButton } from '../../app/capabilities';
import { objectOp, serviceOp, useOfflineSave } from '../offline-save';
import { OfflineObjectActions } from './OfflineObjectActions';

const PORT_PROTOS = ['tcp', 'udp', 'sctp', 'dccp'];

/** All services; custom ones (and overrides of built-ins) are edited in the permanent layer. */
export function ServicesView({ full }: { full: FullState }) {
  const selected = useFirewallStore((s) => s.selectedService);
  const hostId = usePageHost();
  const api = useHostApi();
  const { select, run, load } = useFirewallStore.of(hostId).getState();
  const [filter, setFilter] = useState('');
  const [newName, setNewName] = useState('');
  const names = [...new Set([...Object.keys(full.permanent.services), ...Object.keys(full.runtime.services)])].sort();
  const shown = names.filter((n) => n.includes(filter));
  const current = selected && names.includes(selected) ? selected : shown[0];
  const problem = newName ? checkName('service', newName) ?? (names.includes(newName) ? `Service "${newName}" exists.` : undefined) : undefined;
  const createService = () => {
    if (!newName || problem) return;
    if (full.offline) {
      select('service', newName);
      setNewName('');
      return void useOfflineSave.of(hostId).getState().open(`New service ${newName}`, [objectOp('service', 'create', newName)]);
    }
    void run('Creating the service', () => api.firewall.createService({ name: newName, settings: {} }), `Service ${newName} created (reload to use it)`).then((r) => {
      if (r) {
        select('service', newName);
        setNewName('');
        void load();
      }
    });
  };
  return (
    <div className="hd-fw-split">
      <ListNav label="Services">
        <SearchInput aria-label="Filter services" placeholder="filter" value={filter} onChange={(_e, v) => setFilter(v)} onClear={() => setFilter('')} />
        <div className="hd-fw-list-scroll">
          {shown.map((n) => {
            const meta = full.permanent.services[n]?.meta;
            return (
              <button key={n} type="button" className="hd-fw-list-item" aria-current={current === n} data-testid={`fw-service-${n}`} onClick={() => select('service', n)}>
                <span>{n}</span>
                {meta && !meta.builtin && <Label isCompact color="blue">custom</Label>}
                {meta?.builtin && !meta.default && <Label isCompact color="orange">edited</Label>}
              </button>
            );
          })}
        </div>
        <div className="hd-fw-list-new">
          <TextInput aria-label="New service name" placeholder="new service name" value={newName} onChange={(_e, v) => setNewName(v)} onKeyDown={(e) => e.key === 'Enter' && createService()} validated={problem ? 'error' : 'default'} data-testid="fw-new-service-name" />
          <WriteButton variant="secondary" data-testid="fw-new-service" isDisabled={!newName || !!problem} onClick={createService}>Create service</WriteButton>
          {problem && <span className="hd-fw-error">{problem}</span>}
        </div>
      </ListNav>
      <div className="hd-fw-main">{current && <ServiceEditor key={full.offline ? `${current}@${full.loadedAt}` : current} full={full} name={current} />}</div>
    </div>
  );
}

function ServiceEditor({ full, name }: { full: FullState; name: string }) {
  const hostId = usePageHost();
  const api = useHostApi();
  const busy = useFirewallStore((s) => s.busy);
  const { run, load } = useFirewallStore.of(hostId).getState();
  const base = full.permanent.services[name] ?? full.runtime.services[name];
  const [edit, setEdit] = useState<Service | undefined>();
  if (!base) return null;
  const s = edit ?? base;
  const change = (next: Partial<Service>) => setEdit({ ...s, ...next });
  const services = Object.keys(full.permanent.services).sort();
  const list = (title: string, items: string[], onRemove: (t: string) => void, form: React.ReactNode) => (
    <section className="hd-fw-section">
      <h3 className="hd-fw-section-title">{title}</h3>
      <div className="hd-fw-labels">
        {items.length === 0 && <span className="hd-fw-none">none</span>}
        {items.map((t) => <Label key={t} onClose={() => onRemove(t)}>{t}</Label>)}
      </div>
      {form}
    </section>
  );
  const meta = full.permanent.services[name]?.meta;
  return (
    <div className="hd-fw-editor" data-testid="fw-service-editor">
      <div className="hd-fw-editor-head">
        <Title headingLevel="h2">Service {name}</Title>
        {full.offline ? <OfflineObjectActions kind="service" name={name} meta={meta} />
          : meta?.builtin ? <Label>{meta.default ? 'built-in' : 'built-in, edited in /etc/firewalld'}</Label> : <Label color="blue">custom</Label>}
      </div>
      <div className="hd-fw-settings">
        <label>Short name</label>
        <TextInput aria-label="Short name" value={s.short} onChange={(_e, v) => change({ short: v })} />
        <span />
        <label>Description</label>
        <TextInput aria-label="Description" value={s.description} onChange={(_e, v) => change({ description: v })} />
        <span />
        <label>IPv4 destination</label>
        <TextInput aria-label="IPv4 destination" value={s.destination.ipv4 ?? ''} onChange={(_e, v) => change({ destination: { ...s.destination, ipv4: v || undefined } })} validated={s.destination.ipv4 && checkAddress(s.destination.ipv4, 'ipv4') ? 'error' : 'default'} />
        <span />
        <label>IPv6 destination</label>
        <TextInput aria-label="IPv6 destination" value={s.destination.ipv6 ?? ''} onChange={(_e, v) => change({ destination: { ...s.destination, ipv6: v || undefined } })} validated={s.destination.ipv6 && checkAddress(s.destination.ipv6, 'ipv6') ? 'error' : 'default'} />
        <span />
      </div>
      {list('Ports', portsText(s.ports), (t) => change({ ports: s.ports.filter((p) => `${p.port}/${p.protocol}` !== t) }),
        <AddItem describedBy="" testId="service-port" placeholder="port or range" protocols={PORT_PROTOS} check={(v) => checkPort(v)} onAdd={(t) => change({ ports: [...s.ports, parsePortText(t)] })} />)}
      {list('Protocols', s.protocols, (t) => change({ protocols: s.protocols.filter((x) => x !== t) }),
        <AddItem describedBy="" testId="service-protocol" placeholder="protocol" check={checkProtocol} onAdd={(t) => change({ protocols: [...s.protocols, t] })} />)}
      {list('Source ports', portsText(s.sourcePorts), (t) => change({ sourcePorts: s.sourcePorts.filter((p) => `${p.port}/${p.protocol}` !== t) }),
        <AddItem describedBy="" testId="service-source-port" placeholder="source port" protocols={PORT_PROTOS} check={(v) => checkPort(v)} onAdd={(t) => change({ sourcePorts: [...s.sourcePorts, parsePortText(t)] })} />)}
      {list('Helpers', s.helpers, (t) => change({ helpers: s.helpers.filter((x) => x !== t) }),
        <AddItem describedBy="" testId="service-helper" placeholder="helper (ftp, tftp, ...)" options={Object.keys(full.permanent.helpers)} check={(v) => (full.permanent.helpers[v] ? undefined : `firewalld has no helper named "${v}".`)} onAdd={(t) => change({ helpers: [...s.helpers, t] })} />)}
      {list('Includes', s.includes, (t) => change({ includes: s.includes.filter((x) => x !== t) }),
        <AddItem describedBy="" testId="service-include" placeholder="service to include" options={services} check={(v) => (v === name ? 'A service cannot include itself.' : services.includes(v) ? undefined : `firewalld has no service named "${v}".`)} onAdd={(t) => change({ includes: [...s.includes, t] })} />)}
      {edit && (
        <div className="hd-fw-actions">
          <WriteButton variant="primary" data-testid="fw-service-save" isDisabled={busy} onClick={() => {
            if (full.offline) {
              // Offline: the edit as firewall-offline-cmd's --service options, reviewed, then written.
              const op = serviceOp(name, base, s);
              if (!op) return setEdit(undefined);
              // The edit stays until the files are re-read after the save (the editor is keyed by that read).
              return void useOfflineSave.of(hostId).getState().open(`Service ${name}`, [op]);
            }
            const { name: _n, meta: _m, ...settings } = s;
            void run('Saving the service', () => api.firewall.updateService({ name, settings }), `Service ${name} saved (reload to use it)`).then((r) => {
              if (r) {
                setEdit(undefined);
                void load();
              }
            });
          }}>{full.offline ? 'Save to the files' : 'Save to permanent'}</WriteButton>
          <Button variant="link" onClick={() => setEdit(undefined)}>Discard</Button>
        </div>
      )}
    </div>
  );
}

