import { useMemo, useState } from 'react';
import { EmptyState, EmptyStateBody, FormSelect, FormSelectOption, Label, Switch, TextInput, Title } from '@patternfly/react-core';
import { diffCount, diffObject, objectNames } from '../../../../shared/firewall/diff';
import type { FullState } from '../../../../shared/firewall/model';
import { checkIcmpTypeName, checkName, checkPort, checkProtocol } from '../../../../shared/firewall/validate';
import { describeDraft, draftToPolicyPatch, emptyDraft, forwardPortsText, isEmptyDraft, keyFor, portsText, stage, stageEdit, unstage, type Draft, type DraftKey } from '../draft';
import { draftedNames, draftKey, EMPTY_DRAFT, useFirewallStore } from '../store';
import { ListNav } from './ListNav';
import { AddItem } from './AddItem';
import { ApplyBar, type ApplyTarget } from './ApplyBar';
import { ConfirmModal, type Confirm } from './ConfirmModal';
import { ExportButtons } from './ExportButtons';
import { ItemsSection } from './ItemsSection';
import { RichRuleEditor } from './RichRuleEditor';
import { useRisk } from './useRisk';
import { EDITABLE, ForwardPortForm, LayerNote, richContext } from './ZoneEditor';
import { RulesButton } from './RulesView';
import { ActionToolbar } from './ListNav';
import { useHostApi, usePageHost } from '../../app/host-store';
import { WriteButton, useWriteGate } from '../../app/capabilities';
import { objectOp, saveDrafts, useOfflineSave } from '../offline-save';
import { OfflineObjectActions } from './OfflineObjectActions';

const PORT_PROTOS = ['tcp', 'udp', 'sctp', 'dccp'];

export function PoliciesView({ full }: { full: FullState }) {
  const selected = useFirewallStore((s) => s.selectedPolicy);
  const hostId = usePageHost();
  const api = useHostApi();
  const drafts = useFirewallStore((s) => s.drafts);
  const { select, run, load } = useFirewallStore.of(hostId).getState();
  const [newName, setNewName] = useState('');
  const names = objectNames(full, 'policy');
  const current = selected && names.includes(selected) ? selected : names[0];
  const problem = newName ? checkName('policy', newName) ?? (full.permanent.policies[newName] ? `Policy "${newName}" exists.` : undefined) : undefined;
  const createPolicy = () => {
    if (!newName || problem) return;
    if (full.offline) {
      select('policy', newName);
      setNewName('');
      return void useOfflineSave.of(hostId).getState().open(`New policy ${newName}`, [objectOp('policy', 'create', newName)]);
    }
    void run('Creating the policy', () => api.firewall.createPolicy({ name: newName, settings: {} }), `Policy ${newName} created (permanent; reload to use it)`).then((r) => {
      if (r) {
        select('policy', newName);
        setNewName('');
        void load();
      }
    });
  };
  return (
    <div className="hd-fw-split">
      <ListNav label="Policies">
        {names.map((name) => {
          const n = diffCount(diffObject('policy', name, full.runtime.policies[name], full.permanent.policies[name]));
          return (
          <button key={name} type="button" className="hd-fw-list-item" aria-current={current === name} data-testid={`fw-policy-${name}`} onClick={() => select('policy', name)}>
            <span>{name}</span>
            <span className="hd-fw-list-badges">
              {draftedNames(drafts, hostId, 'policy').has(name) && <Label isCompact color="blue" data-testid={`fw-policy-${name}-pending`}>pending</Label>}
              {full.global.activePolicies[name] && <Label isCompact color="green">active</Label>}
              {n > 0 && <Label isCompact color="orange" title={`${n} difference${n === 1 ? '' : 's'} between runtime and permanent`}>Δ {n}</Label>}
            </span>
          </button>
          );
        })}
        <div className="hd-fw-list-new">
          <TextInput aria-label="New policy name" placeholder="new policy name" data-testid="fw-new-policy-name" value={newName} onChange={(_e, v) => setNewName(v)} onKeyDown={(e) => e.key === 'Enter' && createPolicy()} validated={problem ? 'error' : 'default'} />
          <WriteButton variant="secondary" data-testid="fw-new-policy" isDisabled={!newName || !!problem} onClick={createPolicy}>
            Create policy
          </WriteButton>
          {problem && <span className="hd-fw-error">{problem}</span>}
        </div>
      </ListNav>
      <div className="hd-fw-main">
        {current ? <PolicyEditor key={current} full={full} name={current} /> : (
          <EmptyState titleText="No policies" headingLevel="h3"><EmptyStateBody>Policies filter traffic between zones (and to or from the host). Create one on the left.</EmptyStateBody></EmptyState>
        )}
      </div>
    </div>
  );
}

