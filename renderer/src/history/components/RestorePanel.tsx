import { Alert, Button, CodeBlock, CodeBlockCode, List, ListItem, Skeleton } from '@patternfly/react-core';
import { WriteButton } from '../../app/capabilities';
import { historyStore, type HistoryScope } from '../store';

/**
 * "Back to this point": the changes that would return the host to the point, listed as
 * Compare's fixes are (each step, what cannot be returned as a note); nothing changes until
 * "Apply", and the outcome of each step is shown.
 */
export function RestorePanel({ scope }: { scope: HistoryScope }) {
  const store = historyStore(scope);
  const restore = store((s) => s.restore);
  const { confirmRestore, cancelRestore } = store();
  if (!restore) return null;
  const { plan, done } = restore;
  return (
    <section className="hd-history-restore" data-testid="history-restore" aria-label="Back to this point">
      {plan.state === 'loading' || plan.state === 'idle' ? (
        <Skeleton height="80px" screenreaderText="Working out the changes" />
      ) : plan.state === 'error' ? (
        <Alert variant="danger" isInline title={`Cannot go back to this point: ${plan.message}`} data-testid="history-restore-error" />
      ) : (
        <>
          <p data-testid="history-restore-summary">
            {plan.value.steps.length === 0 ? 'The host is already as it was at this point: nothing to change.' : `${plan.value.steps.length} change${plan.value.steps.length === 1 ? '' : 's'} return the host to this point:`}
          </p>
          {plan.value.steps.length ? (
            <CodeBlock data-testid="history-restore-plan">
              <CodeBlockCode>{plan.value.steps.map((s) => `${s.text}    (${s.operation})`).join('\n')}</CodeBlockCode>
            </CodeBlock>
          ) : null}
          {plan.value.notes.length ? (
            <List data-testid="history-restore-notes">
              {plan.value.notes.map((n, i) => (
                <ListItem key={i}>{n}</ListItem>
              ))}
            </List>
          ) : null}
          {done?.state === 'ready' ? (
            <Alert
              variant={done.value.results.every((r) => r.ok) ? 'success' : 'warning'}
              isInline
              title={done.value.results.every((r) => r.ok) ? 'Back at the point: every change applied (recorded as a point of its own)' : 'Some changes failed'}
              data-testid="history-restore-result"
            >
              <List>
                {done.value.results.map((r, i) => (
                  <ListItem key={i}>
                    {r.ok ? 'done' : 'failed'}: {r.text}
                    {r.error ? ` (${r.error})` : ''}
                  </ListItem>
                ))}
              </List>
            </Alert>
          ) : done?.state === 'error' ? (
            <Alert variant="danger" isInline title={`Going back failed: ${done.message}`} data-testid="history-restore-error" />
          ) : null}
          <div className="hd-compare-toolbar">
            {plan.value.steps.length && !done ? (
              <WriteButton variant="primary" onClick={() => void confirmRestore()} data-testid="history-restore-confirm">
                Apply {plan.value.steps.length} change{plan.value.steps.length === 1 ? '' : 's'}
              </WriteButton>
            ) : null}
            {done?.state === 'loading' ? <Skeleton width="8rem" screenreaderText="Applying" /> : null}
            <Button variant="link" onClick={cancelRestore} data-testid="history-restore-close">
              {done ? 'Close' : 'Cancel'}
            </Button>
          </div>
        </>
      )}
    </section>
  );
}
