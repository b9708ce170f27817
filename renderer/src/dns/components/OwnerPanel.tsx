import { Alert, List, ListItem, Title } from '@patternfly/react-core';
import { useDnsStore } from '../store';

export function OwnerPanel() {
  const file = useDnsStore((s) => s.file);
  if (file.state !== 'ready') return null;
  const o = file.value.owner;
  const evidence = (
    <List>
      {o.evidence.map((e, i) => (
        <ListItem key={i}>{e}</ListItem>
      ))}
    </List>
  );
  if (o.kind === 'missing') {
    return (
      <Alert component="h2" isInline variant="info" title={`There is no resolv.conf at ${file.value.path}`} data-testid="dns-owner" data-kind={o.kind}>
        Without the file, glibc and musl ask a resolver on this machine (127.0.0.1), which only works if one runs here. Add a nameserver below (or type the file on
        the right), then Review and save creates it.
      </Alert>
    );
  }
  if (!o.managed) {
    return (
      <Alert component="h2" isInline isPlain variant="success" title={`Owner: ${o.name}. Editing this file is the right place for changes.`} data-testid="dns-owner" data-kind={o.kind}>
        {o.evidence.join('; ')}
      </Alert>
    );
  }
  return (
    <Alert component="h2" isInline variant="warning" title={`Owner: ${o.name}. Changes made here will be overwritten.`} data-testid="dns-owner" data-kind={o.kind}>
      {evidence}
      {o.changeInstead.length > 0 && <Title headingLevel="h3" size="md">Change it here instead</Title>}
      <List>
        {o.changeInstead.map((c, i) => (
          <ListItem key={`c${i}`}>{c}</ListItem>
        ))}
      </List>
    </Alert>
  );
}
