import { useEffect, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Alert, AlertActionCloseButton, Button, EmptyState, EmptyStateBody, Label, PageSection, Skeleton, Tab, Tabs, TabTitleText, Title, ToggleGroup, ToggleGroupItem } from '@patternfly/react-core';
import CodeBranchIcon from '@patternfly/react-icons/dist/esm/icons/code-branch-icon';
import DownloadIcon from '@patternfly/react-icons/dist/esm/icons/download-icon';
import { toCsv, toMarkdown } from '../../../shared/compare/report';
import { useCompareStore, type Section } from './store';
import { HostsBar } from './components/HostsBar';
import { narrowing, sectionCounts, SectionView } from './components/SectionView';
import { FixPanel } from './components/FixPanel';
import { download } from './components/download';
import { SummaryView } from './components/SummaryView';
import { CollectProgress } from './components/CollectProgress';
import { useSummaryStore } from './summary-store';
import './compare.css';

const SECTIONS: { id: Section; title: string }[] = [
  { id: 'sysctl', title: 'Kernel parameters' },
  { id: 'sysctld', title: 'sysctl.d' },
  { id: 'dns', title: 'DNS' },
  { id: 'firewall', title: 'Firewall' },
];

/**
 * "Why does node-7 drop connections and node-3 doesn't?": 2 to 50 hosts (live, SSH, snapshots,
 * imports) side by side, differences only, against a baseline; exports and fixes.
 */
export function ComparePage() {
  const { hosts, result, section, filters, stale, lost } = useCompareStore(useShallow((s) => ({ hosts: s.hosts, result: s.result, section: s.section, filters: s.filters, stale: s.stale, lost: s.lost })));
  const { setSection, restore, clearLost } = useCompareStore.getState();
  const view = useSummaryStore((s) => s.view);
  // After a browser reload the saved compare set is read again.
  useEffect(() => void restore(), [restore]);
  const r = result.state === 'ready' ? result.value : null;
  const tabCounts = useMemo(() => (r ? sectionCounts(r, filters) : null), [r, filters]);
  const counts: Record<Section, number> = r
    ? {
        sysctl: r.sysctl.filter((x) => x.differs).length,
        sysctld: r.sysctld.filter((x) => x.differs).length,
        dns: r.dns.rows.filter((x) => x.differs).length,
        firewall: r.firewall.filter((x) => x.differs).length,
      }
    : { sysctl: 0, sysctld: 0, dns: 0, firewall: 0 };
  const tabTitle = (s: Section, title: string) => {
    const c = tabCounts?.[s];
    if (!c) return title;
    return narrowing(filters) ? `${title} (${c.shown} of ${c.total})` : `${title} (${c.shown})`;
  };
  const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
  return (
    <PageSection data-testid="compare-page">
      <div className="hd-compare-page">
        <Title headingLevel="h1">Compare hosts</Title>
        <ToggleGroup aria-label="Compare view">
          <ToggleGroupItem text="Side by side" isSelected={view === 'grid'} onChange={() => useSummaryStore.getState().setView('grid')} data-testid="compare-view-grid" />
          <ToggleGroupItem text="Fleet summary" isSelected={view === 'summary'} onChange={() => useSummaryStore.getState().setView('summary')} data-testid="compare-view-summary" />
        </ToggleGroup>
        <CollectProgress />
        {view === 'summary' ? <SummaryView /> : <HostsBar />}
        {lost.length > 0 && (
          <Alert variant="warning" isInline title={`${lost.length === 1 ? 'An import' : `${lost.length} imports`} of the saved comparison ${lost.length === 1 ? 'is' : 'are'} no longer loaded: HostDeck was restarted since. Import ${lost.length === 1 ? 'it' : 'them'} again.`} actionClose={<AlertActionCloseButton onClose={clearLost} />} data-testid="compare-lost">
            {lost.map((id) => id.replace(/^snapshot:/, '')).join(', ')}
          </Alert>
        )}
        {view === 'summary' ? null : hosts.length < 2 ? (
          <EmptyState titleText={hosts.length ? 'Add one more host' : 'Pick hosts to compare'} headingLevel="h2" icon={CodeBranchIcon} data-testid="compare-empty">
            <EmptyStateBody>
              Compare 2 to 50 hosts: live ones, SSH hosts, HostDeck snapshots (<code>hostdeck snapshot &gt; host.json</code>) or files from hosts without HostDeck: <code>sysctl -a</code> output, a <code>resolv.conf</code>,{' '}
              <code>firewall-cmd --list-all-zones</code> output (name it …permanent… for <code>--permanent</code>).
            </EmptyStateBody>
          </EmptyState>
        ) : result.state === 'error' ? (
          <Alert variant="danger" isInline title={`Compare failed: ${result.message}`} data-testid="compare-error" />
        ) : !r ? (
          <Skeleton height="240px" screenreaderText="Comparing" />
        ) : (
          <>
            <div className="hd-compare-toolbar">
              {stale && (
                <Label color="orange" data-testid="compare-stale">
                  Refreshing: the table shows the reading from before {new Date(stale.since).toLocaleTimeString()}
                </Label>
              )}
              <span data-testid="compare-summary">
                {r.hosts.length} hosts, baseline <strong>{r.hosts[r.baseline]?.label}</strong>: {counts.sysctl} kernel parameters, {counts.sysctld} sysctl.d settings, {counts.dns} DNS facts and {counts.firewall} firewall facts differ.
              </span>
              <Button variant="secondary" icon={<DownloadIcon />} onClick={() => download(`hostdeck-compare-${stamp}.md`, toMarkdown(r, filters.differencesOnly), 'text/markdown')} data-testid="compare-export-md">
                Markdown
              </Button>
              <Button variant="secondary" icon={<DownloadIcon />} onClick={() => download(`hostdeck-compare-${stamp}.csv`, toCsv(r, filters.differencesOnly), 'text/csv')} data-testid="compare-export-csv">
                CSV
              </Button>
            </div>
            <Tabs activeKey={section} onSelect={(_e, k) => setSection(k as Section)} aria-label="Compared facts">
              {SECTIONS.map((s) => (
                <Tab key={s.id} eventKey={s.id} tabContentId="compare-section" title={<TabTitleText>{tabTitle(s.id, s.title)}</TabTitleText>} data-testid={`compare-tab-${s.id}`} />
              ))}
            </Tabs>
            <div id="compare-section" role="tabpanel" aria-label={SECTIONS.find((x) => x.id === section)?.title} className={stale ? 'hd-compare-stale' : undefined} data-stale={stale ? 'true' : 'false'} data-testid="compare-table">
              <SectionView result={r} hidden={tabCounts ? tabCounts[section].total - tabCounts[section].shown : 0} />
            </div>
            <FixPanel result={r} />
          </>
        )}
      </div>
    </PageSection>
  );
}