function PolicyEditor({ full, name }: { full: FullState; name: string }) {
  const hostId = usePageHost();
  const w = useWriteGate();
  const api = useHostApi();
  const busy = useFirewallStore((s) => s.busy);
  const { updatePolicy, safeApply, run, load } = useFirewallStore.of(hostId).getState();
  // Staged changes live in the store per host and policy: a host switch (or another policy) keeps them.
  const key = draftKey(hostId, 'policy', name);
  const draft = useFirewallStore((s) => s.drafts[key]) ?? EMPTY_DRAFT;
  const setDraft = (next: Draft | ((d: Draft) => Draft)) => useFirewallStore.of(hostId).getState().setDraft(key, next);
  const [ruleOpen, setRuleOpen] = useState<{ initial?: string } | false>(false);
  const [editing, setEditing] = useState<{ key: DraftKey; from: string }>();
  const [confirm, setConfirm] = useState<Confirm>();
  const runtime = full.runtime.policies[name];
  const permanent = full.permanent.policies[name];
  const policy = runtime ?? permanent;
  const patch = useMemo(() => draftToPolicyPatch(draft), [draft]);
  const risk = useRisk(full, isEmptyDraft(draft) ? undefined : { type: 'policy', name, patch });
  const ctx = useMemo(() => richContext(full), [full]);
  if (!policy) return null;
  const diff = diffObject('policy', name, runtime, permanent);
  const zones = [...Object.keys(full.runtime.zones).sort(), 'HOST', 'ANY'];
  const services = Object.keys(full.runtime.services).sort();
  const add = (key: DraftKey) => (t: string) => setDraft((d) => stage(d, 'add', key, t));
  const val = <T,>(k: string, fb: T): T => (k in draft.scalars ? (draft.scalars[k] as T) : ((policy as Record<string, unknown>)[k] as T) ?? fb);
  const scalar = (k: string, v: string | number | boolean) => setDraft((d) => ({ ...d, scalars: { ...d.scalars, [k]: v } }));
  const section = (key: DraftKey, title: string, r: string[], p: string[], form: React.ReactNode, mono = false) => (
    <ItemsSection title={title} testId={`policy-${key}`} runtime={r} permanent={p} adding={draft.add[key] ?? []} removing={draft.remove[key] ?? []} keyOf={keyFor(key)}
      onRemove={(t) => setDraft((d) => stage(d, 'remove', key, t))} onUndo={(t) => setDraft((d) => unstage(d, key, t))} addForm={form} mono={mono}
      onEdit={EDITABLE.has(key) ? (t) => (key === 'richRules' ? setRuleOpen({ initial: t }) : setEditing({ key, from: t })) : undefined} />
  );
  /** The add form, or the same form prefilled while one of its items is changed in place. */
  const form = (key: DraftKey, make: (p: { initial?: string; submitLabel?: string; onCancel?(): void; onAdd(t: string): void }) => React.ReactNode) =>
    editing?.key === key
      ? make({ initial: editing.from, submitLabel: 'Stage change', onCancel: () => setEditing(undefined), onAdd: (t) => (setDraft((d) => stageEdit(d, key, editing.from, t)), setEditing(undefined)) })
      : make({ onAdd: add(key) });
  const apply = async (target: ApplyTarget, opts: { acknowledgeRisk: boolean }) => {
    if (full.offline) return saveDrafts(hostId);
    let ok = true;
    if (target !== 'permanent') ok = await updatePolicy(name, 'runtime', patch, opts.acknowledgeRisk);
    if (ok && target !== 'runtime') ok = await updatePolicy(name, 'permanent', patch, opts.acknowledgeRisk);
    if (ok) setDraft(emptyDraft());
  };
  const custom = permanent?.meta ? !permanent.meta.builtin : true;
  return (
    <div className="hd-fw-editor" data-testid="fw-policy-editor">
      <div className="hd-fw-editor-head">
        <Title headingLevel="h2">Policy {name}</Title>
        {!full.offline && <Label color={diff ? 'orange' : 'grey'} data-testid="fw-policy-diff">{diff ? `${diffCount(diff)} difference(s)` : 'runtime = permanent'}</Label>}
        <ActionToolbar label={`Policy ${name}`}>
        <ExportButtons kind="policy" name={name} />
        <RulesButton kind="policy" name={name} />
        {full.offline && <OfflineObjectActions kind="policy" name={name} meta={permanent?.meta} />}
        {custom && !full.offline && (
          <WriteButton variant="link" isDanger data-testid="fw-delete-policy" onClick={() => setConfirm({
            title: `Delete policy ${name}?`,
            danger: true,
            body: <p>The permanent policy {name} is deleted; it stops filtering traffic after a reload.</p>,
            action: 'Delete policy',
            run: () => run('Deleting the policy', () => api.firewall.deletePolicy({ name }), `Policy ${name} deleted`).then(() => load()),
          })}>Delete</WriteButton>
        )}
        </ActionToolbar>
      </div>
      <div className="hd-fw-columns hd-fw-colheads">{full.offline ? <div>Configuration files</div> : <><div>Runtime (live)</div><div>Permanent (after reload)</div></>}</div>
      {!full.offline && <LayerNote />}
      <section className="hd-fw-section">
        <h3 className="hd-fw-section-title">Settings</h3>
        <div className="hd-fw-settings">
          <label>Target</label>
          <FormSelect aria-label="Policy target" {...w.guard()} value={val('target', 'CONTINUE')} onChange={(_e, v) => scalar('target', v)}>
            {['CONTINUE', 'ACCEPT', 'DROP', 'REJECT'].map((t) => <FormSelectOption key={t} value={t} label={t} />)}
          </FormSelect>
          <span />
          <label>Priority</label>
          <TextInput aria-label="Policy priority" value={String(val('priority', -1))} onChange={(_e, v) => Number.isInteger(Number(v)) && scalar('priority', Number(v))} />
          <span className="hd-fw-none">negative: before zone rules</span>
          <label>Masquerade</label>
          <Switch id="fw-policy-masq" {...w.guard()} aria-label="Masquerade" isChecked={val('masquerade', false)} onChange={(_e, v) => scalar('masquerade', v)} />
          <span />
        </div>
      </section>
      {section('ingressZones', 'Ingress zones', runtime?.ingressZones ?? [], permanent?.ingressZones ?? [], <AddItem testId="ingress-zone" placeholder="zone, HOST or ANY" options={zones} check={(v) => (zones.includes(v) ? undefined : `"${v}" is not a zone, HOST or ANY.`)} onAdd={add('ingressZones')} />)}
      {section('egressZones', 'Egress zones', runtime?.egressZones ?? [], permanent?.egressZones ?? [], <AddItem testId="egress-zone" placeholder="zone, HOST or ANY" options={zones} check={(v) => (zones.includes(v) ? undefined : `"${v}" is not a zone, HOST or ANY.`)} onAdd={add('egressZones')} />)}
      {section('services', 'Services', runtime?.services ?? [], permanent?.services ?? [], form('services', (p) => <AddItem key={p.initial} testId="policy-service" placeholder="service" options={services} check={(v) => (services.includes(v) ? undefined : `firewalld has no service named "${v}".`)} {...p} />))}
      {section('ports', 'Ports', portsText(runtime?.ports), portsText(permanent?.ports), form('ports', (p) => <AddItem key={p.initial} testId="policy-port" placeholder="port or range" protocols={PORT_PROTOS} check={(v) => checkPort(v)} {...p} />))}
      {section('protocols', 'Protocols', runtime?.protocols ?? [], permanent?.protocols ?? [], form('protocols', (p) => <AddItem key={p.initial} testId="policy-protocol" placeholder="protocol" check={checkProtocol} {...p} />))}
      {section('icmpBlocks', 'ICMP blocks', runtime?.icmpBlocks ?? [], permanent?.icmpBlocks ?? [], <AddItem testId="policy-icmp" placeholder="ICMP type" check={(v) => checkIcmpTypeName(v, Object.keys(full.runtime.icmptypes))} onAdd={add('icmpBlocks')} />)}
      {section('forwardPorts', 'Forward ports', forwardPortsText(runtime?.forwardPorts), forwardPortsText(permanent?.forwardPorts), form('forwardPorts', (p) => <ForwardPortForm key={p.initial} testIdPrefix="fw-policy-forward-port" {...p} />), true)}
      {section('richRules', 'Rich rules', runtime?.richRules ?? [], permanent?.richRules ?? [],
        ruleOpen ? <RichRuleEditor key={ruleOpen.initial ?? 'new'} initial={ruleOpen.initial} context={ctx} submitLabel={ruleOpen.initial ? 'Stage change' : 'Stage rule'} testIdPrefix="fw-policy-rich-rule"
          onSubmit={(t) => { const from = ruleOpen.initial; setDraft((d) => (from ? stageEdit(d, 'richRules', from, t) : stage(d, 'add', 'richRules', t))); setRuleOpen(false); }} onCancel={() => setRuleOpen(false)} />
          : <WriteButton variant="secondary" onClick={() => setRuleOpen({})}>Add rich rule</WriteButton>, true)}
      {!isEmptyDraft(draft) && (
        <ApplyBar lines={describeDraft(draft)} risk={risk} busy={busy} allowTimeout={false}
          onApply={(t, o) => void apply(t, o)}
          onSafeApply={(s, save) => void safeApply({ type: 'policy', name, patch }, s, save).then((ok) => ok && setDraft(emptyDraft()))}
          onDiscard={() => setDraft(emptyDraft())} />
      )}
      {confirm && <ConfirmModal c={confirm} onClose={() => setConfirm(undefined)} />}
    </div>
  );
}
