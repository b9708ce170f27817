import { Alert, List, ListItem } from '@patternfly/react-core';
import {
  Table,
  Tbody,
  Td,
  Th,
  Thead,
  Tr,
} from '@patternfly/react-table';
import type { DnsPlan } from '../../../../shared/dns/contract';

/** The ordered queries with the reason for each: what someone debugging "why is DNS slow" reads first. */
export function PlanSteps({ plan, testId }: { plan: DnsPlan; testId: string }) {
  // Packets per name sent: one per query type, times the nameservers asked at once (musl asks them all).
  const perName = plan.queries.length ? plan.packets / plan.queries.length : plan.types.length;
  const servers = Math.max(1, Math.round(perName / Math.max(1, plan.types.length)));
  if (plan.steps.length === 0) {
    return (
      <Alert component="h3" isInline variant="danger" title="No query is sent at all: every lookup fails at once" data-testid={testId}>
        {plan.stop ?? plan.advice[0] ?? 'The resolver settings stop the lookup before any packet leaves.'}
      </Alert>
    );
  }
  return (
    <div data-testid={testId}>
      <p className="hd-dns-plan-summary">
        Looking up <code>{plan.input}</code> with {plan.libc}: <strong>{plan.queries.length}</strong> name{plan.queries.length === 1 ? '' : 's'} × {plan.types.join(' + ')}
        {servers > 1 ? ` × ${servers} nameservers (asked all at once)` : ''} ={' '}
        <strong data-testid={`${testId}-packets`}>{plan.packets}</strong> packet{plan.packets === 1 ? '' : 's'} when no name exists, before the timeouts and retries of each
        server.
      </p>
      <Table aria-label="Queries in order" variant="compact" className="hd-dns-plan-table">
        <Thead>
          <Tr>
            <Th width={10}>#</Th>
            <Th width={40}>Name sent</Th>
            <Th>Why</Th>
            <Th width={10}>Packets</Th>
          </Tr>
        </Thead>
        <Tbody>
          {plan.steps.map((st, i) => (
            <Tr key={i} data-kind={st.kind}>
              <Td dataLabel="#">{i + 1}</Td>
              <Td dataLabel="Name sent">
                <code className="hd-dns-break">{st.name}</code>
              </Td>
              <Td dataLabel="Why">{st.reason}</Td>
              <Td dataLabel="Packets" data-testid={`${testId}-row-packets`}>
                {perName}
              </Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
      {plan.stop && <p className="hd-dns-subtle">Stops here: {plan.stop}.</p>}
      {plan.advice.length > 0 && (
        <Alert component="h3" isInline variant="info" title={plan.queries.length > 1 ? 'How to send fewer queries' : 'Advice'} className="hd-dns-gap-top" data-testid={`${testId}-advice`}>
          <List>
            {plan.advice.map((a, i) => (
              <ListItem key={i}>{a}</ListItem>
            ))}
          </List>
        </Alert>
      )}
    </div>
  );
}
