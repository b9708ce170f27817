import { useState } from 'react';
import { ActionGroup, Alert, Button, ClipboardCopy, CodeBlock, CodeBlockCode, Content, Label, Tooltip } from '@patternfly/react-core';
import type { RemoteHost } from '../../../../shared/hosts/contract';
import { useHostsStore } from '../store';
import { filesRoute, firewallRoute } from '../privilege';

/** What a host needs from the user: a fingerprint to accept, a changed key, a helper to install, a sudoers or polkit line. */
export function HostAttention({ host: h }: { host: RemoteHost }) {
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
export function PrivilegeLabels({ host: h }: { host: RemoteHost }) {
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
