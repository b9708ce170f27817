import { Label } from '@patternfly/react-core';
import type { ListRow } from '../../../shared/kernel/contract';

const statusColor = { safe: 'green', unsafe: 'orange', 'node-level': 'grey' } as const;

export function VerdictBadge({ status, keyName }: { status: ListRow['status']; keyName: string }) {
  return (
    <Label isCompact color={statusColor[status]} data-testid={`kernel-verdict-${keyName}`}>
      {status}
    </Label>
  );
}

export function NamespaceBadge({ ns }: { ns: ListRow['namespace'] }) {
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
  if (row.state === 'ok') return row.drift ? <Label isCompact color="red">drift</Label> : null;
  const text = row.state === 'write-only' ? 'write-only' : row.state === 'side-effect' ? 'not read (side effect)' : `unreadable ${row.error ?? ''}`;
  return (
    <Label isCompact color="purple" data-testid="kernel-state-badge">
      {text}
    </Label>
  );
}
