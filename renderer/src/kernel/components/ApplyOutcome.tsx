import { Alert } from '@patternfly/react-core';
import { useKernelStore } from '../store';
import { privilegeHint } from '../../helper/HelperStatus';
import { RevertTimer } from './RevertTimer';
import { WeakeningConfirm } from './Weakening';
import { WriteButton } from '../../app/capabilities';

/**
 * What the last apply did, as it stands now: per-key outcomes, Undo, and the revert timer if one
 * runs. Once the timer has reverted (or failed to), that is the outcome shown, not the apply.
 */
export function ApplyOutcome() {
  const { applyResult, undoEntries, undo, undoResult, revertTimer, undoWeakening, cancelUndoWeakening } = useKernelStore();
  if (applyResult.state === 'idle' || applyResult.state === 'loading') return null;
  if (applyResult.state === 'error') {
    return (
      <Alert variant="danger" isInline title={`Not applied (${applyResult.code})`} data-testid="kernel-apply-error">
        {applyResult.message} {privilegeHint(applyResult.code)}
      </Alert>
    );
  }
  const r = applyResult.value;
  const counts = `${r.summary.applied} applied, ${r.summary.unchanged} unchanged, ${r.summary.failed} failed`;
  // The timer's own revert and the final values it left: the outcome a user must see first.
  const final = revertTimer?.status === 'reverted' ? 'reverted' : revertTimer?.status === 'failed' ? 'revert-failed' : 'applied';
  const title =
    final === 'reverted'
      ? `Reverted: the ${r.summary.applied === 1 ? 'value is' : `${r.summary.applied} values are`} back to what ${r.summary.applied === 1 ? 'it was' : 'they were'} (not kept in time)`
      : final === 'revert-failed'
        ? `The automatic revert failed: check the values now (${counts} before it)`
        : revertTimer?.status === 'cancelled'
          ? `${counts}; kept`
          : counts;
  return (
    <>
    <RevertTimer />
    {undoWeakening && (
      <WeakeningConfirm items={undoWeakening} action="Undo" testId="kernel-undo-weakening" onConfirm={() => void undo(undoWeakening.map((w) => w.key))} onCancel={cancelUndoWeakening} />
    )}
    <Alert
      variant={final === 'reverted' ? 'info' : final === 'revert-failed' ? 'danger' : r.summary.failed ? 'warning' : 'success'}
      isInline
      data-testid="kernel-apply-result"
      data-final={final}
      title={title}
      actionLinks={
        undoEntries.length > 0 ? (
          <WriteButton variant="link" isInline data-testid="kernel-apply-undo" isLoading={undoResult.state === 'loading'} onClick={() => void undo()}>
            Undo ({undoEntries.length})
          </WriteButton>
        ) : undefined
      }
    >
      <ul>
        {r.results
          .filter((x) => x.outcome !== 'unchanged')
          .map((x) => (
            <li key={x.key} data-testid={`kernel-apply-outcome-${x.key}`}>
              <code>{x.key}</code>:{' '}
              {x.outcome === 'failed'
                ? `failed — ${x.error?.message}`
                : final === 'reverted' && x.outcome === 'applied'
                  ? `back to ${x.previous ?? '?'} (was set to ${x.readBack ?? x.value} until the revert)`
                  : `${x.previous ?? '?'} → ${x.readBack ?? x.value}`}
              {final !== 'reverted' && x.outcome === 'applied' && x.readBack !== null && x.readBack.replace(/\s+/g, ' ') !== x.value ? ' (the kernel reports a different value than written)' : ''}
            </li>
          ))}
      </ul>
      {undoResult.state === 'error' && <Alert variant="danger" isInline isPlain title={undoResult.message} />}
      {undoResult.state === 'ready' && (
        <p data-testid="kernel-undo-result">
          Undo:{' '}
          {undoResult.value.results.map((u) => `${u.key} ${u.outcome}${u.error ? ` (${u.error.message})` : ''}`).join('; ')}
        </p>
      )}
    </Alert>
    </>
  );
}
