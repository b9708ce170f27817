import {
  Button,
  Card,
  CardBody,
  CardTitle,
  EmptyState,
  EmptyStateActions,
  EmptyStateBody,
  EmptyStateFooter,
  Label,
  Skeleton,
} from '@patternfly/react-core';
import {
  Table,
  Tbody,
  Td,
  Tr,
} from '@patternfly/react-table';
import { useDnsStore } from '../store';
import { ColumnHeads } from '../../app/ColumnHeads';
import { MissingFeature, useCapabilities } from '../../app/capabilities';

const domainText = (ds: { domain: string; routeOnly: boolean }[]) => ds.map((d) => (d.routeOnly ? `~${d.domain}` : d.domain)).join(' ');

export function ResolvedPanel() {
  const { resolved, loadResolved } = useDnsStore();
  const hasBus = useCapabilities()?.systemBus !== false;
  const body = (() => {
    if (!hasBus) {
      return (
        <div data-testid="dns-resolved-absent" className="hd-dns-absent">
          <MissingFeature capability="systemBus" title="systemd-resolved cannot be asked here" />
        </div>
      );
    }
    if (resolved.state === 'idle' || resolved.state === 'loading') return <Skeleton height="80px" screenreaderText="Asking systemd-resolved" />;
    if (resolved.state === 'error') {
      return (
        <EmptyState titleText="Could not ask systemd-resolved" headingLevel="h3" status="danger" variant="sm" data-testid="dns-resolved-error">
          <EmptyStateBody>
            {resolved.message} [{resolved.code}]
          </EmptyStateBody>
          <EmptyStateFooter>
            <EmptyStateActions>
              <Button variant="secondary" onClick={() => void loadResolved()}>
                Try again
              </Button>
            </EmptyStateActions>
          </EmptyStateFooter>
        </EmptyState>
      );
    }
    const r = resolved.value;
    if (!r.available) {
      return (
        <div data-testid="dns-resolved-absent" className="hd-dns-absent">
          <p>
            <strong>systemd-resolved is not running here.</strong> Programs read resolv.conf directly, so the file above is the whole story.{' '}
            <Button variant="link" isInline onClick={() => void loadResolved()}>
              Check again
            </Button>
          </p>
          {r.reason && <p className="hd-dns-subtle">Details: {r.reason}</p>}
        </div>
      );
    }
    const g = r.global;
    const links = r.links.filter((l) => l.servers.length > 0 || l.domains.length > 0);
    if ((g?.servers.length ?? 0) === 0 && links.length === 0) {
      return (
        <EmptyState titleText="systemd-resolved has no upstream servers" headingLevel="h3" status="warning" variant="sm" data-testid="dns-resolved-empty">
          <EmptyStateBody>
            Neither DNS= in resolved.conf nor any network link gives it a server, so only the fallback servers ({g?.fallbackServers.join(' ') || 'none'})
            answer. Set DNS= in /etc/systemd/resolved.conf or let the network manager configure the links.
          </EmptyStateBody>
        </EmptyState>
      );
    }
    return (
      <Table aria-label="systemd-resolved servers per link" variant="compact" data-testid="dns-resolved-table">
        <ColumnHeads names={['Scope', 'Servers', 'Domains', 'Default route']} />
        <Tbody>
          {g && (
            <Tr>
              <Td dataLabel="Scope">Global (resolv.conf mode: {g.resolvConfMode ?? 'unknown'})</Td>
              <Td dataLabel="Servers">
                <code>{g.servers.join(' ') || '—'}</code>
                {g.fallbackServers.length > 0 && <div>fallback: {g.fallbackServers.join(' ')}</div>}
              </Td>
              <Td dataLabel="Domains">{domainText(g.domains) || '—'}</Td>
              <Td dataLabel="Default route">—</Td>
            </Tr>
          )}
          {r.links.map((l) => (
            <Tr key={l.ifindex} data-testid={`dns-resolved-link-${l.name}`}>
              <Td dataLabel="Scope">
                {l.name} <Label isCompact>{l.scopes.join(', ') || 'no scope'}</Label>
              </Td>
              <Td dataLabel="Servers">
                <code>{l.servers.join(' ') || '—'}</code>
                {l.currentServer && <div>current: {l.currentServer}</div>}
              </Td>
              <Td dataLabel="Domains">{domainText(l.domains) || '—'}</Td>
              <Td dataLabel="Default route">{l.defaultRoute === null ? '—' : l.defaultRoute ? 'yes' : 'no'}</Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
    );
  })();
  return (
    <Card data-testid="dns-resolved" isCompact>
      <CardTitle component="h2">systemd-resolved: the servers really asked</CardTitle>
      <CardBody>{body}</CardBody>
    </Card>
  );
}
