import { Suspense, lazy, useState } from 'react';
import { ExpandableSection, Skeleton } from '@patternfly/react-core';
import type { HistoryFeature } from '../../../../shared/history/model';

// The timeline is its own chunk, fetched when the section is opened: a feature page does not
// grow, and a closed section asks nothing of the host.
const HistoryPanel = lazy(() => import('./HistoryPanel').then((m) => ({ default: m.HistoryPanel })));

/** The History panel of a feature page: the host's timeline filtered to that feature. */
export function FeatureHistory({ feature }: { feature: HistoryFeature }) {
  const [open, setOpen] = useState(false);
  return (
    <ExpandableSection toggleText="History" isExpanded={open} onToggle={(_e, v) => setOpen(v)} data-testid={`history-section-${feature}`} toggleId={`history-toggle-${feature}`}>
      {open ? (
        <Suspense fallback={<Skeleton height="120px" screenreaderText="Loading the history" />}>
          <HistoryPanel scope={feature} />
        </Suspense>
      ) : null}
    </ExpandableSection>
  );
}
