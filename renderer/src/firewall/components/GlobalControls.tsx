import { useHostApi, usePageHost } from '../../app/host-store';
import { useOfflineSave } from '../offline-save';
import { OfflineConfEditor } from './OfflineConfEditor';
import { useState } from 'react';
import {
  Alert,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  FormSelect,
  FormSelectOption,
  Label,
  TextInput,
  Title,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { diffLayers, reloadEffects, runtimeChangesLostOnReload, runtimeToPermanentEffects, type DifferenceRow, type ReloadEffect } from '../../../../shared/firewall/diff';
import { safeApplyRequired } from '../../../../shared/firewall/safety';
import type { FullState } from '../../../../shared/firewall/model';
import { addedKey, useFirewallStore } from '../store';
import { ConfirmModal, type Confirm } from './ConfirmModal';
import { WriteButton, useWriteGate } from '../../app/capabilities';

/** Lines of one part of the reload dialog. */
function EffectList({ items, testId }: { items: ReloadEffect[]; testId: string }) {
  return (
    <ul data-testid={testId}>
      {items.map((e, i) => (
        <li key={i}>
          {e.kind} {e.name}: {e.text}
        </li>
      ))}
    </ul>
  );
}

/**
 * What a reload loses, adds and changes, as the host computed it: the body of Reload's dialog
 * and of every other action that reloads firewalld (LogDenied).
 */
function ReloadEffectsBody({ fx, intro }: { fx: ReturnType<typeof reloadEffects>; intro: string }) {
  const lost = fx.lost.reduce((n, e) => n + e.count, 0);
  const gained = fx.gained.reduce((n, e) => n + e.count, 0);
  return (
    <div data-testid="fw-reload-effects">
      <p>{intro}</p>
      {fx.lost.length > 0 && (
        <>
          <Title headingLevel="h2" size="md">Lost: {lost.toLocaleString()} runtime-only item{lost === 1 ? '' : 's'}</Title>
          <EffectList items={fx.lost} testId="fw-reload-lost" />
        </>
      )}
      {fx.gained.length > 0 && (
        <>
          <Title headingLevel="h2" size="md">Added by the reload: {gained.toLocaleString()} permanent-only item{gained === 1 ? '' : 's'}</Title>
          <EffectList items={fx.gained} testId="fw-reload-gained" />
        </>
      )}
      {fx.changed.length > 0 && (
        <>
          <Title headingLevel="h2" size="md">Settings that change (runtime → permanent)</Title>
          <EffectList items={fx.changed} testId="fw-reload-changed" />
        </>
      )}
      {lost > 0 && <p>Save them first with “Runtime → permanent” if you want to keep them.</p>}
    </div>
  );
}

/** Rows of the Runtime → permanent dialog; runtime items this page did not add are marked. */
function RowList({ rows, testId, addedHere, host }: { rows: DifferenceRow[]; testId: string; addedHere?: ReadonlySet<string>; host: string }) {
  return (
    <ul data-testid={testId}>
      {rows.map((r, i) => {
        const foreign = addedHere && r.item !== '' && !addedHere.has(addedKey(host, r.kind, r.name, r.field, r.item));
        return (
          <li key={i} data-testid="fw-r2p-row" data-item={r.item} data-foreign={foreign ? 'true' : 'false'}>
            {r.text} in {r.kind} {r.name}
            {foreign && <>{' '}<Label isCompact color="orange">not added by HostDeck in this session (another tool, or earlier)</Label></>}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * Reload and Runtime → Permanent. Before a reload the host is asked for the exact differences
 * (ipset entries by content), and the dialog says what is lost, what the reload adds and which
 * settings change, the way the host decides it.
 */
export function LayerActions({ full }: { full: FullState }) {
  const hostId = usePageHost();
  const api = useHostApi();
  const busy = useFirewallStore((s) => s.busy);
  const { run, load } = useFirewallStore.of(hostId).getState();
  const [confirm, setConfirm] = useState<Confirm>();
  const diffs = diffLayers(full);
  const lostCount = reloadEffects(runtimeChangesLostOnReload(diffs)).lost.reduce((n, e) => n + e.count, 0);
  const reload = () => run('Reload', () => api.firewall.reload({ confirm: true }), 'firewalld reloaded').then(() => load());
  const askReload = async () => {
    const exact = await run('Comparing runtime and permanent', () => api.firewall.differences({}));
    if (!exact) return;
    const fx = reloadEffects(exact.differences);
    if (!fx.lost.length && !fx.gained.length && !fx.changed.length) return void reload();
    const lost = fx.lost.reduce((n, e) => n + e.count, 0);
    setConfirm({
      title: lost ? 'Reload and lose runtime changes?' : 'Reload firewalld?',
      body: <ReloadEffectsBody fx={fx} intro="Reloading makes the permanent configuration live." />,
      action: lost ? 'Reload anyway' : 'Reload',
      run: reload,
    });
  };
  const saveRuntime = () => run('Saving runtime as permanent', () => api.firewall.runtimeToPermanent({}), 'Runtime saved as permanent').then(() => load());
  // Like Reload: the exact differences first (ipset entries by content), then what becomes permanent.
  const askRuntimeToPermanent = async () => {
    const exact = await run('Comparing runtime and permanent', () => api.firewall.differences({}));
    if (!exact) return;
    const fx = runtimeToPermanentEffects(exact.differences);
    if (!fx.added.length && !fx.removed.length && !fx.changed.length) {
      useFirewallStore.of(hostId).getState().notify({ variant: 'info', title: 'Runtime and permanent already agree: nothing to save.' });
      return;
    }
    const addedHere = useFirewallStore.of(hostId).getState().addedHere;
    const foreign = fx.added.filter((r) => r.item !== '' && !addedHere.has(addedKey(hostId, r.kind, r.name, r.field, r.item))).length;
    setConfirm({
      title: 'Make the runtime configuration permanent?',
      danger: fx.removed.length > 0,
      body: (
        <div data-testid="fw-r2p-effects">
          <p>The permanent configuration becomes what runs now. These are all the differences:</p>
          {fx.added.length > 0 && (
            <>
              <Title headingLevel="h2" size="md">Becomes permanent ({fx.added.reduce((n, r) => n + r.count, 0).toLocaleString()})</Title>
              {foreign > 0 && <p data-testid="fw-r2p-foreign">{foreign} of them HostDeck did not add in this session: another tool (firewall-cmd, a script) or an earlier session put them in the runtime.</p>}
              <RowList rows={fx.added} testId="fw-r2p-added" addedHere={addedHere} host={hostId} />
            </>
          )}
          {fx.removed.length > 0 && (
            <>
              <Title headingLevel="h2" size="md">Removed from permanent ({fx.removed.reduce((n, r) => n + r.count, 0).toLocaleString()}, not in the runtime)</Title>
              <RowList rows={fx.removed} testId="fw-r2p-removed" host={hostId} />
            </>
          )}
          {fx.changed.length > 0 && (
            <>
              <Title headingLevel="h2" size="md">Settings that take their runtime value</Title>
              <RowList rows={fx.changed} testId="fw-r2p-changed" host={hostId} />
            </>
          )}
          {fx.untouched.length > 0 && <p>Objects only the permanent configuration has stay as they are ({fx.untouched.map((r) => `${r.kind} ${r.name}`).join(', ')}).</p>}
        </div>
      ),
      action: 'Make permanent',
      run: saveRuntime,
    });
  };
  return (
    <>
      <WriteButton variant="secondary" data-testid="fw-reload" isDisabled={busy} onClick={() => void askReload()}>
        Reload{lostCount ? ` (discards ${lostCount} runtime change${lostCount === 1 ? '' : 's'})` : ''}
      </WriteButton>
      <WriteButton
        variant="secondary"
        data-testid="fw-runtime-to-permanent"
        isDisabled={busy || diffs.length === 0}
        onClick={() => void askRuntimeToPermanent()}
      >
        Runtime → permanent…
      </WriteButton>
      {confirm && <ConfirmModal c={confirm} onClose={() => setConfirm(undefined)} />}
    </>
  );
}

/** What each LogDenied value logs (firewalld.conf's own comment). */
const LOG_DENIED_WORDS: Record<string, string> = {
  all: 'every denied packet is logged',
  unicast: 'denied unicast packets are logged',
  broadcast: 'denied broadcast packets are logged',
  multicast: 'denied multicast packets are logged',
  off: 'nothing is logged',
};

/** Default zone, log denied, panic mode, daemon facts and firewalld.conf. */
export function GlobalControls({ full }: { full: FullState }) {
  const hostId = usePageHost();
  const w = useWriteGate();
  const api = useHostApi();
  const busy = useFirewallStore((s) => s.busy);
  const { run, load, safeApply } = useFirewallStore.of(hostId).getState();
  const [confirm, setConfirm] = useState<Confirm>();
  const [risky, setRisky] = useState<{ zone: string; reasons: string[] }>();
  const [safeSeconds, setSafeSeconds] = useState('60');
  const g = full.global;
  const zones = Object.keys(full.runtime.zones).sort();

  const goDefault = (zone: string, acknowledgeRisk: boolean) =>
    run(
      'Setting the default zone',
      () => api.firewall.setDefaultZone({ name: zone, acknowledgeRisk }),
      `Default zone is now ${zone}`,
      () => api.firewall.setDefaultZone({ name: zone, acknowledgeRisk: true }),
    ).then(() => load());
  const setDefault = async (zone: string) => {
    // Offline: DefaultZone in firewalld.conf, reviewed and written; nothing runs to cut anyone off.
    if (full.offline) return void useOfflineSave.of(hostId).getState().open(`Default zone ${zone}`, [{ op: 'default-zone', name: zone }]);
    // The page's guard answers at once; the host's also knows the SSH ports sshd uses. Either saying yes counts.
    const local = safeApplyRequired({ type: 'defaultZone', name: zone }, { state: full });
    const remote = await api.firewall.safeApplyCheck({ change: { type: 'defaultZone', name: zone } }).catch(() => undefined);
    if (!local.required && !remote?.required) return void goDefault(zone, false);
    setRisky({ zone, reasons: [...new Set([...(remote?.reasons ?? []), ...local.reasons])] });
  };
  const seconds = Number(safeSeconds);
  const secondsBad = !Number.isInteger(seconds) || seconds < 5 || seconds > 3600;
  // Risky: safe apply is the default; the host reverts runtime and firewalld.conf by itself unless confirmed.
  const riskyConfirm: Confirm | undefined = risky && {
    title: `Make ${risky.zone} the default zone?`,
    body: (
      <div data-testid="fw-default-zone-risk">
        <ul>{risky.reasons.map((r, i) => <li key={i}>{r}</li>)}</ul>
        <p>Safe apply sets it (runtime and firewalld.conf), counts down and puts {g.defaultZone} back by itself unless you confirm that you can still reach the host.</p>
        <span className="hd-fw-inline">
          Revert after
          <TextInput aria-label="Safe apply seconds" data-testid="fw-default-zone-seconds" value={safeSeconds} onChange={(_e, v) => setSafeSeconds(v)} validated={secondsBad ? 'error' : 'default'} className="hd-fw-narrow" />
          s
        </span>
      </div>
    ),
    invalid: secondsBad,
    action: 'Safe apply',
    run: () => safeApply({ type: 'defaultZone', name: risky.zone }, seconds, true),
    alternative: { action: 'Set without safe apply', testId: 'fw-default-zone-force', run: () => goDefault(risky.zone, true) },
  };
  // firewalld reloads to apply LogDenied (#1115): the same exact differences and dialog as Reload.
  const setLogDenied = async (value: string) => {
    if (full.offline) return void useOfflineSave.of(hostId).getState().open(`LogDenied ${value}`, [{ op: 'conf.set', key: 'LogDenied', value }]);
    const exact = await run('Comparing runtime and permanent', () => api.firewall.differences({}));
    if (!exact) return;
    const fx = reloadEffects(exact.differences);
    const lost = fx.lost.reduce((n, e) => n + e.count, 0);
    setConfirm({
      title: lost ? `Set LogDenied to ${value} and lose runtime changes?` : `Set LogDenied to ${value}?`,
      body: <ReloadEffectsBody fx={fx} intro={`firewalld reloads to apply LogDenied ${value} (${LOG_DENIED_WORDS[value] ?? value}): as with Reload, the permanent configuration becomes live.`} />,
      action: lost ? 'Set and reload anyway' : 'Set and reload',
      run: () => run('Setting LogDenied', () => api.firewall.setLogDenied({ value: value as 'off', confirm: true }), `LogDenied is now ${value}`).then(() => load()),
    });
  };
  const panic = (enabled: boolean) =>
    enabled
      ? setConfirm({
        title: 'Turn on panic mode?',
        danger: true,
        body: (
          <>
            <p>Panic mode drops <strong>all</strong> incoming and outgoing traffic, including your SSH session and this connection if the host is remote.</p>
            <p>“Safe panic” turns it on and off again after 30 seconds unless you confirm.</p>
          </>
        ),
        typed: 'PANIC',
        action: 'Panic now',
        run: () => run('Panic mode', () => api.firewall.setPanicMode({ enabled: true, confirm: true }), 'Panic mode is on').then(() => load()),
      })
      : void run('Panic mode', () => api.firewall.setPanicMode({ enabled: false }), 'Panic mode is off').then(() => load());

  return (
    <div className="hd-fw-global" data-testid="fw-global">
      {g.panicMode && <Alert component="h2" variant="danger" isInline title="Panic mode is on: all traffic is dropped and firewalld refuses runtime changes." />}
      <DescriptionList isHorizontal>
        <DescriptionListGroup>
          <DescriptionListTerm>Default zone</DescriptionListTerm>
          <DescriptionListDescription>
            <FormSelect aria-label="Default zone" data-testid="fw-default-zone" value={g.defaultZone} {...w.guard(busy)} onChange={(_e, v) => void setDefault(v)}>
              {zones.map((z) => <FormSelectOption key={z} value={z} label={z} />)}
            </FormSelect>
          </DescriptionListDescription>
        </DescriptionListGroup>
        <DescriptionListGroup>
          <DescriptionListTerm>Log denied packets</DescriptionListTerm>
          <DescriptionListDescription>
            <FormSelect aria-label="Log denied" data-testid="fw-log-denied" value={g.logDenied} {...w.guard(busy)} onChange={(_e, v) => void setLogDenied(v)}>
              {['off', 'all', 'unicast', 'broadcast', 'multicast'].map((v) => <FormSelectOption key={v} value={v} label={v} />)}
            </FormSelect>
          </DescriptionListDescription>
        </DescriptionListGroup>
        {/* Panic mode is the running daemon's: absent offline. */}
        {!full.offline && <DescriptionListGroup>
          <DescriptionListTerm>Panic mode</DescriptionListTerm>
          <DescriptionListDescription>
            {g.panicMode ? (
              <WriteButton variant="primary" data-testid="fw-panic-off" isDisabled={busy} onClick={() => panic(false)}>Turn panic mode off</WriteButton>
            ) : (
              <>
                <WriteButton variant="danger" data-testid="fw-panic-on" isDisabled={busy} onClick={() => panic(true)}>Panic…</WriteButton>{' '}
                <WriteButton variant="secondary" data-testid="fw-panic-safe" isDisabled={busy} onClick={() => void safeApply({ type: 'panic', enabled: true }, 30, false)}>Safe panic (30 s)</WriteButton>
              </>
            )}
          </DescriptionListDescription>
        </DescriptionListGroup>}
        <DescriptionListGroup>
          <DescriptionListTerm>Lockdown</DescriptionListTerm>
          <DescriptionListDescription>{g.lockdown ? 'on: writes from non-whitelisted programs fail with ACCESS_DENIED' : 'off'}</DescriptionListDescription>
        </DescriptionListGroup>
        <DescriptionListGroup>
          <DescriptionListTerm>firewalld</DescriptionListTerm>
          <DescriptionListDescription data-testid="fw-version">
            {full.daemon.version} ({full.daemon.state}), IPv4 {full.daemon.ipv4 ? 'yes' : 'no'}, IPv6 {full.daemon.ipv6 ? 'yes' : 'no'}, bus {full.busAddress}
          </DescriptionListDescription>
        </DescriptionListGroup>
      </DescriptionList>
      <Title headingLevel="h3" className="hd-fw-subtitle">firewalld.conf</Title>
      <Table aria-label="firewalld.conf" variant="compact" data-testid="fw-config">
        <Thead><Tr><Th>Setting</Th><Th>Value</Th></Tr></Thead>
        <Tbody>
          {Object.entries(full.config).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => (
            <Tr key={k}><Td className="hd-fw-mono">{k}</Td><Td className="hd-fw-mono">{String(v)}</Td></Tr>
          ))}
        </Tbody>
      </Table>
      {full.offline && <OfflineConfEditor config={full.config} />}
      {confirm && <ConfirmModal c={confirm} onClose={() => setConfirm(undefined)} />}
      {riskyConfirm && <ConfirmModal c={riskyConfirm} onClose={() => setRisky(undefined)} />}
    </div>
  );
}
