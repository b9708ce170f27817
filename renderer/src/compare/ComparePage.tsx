import { EmptyState, EmptyStateBody, PageSection, Title } from '@patternfly/react-core';
import CodeBranchIcon from '@patternfly/react-icons/dist/esm/icons/code-branch-icon';
import { useAppStore } from '../app/store';

/** Comparing hosts needs a second host (a snapshot file or a raw `sysctl -a` dump). */
export function ComparePage() {
  const hosts = useAppStore((s) => s.hosts);
  const count = hosts.state === 'ready' ? hosts.value.length : 0;
  return (
    <PageSection data-testid="compare-page">
      <Title headingLevel="h1">Compare hosts</Title>
      <EmptyState titleText="Only one host to compare" headingLevel="h2" icon={CodeBranchIcon} data-testid="compare-empty">
        <EmptyStateBody>
          HostDeck knows {count} host{count === 1 ? '' : 's'}. Comparing shows the kernel parameters, DNS settings and firewall
          zones that differ between hosts; it needs a second host, such as a snapshot file or a raw <code>sysctl -a</code> dump.
        </EmptyStateBody>
      </EmptyState>
    </PageSection>
  );
}
