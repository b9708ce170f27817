import { Alert, Button, EmptyState, EmptyStateBody, PageSection, Skeleton, Tab, Tabs, TabTitleText, Title } from '@patternfly/react-core';
import CodeBranchIcon from '@patternfly/react-icons/dist/esm/icons/code-branch-icon';
import DownloadIcon from '@patternfly/react-icons/dist/esm/icons/download-icon';
import { toCsv, toMarkdown } from '../../../shared/compare/report';
import { useCompareStore, type Section } from './store';
import { HostsBar } from './components/HostsBar';
import { SectionView } from './components/SectionView';
import { FixPanel } from './components/FixPanel';
import { download } from './components/download';
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
  const { hosts, result, section, filters } = useCompareStore();
  const { setSection } = useCompareStore.getState();
  const r = result.state === 'ready' ? result.value : null;
  const counts: Record<Section, number> = r
    ? {
        sysctl: r.sysctl.filter((x) => x.differs).length,
        sysctld: r.sysctld.filter((x) => x.differs).length,
        dns: r.dns.rows.filter((x) => x.differs).length,
        firewall: r.firewall.filter((x) => x.differs).length,
      }
    : { sysctl: 0, sysctld: 0, dns: 0, firewall: 0 };
  const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
  return (
    <PageSection data-testid="compare-page">
      <div className="hd-compare-page">
        <Title headingLevel="h1">Compare hosts</Title>
        <HostsBar />
        {hosts.length < 2 ? (
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
                <Tab key={s.id} eventKey={s.id} tabContentId="compare-section" title={<TabTitleText>{`${s.title} (${counts[s.id]})`}</TabTitleText>} data-testid={`compare-tab-${s.id}`} />
              ))}
            </Tabs>
            <div id="compare-section" role="tabpanel" aria-label={SECTIONS.find((x) => x.id === section)?.title}>
              <SectionView result={r} />
            </div>
            <FixPanel result={r} />
          </>
        )}
      </div>
    </PageSection>
  );
}
