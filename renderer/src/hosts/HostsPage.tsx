import { useState } from 'react';
import {
  ActionGroup,
  Alert,
  AlertActionCloseButton,
  Button,
  ClipboardCopy,
  CodeBlock,
  CodeBlockCode,
  Content,
  EmptyState,
  EmptyStateBody,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  Label,
  PageSection,
  Spinner,
  TextInput,
  Title,
  ToggleGroup,
  ToggleGroupItem,
  Tooltip,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import type { RemoteHost } from '../../../shared/hosts/contract';
import { useAppStore } from '../app/store';
import { useHostsStore } from './store';
import { HostStateLabel } from './HostStateLabel';
import { filesRoute, firewallRoute } from './privilege';
import { ImportInventory } from './ImportInventory';

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

function AddHostForm() {
  const add = useHostsStore((s) => s.add);
  const adding = useHostsStore((s) => s.busy['']);
  const [destination, setDestination] = useState('');
  const [name, setName] = useState('');
  const submit = async () => {
    if (!destination.trim()) return;
    const h = await add(destination.trim(), name.trim() || undefined);
    if (h) {
      setDestination('');
      setName('');
    }
  };
  return (
    <Form
      isHorizontal
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      data-testid="hosts-add-form"
    >
      <FormGroup label="SSH destination" fieldId="host-destination" isRequired>
        <TextInput id="host-destination" data-testid="hosts-destination" value={destination} onChange={(_e, v) => setDestination(v)} placeholder="web1 or admin@web1.example.com:2222" />
        <FormHelperText>
          <HelperText>
            <HelperTextItem>An alias from ~/.ssh/config, or user@host[:port]. The login must work without a password (a key or your agent).</HelperTextItem>
          </HelperText>
        </FormHelperText>
      </FormGroup>
      <FormGroup label="Name" fieldId="host-name">
        <TextInput id="host-name" data-testid="hosts-name" value={name} onChange={(_e, v) => setName(v)} placeholder="(the destination)" />
      </FormGroup>
      <ActionGroup>
        <Button type="submit" variant="primary" isDisabled={!destination.trim() || !!adding} isLoading={!!adding} data-testid="hosts-add">
          {adding ? 'Connecting…' : 'Add host'}
        </Button>
      </ActionGroup>
    </Form>
  );
}

/** The inventory groups of the saved hosts as a filter above the table (`@web` on the command line). */
function GroupedHosts({ hosts }: { hosts: RemoteHost[] }) {
  const [group, setGroup] = useState<string | null>(null);
  const groups = [...new Set(hosts.flatMap((h) => h.groups))].sort();
  const shown = group && groups.includes(group) ? hosts.filter((h) => h.groups.includes(group)) : hosts;
  return (
    <>
      {groups.length > 0 && (
        <ToggleGroup aria-label="Inventory group" data-testid="hosts-groups" className="pf-v6-u-mb-sm">
          <ToggleGroupItem text={`All (${hosts.length})`} isSelected={!group || !groups.includes(group)} onChange={() => setGroup(null)} />
          {groups.map((g) => (
            <ToggleGroupItem key={g} text={`@${g} (${hosts.filter((h) => h.groups.includes(g)).length})`} isSelected={group === g} onChange={() => setGroup(g)} data-testid={`hosts-group-${g}`} />
          ))}
        </ToggleGroup>
      )}
      <HostsTable hosts={shown} />
    </>
  );
}

function HostsTable({ hosts }: { hosts: RemoteHost[] }) {
  return (
    <Table aria-label="Remote hosts" variant="compact" data-testid="hosts-table">
      <Thead>
        <Tr>
          <Th>Name</Th>
          <Th>Destination</Th>
          <Th>State</Th>
          <Th>System</Th>
          <Th>Privilege</Th>
          <Th>firewalld</Th>
          <Th screenReaderText="Actions" />
        </Tr>
      </Thead>
      {hosts.map((h) => (
        <HostRows key={h.id} host={h} />
      ))}
    </Table>
  );
}

function HostRows({ host: h }: { host: RemoteHost }) {
  const busy = useHostsStore((s) => s.busy[h.id]);
  const check = useHostsStore((s) => s.check);
  const remove = useHostsStore((s) => s.remove);
  const setHost = useAppStore((s) => s.setHost);
  const setPage = useAppStore((s) => s.setPage);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const needsAttention =
    h.state === 'host-key-unknown' ||
    h.state === 'host-key-changed' ||
    h.state === 'auth-failed' ||
    h.privilege.sudoersLine !== null ||
    h.privilege.firewall.polkitRule !== null ||
    (h.state === 'connected' && (h.privilege.message !== null || h.privilege.firewall.message !== null));
  return (
    <Tbody data-testid={`host-row-${h.id}`} data-state={h.state}>
      <Tr>
        <Td dataLabel="Name">
          <strong>{h.id}</strong>
          {h.groups.length > 0 && (
            <div data-testid={`host-groups-${h.id}`}>
              {h.groups.map((g) => (
                <Label key={g} isCompact color="blue" className="pf-v6-u-mr-xs">
                  @{g}
                </Label>
              ))}
            </div>
          )}
          {h.become && (
            <Tooltip content={`The inventory sets ansible_become (${h.become.method} to ${h.become.user}): HostDeck's snapshots through Ansible use it; HostDeck's own changes go through sudo -n of its helper.`}>
              <Label isCompact color="purple" data-testid={`host-become-${h.id}`}>
                become {h.become.user}
              </Label>
            </Tooltip>
          )}
        </Td>
        <Td dataLabel="Destination">
          <code>{h.destination}</code>
        </Td>
        <Td dataLabel="State">
          <HostStateLabel state={h.state} message={h.message} />
          {h.state !== 'connected' && (h.lastSeen !== null || h.nextReconnect !== null) && (
            <div className="hd-muted" data-testid={`host-outage-${h.id}`}>
              {h.lastSeen !== null ? `last seen ${new Date(h.lastSeen).toLocaleTimeString()}` : 'not seen yet'}
              {h.nextReconnect !== null ? `; next try ${new Date(h.nextReconnect).toLocaleTimeString()}` : ''}
            </div>
          )}
        </Td>
        <Td dataLabel="System">{h.identity ? `${h.identity.hostname} · ${h.identity.os} · ${h.identity.kernel}` : '—'}</Td>
        <Td dataLabel="Privilege" data-testid={`host-privilege-${h.id}`} data-stale={h.stale} style={h.stale ? { opacity: 0.55 } : undefined}>
          <PrivilegeLabels host={h} />
        </Td>
        <Td dataLabel="firewalld" data-stale={h.stale} style={h.stale ? { opacity: 0.55 } : undefined}>
          {h.stale && (
            <Tooltip content="What the host said when it was last seen: it is not reachable now.">
              <Label isCompact color="grey" data-testid={`host-stale-${h.id}`}>
                last known
              </Label>
            </Tooltip>
          )}{' '}
          {h.firewalld === 'running' && <Label color="green">running</Label>}
          {h.firewalld === 'not-running' && <Label color="grey">not running</Label>}
          {h.firewalld === 'no-access' && <Label color="orange">no access</Label>}
          {h.firewalld === null && '—'}
        </Td>
        <Td dataLabel="Actions" isActionCell>
          <Button variant="secondary" size="sm" isDisabled={!!busy} onClick={() => void check(h.id)} data-testid={`host-check-${h.id}`}>
            {h.state === 'connected' ? 'Check' : 'Connect'}
          </Button>{' '}
          <Button
            variant="link"
            size="sm"
            isDisabled={h.state !== 'connected'}
            onClick={() => {
              setHost(h.id);
              setPage('firewall');
            }}
            data-testid={`host-open-${h.id}`}
          >
            Open
          </Button>{' '}
          {confirmRemove ? (
            <>
              <Button variant="danger" size="sm" onClick={() => void remove(h.id)} data-testid={`host-remove-confirm-${h.id}`}>
                Remove {h.id}
              </Button>{' '}
              <Button variant="link" size="sm" onClick={() => setConfirmRemove(false)}>
                Keep
              </Button>
            </>
          ) : (
            <Button variant="link" isDanger size="sm" isDisabled={!!busy} onClick={() => setConfirmRemove(true)} data-testid={`host-remove-${h.id}`}>
              Remove
            </Button>
          )}
          {busy && (
            <span className="hd-muted">
              {' '}
              <Spinner size="sm" aria-label={busy} /> {busy}…
            </span>
          )}
        </Td>
      </Tr>
      {needsAttention && (
        <Tr>
          <Td colSpan={7}>
            <HostAttention host={h} />
          </Td>
        </Tr>
      )}
    </Tbody>
  );
}

function HostAttention({ host: h }: { host: RemoteHost }) {
  const accept = useHostsStore((s) => s.accept);
  const replaceKey = useHostsStore((s) => s.replaceKey);
  const remove = useHostsStore((s) => s.remove);
  const installHelper = useHostsStore((s) => s.installHelper);
  const [steps, setSteps] = useState<string[] | undefined>();
  if (h.state === 'host-key-unknown' && h.fingerprint) {
    return (
      <Alert variant="warning" isInline title={`First contact with ${h.destination}: is this its key?`} data-testid={`host-key-unknown-${h.id}`}>
        <Content component="p">
          Compare this {h.keyType ?? ''} fingerprint with the one the host shows (on the host: <code>ssh-keygen -lf /etc/ssh/ssh_host_{(h.keyType ?? 'ed25519').toLowerCase()}_key.pub</code>). Accept it only if
          they are identical: ssh then writes it to your known_hosts.
        </Content>
        <ClipboardCopy isReadOnly hoverTip="Copy" clickTip="Copied" data-testid={`host-fingerprint-${h.id}`}>
          {h.fingerprint}
        </ClipboardCopy>
        <ActionGroup>
          <Button variant="primary" onClick={() => void accept(h.id, h.fingerprint!)} data-testid={`host-accept-${h.id}`}>
            The fingerprints match: accept
          </Button>{' '}
          <Button variant="link" onClick={() => void remove(h.id)} data-testid={`host-reject-${h.id}`}>
            They differ: remove this host
          </Button>
        </ActionGroup>
      </Alert>
    );
  }
  if (h.state === 'host-key-changed') {
    return (
      <Alert variant="danger" isInline title={`${h.destination} presented a different host key: HostDeck refuses to connect`} data-testid={`host-key-changed-${h.id}`}>
        <Content component="p">{h.message}</Content>
        {h.sshSays && (
          <CodeBlock>
            <CodeBlockCode>{h.sshSays}</CodeBlockCode>
          </CodeBlock>
        )}
        {h.fingerprint && (
          <section aria-label={`Review the new key of ${h.id}`} data-testid={`host-key-review-${h.id}`}>
            <Content component="p">
              If the host was reinstalled or its key rotated, compare the fingerprint it presents now with the one the host shows (on the host:{' '}
              <code>ssh-keygen -lf /etc/ssh/ssh_host_{(h.keyType ?? 'ed25519').toLowerCase()}_key.pub</code>). Replacing removes the old key from the known_hosts file ssh uses for this host and
              writes this one, and only if the host still presents exactly this key.
            </Content>
            <ClipboardCopy isReadOnly hoverTip="Copy" clickTip="Copied" data-testid={`host-new-fingerprint-${h.id}`}>
              {h.fingerprint}
            </ClipboardCopy>
            <ActionGroup>
              <Button variant="danger" onClick={() => void replaceKey(h.id, h.fingerprint!)} data-testid={`host-replace-key-${h.id}`}>
                The fingerprints match: replace the key
              </Button>
            </ActionGroup>
          </section>
        )}
      </Alert>
    );
  }
  if (h.state === 'auth-failed') {
    return (
      <Alert variant="danger" isInline title="Login refused" data-testid={`host-auth-failed-${h.id}`}>
        {h.message}
      </Alert>
    );
  }
  const files = filesRoute(h.privilege);
  const fw = h.privilege.firewall;
  const who = h.privilege.user ?? 'This login';
  return (
    <>
      {h.privilege.sudoersLine && (
        <Alert variant="warning" isInline title={`Files and kernel parameters: ${who} can read ${h.id} but not change them`} data-testid={`host-needs-sudo-${h.id}`}>
          <Content component="p">
            Log in as root, or let this user run HostDeck's helper, and nothing else, without a password: its fixed verbs change only /etc/resolv.conf,
            /etc/sysctl.d and kernel parameters. On the host, run <code>sudo visudo -f /etc/sudoers.d/hostdeck</code> and add:
          </Content>
          <ClipboardCopy isReadOnly hoverTip="Copy" clickTip="Copied" data-testid={`host-sudoers-${h.id}`}>
            {h.privilege.sudoersLine}
          </ClipboardCopy>
        </Alert>
      )}
      {!h.privilege.sudoersLine && h.privilege.message && (
        <Alert variant="info" isInline title={`Files and kernel parameters: ${files?.text ?? ''}`} data-testid={`host-privilege-note-${h.id}`}>
          <Content component="p">{h.privilege.message}</Content>
          {h.privilege.helperInstalled === false && (
            <Button variant="link" isInline onClick={async () => setSteps(await installHelper(h.id))}>
              Install the helper (needs a root login to this host)
            </Button>
          )}
          {steps && steps.length > 0 && (
            <CodeBlock>
              <CodeBlockCode>{steps.join('\n')}</CodeBlockCode>
            </CodeBlock>
          )}
        </Alert>
      )}
      {(fw.message || fw.polkitRule) && (
        <Alert
          variant={fw.route === 'polkit' ? 'info' : 'warning'}
          isInline
          title={fw.route === 'polkit' ? `Firewall: polkit allows ${who} more than HostDeck needs` : `Firewall: ${who} may not ${fw.polkit === false ? 'read or ' : ''}change the firewall of ${h.id}`}
          data-testid={`host-firewall-privilege-${h.id}`}
        >
          {fw.message && <Content component="p">{fw.message}</Content>}
          {fw.actions.length > 0 && (
            <Content component="p" data-testid={`host-polkit-actions-${h.id}`}>
              polkit for {who}:{' '}
              {fw.actions.map((a) => (
                <Label key={a.id} isCompact color={a.allowed ? 'green' : 'grey'}>
                  {a.id.replace('org.fedoraproject.FirewallD1.', '')} {a.allowed ? 'yes' : 'no'}
                </Label>
              ))}
            </Content>
          )}
          {fw.polkitRule && (
            <>
              <Content component="p">
                Log in as root, or allow this user firewalld's D-Bus API through polkit: on the host, save this as <code>{fw.polkitRule.path}</code> (polkit reads it at once), then
                press Check.
              </Content>
              <CodeBlock data-testid={`host-polkit-rule-${h.id}`}>
                <CodeBlockCode>{fw.polkitRule.text}</CodeBlockCode>
              </CodeBlock>
            </>
          )}
        </Alert>
      )}
    </>
  );
}

/** Per route: what this login may change (one "root" label for a root login). */
function PrivilegeLabels({ host: h }: { host: RemoteHost }) {
  if (h.privilege.mode === 'unknown' && h.privilege.firewall.route === 'unknown') return <>—</>;
  if (h.privilege.mode === 'root') return <Label color="green">root</Label>;
  const files = filesRoute(h.privilege);
  const fw = firewallRoute(h.privilege);
  return (
    <>
      {h.privilege.user && <span className="hd-muted">{h.privilege.user}: </span>}
      {files && (
        <Tooltip content={files.detail}>
          <Label color={files.color} data-testid={`host-privilege-files-${h.id}`}>
            {files.text}
          </Label>
        </Tooltip>
      )}{' '}
      {fw && (
        <Tooltip content={fw.detail}>
          <Label color={fw.color} data-testid={`host-privilege-firewall-${h.id}`}>
            {fw.text}
          </Label>
        </Tooltip>
      )}
    </>
  );
}

