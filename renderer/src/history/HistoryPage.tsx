import { PageSection, Title } from '@patternfly/react-core';
import { HistoryPanel } from './components/HistoryPanel';

/** "Who opened port 8080 on node-7, and when?": the current host's timeline over every feature. */
export function HistoryPage() {
  return (
    <PageSection data-testid="history-page">
      <div className="hd-history">
        <Title headingLevel="h1">History</Title>
        <HistoryPanel scope="all" />
      </div>
    </PageSection>
  );
}
