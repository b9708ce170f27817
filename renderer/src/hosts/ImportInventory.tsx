import { useState } from 'react';
import { Alert, ExpandableSection, List, ListItem } from '@patternfly/react-core';
import { FieldsForm } from './components/FieldsForm';
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
    setResult(await importInventory(file.trim(), limit.trim() || undefined));
  };
  return (
    <ExpandableSection toggleText="Import inventory" isExpanded={open} onToggle={(_e, v) => setOpen(v)} data-testid="hosts-import-toggle">
      <FieldsForm
        testid="hosts-import-form"
        submitTestid="hosts-import"
        submitLabel="Import"
        busyLabel="Reading the inventory…"
        variant="secondary"
        busy={!!busy}
        onSubmit={() => void submit()}
        fields={[
          {
            id: 'inventory-file',
            testid: 'hosts-import-file',
            label: 'Ansible inventory',
            value: file,
            onChange: setFile,
            placeholder: 'ops/inventory/production.yml',
            required: true,
            help: (
              <>
                A path on the machine HostDeck runs on, read with <code>ansible-inventory --list</code>: INI, YAML, plugins and scripts. Groups, ansible_host, port, user, key, jump host and become
                settings are kept; passwords and vaulted values never are. ssh options that run programs (ProxyCommand and the like) are refused.
              </>
            ),
          },
          { id: 'inventory-limit', testid: 'hosts-import-limit', label: 'Limit', value: limit, onChange: setLimit, placeholder: 'web:!web-07 (an Ansible pattern)' },
        ]}
      />
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
