import { useOfflineView } from '../offline-view';
import { usePageHost } from '../../app/host-store';
import { useMemo, useRef, useState } from 'react';
import { useScrollPadding } from './useScrollPadding';
import { Button, FormSelect, FormSelectOption, Label, Switch, TextInput, Title } from '@patternfly/react-core';
import { diffCount, diffObject, fieldDiff } from '../../../../shared/firewall/diff';
import { forwardPortText } from '../../../../shared/firewall/patch';
import type { FullState, Zone } from '../../../../shared/firewall/model';
import { describeRichRule, parseRichRule, type RichRuleContext } from '../../../../shared/firewall/rich-rule';
import {
  checkIcmpTypeName,
  checkInterfaceName,
  checkPort,
  checkProtocol,
  checkSingleAddress,
  checkZoneSource,
} from '../../../../shared/firewall/validate';
import { describeDraft, draftToZonePatch, emptyDraft, forwardPortsText, isEmptyDraft, keyFor, parseForwardPortText, portsText, stage, stageEdit, unstage, type Draft, type DraftKey } from '../draft';
import { draftKey, EMPTY_DRAFT, useFirewallStore } from '../store';
import { AddItem } from './AddItem';
import { ApplyBar, type ApplyTarget } from './ApplyBar';
import { ExportButtons } from './ExportButtons';
import { ItemsSection } from './ItemsSection';
import { ActionToolbar } from './ListNav';
import { RichRuleEditor } from './RichRuleEditor';
import { RulesButton } from './RulesView';
import { useRisk } from './useRisk';
import { ZoneActions } from './ZoneActions';
import { OfflineObjectActions } from './OfflineObjectActions';
import { saveDrafts } from '../offline-save';
import { usesText, zoneUsers } from '../../../../shared/firewall/references';
import { WriteButton, useWriteGate } from '../../app/capabilities';

const PORT_PROTOS = ['tcp', 'udp', 'sctp', 'dccp'];
/** Lists whose items can be changed in place (firewalld: remove the old item, add the new one). */
export const EDITABLE = new Set<DraftKey>(['ports', 'sourcePorts', 'protocols', 'forwardPorts', 'richRules', 'interfaces', 'sources', 'services']);

export function richContext(full: FullState): RichRuleContext {
  return {
    services: Object.keys(full.runtime.services),
    // The live definitions: a service with its own destination cannot take a rule destination.
    serviceDefs: Object.fromEntries(Object.values(full.runtime.services).map((v) => [v.name, { destination: v.destination, includes: v.includes }])),
    icmptypes: Object.values(full.runtime.icmptypes).map((i) => ({ name: i.name, destinations: i.destinations })),
    ipsets: Object.values(full.runtime.ipsets).map((s) => ({ name: s.name, type: s.type, family: s.options.family })),
  };
}

function describeRule(text: string) {
  const r = parseRichRule(text);
  return r.ok ? describeRichRule(r.rule) : undefined;
}

