import { useEffect, useState } from 'react';
import { Alert, AlertActionCloseButton, Button, Progress } from '@patternfly/react-core';
import { useFirewallStore } from '../store';

/** Pending safe-apply sessions: a visible countdown, Confirm and Revert. Finished ones show once. */
export function SafeApplyBanner() {
  const sessions = useFirewallStore((s) => s.sessions);
  const [now, setNow] = useState(Date.now());
  const [seen, setSeen] = useState<Set<string>>(new Set());
  const pending = sessions.filter((s) => s.status === 'pending');
  useEffect(() => {
    if (!pending.length) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [pending.length]);
  const { confirmSession, revertSession } = useFirewallStore.getState();
  const done = sessions.filter((s) => s.status !== 'pending' && !seen.has(s.id) && now - s.deadline < 60_000);
  if (!pending.length && !done.length) return null;
  return (
    <div className={`hd-fw-banners${pending.length ? ' hd-fw-banners-pending' : ''}`} data-testid="fw-safe-apply-banners">
      {pending.map((s) => {
        const left = Math.max(0, Math.ceil((s.deadline - now) / 1000));
        return (
          <Alert
            key={s.id}
            variant={left <= 10 ? 'danger' : 'warning'}
            isInline
            data-testid="fw-safe-apply-banner"
            title={<span>Can you still reach the host? This change is reverted in <span className="hd-fw-countdown" data-testid="fw-safe-apply-countdown">{left}</span> s unless you confirm.</span>}
          >
            <p>{s.summary}</p>
            {s.reasons.map((r, i) => <p key={i}>{r}</p>)}
            <Progress value={(left / Math.max(1, s.seconds)) * 100} aria-label="Time left" measureLocation="none" variant={left <= 10 ? 'danger' : 'warning'} />
            <div className="hd-fw-actions">
              <Button variant="primary" data-testid="fw-safe-apply-confirm" onClick={() => void confirmSession(s.id)}>
                Keep it: I can still reach the host{s.saveToPermanent && s.change.type !== 'defaultZone' ? ' (and save to permanent)' : ''}
              </Button>
              <Button variant="secondary" data-testid="fw-safe-apply-revert" onClick={() => void revertSession(s.id)}>Revert now</Button>
            </div>
          </Alert>
        );
      })}
      {done.map((s) => (
        <Alert
          key={s.id}
          isInline
          variant={s.status === 'confirmed' ? 'success' : s.status === 'reverted' ? 'info' : 'danger'}
          data-testid="fw-safe-apply-result"
          data-status={s.status}
          title={s.status === 'confirmed' ? 'Change kept' : s.status === 'reverted' ? 'Change reverted' : 'Safe apply failed'}
          actionClose={<AlertActionCloseButton data-testid="fw-safe-apply-dismiss" onClose={() => setSeen(new Set([...seen, s.id]))} />}
        >
          {s.summary}
          {s.error && <p>{s.error.message} [{s.error.code}]</p>}
        </Alert>
      ))}
    </div>
  );
}
