import { useEffect, useRef, useState } from 'react';
import { Alert, AlertActionCloseButton, Progress } from '@patternfly/react-core';
import { useFirewallStore } from '../store';
import { usePageHost } from '../../app/host-store';
import { WriteButton } from '../../app/capabilities';

/** How long the outcome of a safe apply stays (it can be closed sooner; failures stay until closed). */
export const RESULT_SHOWN_MS = 8000;

/**
 * Pending safe-apply sessions: a visible countdown, Confirm and Revert; a new one takes the
 * keyboard focus to its "Keep it" button (the countdown runs: it must be one key press away).
 * Finished ones show once, for a few seconds, and can be closed.
 */
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
  const { confirmSession, revertSession } = useFirewallStore.of(usePageHost()).getState();
  // Read the clock now: `now` only ticks while something counts down.
  const done = sessions.filter((s) => s.status !== 'pending' && !seen.has(s.id) && Date.now() - s.deadline < 60_000);
  const clearIds = done.filter((s) => s.status !== 'failed').map((s) => s.id).join(' ');
  useEffect(() => {
    if (!clearIds) return;
    const t = setTimeout(() => setSeen((old) => new Set([...old, ...clearIds.split(' ')])), RESULT_SHOWN_MS);
    return () => clearTimeout(t);
  }, [clearIds]);
  // Focus follows a new countdown to its "Keep it" button.
  const focused = useRef(new Set<string>());
  const keep = useRef(new Map<string, HTMLButtonElement | null>());
  const pendingIds = pending.map((s) => s.id).join(' ');
  useEffect(() => {
    for (const id of pendingIds ? pendingIds.split(' ') : []) {
      if (focused.current.has(id)) continue;
      focused.current.add(id);
      keep.current.get(id)?.focus();
    }
  }, [pendingIds]);
  // "Keep it" and "Revert now" go away with the countdown: focus moves to the outcome, and when
  // the outcome goes away in turn, to the page's heading, never to nowhere.
  const results = useRef(new Map<string, HTMLDivElement | null>());
  const doneIds = done.map((s) => s.id).join(' ');
  useEffect(() => {
    const lost = !document.activeElement || document.activeElement === document.body;
    const first = doneIds ? doneIds.split(' ')[0] : undefined;
    if (lost && first) results.current.get(first)?.focus();
  }, [doneIds]);
  useEffect(
    () => () => {
      // Only when an outcome that was shown goes away (not when the first one appears).
      if (!doneIds || (document.activeElement && document.activeElement !== document.body)) return;
      const h1 = document.querySelector<HTMLElement>('[data-testid="page-main"] h1');
      if (!h1) return;
      h1.tabIndex = -1;
      h1.focus();
    },
    [doneIds],
  );
  if (!pending.length && !done.length) return null;
  return (
    <div className={`hd-fw-banners${pending.length ? ' hd-fw-banners-pending' : ''}`} data-testid="fw-safe-apply-banners">
      {pending.map((s) => {
        const left = Math.max(0, Math.ceil((s.deadline - now) / 1000));
        return (
          <Alert
            component="h2"
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
              <WriteButton variant="primary" data-testid="fw-safe-apply-confirm" ref={(b) => void keep.current.set(s.id, b)} onClick={() => void confirmSession(s.id)}>
                Keep it: I can still reach the host{s.saveToPermanent && s.change.type !== 'defaultZone' ? ' (and save to permanent)' : ''}
              </WriteButton>
              <WriteButton variant="secondary" data-testid="fw-safe-apply-revert" onClick={() => void revertSession(s.id)}>Revert now</WriteButton>
            </div>
          </Alert>
        );
      })}
      {done.map((s) => (
        <div key={s.id} tabIndex={-1} ref={(d) => void results.current.set(s.id, d)} data-testid="fw-safe-apply-outcome">
        <Alert
          component="h2"
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
        </div>
      ))}
    </div>
  );
}
