import { Alert, Button } from '@patternfly/react-core';
import { useAppStore } from '../../app/store';
import { useKernelStore } from '../store';
import { privilegeHint } from '../../helper/HelperStatus';
import { RevertTimer } from './RevertTimer';
import { WeakeningConfirm } from './Weakening';

/** What the last apply did: per-key outcomes, Undo, and the revert timer if one runs. */
export function ApplyOutcome() {
  const hostId = useAppStore((s) => s.hostId);
  const { applyResult, undoEntries, undo, undoResult, undoWeakening, cancelUndoWeakening } = useKernelStore();
  if (applyResult.state === 'idle' || applyResult.state === 'loading') return null;
  if (applyResult.state === 'error') {
    return (
      <Alert variant="danger" isInline title={`Not applied (${applyResult.code})`} data-testid="kernel-apply-error">
        {applyResult.message} {privilegeHint(applyResult.code)}
      </Alert>
    );
  }
  const r = applyResult.value;
  return (
    <>
    <RevertTimer />
    {undoWeakening && (
      <WeakeningConfirm items={undoWeakening} action="Undo" testId="kernel-undo-weakening" onConfirm={() => void undo(hostId, undoWeakening.map((w) => w.key))} onCancel={cancelUndoWeakening} />
    )}
    <Alert
      variant={r.summary.failed ? 'warning' : 'success'}
      isInline
      data-testid="kernel-apply-result"
      title={`${r.summary.applied} applied, ${r.summary.unchanged} unchanged, ${r.summary.failed} failed`}
      actionLinks={
        undoEntries.length > 0 ? (
          <Button variant="link" isInline data-testid="kernel-apply-undo" isLoading={undoResult.state === 'loading'} onClick={() => void undo(hostId)}>
            Undo ({undoEntries.length})
          </Button>
        ) : undefined
      }
    >
      <ul>
        {r.results
          .filter((x) => x.outcome !== 'unchanged')
          .map((x) => (
            <li key={x.key} data-testid={`kernel-apply-outcome-${x.key}`}>
              <code>{x.key}</code>:{' '}
              {x.outcome === 'failed' ? `failed — ${x.error?.message}` : `${x.previous ?? '?'} → ${x.readBack ?? x.value}`}
              {x.outcome === 'applied' && x.readBack !== null && x.readBack.replace(/\s+/g, ' ') !== x.value ? ' (the kernel reports a different value than written)' : ''}
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
