import { useState } from 'react';
import { Button, Checkbox, FormSelect, FormSelectOption, Label, TextInput, Title } from '@patternfly/react-core';
import type { FullState, Helper } from '../../../../shared/firewall/model';
import { checkName, checkPort } from '../../../../shared/firewall/validate';
import { parsePortText, portsText } from '../draft';
import { helperOp, icmpFamilies, icmptypeOp } from '../offline-kinds';
import { useOfflineSave } from '../offline-save';
import { useFirewallStore } from '../store';
import { usePageHost } from '../../app/host-store';
import { WriteButton } from '../../app/capabilities';
import { AddItem } from './AddItem';
import { OfflineObjectActions } from './OfflineObjectActions';

/**
 * The offline editors of ICMP types and helpers (what firewall-offline-cmd can change of them),
 * and their "new" forms: each one a firewall.offlineWrite reviewed before it is
 * written, like the other kinds (a zone's rename: OfflineZoneRename.tsx).
 */

type Family = 'ipv4' | 'ipv6';
const PORT_PROTOS = ['tcp', 'udp', 'sctp', 'dccp'];
const MODULE_PREFIX = 'nf_conntrack_';

const checkModule = (m: string) => (m.startsWith(MODULE_PREFIX) && /^[A-Za-z0-9_-]+$/.test(m) ? undefined : `A helper's module is a conntrack helper module: nf_conntrack_ followed by its name (nf_conntrack_ftp).`);

/**
 * The services that name a helper: its delete is refused until they do not (a service naming a
 * missing helper fails to load). A deleted ICMP type needs no such guard: it leaves the zones and
 * policies that block it, as firewall-offline-cmd does.
 */
function helperInUse(full: FullState, name: string): string | undefined {
  const users = Object.values(full.permanent.services).filter((s) => s.helpers.includes(name)).map((s) => `service ${s.name}`);
  return users.length ? `Used by ${users.join(', ')}: remove it there first.` : undefined;
}

function Texts({ kind, short, description, onShort, onDescription }: { kind: string; short: string; description: string; onShort(v: string): void; onDescription(v: string): void }) {
  return (
    <>
      <label>Short name</label>
      <TextInput aria-label="Short name" data-testid={`fw-${kind}-short`} value={short} onChange={(_e, v) => onShort(v)} />
      <span />
      <label>Description</label>
      <TextInput aria-label="Description" data-testid={`fw-${kind}-description`} value={description} onChange={(_e, v) => onDescription(v)} />
      <span />
    </>
  );
}

function SaveRow({ kind, onSave, onDiscard }: { kind: string; onSave(): void; onDiscard(): void }) {
  const busy = useFirewallStore((s) => s.busy);
  return (
    <div className="hd-fw-actions">
      <WriteButton variant="primary" data-testid={`fw-${kind}-save`} isDisabled={busy} onClick={onSave}>Save to the files</WriteButton>
      <Button variant="link" onClick={onDiscard}>Discard</Button>
    </div>
  );
}

export function OfflineIcmpTypeEditor({ full, name }: { full: FullState; name: string }) {
  const hostId = usePageHost();
  const base = full.permanent.icmptypes[name];
  const [edit, setEdit] = useState<{ short: string; description: string; families: Family[] }>();
  if (!base) return null;
  const e = edit ?? { short: base.short, description: base.description, families: icmpFamilies(base) };
  const change = (next: Partial<typeof e>) => setEdit({ ...e, ...next });
  const blockedIn = [...Object.values(full.permanent.zones), ...Object.values(full.permanent.policies)].filter((o) => o.icmpBlocks.includes(name)).map((o) => o.name);
  return (
    <div className="hd-fw-editor" data-testid="fw-icmptype-editor">
      <div className="hd-fw-editor-head">
        <Title headingLevel="h2">ICMP type {name}</Title>
        <OfflineObjectActions kind="icmptype" name={name} meta={base.meta} />
      </div>
      <div className="hd-fw-settings">
        <Texts kind="icmptype" short={e.short} description={e.description} onShort={(v) => change({ short: v })} onDescription={(v) => change({ description: v })} />
        <label>IP versions</label>
        <span className="hd-fw-inline">
          {(['ipv4', 'ipv6'] as const).map((f) => (
            <Checkbox key={f} id={`fw-icmptype-${f}`} data-testid={`fw-icmptype-${f}`} label={f} isChecked={e.families.includes(f)}
              onChange={(_e, on) => change({ families: on ? [...e.families, f].sort() as Family[] : e.families.filter((x) => x !== f) })} />
          ))}
        </span>
        {/* firewalld writes no destination for "both", and reads none as both: one family at least. */}
        <span className="hd-fw-error">{e.families.length === 0 ? 'Choose at least one IP version.' : ''}</span>
        <label>Blocked in</label>
        <span>{blockedIn.length ? blockedIn.join(', ') : <span className="hd-fw-none">no zone or policy</span>}</span>
        <span />
      </div>
      {edit && e.families.length > 0 && (
        <SaveRow kind="icmptype" onDiscard={() => setEdit(undefined)} onSave={() => {
          const op = icmptypeOp(name, base, e);
          if (!op) return setEdit(undefined);
          // The edit stays until the files are read again after the save (the editor is keyed by that read).
          void useOfflineSave.of(hostId).getState().open(`ICMP type ${name}`, [op]);
        }} />
      )}
    </div>
  );
}

