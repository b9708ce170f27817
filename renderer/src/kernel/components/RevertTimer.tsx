import { useEffect, useState } from 'react';
import { Alert, AlertGroup, Checkbox, TextInput } from '@patternfly/react-core';
import { useKernelStore } from '../store';
import { WriteButton } from '../../app/capabilities';

export function RevertChoice() {
  const { revertSeconds, setRevertSeconds } = useKernelStore();
  return (
    <Checkbox
      id="kernel-apply-revert"
      data-testid="kernel-apply-revert"
      isChecked={revertSeconds !== null}
      onChange={(_e, on) => setRevertSeconds(on ? 60 : null)}
      label={
        <>
          Revert automatically unless I confirm within{' '}
          <TextInput
            aria-label="Seconds before the automatic revert"
            type="number"
            className="hd-kernel-revert-seconds"
            data-testid="kernel-apply-revert-seconds"
            value={revertSeconds ?? 60}
            isDisabled={revertSeconds === null}
            onChange={(_e, v) => setRevertSeconds(Math.min(3600, Math.max(5, Math.round(Number(v)) || 60)))}
          />{' '}
          seconds
        </>
      }
      description="For changes that could cut you off (networking keys over SSH): the host restores the previous values by itself, even if HostDeck or the connection is gone."
    />
  );
}

/** The running "revert unless confirmed" timer: countdown, Keep, and what happened. */
export function RevertTimer() {
  const { revertTimer, keepApplied, refreshRevert } = useKernelStore();
  const [now, setNow] = useState(() => Date.now());
  const pending = revertTimer?.status === 'pending' || revertTimer?.status === 'reverting';
  useEffect(() => {
    if (!pending) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [pending]);
  const left = revertTimer ? Math.ceil((revertTimer.deadlineMs - now) / 1000) : 0;
  useEffect(() => {
    if (pending && left <= -1 && (-left) % 2 === 1) void refreshRevert();
  }, [pending, left, refreshRevert]);
  if (!revertTimer) return null;
  if (pending) {
    // A toast: the countdown stays in view wherever the page is scrolled (the result sits below the editor).
    return (
      <AlertGroup isToast isLiveRegion>
      <Alert
        isInline
        variant="warning"
        data-testid="kernel-revert-pending"
        title={left > 0 ? `These values revert in ${left} s unless you keep them` : 'Reverting now…'}
        actionLinks={
          <WriteButton variant="primary" size="sm" data-testid="kernel-revert-keep" isDisabled={left <= 0} onClick={() => void keepApplied()}>
            Keep these values
          </WriteButton>
        }
      >
        {revertTimer.error}
      </Alert>
      </AlertGroup>
    );
  }
  // The apply's own outcome says "Reverted"; here only what it cannot say.
  if (revertTimer.status === 'reverted' && !revertTimer.error) return null;
  const text: Record<string, string> = {
    cancelled: 'Kept: the automatic revert was cancelled.',
    reverted: 'Reverted: the previous values are back (not confirmed in time).',
    failed: 'The automatic revert could not restore every key.',
  };
  return (
    <Alert isInline isPlain variant={revertTimer.status === 'cancelled' ? 'success' : revertTimer.status === 'reverted' ? 'info' : 'danger'} title={text[revertTimer.status] ?? revertTimer.status} data-testid="kernel-revert-done">
      {revertTimer.error}
    </Alert>
  );
}
