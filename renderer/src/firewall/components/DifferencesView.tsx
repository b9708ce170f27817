import { useEffect, useState } from 'react';
import { Button, EmptyState, EmptyStateBody, Label } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { differenceRows, type DifferenceRow } from '../../../../shared/firewall/diff';
import type { FullState } from '../../../../shared/firewall/model';
import { describeError, useFirewallStore, type FirewallTab } from '../store';
import { useHostApi, usePageHost } from '../../app/host-store';

const TAB_OF: Record<DifferenceRow['kind'], FirewallTab> = { zone: 'zones', policy: 'policies', service: 'services', ipset: 'ipsets' };
const SIDE_WORDS: Record<DifferenceRow['side'], string> = { runtimeOnly: 'only in runtime', permanentOnly: 'only in permanent', setting: 'differs' };

/**
 * Every runtime vs permanent difference of zones, policies, services and ipsets in one table,
 * as the host computes it (ipset entries by content), re-read whenever the state changes.
 */
export function DifferencesView({ full }: { full: FullState }) {
  const hostId = usePageHost();
  const api = useHostApi();
  const { setTab, select } = useFirewallStore.of(hostId).getState();
  const [rows, setRows] = useState<DifferenceRow[] | { error: string }>();
  useEffect(() => {
    let live = true;
    api.firewall.differences({}).then(
      (r) => live && setRows(differenceRows(r.differences)),
      (e: unknown) => live && setRows({ error: describeError(e).message }),
    );
    return () => {
      live = false;
    };
  }, [full, hostId]);
  if (!rows) return <p className="hd-fw-none">Comparing runtime and permanent…</p>;
  if ('error' in rows) return <p className="hd-fw-error">{rows.error}</p>;
  if (!rows.length) {
    return (
      <EmptyState titleText="Runtime and permanent agree" headingLevel="h2" data-testid="fw-differences-none">
        <EmptyStateBody>A reload would change nothing, and Runtime → permanent has nothing to save.</EmptyStateBody>
      </EmptyState>
    );
  }
  return (
    <Table aria-label="Differences between runtime and permanent" variant="compact" data-testid="fw-differences">
      <Thead>
        <Tr>
          <Th>Object</Th>
          <Th>Difference</Th>
          <Th>Where</Th>
        </Tr>
      </Thead>
      <Tbody>
        {rows.map((r, i) => (
          <Tr key={i} data-testid="fw-difference" data-kind={r.kind} data-name={r.name} data-side={r.side} data-item={r.item}>
            <Td dataLabel="Object">
              <Button
                variant="link"
                isInline
                aria-label={`Open ${r.kind} ${r.name} (${r.text})`}
                onClick={() => {
                  setTab(TAB_OF[r.kind]);
                  select(r.kind, r.name);
                }}
              >
                {r.kind} {r.name}
              </Button>
            </Td>
            <Td dataLabel="Difference" className={r.item ? 'hd-fw-mono' : undefined}>{r.text}</Td>
            <Td dataLabel="Where">
              <Label isCompact color={r.side === 'runtimeOnly' ? 'blue' : r.side === 'permanentOnly' ? 'orange' : 'grey'}>{SIDE_WORDS[r.side]}</Label>
            </Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
}