export function OfflineHelperEditor({ full, name }: { full: FullState; name: string }) {
  const hostId = usePageHost();
  const base = full.permanent.helpers[name];
  const [edit, setEdit] = useState<Helper>();
  if (!base) return null;
  const h = edit ?? base;
  const change = (next: Partial<Helper>) => setEdit({ ...h, ...next });
  const moduleProblem = checkModule(h.module);
  const services = Object.values(full.permanent.services).filter((s) => s.helpers.includes(name)).map((s) => s.name);
  return (
    <div className="hd-fw-editor" data-testid="fw-helper-editor">
      <div className="hd-fw-editor-head">
        <Title headingLevel="h2">Helper {name}</Title>
        <OfflineObjectActions kind="helper" name={name} meta={base.meta} inUse={helperInUse(full, name)} />
      </div>
      <div className="hd-fw-settings">
        <Texts kind="helper" short={h.short} description={h.description} onShort={(v) => change({ short: v })} onDescription={(v) => change({ description: v })} />
        <label>Module</label>
        <TextInput aria-label="Module" data-testid="fw-helper-module-input" value={h.module} onChange={(_e, v) => change({ module: v })} validated={moduleProblem ? 'error' : 'default'} />
        <span className="hd-fw-error">{moduleProblem ?? ''}</span>
        <label>Family</label>
        <FormSelect aria-label="Family" data-testid="fw-helper-family" value={h.family} onChange={(_e, v) => change({ family: v })}>
          <FormSelectOption value="" label="ipv4 and ipv6" />
          <FormSelectOption value="ipv4" label="ipv4" />
          <FormSelectOption value="ipv6" label="ipv6" />
        </FormSelect>
        <span />
        <label>Used by services</label>
        <span>{services.length ? services.join(', ') : <span className="hd-fw-none">none</span>}</span>
        <span />
      </div>
      <section className="hd-fw-section">
        <h3 className="hd-fw-section-title">Ports</h3>
        <div className="hd-fw-labels" data-testid="fw-helper-port-list">
          {h.ports.length === 0 && <span className="hd-fw-none">none</span>}
          {portsText(h.ports).map((t) => <Label key={t} onClose={() => change({ ports: h.ports.filter((p) => `${p.port}/${p.protocol}` !== t) })}>{t}</Label>)}
        </div>
        <AddItem describedBy="" testId="helper-port" placeholder="port or range" protocols={PORT_PROTOS} check={(v) => checkPort(v)} onAdd={(t) => change({ ports: [...h.ports, parsePortText(t)] })} />
      </section>
      {edit && !moduleProblem && (
        <SaveRow kind="helper" onDiscard={() => setEdit(undefined)} onSave={() => {
          const op = helperOp(name, base, h);
          if (!op) return setEdit(undefined);
          void useOfflineSave.of(hostId).getState().open(`Helper ${name}`, [op]);
        }} />
      )}
    </div>
  );
}

/** "New ICMP type" (--new-icmptype) and "New helper" (--new-helper --module [--family]) under the list. */
export function OfflineNewObject({ full, kind, onCreated }: { full: FullState; kind: 'icmptype' | 'helper'; onCreated(name: string): void }) {
  const hostId = usePageHost();
  const [name, setName] = useState('');
  const [module, setModule] = useState(MODULE_PREFIX);
  const [family, setFamily] = useState<'' | Family>('');
  const word = kind === 'icmptype' ? 'ICMP type' : 'helper';
  const exists = kind === 'icmptype' ? full.permanent.icmptypes[name] : full.permanent.helpers[name];
  const problem = name ? checkName(kind, name) ?? (exists ? `The ${word} "${name}" exists.` : undefined) : undefined;
  const moduleProblem = kind === 'helper' ? checkModule(module) : undefined;
  const create = () => {
    if (!name || problem || moduleProblem) return;
    onCreated(name);
    setName('');
    void useOfflineSave.of(hostId).getState().open(`New ${word} ${name}`, [kind === 'icmptype' ? { op: 'icmptype.create', name } : { op: 'helper.create', name, module, family }]);
  };
  return (
    <div className="hd-fw-list-new">
      <TextInput aria-label={`New ${word} name`} placeholder={`new ${word} name`} data-testid={`fw-new-${kind}-name`} value={name} onChange={(_e, v) => setName(v)} onKeyDown={(e) => e.key === 'Enter' && create()} validated={problem ? 'error' : 'default'} />
      {kind === 'helper' && (
        <>
          <TextInput aria-label="Module of the new helper" data-testid="fw-new-helper-module" value={module} onChange={(_e, v) => setModule(v)} validated={name && moduleProblem ? 'error' : 'default'} />
          <FormSelect aria-label="Family of the new helper" data-testid="fw-new-helper-family" value={family} onChange={(_e, v) => setFamily(v as '' | Family)}>
            <FormSelectOption value="" label="ipv4 and ipv6" />
            <FormSelectOption value="ipv4" label="ipv4" />
            <FormSelectOption value="ipv6" label="ipv6" />
          </FormSelect>
        </>
      )}
      <WriteButton variant="secondary" data-testid={`fw-new-${kind}`} isDisabled={!name || !!problem || !!moduleProblem} onClick={create}>Create {word}</WriteButton>
      {(problem ?? (name ? moduleProblem : undefined)) && <span className="hd-fw-error">{problem ?? moduleProblem}</span>}
    </div>
  );
}
