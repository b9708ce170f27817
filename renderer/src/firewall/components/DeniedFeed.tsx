import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, ExpandableSection, TextInput } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { DENIED_LIMITS } from '../../../../shared/firewall/denied/contract';
import { deniedGroupMatches } from '../../../../shared/firewall/denied/filter';
import { flowOfDenied } from '../../../../shared/firewall/denied/flow';
import { describeGroup, type DeniedGroup } from '../../../../shared/firewall/denied/parse';
import { onEvent } from '../../app/api';
import { useHostApi, usePageHost } from '../../app/host-store';
import { useExplainRequest } from '../explain-request';
import { useFirewallStore } from '../store';

/** How often the open panel renews the host's follower (it stops by itself DENIED_LIMITS.leaseMs after the last renewal). */
const RENEW_MS = 30_000;
/** The panel reads back this far when it opens. */
const SINCE_SECONDS = 600;

/** Groups by key, bounded like the host's own: the least recently seen go first. */
function merge(into: Map<string, DeniedGroup>, groups: DeniedGroup[]): Map<string, DeniedGroup> {
  const next = new Map(into);
  for (const g of groups) {
    next.delete(g.key);
    next.set(g.key, g);
  }
  while (next.size > DENIED_LIMITS.groups) next.delete(next.keys().next().value!);
  return next;
}

const time = (ms: number) => new Date(ms).toLocaleTimeString();

/**
 * Denied packets, live: firewalld's LogDenied lines from the host's kernel log, grouped
 * ("192.0.2.7 → 8080/tcp on eth0: 37 times in 5 min, zone public, REJECT"), filterable, each
 * group one click from Explain (useExplainRequest). Mounted only while shown: the host follows
 * its kernel log only while someone looks.
 */
export function DeniedFeed() {
  const hostId = usePageHost();
  const api = useHostApi();
  const logDenied = useFirewallStore((s) => (s.full.state === 'ready' ? s.full.value.global.logDenied : undefined));
  const explainFlow = useExplainRequest((s) => s.explainFlow);
  const request = useExplainRequest((s) => s.request);
  const [groups, setGroups] = useState<Map<string, DeniedGroup>>(new Map());
  const [source, setSource] = useState<string>();
  const [error, setError] = useState<string>();
  const [filter, setFilter] = useState('');

  useEffect(() => {
    let live = true;
    const follow = () =>
      api.firewall.denied({ follow: true, sinceSeconds: SINCE_SECONDS, limit: 0 }).then(
        (r) => {
          if (!live) return;
          setSource(r.source.command);
          setError(r.error);
          setGroups((g) => merge(g, [...r.groups].reverse()));
        },
        (e: { message?: string; code?: string }) => live && setError(`${e.message ?? String(e)}${e.code ? ` [${e.code}]` : ''}`),
      );
    void follow();
    const renew = setInterval(() => void follow(), RENEW_MS);
    const off = onEvent((e) => {
      if (e.host !== hostId) return;
      if (e.name === 'firewall.deniedPackets') setGroups((g) => merge(g, e.payload.groups));
      else if (e.name === 'firewall.deniedStopped' && e.payload.error) setError(e.payload.error);
    });
    return () => {
      live = false;
      clearInterval(renew);
      off();
    };
  }, [api, hostId]);

  const shown = useMemo(
    () => [...groups.values()].filter((g) => deniedGroupMatches(g, filter)).sort((a, b) => b.last - a.last || b.count - a.count),
    [groups, filter],
  );

  return (
    <div data-testid="fw-denied">
      {logDenied === 'off' && (
        <Alert isInline variant="info" title="LogDenied is off: firewalld logs no denied packets." data-testid="fw-denied-log-off">
          Set “Log denied packets” under Global (firewalld reloads to apply it).
        </Alert>
      )}
      {error && <Alert isInline variant="warning" title="Cannot follow the kernel log" data-testid="fw-denied-error">{error}</Alert>}
      <div className="hd-fw-inline">
        <TextInput aria-label="Filter denied packets" placeholder="Filter: address, port, interface, zone, REJECT…" data-testid="fw-denied-filter" value={filter} onChange={(_e, v) => setFilter(v)} />
        <span className="hd-fw-none" data-testid="fw-denied-source">
          {source ? `From ${source}; newest ${DENIED_LIMITS.groups} groups kept.` : 'Reading the kernel log…'}
        </span>
      </div>
      {request && (
        // The panel above opens with this flow and explains it; this line says where the answer went.
        <p className="hd-fw-none" data-testid="fw-denied-explain-sent" data-flow={JSON.stringify(request.flow)}>
          Explained above, in “Will this connection pass?”: {request.flow.src ?? '?'} → {request.flow.dport !== undefined ? `${request.flow.dport}/` : ''}{request.flow.protocol ?? ''}{request.flow.iface ? ` on ${request.flow.iface}` : ''}
        </p>
      )}
      {shown.length === 0 ? (
        <p className="hd-fw-none" data-testid="fw-denied-empty">{groups.size ? 'No group matches the filter.' : `No denied packets in the last ${SINCE_SECONDS / 60} minutes.`}</p>
      ) : (
        <Table aria-label="Denied packets" variant="compact" data-testid="fw-denied-groups">
          <Thead>
            <Tr>
              <Th>What</Th>
              <Th>Zone or policy</Th>
              <Th>Action</Th>
              <Th>Count</Th>
              <Th>Last seen</Th>
              <Th screenReaderText="Explain" />
            </Tr>
          </Thead>
          <Tbody>
            {shown.map((g) => (
              <Tr key={g.key} data-testid="fw-denied-group" data-src={g.src ?? ''} data-zone={g.zone ?? ''} data-policy={g.policy ?? ''} data-action={g.action} data-count={g.count}>
                <Td className="hd-fw-mono">{describeGroup(g)}</Td>
                <Td>{g.zone ? `zone ${g.zone}` : g.policy ? `policy ${g.policy}` : g.kind}</Td>
                <Td>{g.action}</Td>
                <Td>{g.count}</Td>
                <Td>{time(g.last)}</Td>
                <Td>
                  <Button variant="secondary" size="sm" data-testid="fw-denied-explain" onClick={() => explainFlow(flowOfDenied(g))}>
                    Explain
                  </Button>
                </Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      )}
    </div>
  );
}

/** The Firewall page's "Denied packets" section: closed by default; opening it starts following the host's kernel log. */
export function DeniedPanel() {
  const [open, setOpen] = useState(false);
  return (
    <ExpandableSection toggleText="Denied packets (live)" isExpanded={open} onToggle={(_e, v) => setOpen(v)} data-testid="fw-denied-panel" toggleId="fw-denied-toggle">
      {open && <DeniedFeed />}
    </ExpandableSection>
  );
}
