import { useOfflineView } from '../offline-view';
import { useRef, useState } from 'react';
import { Alert, Button, Checkbox, ExpandableSection, TextInput } from '@patternfly/react-core';
import { parseTimeout } from '../../../../shared/firewall/validate';
import { useScrollPadding } from './useScrollPadding';
import { WriteButton } from '../../app/capabilities';

export type ApplyTarget = 'runtime' | 'permanent' | 'both';

interface Props {
  lines: string[];
  risk: { required: boolean; reasons: string[] };
  busy: boolean;
  /** Zones take per-item timeouts in runtime; policies do not (firewalld < 2.5). */
  allowTimeout: boolean;
  onApply(target: ApplyTarget, opts: { timeout?: number; acknowledgeRisk: boolean }): void;
  onSafeApply(seconds: number, saveToPermanent: boolean): void;
  onDiscard(): void;
}

/**
 * The staged changes and what to do with them. When a change could cut the admin off, safe apply
 * is the primary action and a plain apply needs an explicit acknowledgement.
 */
export function ApplyBar({ lines, risk, busy, allowTimeout, onApply, onSafeApply, onDiscard }: Props) {
  const [timeout, setTimeoutText] = useState('');
  const [seconds, setSeconds] = useState('60');
  const [ack, setAck] = useState(false);
  const [save, setSave] = useState(true);
  const timeoutSeconds = timeout.trim() ? parseTimeout(timeout) : undefined;
  const timeoutBad = timeout.trim() !== '' && (timeoutSeconds === undefined || timeoutSeconds < 1);
  const safeSeconds = Number(seconds);
  const safeBad = !Number.isInteger(safeSeconds) || safeSeconds < 5 || safeSeconds > 3600;
  const blocked = risk.required && !ack;
  const bar = useRef<HTMLDivElement>(null);
  useScrollPadding(bar, 'bottom');
  // Offline there is no runtime to apply to or revert: the changes are saved to the files.
  const offline = useOfflineView();

  return (
    <div className="hd-fw-applybar" data-testid="fw-applybar" ref={bar} role="region" aria-label="Pending changes">
      <ExpandableSection toggleText={`${lines.length} pending change${lines.length === 1 ? '' : 's'}`} isIndented>
        <ul className="hd-fw-mono hd-fw-pending">{lines.map((l, i) => <li key={i}>{l}</li>)}</ul>
      </ExpandableSection>
      {risk.required && !offline && (
        <Alert isInline variant="warning" title="This change could cut off your SSH session" data-testid="fw-risk">
          <ul>{risk.reasons.map((r, i) => <li key={i}>{r}</li>)}</ul>
          <p>Safe apply puts it in the runtime, counts down and reverts by itself unless you confirm that you can still reach the host.</p>
        </Alert>
      )}
      {!offline && <div className="hd-fw-actions">
        <span className="hd-fw-inline">
          Safe apply, revert after
          <TextInput aria-label="Safe apply seconds" data-testid="fw-safe-seconds" value={seconds} onChange={(_e, v) => setSeconds(v)} validated={safeBad ? 'error' : 'default'} className="hd-fw-narrow" />
          s
        </span>
        <Checkbox id="fw-safe-save" label="then save to permanent" isChecked={save} onChange={(_e, v) => setSave(v)} />
        <WriteButton variant={risk.required ? 'primary' : 'secondary'} data-testid="fw-safe-apply" isDisabled={busy || safeBad} onClick={() => onSafeApply(safeSeconds, save)}>
          Safe apply
        </WriteButton>
      </div>}
      <div className="hd-fw-actions">
        {allowTimeout && !offline && (
          <span className="hd-fw-inline">
            Runtime timeout
            <TextInput aria-label="Runtime timeout" data-testid="fw-timeout" placeholder="none (e.g. 10m)" value={timeout} onChange={(_e, v) => setTimeoutText(v)} validated={timeoutBad ? 'error' : 'default'} className="hd-fw-narrow" />
          </span>
        )}
        {!offline && <WriteButton variant={risk.required ? 'secondary' : 'primary'} data-testid="fw-apply-runtime" isDisabled={busy || blocked || timeoutBad} onClick={() => onApply('runtime', { timeout: timeoutSeconds, acknowledgeRisk: ack })}>
          Apply to runtime
        </WriteButton>}
        {!offline && <WriteButton variant="secondary" data-testid="fw-apply-both" isDisabled={busy || blocked || !!timeoutSeconds} onClick={() => onApply('both', { acknowledgeRisk: ack })}>
          Apply to runtime and permanent
        </WriteButton>}
        <WriteButton variant={offline ? 'primary' : 'secondary'} data-testid="fw-apply-permanent" isDisabled={busy} onClick={() => onApply('permanent', { acknowledgeRisk: ack })}>
          {/* Offline: every staged zone and policy change of the host, as one checked write (offline-save.ts). */}
          {offline ? 'Save to the files' : 'Save to permanent only'}
        </WriteButton>
        <Button variant="link" data-testid="fw-discard" isDisabled={busy} onClick={onDiscard}>
          Discard
        </Button>
      </div>
      {risk.required && !offline && (
        <Checkbox id="fw-ack-risk" data-testid="fw-ack-risk" label="I have another way in: apply without safe apply" isChecked={ack} onChange={(_e, v) => setAck(v)} />
      )}
    </div>
  );
}
