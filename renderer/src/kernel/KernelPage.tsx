import { useEffect, useState } from 'react';
import {
  Alert,
  Button,
  EmptyState,
  EmptyStateBody,
  PageSection,
  Skeleton,
  Tab,
  Tabs,
  TabTitleText,
  Title,
} from '@patternfly/react-core';
import { useKernelStore } from './store';
import { DetailPane, DetailPanel } from './components/DetailPane';
import { ParameterList } from './components/ParameterList';
import { TargetSelectors } from './components/TargetSelectors';
import './kernel.css';
import { FeatureHistory } from '../history/components/FeatureHistory';
import { lazyPart, whenIdle } from './lazy-part';

// The tabs the page does not open on are chunks of their own (their tables, dialogs, the profile
// editor's file upload): the first rows wait for the list's code only (issue #22).
const EffectiveView = lazyPart('The Configuration & drift tab', () => import('./components/EffectiveView').then((m) => m.EffectiveView));
const ProfileView = lazyPart('The Profile, apply & export tab', () => import('./components/ProfileView').then((m) => m.ProfileView));
const ProbeView = lazyPart('The Namespaces tab', () => import('./components/ProbeView').then((m) => m.ProbeView));
const parts = [DetailPanel, EffectiveView, ProfileView, ProbeView];

export function KernelPage() {
  const { list, load } = useKernelStore();
  const [tab, setTab] = useState<string | number>(0);
  useEffect(() => {
    void load();
  }, [load]);
  // Once the first rows are on screen, the rest of the page's code comes while the admin reads.
  const listed = list.state !== 'idle' && list.state !== 'loading';
  useEffect(() => (listed ? whenIdle(() => parts.forEach((p) => p.prefetch())) : undefined), [listed]);
  return (
    <PageSection data-testid="kernel-page" className="hd-kernel-page">
      <div className="hd-kernel-header">
        <Title headingLevel="h1">Kernel parameters</Title>
        <p className="hd-kernel-subtle">Live values from /proc/sys, the sysctl.d configuration, and whether a Kubernetes pod may set each key.</p>
      </div>
      <TargetSelectors />
      <Tabs activeKey={tab} onSelect={(_e, k) => setTab(k)} mountOnEnter>
        <Tab eventKey={0} title={<TabTitleText>Live parameters</TabTitleText>} data-testid="kernel-tab-live">
          <div className="hd-kernel-tab">
            {list.state === 'loading' || list.state === 'idle' ? (
              <Skeleton height="400px" screenreaderText="Reading /proc/sys" />
            ) : list.state === 'error' ? (
              <Alert
                variant="danger"
                isInline
                title={`Could not read the kernel parameters (${list.code})`}
                actionLinks={<Button variant="link" isInline onClick={() => void load()}>Try again</Button>}
              >
                {list.message}
              </Alert>
            ) : list.value.length === 0 ? (
              <EmptyState titleText="No kernel parameters" headingLevel="h2" variant="sm" data-testid="kernel-list-empty">
                <EmptyStateBody>Nothing is readable under /proc/sys on this host: is /proc mounted?</EmptyStateBody>
              </EmptyState>
            ) : (
              <div className="hd-kernel-layout">
                <ParameterList rows={list.value} />
                <div className="hd-kernel-detail-pane">
                  <DetailPane rows={list.value} />
                </div>
              </div>
            )}
          </div>
        </Tab>
        <Tab eventKey={1} title={<TabTitleText>Configuration &amp; drift</TabTitleText>} data-testid="kernel-tab-effective">
          <div className="hd-kernel-tab">{tab === 1 && <EffectiveView />}</div>
        </Tab>
        <Tab eventKey={2} title={<TabTitleText>Profile, apply &amp; export</TabTitleText>} data-testid="kernel-tab-profile">
          <div className="hd-kernel-tab">{tab === 2 && <ProfileView />}</div>
        </Tab>
        <Tab eventKey={3} title={<TabTitleText>Namespaces: probe vs table</TabTitleText>} data-testid="kernel-tab-probe">
          <div className="hd-kernel-tab">{tab === 3 && <ProbeView />}</div>
        </Tab>
      </Tabs>
      <FeatureHistory feature="kernel" />
    </PageSection>
  );
}
