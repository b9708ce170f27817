import { EmptyState, EmptyStateBody } from '@patternfly/react-core';
import type { ListRow } from '../../../../shared/kernel/contract';
import { useKernelStore } from '../store';
import { lazyPart } from '../lazy-part';

/** The verdict's panel (with the export module, YAML and the catalogue behind it) is fetched when a row is selected or the page is idle. */
export const DetailPanel = lazyPart('The parameter detail', () => import('./DetailPanel').then((m) => m.DetailPanel));

/** The list's side pane: what to do before a row is selected, then the selected parameter's detail. */
export function DetailPane({ rows }: { rows: ListRow[] }) {
  const selected = useKernelStore((s) => s.selected);
  if (!selected)
    return (
      <EmptyState titleText="Select a parameter" headingLevel="h2" variant="sm" data-testid="kernel-detail-empty">
        <EmptyStateBody>
          Click a row, or search and press Enter. The panel says whether a pod may set it on the Kubernetes version and node kernel chosen above, what to do instead,
          and the exact errors a pod would hit. Arrow keys move through the list.
        </EmptyStateBody>
      </EmptyState>
    );
  return <DetailPanel rows={rows} />;
}
