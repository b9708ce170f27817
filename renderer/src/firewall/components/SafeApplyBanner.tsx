import { useEffect, useState } from 'react';
import { Alert, AlertActionLink, Progress } from '@patternfly/react-core';
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
  return (
    <div className="hd-fw-banners">
      {pending.map((s) => {
        const left = Math.max(0, Math.ceil((s.deadline - now) / 1000));
        return (
          <Alert
            key={s.id}
            variant="warning"
            isInline
            data-testid="fw-safe-apply-banner"
            title={<span>Safe apply: <span data-testid="fw-safe-apply-countdown">{left}</span> s until this change is reverted</span>}
            actionLinks={
              <>
                <AlertActionLink data-testid="fw-safe-apply-confirm" onClick={() => void confirmSession(s.id)}>
                  Confirm: I can still reach the host{s.saveToPermanent ? ' (and save to permanent)' : ''}
                </AlertActionLink>
                <AlertActionLink data-testid="fw-safe-apply-revert" onClick={() => void revertSession(s.id)}>Revert now</AlertActionLink>
              </>
            }
          >
            <p>{s.summary}</p>
            {s.reasons.map((r, i) => <p key={i}>{r}</p>)}
            <Progress value={(left / Math.max(1, s.seconds)) * 100} aria-label="Time left" measureLocation="none" />
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
          actionClose={<AlertActionLink onClick={() => setSeen(new Set([...seen, s.id]))}>Dismiss</AlertActionLink>}
        >
          {s.summary}
          {s.error && <p>{s.error.message} [{s.error.code}]</p>}
        </Alert>
      ))}
    </div>
  );
}
