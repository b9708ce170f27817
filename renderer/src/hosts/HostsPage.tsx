import { Alert, AlertActionCloseButton, Content, EmptyState, EmptyStateBody, PageSection, Spinner, Title } from '@patternfly/react-core';
import { useHostsStore } from './store';
import { ImportInventory } from './ImportInventory';
import { AddHostForm } from './components/AddHostForm';
import { GroupedHosts } from './components/HostsTable';

/** Remote hosts: add by ssh destination, first-contact fingerprint, state, privilege, remove. */
export function HostsPage() {
  const hosts = useHostsStore((s) => s.hosts);
  const error = useHostsStore((s) => s.error);
  const clearError = useHostsStore((s) => s.clearError);
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Hosts</Title>
        <Content component="p">
          HostDeck reaches other machines with your system <code>ssh</code>: your <code>~/.ssh/config</code>, keys, agent, ProxyJump and
          known_hosts apply. It stores only names and destinations, never a password or key.
        </Content>
      </PageSection>
      <PageSection>
        <AddHostForm />
        <ImportInventory />
      </PageSection>
      {error && (
        <PageSection>
          <Alert variant="danger" isInline title={error.message} data-testid="hosts-action-error" actionClose={<AlertActionCloseButton onClose={clearError} />}>
            [{error.code}]
          </Alert>
        </PageSection>
      )}
      <PageSection>
        {hosts.state === 'loading' && <Spinner size="md" aria-label="Loading hosts" />}
        {hosts.state === 'error' && <Alert variant="danger" isInline title={`Cannot read the saved hosts: ${hosts.message}`} />}
        {hosts.state === 'ready' && hosts.value.length === 0 && (
          <EmptyState titleText="No remote hosts yet" headingLevel="h2" data-testid="hosts-empty">
            <EmptyStateBody>Add one above with the destination you would give ssh, e.g. an alias from ~/.ssh/config or admin@web1.example.com:2222.</EmptyStateBody>
          </EmptyState>
        )}
        {hosts.state === 'ready' && hosts.value.length > 0 && <GroupedHosts hosts={hosts.value} />}
      </PageSection>
    </>
  );
}