/** A zone: runtime and permanent side by side, staged edits, and the ways to apply them. */
export function ZoneEditor({ full, name }: { full: FullState; name: string }) {
  const hostId = usePageHost();
  const w = useWriteGate();
  const busy = useFirewallStore((s) => s.busy);
  const { updateZone, safeApply } = useFirewallStore.of(hostId).getState();
  // Staged changes live in the store per host and zone: a host switch (or another zone) keeps them.
  const key = draftKey(hostId, 'zone', name);
  const draft = useFirewallStore((s) => s.drafts[key]) ?? EMPTY_DRAFT;
  const setDraft = (next: Draft | ((d: Draft) => Draft)) => useFirewallStore.of(hostId).getState().setDraft(key, next);
  const [ruleEditor, setRuleEditor] = useState<{ initial?: string } | undefined>();
  // The item being changed in place: its section's add form shows it, prefilled.
  const [editing, setEditing] = useState<{ key: DraftKey; from: string }>();
  const offline = useOfflineView();
  const runtime = full.runtime.zones[name];
  const permanent = full.permanent.zones[name];
  const zone: Zone | undefined = runtime ?? permanent;
  const patch = useMemo(() => draftToZonePatch(draft), [draft]);
  const empty = isEmptyDraft(draft);
  const risk = useRisk(full, empty ? undefined : { type: 'zone', name, patch });
  const ctx = useMemo(() => richContext(full), [full]);
  const heads = useRef<HTMLDivElement>(null);
  useScrollPadding(heads, 'top');
  if (!zone) return null;

  const diff = diffObject('zone', name, runtime, permanent);
  const active = full.global.activeZones[name];
  const isDefault = full.global.defaultZone === name;
  const services = Object.keys(full.runtime.services).sort();
  const icmptypes = Object.keys(full.runtime.icmptypes).sort();

  const section = (key: DraftKey, title: string, r: string[], p: string[], addForm: React.ReactNode, mono = false, describe?: (t: string) => string | undefined) => (
    <ItemsSection
      title={title}
      testId={key}
      runtime={r}
      permanent={p}
      adding={draft.add[key] ?? []}
      removing={draft.remove[key] ?? []}
      keyOf={keyFor(key)}
      onRemove={(t) => setDraft((d) => stage(d, 'remove', key, t))}
      onUndo={(t) => setDraft((d) => unstage(d, key, t))}
      onEdit={EDITABLE.has(key) ? (t) => (key === 'richRules' ? setRuleEditor({ initial: t }) : setEditing({ key, from: t })) : undefined}
      addForm={addForm}
      mono={mono}
      describe={describe}
      expiries={expiriesOf(key)}
    />
  );
  // Items this host added with a runtime timeout, keyed like the section keys its items.
  const expiriesOf = (key: DraftKey) => {
    const list = (full.timed ?? []).filter((t) => t.kind === 'zone' && t.name === name && t.field === key);
    return list.length ? new Map(list.map((t) => [keyFor(key)(t.item), t.expiresAt])) : undefined;
  };
  const add = (key: DraftKey) => (t: string) => setDraft((d) => stage(d, 'add', key, t));
  /** The add form of a list, or the same form prefilled while one of its items is changed in place. */
  const form = (key: DraftKey, make: (p: { initial?: string; submitLabel?: string; onCancel?(): void; onAdd(t: string): void }) => React.ReactNode) =>
    editing?.key === key
      ? make({
        initial: editing.from,
        submitLabel: 'Stage change',
        onCancel: () => setEditing(undefined),
        onAdd: (t) => {
          setDraft((d) => stageEdit(d, key, editing.from, t));
          setEditing(undefined);
        },
      })
      : make({ onAdd: add(key) });
  const scalar = (k: string, v: string | boolean) =>
    setDraft((d) => {
      const scalars = { ...d.scalars };
      const current = (runtime as Record<string, unknown> | undefined)?.[k] ?? (permanent as Record<string, unknown> | undefined)?.[k];
      if (current === v) delete scalars[k];
      else scalars[k] = v;
      return { ...d, scalars };
    });
  const val = <T,>(k: string, fallback: T): T => (k in draft.scalars ? (draft.scalars[k] as T) : (((runtime ?? permanent) as Record<string, unknown>)[k] as T) ?? fallback);
  const scalarDiff = (k: string) => fieldDiff(diff, k);

  const apply = async (target: ApplyTarget, opts: { timeout?: number; acknowledgeRisk: boolean }) => {
    if (offline) return saveDrafts(hostId);
    let ok = true;
    if (target === 'runtime' || target === 'both') ok = await updateZone(name, 'runtime', patch, opts);
    if (ok && (target === 'permanent' || target === 'both')) ok = await updateZone(name, 'permanent', patch, { acknowledgeRisk: opts.acknowledgeRisk });
    if (ok) setDraft(emptyDraft());
  };

  return (
    <div className="hd-fw-editor" data-testid="fw-zone-editor" data-zone={name}>
      <div className="hd-fw-editor-head">
        <Title headingLevel="h2">Zone {name}</Title>
        {isDefault && <Label color="purple">default zone</Label>}
        {/* Offline nothing is active and there is one layer: no binding, no runtime comparison. */}
        {active && !offline && <Label color="green">active: {[...active.interfaces, ...active.sources].join(', ')}</Label>}
        {offline ? <Label color="blue" data-testid="fw-zone-diff">{zone?.meta?.builtin ? (zone.meta.default ? 'default file' : 'modified from the default') : 'configuration file'}</Label> : !diff ? <Label color="grey" data-testid="fw-zone-diff">runtime = permanent</Label> : (
          <Label color="orange" data-testid="fw-zone-diff">{diff.status === 'changed' ? `${diffCount(diff)} difference${diffCount(diff) === 1 ? '' : 's'}` : diff.status === 'runtimeOnly' ? 'runtime only' : 'permanent only (reload to load it)'}</Label>
        )}
        <ActionToolbar label={`Zone ${name}`}>
          <ExportButtons kind="zone" name={name} />
          <RulesButton kind="zone" name={name} />
          {offline ? <OfflineObjectActions kind="zone" name={name} meta={permanent?.meta} inUse={zoneInUse(full, name)} origin={false} /> : <ZoneActions full={full} name={name} />}
        </ActionToolbar>
      </div>

      <div className="hd-fw-columns hd-fw-colheads" data-testid="fw-zone-colheads" ref={heads}>
        {offline ? <div>Configuration files</div> : <><div>Runtime (live)</div><div>Permanent (after reload)</div></>}
      </div>
      {!offline && <LayerNote />}


      {section('services', 'Services', runtime?.services ?? [], permanent?.services ?? [],
        form('services', (p) => <AddItem key={p.initial} testId="service" placeholder="service (ssh, https, ...)" options={services} check={(v) => (services.includes(v) ? undefined : `firewalld has no service named "${v}".`)} {...p} />))}
      {section('ports', 'Ports', portsText(runtime?.ports), portsText(permanent?.ports),
        form('ports', (p) => <AddItem key={p.initial} testId="port" placeholder="port or range (8080, 7000-7100)" protocols={PORT_PROTOS} check={(v) => checkPort(v)} {...p} />))}
      {section('protocols', 'Protocols', runtime?.protocols ?? [], permanent?.protocols ?? [],
        form('protocols', (p) => <AddItem key={p.initial} testId="protocol" placeholder="protocol (gre, esp, 47)" check={checkProtocol} {...p} />))}
      {section('sourcePorts', 'Source ports', portsText(runtime?.sourcePorts), portsText(permanent?.sourcePorts),
        form('sourcePorts', (p) => <AddItem key={p.initial} testId="source-port" placeholder="source port" protocols={PORT_PROTOS} check={(v) => checkPort(v, 'source port')} {...p} />))}
      {section('icmpBlocks', 'ICMP blocks', runtime?.icmpBlocks ?? [], permanent?.icmpBlocks ?? [],
        <AddItem testId="icmp-block" placeholder="ICMP type" options={icmptypes} check={(v) => checkIcmpTypeName(v, icmptypes)} onAdd={add('icmpBlocks')} />)}
      {section('forwardPorts', 'Forward ports', forwardPortsText(runtime?.forwardPorts), forwardPortsText(permanent?.forwardPorts),
        form('forwardPorts', (p) => <ForwardPortForm key={p.initial} {...p} />), true)}
      {section('richRules', 'Rich rules', runtime?.richRules ?? [], permanent?.richRules ?? [],
        ruleEditor ? (
          <RichRuleEditor
            key={ruleEditor.initial ?? 'new'}
            initial={ruleEditor.initial}
            context={ctx}
            submitLabel={ruleEditor.initial ? 'Stage change' : 'Stage rule'}
            onSubmit={(t) => {
              const from = ruleEditor.initial;
              setDraft((d) => (from ? stageEdit(d, 'richRules', from, t) : stage(d, 'add', 'richRules', t)));
              setRuleEditor(undefined);
            }}
            onCancel={() => setRuleEditor(undefined)}
          />
        ) : (
          <WriteButton variant="secondary" data-testid="fw-add-rich-rule" onClick={() => setRuleEditor({})}>Add rich rule</WriteButton>
        ), true, describeRule)}
      {section('interfaces', 'Interfaces', runtime?.interfaces ?? [], permanent?.interfaces ?? [],
        form('interfaces', (p) => <AddItem key={p.initial} testId="interface" placeholder="interface (eth0)" check={checkInterfaceName} {...p} />))}
      {section('sources', 'Sources', runtime?.sources ?? [], permanent?.sources ?? [],
        form('sources', (p) => <AddItem key={p.initial} testId="source" placeholder="address, network, MAC or ipset:<name>" check={(v) => checkZoneSource(v, Object.values(full.runtime.ipsets))} {...p} />))}

      {/* Settings after the lists: services and ports are what most visits are for (as in Cockpit). */}
      <section className="hd-fw-section">
        <h3 className="hd-fw-section-title">Settings</h3>
        <div className="hd-fw-settings">
          <label>Target</label>
          <FormSelect aria-label="Target" data-testid="fw-zone-target" {...w.guard()} value={val('target', 'default')} onChange={(_e, v) => scalar('target', v)}>
            {['default', 'ACCEPT', 'DROP', '%%REJECT%%'].map((t) => <FormSelectOption key={t} value={t} label={t === '%%REJECT%%' ? 'REJECT' : t} />)}
          </FormSelect>
          <DiffNote d={scalarDiff('target')} />
          <label>Masquerade</label>
          <Switch id="fw-zone-masq" {...w.guard()} aria-label="Masquerade" isChecked={val('masquerade', false)} onChange={(_e, v) => scalar('masquerade', v)} />
          <DiffNote d={scalarDiff('masquerade')} />
          <label>Forward (intra-zone)</label>
          <Switch id="fw-zone-forward" {...w.guard()} aria-label="Forward" isChecked={val('forward', false)} onChange={(_e, v) => scalar('forward', v)} />
          <DiffNote d={scalarDiff('forward')} />
          <label>ICMP block inversion</label>
          <Switch id="fw-zone-inversion" {...w.guard()} aria-label="ICMP block inversion" isChecked={val('icmpBlockInversion', false)} onChange={(_e, v) => scalar('icmpBlockInversion', v)} />
          <DiffNote d={scalarDiff('icmpBlockInversion')} />
          <label>Short name</label>
          <TextInput aria-label="Short name" value={val('short', '')} onChange={(_e, v) => scalar('short', v)} />
          <span className="hd-fw-none">permanent</span>
          <label>Description</label>
          <TextInput aria-label="Description" value={val('description', '')} onChange={(_e, v) => scalar('description', v)} />
          <span className="hd-fw-none">permanent</span>
        </div>
      </section>
      {!empty && (
        <ApplyBar
          lines={describeDraft(draft)}
          risk={risk}
          busy={busy}
          allowTimeout
          onApply={(t, o) => void apply(t, o)}
          onSafeApply={(seconds, save) => void safeApply({ type: 'zone', name, patch }, seconds, save).then((ok) => ok && setDraft(emptyDraft()))}
          onDiscard={() => setDraft(emptyDraft())}
        />
      )}
    </div>
  );
}

