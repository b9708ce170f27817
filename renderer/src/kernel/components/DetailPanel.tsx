import { useState } from 'react';
import {
  Alert,
  Button,
  Card,
  CardBody,
  CardTitle,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Label,
  Skeleton,
  Title,
} from '@patternfly/react-core';
import type { ListRow } from '../../../../shared/kernel/contract';
import { NamespaceBadge, VerdictBadge } from './Badges';
import { sandboxVerdict } from '../../../../shared/kernel/export';
import { useKernelStore } from '../store';
import { ERROR_SOURCES, podAnswer, targetText } from '../verdict';

/** A selected parameter's verdict, in its own chunk (DetailPane.tsx). */
export function DetailPanel({ rows }: { rows: ListRow[] }) {
  const { selected, detail, profile, setProfile, target, hostKernel, liveSource } = useKernelStore();
  const [added, setAdded] = useState<string | null>(null);
  // DetailPane shows what to do before a row is selected.
  if (!selected) return null;
  if (detail.state === 'loading' || detail.state === 'idle') return <Skeleton height="240px" screenreaderText="Loading verdict" />;
  if (detail.state === 'error') return <Alert variant="danger" isInline title={`Cannot classify ${selected} (${detail.code})`}>{detail.message}</Alert>;
  const c = detail.value;
  const row = rows.find((r) => r.key === c.name);
  const k = c.kubernetes;
  const answer = podAnswer(c, target);
  const errors = ERROR_SOURCES.filter((e) => k.errors[e.key]);
  const ns = c.namespaceInfo;
  const tableNs = ns.readOnlyInChild ? 'read-only in a pod' : ns.hostOnly ? 'host only' : (ns.namespace ?? 'not namespaced');
  const inProfile = profile.some((l) => l.key === c.name);
  const sandbox = sandboxVerdict(k.status);
  return (
    <Card data-testid="kernel-detail" className="hd-kernel-detail" isCompact>
      <CardTitle component="h2">
        <span className="hd-kernel-detail-title">
          <code>{c.name}</code> <VerdictBadge status={k.status} keyName={`detail-${c.name}`} /> <NamespaceBadge ns={c.namespace} />
        </span>
      </CardTitle>
      <CardBody>
        <Alert component="h3" variant={answer.tone} isInline title={<span data-testid="kernel-detail-target">{`${targetText(target, hostKernel)}: ${answer.short}.`}</span>} data-testid="kernel-detail-answer" data-tone={answer.tone}>
          {/* The classifier's reasons already say what to do for most verdicts; the summary covers the rest. */}
          {(answer.kind === 'psa' || k.reasons.length === 0) && <p>{answer.headline}</p>}
          {k.reasons.length > 0 && (
            <ul className="hd-kernel-reasons">
              {k.reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          )}
        </Alert>
        <DescriptionList isCompact isHorizontal className="hd-kernel-dl" horizontalTermWidthModifier={{ default: '11ch' }}>
          <DescriptionListGroup>
            <DescriptionListTerm>Live value</DescriptionListTerm>
            <DescriptionListDescription>
              {row?.state === 'ok' ? <code>{row.value || '(empty)'}</code> : <StateText row={row} />}
              {row?.drift && (
                <Label isCompact color="red" className="hd-kernel-inline-label" title={liveSource?.note ?? undefined} data-testid="kernel-detail-drift">
                  differs from configured{liveSource?.kind === 'running-kernel' ? ' (live kernel of this host)' : ''}
                </Label>
              )}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>Configured</DescriptionListTerm>
            <DescriptionListDescription data-testid="kernel-detail-configured">
              {row?.configured ? (
                <>
                  <code>{row.configured.value}</code> in <code>{row.configured.file}:{row.configured.line}</code>
                </>
              ) : (
                'not set by any sysctl.d file'
              )}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>Default</DescriptionListTerm>
            <DescriptionListDescription data-testid="kernel-detail-default">
              {row?.default
                ? `${row.default.value || '(empty)'} (${row.default.basis === 'fresh-namespace' ? 'what a fresh namespace starts with on this kernel' : 'upstream documented default'})${row.changed && row.changed.basis !== 'configured' ? ' · changed' : ''}`
                : "Not knowable here (the kernel does not expose compiled-in defaults and a fresh namespace does not show this key's)."}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>Namespace</DescriptionListTerm>
            <DescriptionListDescription>
              {ns.note}
              {ns.verified ? '' : ' (kernel version boundary unverified)'}
              {row?.probe && (
                <div
                  data-testid="kernel-detail-probe"
                  className={row.probe.agrees ? 'hd-kernel-subtle' : 'hd-kernel-probe-disagree'}
                >
                  {row.probe.agrees
                    ? `The probe on this host agrees: ${row.probe.kind}.`
                    : `Probe on this host: ${row.probe.kind}; HostDeck's table: ${tableNs}. Trust the probe for this host.`}
                </div>
              )}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>Safe list</DescriptionListTerm>
            <DescriptionListDescription>
              {k.safeSince ? `Safe since Kubernetes ${k.safeSince}` : 'Not on the kubelet’s safe list in any version'}
              {k.minKernel ? ` (node kernel ≥ ${k.minKernel})` : ''}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>PodSecurity</DescriptionListTerm>
            <DescriptionListDescription>
              baseline <strong data-testid="kernel-detail-psa">{k.podSecurityBaseline}</strong>
              {k.podSecurityBaselineSince ? ` (allowed since ${k.podSecurityBaselineSince})` : ''}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>Runtimes</DescriptionListTerm>
            <DescriptionListDescription data-testid="kernel-detail-runtimes">
              <div data-testid="kernel-detail-runc">
                <strong>runc</strong> (containerd, CRI-O): {answer.short}.
              </div>
              <div data-testid="kernel-detail-sandbox" data-allowed={sandbox.allowed}>
                <strong>ACK secure sandbox</strong> (runV): {sandbox.allowed ? 'allowed' : 'not allowed'}.{' '}
                <span className="hd-kernel-subtle">{sandbox.reason}</span>
              </div>
            </DescriptionListDescription>
          </DescriptionListGroup>
          {(k.conflictsWithHostNetwork || k.conflictsWithHostIPC) && (
            <DescriptionListGroup>
              <DescriptionListTerm>Host namespaces</DescriptionListTerm>
              <DescriptionListDescription>
                {k.conflictsWithHostNetwork ? 'conflicts with hostNetwork' : ''}
                {k.conflictsWithHostNetwork && k.conflictsWithHostIPC ? ' · ' : ''}
                {k.conflictsWithHostIPC ? 'conflicts with hostIPC' : ''}
              </DescriptionListDescription>
            </DescriptionListGroup>
          )}
        </DescriptionList>
        {errors.length > 0 && (
          <div className="hd-kernel-errors" data-testid="kernel-detail-errors">
            <Title headingLevel="h3" size="md">Errors you would see</Title>
            {errors.map((e) => (
              <div key={e.key} className="hd-kernel-error" data-testid={`kernel-detail-error-${e.key}`}>
                <div className="hd-kernel-error-title">{e.title}</div>
                <code className="hd-kernel-error-text">{k.errors[e.key]}</code>
              </div>
            ))}
          </div>
        )}
        <div className="hd-kernel-detail-actions">
          <Button
            variant="secondary"
            data-testid="kernel-detail-add"
            onClick={() => {
              setProfile([...profile.filter((l) => l.key !== c.name), { key: c.name, value: row?.value ?? '' }]);
              setAdded(c.name);
            }}
          >
            {inProfile ? 'Update in profile' : 'Add to profile'}
          </Button>
          {added === c.name && inProfile && <span className="hd-kernel-subtle">In the profile: edit and export it on the “Profile, apply & export” tab.</span>}
        </div>
      </CardBody>
    </Card>
  );
}

function StateText({ row }: { row: ListRow | undefined }) {
  if (!row) return <>absent on this host</>;
  if (row.state === 'write-only') return <>write-only: the kernel offers no value to read</>;
  if (row.state === 'side-effect') return <>not read: reading it triggers an action in the kernel</>;
  return <>unreadable{row.error ? ` (${row.error})` : ''}</>;
}
