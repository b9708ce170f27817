import { Label } from '@patternfly/react-core';
import type { ListRow } from '../../../../shared/kernel/contract';

const statusColor = { safe: 'green', unsafe: 'orange', 'node-level': 'grey' } as const;

export function VerdictBadge({ status, keyName }: { status: ListRow['status']; keyName: string }) {
  return (
    <Label isCompact color={statusColor[status]} data-testid={`kernel-verdict-${keyName}`}>
      {status}
    </Label>
  );
}

export function NamespaceBadge({ ns, probe }: { ns: ListRow['namespace']; probe?: ListRow['probe'] }) {
  if (probe && !probe.agrees) {
    // The probe wins on this host; the table's answer stays visible in the tooltip and detail panel.
    return (
      <Label isCompact color="orange" data-testid="kernel-ns-badge" title={`probe: ${probe.kind}; table: ${ns ?? 'host'}`}>
        {probe.kind === 'host-only' || probe.kind === 'global' ? 'host' : probe.kind === 'read-only-in-child' ? 'ro in pod' : probe.kind}*
      </Label>
    );
  }
  return ns ? (
    <Label isCompact color="blue" data-testid="kernel-ns-badge">
      {ns}
    </Label>
  ) : (
    <Label isCompact variant="outline">
      host
    </Label>
  );
}

export function StateBadge({ row }: { row: ListRow }) {
  if (row.state === 'ok')
    return row.drift ? (
      <Label isCompact color="red" title={row.configured ? `configured ${row.configured.value} in ${row.configured.file}:${row.configured.line}` : undefined}>
        drift
      </Label>
    ) : null;
  const text = row.state === 'write-only' ? 'write-only' : row.state === 'side-effect' ? 'not read: side effect' : `unreadable${row.error ? ` ${row.error}` : ''}`;
  return (
    <Label isCompact color="purple" data-testid="kernel-state-badge">
      {text}
    </Label>
  );
}

const BASIS_TEXT = { 'fresh-namespace': 'changed', documented: 'changed', configured: 'configured' } as const;
const BASIS_TITLE = { 'fresh-namespace': 'differs from what a fresh namespace starts with', documented: 'differs from the documented default', configured: 'set by sysctl.d' } as const;

/** "Changed" with its basis: a fresh namespace's default, the documented default, or only a sysctl.d assignment. */
export function ChangedBadge({ row }: { row: ListRow }) {
  if (!row.changed) return null;
  const where = row.changed.default !== null ? `: default ${row.changed.default}` : row.configured ? ` in ${row.configured.file}:${row.configured.line}` : '';
  const title = `${BASIS_TITLE[row.changed.basis]}${where}`;
  return (
    <Label isCompact color={row.changed.basis === 'configured' ? 'teal' : 'yellow'} title={title} data-testid={`kernel-changed-${row.key}`} data-basis={row.changed.basis}>
      {BASIS_TEXT[row.changed.basis]}
    </Label>
  );
}