/** Why a zone cannot be deleted (policies name it), or undefined. */
function zoneInUse(full: FullState, name: string): string | undefined {
  const users = zoneUsers(full.permanent, name);
  return users.length ? `Used by ${usesText(users)}: change those first.` : full.global.defaultZone === name ? 'It is the default zone: choose another one first.' : undefined;
}

/**
 * Where the add fields go: into the pending changes, for neither column yet. The apply bar then
 * sends them to runtime, permanent or both. Add fields point at this note (aria-describedby).
 */
export function LayerNote() {
  return (
    <p id="hd-fw-layer-note" className="hd-fw-layer-note" data-testid="fw-layer-note">
      Add, Edit and Remove go into the pending changes, not into a column yet: the bar at the bottom applies them to runtime, to permanent or to both.
    </p>
  );
}

function DiffNote({ d }: { d?: { runtime?: string; permanent?: string } }) {
  if (!d) return <span />;
  return <Label color="orange" isCompact>runtime {String(d.runtime)} · permanent {String(d.permanent)}</Label>;
}

/** Port, protocol, to-port and to-address of a forward port, checked as typed. */
export function ForwardPortForm({ onAdd, testIdPrefix = 'fw-add-forward-port', initial, submitLabel, onCancel }: { onAdd(text: string): void; testIdPrefix?: string; initial?: string; submitLabel?: string; onCancel?(): void }) {
  const start = initial !== undefined ? parseForwardPortText(initial) : undefined;
  const [port, setPort] = useState(start?.port ?? '');
  const [proto, setProto] = useState<string>(start?.protocol ?? 'tcp');
  const [toPort, setToPort] = useState(start?.toPort ?? '');
  const [toAddr, setToAddr] = useState(start?.toAddr ?? '');
  const problem = !port ? undefined
    : checkPort(port) ?? (toPort ? checkPort(toPort, 'to-port') : undefined) ?? (toAddr ? checkSingleAddress(toAddr, undefined, 'to-address') : undefined)
      ?? (!toPort && !toAddr ? 'A forward port needs a to-port, a to-address or both.' : undefined);
  const submit = () => {
    if (!port || problem) return;
    onAdd(forwardPortText({ port, protocol: proto as 'tcp', toPort, toAddr }));
    setPort('');
    setToPort('');
    setToAddr('');
  };
  const onEnter = (e: React.KeyboardEvent) => (e.key === 'Enter' ? submit() : e.key === 'Escape' && onCancel?.());
  return (
    <div className="hd-fw-inline">
      <TextInput aria-label="Forward port" aria-describedby="hd-fw-layer-note" placeholder="port" data-testid={`${testIdPrefix}-port`} value={port} onChange={(_e, v) => setPort(v)} onKeyDown={onEnter} className="hd-fw-narrow" />
      <FormSelect aria-label="Protocol of the forward port" data-testid={`${testIdPrefix}-protocol`} value={proto} onChange={(_e, v) => setProto(v)} className="hd-fw-narrow">
        {PORT_PROTOS.map((p) => <FormSelectOption key={p} value={p} label={p} />)}
      </FormSelect>
      <TextInput aria-label="To port" placeholder="to-port" data-testid={`${testIdPrefix}-toport`} value={toPort} onChange={(_e, v) => setToPort(v)} onKeyDown={onEnter} className="hd-fw-narrow" />
      <TextInput aria-label="To address" placeholder="to-address (empty = this host)" data-testid={`${testIdPrefix}-toaddr`} value={toAddr} onChange={(_e, v) => setToAddr(v)} onKeyDown={onEnter} />
      <WriteButton
        variant="secondary"
        data-testid={testIdPrefix}
        isDisabled={!port || !!problem}
        onClick={submit}
        aria-label={submitLabel ? undefined : 'Add forward port'}
      >
        {submitLabel ?? 'Add'}
      </WriteButton>
      {onCancel && <Button variant="link" data-testid={`${testIdPrefix}-cancel`} onClick={onCancel}>Cancel</Button>}
      {problem && <span className="hd-fw-error" data-testid={`${testIdPrefix}-error`}>{problem}</span>}
    </div>
  );
}
