import { useHostApi, usePageHost } from '../app/host-store';
import { useEffect } from 'react';
import {
  Alert,
  AlertActionCloseButton,
  AlertGroup,
  Badge,
  Button,
  EmptyState,
  EmptyStateActions,
  EmptyStateBody,
  EmptyStateFooter,
  PageSection,
  Skeleton,
  Switch,
  Tab,
  Tabs,
  TabTitleText,
  Title,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import { useAppStore } from '../app/store';
import { differenceCounts, diffLayers } from '../../../shared/firewall/diff';
import { ConfirmModal } from './components/ConfirmModal';
import { DifferencesView } from './components/DifferencesView';
import { DeniedPanel } from './components/DeniedFeed';
import { ExplainPanel } from './components/ExplainPanel';
import { ActionToolbar, Roving } from './components/ListNav';
import { GlobalControls, LayerActions } from './components/GlobalControls';
import { IpsetsView } from './components/IpsetsView';
import { PoliciesView } from './components/PoliciesView';
import { HelpersView, IcmpTypesView } from './components/ReadOnlyViews';
import { SafeApplyBanner } from './components/SafeApplyBanner';
import { OfflineNotice } from './components/OfflineNotice';
import { ServicesView } from './components/ServicesView';
import { ZonesView } from './components/ZonesView';
import { startFirewallEvents, useFirewallStore, type FirewallTab } from './store';
import './firewall.css';
import { ChangeRouteContext, MissingFeature, WriteButton, useCapabilities } from '../app/capabilities';
import { OfflineViewContext } from './offline-view';
import { OfflineSaveReview } from './components/OfflineSaveReview';
import { FeatureHistory } from '../history/components/FeatureHistory';

/** firewalld: zones, policies, services, ipsets and global settings, runtime and permanent side by side. */
export function FirewallPage() {
  const hostId = usePageHost();
  const api = useHostApi();
  const status = useAppStore((s) => s.firewall);
  const full = useFirewallStore((s) => s.full);
  const tab = useFirewallStore((s) => s.tab);
  const notices = useFirewallStore((s) => s.notices);
  const pendingConfirmation = useFirewallStore((s) => s.pendingConfirmation);
  const askedOffline = useFirewallStore((s) => s.askedOffline);
  const { load, setTab, dismiss, run, setAskedOffline } = useFirewallStore.of(hostId).getState();
  const caps = useCapabilities();
  // The files, not a daemon: an image, a host whose firewalld is stopped (its capability says so
  // once the status read finds it stopped), or the admin asked for them.
  const filesShown = caps?.firewall === 'offline' || askedOffline;
  const running = status.state === 'ready' && status.value.running;
  const readable = running || filesShown;

  useEffect(() => startFirewallEvents(), []);
  useEffect(() => {
    // Re-read when the daemon stops or starts (the capability flips): the page switches mode.
    if (readable) void load(filesShown);
  }, [hostId, readable, filesShown, load]);

  let body: React.ReactNode;
  if (caps?.firewall === 'none') {
    // Not a firewalld that is down: this host has none to read (an image without a bus, a snapshot without firewall state).
    body = <MissingFeature capability="firewall" title="No firewall state on this host" />;
  } else if (status.state === 'loading' || (readable && (full.state === 'loading' || full.state === 'idle'))) {
    body = (
      <div data-testid="fw-loading">
        <Skeleton height="2rem" screenreaderText="Loading firewalld state" />
        <Skeleton height="20rem" />
      </div>
    );
  } else if (status.state === 'ready' && !status.value.running && status.value.problem === 'noBus' && !filesShown) {
    // No bus at all: "Start firewalld" would go over that same missing bus, so it is not offered.
    body = (
      <EmptyState titleText="No system D-Bus" headingLevel="h2" status="danger" data-testid="fw-no-bus">
        <EmptyStateBody>
          <span data-testid="fw-no-bus-reason">{status.value.reason}</span>
          <br />
          Bus socket tried: <code className="hd-fw-mono" data-testid="fw-no-bus-socket">{status.value.busSocket ?? status.value.busAddress}</code>
        </EmptyStateBody>
        <EmptyStateFooter>
          <EmptyStateActions>
            <Button variant="primary" data-testid="fw-check-again" onClick={() => void useAppStore.getState().refreshFirewallStatus()}>Check again</Button>
          </EmptyStateActions>
        </EmptyStateFooter>
      </EmptyState>
    );
  } else if (status.state === 'ready' && !status.value.running && !filesShown) {
    body = (
      <EmptyState
        titleText={status.value.errorCode === 'TIMEOUT' ? 'firewalld is not answering' : 'firewalld is not running'}
        headingLevel="h2"
        status="warning"
        data-testid="fw-not-running"
      >
        <EmptyStateBody>{status.value.reason ?? 'HostDeck cannot reach firewalld on the system bus.'} ({status.value.busAddress})</EmptyStateBody>
        <EmptyStateFooter>
          <EmptyStateActions>
            <WriteButton variant="primary" data-testid="fw-start" onClick={() => void run('Starting firewalld', () => api.firewall.startFirewalld({}), 'firewalld is starting')}>
              Start firewalld
            </WriteButton>
            <Button variant="link" onClick={() => void useAppStore.getState().refreshFirewallStatus()}>Check again</Button>
          </EmptyStateActions>
        </EmptyStateFooter>
      </EmptyState>
    );
  } else if (status.state === 'error' || full.state === 'error') {
    const e = status.state === 'error' ? status : full.state === 'error' ? full : undefined;
    body = (
      <EmptyState titleText="Cannot read the firewall" headingLevel="h2" status="danger" data-testid="fw-error">
        <EmptyStateBody>{e?.message} [{e?.code}]</EmptyStateBody>
        <EmptyStateFooter>
          <Button variant="primary" onClick={() => void load(true)}>Try again</Button>
        </EmptyStateFooter>
      </EmptyState>
    );
  } else if (full.state === 'ready') {
    const f = full.value;
    const diffs = diffLayers(f);
    const counts = differenceCounts(diffs);
    const total = counts.zone + counts.policy + counts.service + counts.ipset;
    /** A tab's title with how many runtime vs permanent differences it holds. */
    const title = (text: string, n: number, id: string) => (
      <>
        <TabTitleText>{text}</TabTitleText>
        {n > 0 && (
          <Badge className="hd-fw-tab-count" isRead data-testid={`fw-tab-${id}-count`} data-count={n} screenReaderText={n === 1 ? 'difference between runtime and permanent' : 'differences between runtime and permanent'}>
            {n}
          </Badge>
        )}
      </>
    );
    const stopped = status.state === 'ready' && !status.value.running && status.value.problem === 'notRunning';
    body = (
      <OfflineViewContext.Provider value={!!f.offline}>
      {/* Offline, changes are files written through HostDeck's helper, not firewalld's D-Bus calls. */}
      <ChangeRouteContext.Provider value={f.offline ? 'files' : 'firewall'}>
        <Toolbar>
          <ToolbarContent>
            <ToolbarItem>
              {/* Reload and runtime → permanent need a daemon: absent offline, not broken. */}
              {!f.offline && (
                <ActionToolbar label="Runtime and permanent">
                  <LayerActions full={f} />
                </ActionToolbar>
              )}
            </ToolbarItem>
            {/* Like --offline: the files of a host whose firewalld runs (only there is there a choice). */}
            {caps?.firewall === 'live' && running && (
              <ToolbarItem>
                <Switch id="fw-offline-switch" data-testid="fw-offline-switch" label="Offline configuration (the files)" isChecked={askedOffline} onChange={(_e, v) => void setAskedOffline(v)} />
              </ToolbarItem>
            )}
            <ToolbarItem align={{ default: 'alignEnd' }}>
              {/* Version and default zone are in the masthead; here: what is actually bound where (nothing is, offline). */}
              {!f.offline && (
                <span className="hd-fw-none" data-testid="fw-summary">
                  {activeSummary(f.global.activeZones)}
                </span>
              )}
            </ToolbarItem>
          </ToolbarContent>
        </Toolbar>
        {f.offline && (
          <OfflineNotice
            offline={f.offline}
            daemonRuns={caps?.firewall === 'live'}
            start={stopped && caps?.readOnly === false ? () => void run('Starting firewalld', () => api.firewall.startFirewalld({}), 'firewalld is starting') : undefined}
          />
        )}
        {f.global.panicMode && <Alert component="h2" variant="danger" isInline title="Panic mode is on: all traffic is dropped." data-testid="fw-panic-alert" />}
        {f.global.lockdown && (
          <Alert component="h2" variant="warning" isInline title="Lockdown is on: firewalld refuses changes from programs not on its lockdown whitelist." data-testid="fw-lockdown-alert">
            Changes from HostDeck fail with ACCESS_DENIED until it is whitelisted (for example firewall-cmd --add-lockdown-whitelist-uid=0) or lockdown is turned off.
          </Alert>
        )}
        <SafeApplyBanner />
        <ExplainPanel full={f} />
        {/* The section tabs are one Tab stop; Left/Right select the next one (automatic activation). */}
        <Roving items='[role="tab"]' current='[aria-selected="true"]' orientation="horizontal" onMove={selectTab} untab='[role="tabpanel"]'>
        <Tabs activeKey={tab} onSelect={(_e, k) => setTab(k as FirewallTab)} aria-label="Firewall sections">
          <Tab eventKey="zones" title={title('Zones', counts.zone, 'zones')} data-testid="fw-tab-zones">{tab === 'zones' && <ZonesView full={f} />}</Tab>
          <Tab eventKey="policies" title={title('Policies', counts.policy, 'policies')} data-testid="fw-tab-policies">{tab === 'policies' && <PoliciesView full={f} />}</Tab>
          <Tab eventKey="services" title={title('Services', counts.service, 'services')} data-testid="fw-tab-services">{tab === 'services' && <ServicesView full={f} />}</Tab>
          <Tab eventKey="ipsets" title={title('IP sets', counts.ipset, 'ipsets')} data-testid="fw-tab-ipsets">{tab === 'ipsets' && <IpsetsView full={f} />}</Tab>
          <Tab eventKey="icmptypes" title={<TabTitleText>ICMP types</TabTitleText>} data-testid="fw-tab-icmptypes">{tab === 'icmptypes' && <IcmpTypesView full={f} />}</Tab>
          <Tab eventKey="helpers" title={<TabTitleText>Helpers</TabTitleText>} data-testid="fw-tab-helpers">{tab === 'helpers' && <HelpersView full={f} />}</Tab>
          <Tab eventKey="global" title={<TabTitleText>Global</TabTitleText>} data-testid="fw-tab-global">{tab === 'global' && <GlobalControls full={f} />}</Tab>
          {/* Runtime against permanent: one layer offline. */}
          {!f.offline && <Tab eventKey="differences" title={title('Differences', total, 'differences')} data-testid="fw-tab-differences">{tab === 'differences' && <DifferencesView full={f} />}</Tab>}
        </Tabs>
        </Roving>
        {/* The kernel's log of a running ruleset: none offline. */}
        {!f.offline && <DeniedPanel />}
        <datalist id="hd-fw-services">{Object.keys(f.runtime.services).map((s) => <option key={s} value={s} />)}</datalist>
        <datalist id="hd-fw-icmptypes">{Object.keys(f.runtime.icmptypes).map((s) => <option key={s} value={s} />)}</datalist>
        {f.offline && <OfflineSaveReview />}
      </ChangeRouteContext.Provider>
      </OfflineViewContext.Provider>
    );
  }

  const pc = pendingConfirmation;
  return (
    <PageSection data-testid="firewall-page">
      <Title headingLevel="h1" size="xl" className="hd-fw-page-title">Firewall (firewalld)</Title>
      {pc && (
        <ConfirmModal
          key={pc.id}
          c={{
            title: `${pc.what}: confirm?`,
            danger: pc.lost.length > 0,
            body: (
              <div data-testid="fw-needs-confirmation">
                <p>{pc.message}</p>
                {pc.lost.length > 0 && (
                  <>
                    <p><strong>Lost:</strong></p>
                    <ul data-testid="fw-needs-confirmation-lost">{pc.lost.map((l, i) => <li key={i}>{l.kind} {l.name}: {l.text}</li>)}</ul>
                  </>
                )}
                {pc.gained.length > 0 && (
                  <>
                    <p><strong>Added by the reload:</strong></p>
                    <ul>{pc.gained.map((l, i) => <li key={i}>{l.kind} {l.name}: {l.text}</li>)}</ul>
                  </>
                )}
              </div>
            ),
            action: pc.action,
            run: () => pc.confirm(),
            alternative: pc.saveFirst ? { action: 'Save runtime to permanent first, then continue', testId: 'fw-needs-confirmation-save', run: () => pc.saveFirst!() } : undefined,
          }}
          onClose={() => {
            if (useFirewallStore.of(hostId).getState().pendingConfirmation?.id === pc.id) pc.cancel();
          }}
        />
      )}
      <AlertGroup isToast isLiveRegion>
        {notices.map((n) => (
          <Alert component="h2" key={n.id} variant={n.variant} title={n.title} actionClose={<AlertActionCloseButton onClose={() => dismiss(n.id)} />} data-testid={`fw-notice-${n.variant}`}>
            {n.detail}
          </Alert>
        ))}
      </AlertGroup>
      {body}
      <FeatureHistory feature="firewall" />
    </PageSection>
  );
}

const selectTab = (el: HTMLElement) => el.click();

/** "Active: internal (hd0) · public (10.0.0.0/8)", or a plain sentence when nothing is bound. */
function activeSummary(active: Record<string, { interfaces?: string[]; sources?: string[] }>): string {
  const parts = Object.entries(active)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([zone, b]) => `${zone} (${[...(b.interfaces ?? []), ...(b.sources ?? [])].join(', ')})`);
  return parts.length ? `Active: ${parts.join(' · ')}` : 'No interface or source is bound to a zone';
}
