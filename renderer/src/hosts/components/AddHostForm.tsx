import { useState } from 'react';
import { ActionGroup, Button, Form, FormGroup, FormHelperText, HelperText, HelperTextItem, TextInput } from '@patternfly/react-core';
import { useHostsStore } from '../store';

/** Add a host by the destination one would give ssh, with an optional name. */
export function AddHostForm() {
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
