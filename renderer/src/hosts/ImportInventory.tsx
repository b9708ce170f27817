import { useState } from 'react';
import { ActionGroup, Alert, Button, ExpandableSection, Form, FormGroup, FormHelperText, HelperText, HelperTextItem, List, ListItem, TextInput } from '@patternfly/react-core';
import { useHostsStore } from './store';

/**
 * "Import inventory": the hosts of an Ansible inventory on this machine (any source `ansible -i`
 * takes), optionally narrowed by an Ansible pattern. The server reads it with ansible-inventory;
 * what was added, updated and skipped (with why) is shown here.
 */
export function ImportInventory() {
  const importInventory = useHostsStore((s) => s.importInventory);
  const busy = useHostsStore((s) => s.busy['inventory']);
  const [open, setOpen] = useState(false);
  const [file, setFile] = useState('');
  const [limit, setLimit] = useState('');
  const [result, setResult] = useState<Awaited<ReturnType<typeof importInventory>>>(undefined);
  const submit = async () => {
    if (!file.trim()) return;
    setResult(await importInventory(file.trim(), limit.trim() || undefined));
  };
  return (
    <ExpandableSection toggleText="Import inventory" isExpanded={open} onToggle={(_e, v) => setOpen(v)} data-testid="hosts-import-toggle">
      <Form
        isHorizontal
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
        data-testid="hosts-import-form"
      >
        <FormGroup label="Ansible inventory" fieldId="inventory-file" isRequired>
          <TextInput id="inventory-file" data-testid="hosts-import-file" value={file} onChange={(_e, v) => setFile(v)} placeholder="ops/inventory/production.yml" />
          <FormHelperText>
            <HelperText>
              <HelperTextItem>
                A path on the machine HostDeck runs on, read with <code>ansible-inventory --list</code>: INI, YAML, plugins and scripts. Groups, ansible_host, port, user, key, jump host and become
                settings are kept; passwords and vaulted values never are. ssh options that run programs (ProxyCommand and the like) are refused.
              </HelperTextItem>
            </HelperText>
          </FormHelperText>
        </FormGroup>
        <FormGroup label="Limit" fieldId="inventory-limit">
          <TextInput id="inventory-limit" data-testid="hosts-import-limit" value={limit} onChange={(_e, v) => setLimit(v)} placeholder="web:!web-07 (an Ansible pattern)" />
        </FormGroup>
        <ActionGroup>
          <Button type="submit" variant="secondary" isDisabled={!file.trim() || !!busy} isLoading={!!busy} data-testid="hosts-import">
            {busy ? 'Reading the inventory…' : 'Import'}
          </Button>
        </ActionGroup>
      </Form>
      {result && (
        <Alert
          isInline
          variant={result.skipped.length ? 'warning' : 'success'}
          title={`${result.added.length} added, ${result.updated.length} updated, ${result.skipped.length} skipped`}
          data-testid="hosts-import-result"
        >
          {(result.skipped.length > 0 || result.notes.length > 0) && (
            <List>
              {result.skipped.map((s) => (
                <ListItem key={`s-${s.host}`} data-testid="hosts-import-skipped">
                  <strong>{s.host}</strong>: {s.reason}
                </ListItem>
              ))}
              {result.notes.map((n) => (
                <ListItem key={`n-${n}`}>{n}</ListItem>
              ))}
            </List>
          )}
        </Alert>
      )}
    </ExpandableSection>
  );
}
