import { Alert, Button, List, ListItem, Progress, ProgressMeasureLocation } from '@patternfly/react-core';
import { useCollectStore } from '../collect-store';

/**
 * A "Collect with Ansible" run on the Compare page: hosts answered of the total, each host that
 * could not be read with Ansible's reason, Cancel; when it ends, what it collected (the grid or
 * the summary below shows the hosts).
 */
export function CollectProgress() {
  const run = useCollectStore((s) => s.run);
  const { cancel, dismiss } = useCollectStore.getState();
  if (!run) return null;
  const what = `${run.limit ? `@${run.limit.replace(/^@/, '')} of ` : ''}${run.inventory}`;
  const busy = run.state === 'running' || run.state === 'cancelling';
  const r = run.result;
  const title = busy
    ? `Collecting ${what} with Ansible`
    : run.state === 'error'
      ? `Collect with Ansible failed: ${run.error ?? ''}`
      : r?.cancelled
        ? `Collect with Ansible cancelled: ${run.read} of ${run.total ?? 0} hosts read`
        : r?.timedOut
          ? `Collect with Ansible stopped at its deadline: ${run.read} of ${run.total ?? 0} hosts read`
          : `Collected ${what}: ${run.read} of ${run.total ?? 0} hosts read${r?.view === 'summary' ? ' (fleet summary)' : r?.view === 'none' ? ': nothing to compare' : ''}`;
  return (
    <Alert
      variant={run.state === 'error' ? 'danger' : busy ? 'info' : run.failures.length ? 'warning' : 'success'}
      isInline
      title={title}
      data-testid="compare-collect"
      data-state={run.state}
      actionLinks={
        busy ? (
          <Button variant="secondary" onClick={() => void cancel()} isDisabled={run.state === 'cancelling'} data-testid="compare-collect-cancel">
            {run.state === 'cancelling' ? 'Cancelling…' : 'Cancel'}
          </Button>
        ) : (
          <Button variant="link" isInline onClick={dismiss} data-testid="compare-collect-dismiss">
            Close
          </Button>
        )
      }
    >
      {run.state !== 'error' ? (
        <Progress
          value={run.total ? (100 * run.done) / run.total : 0}
          title={run.total === null ? 'Waiting for the first host' : `${run.done} of ${run.total} hosts answered`}
          label={<span data-testid="compare-collect-counts" data-done={run.done} data-total={run.total ?? ''} data-read={run.read} data-failed={run.failures.length}>{`${run.read} read, ${run.failures.length} not read${run.total !== null ? `, ${Math.max(0, run.total - run.done)} remaining` : ''}`}</span>}
          measureLocation={ProgressMeasureLocation.outside}
          aria-label="Hosts collected"
        />
      ) : null}
      {run.failures.length ? (
        <List isPlain aria-label="Hosts not read">
          {run.failures.map((f) => (
            <ListItem key={f.host} data-testid="compare-collect-failure" data-host={f.host}>
              <strong>{f.host}</strong>: {f.error}
            </ListItem>
          ))}
        </List>
      ) : null}
    </Alert>
  );
}
