import { useState } from 'react';
import { useHostsStore } from '../store';
import { FieldsForm } from './FieldsForm';

/** Add a host by the destination one would give ssh, with an optional name. */
export function AddHostForm() {
  const add = useHostsStore((s) => s.add);
  const adding = useHostsStore((s) => s.busy['']);
  const [destination, setDestination] = useState('');
  const [name, setName] = useState('');
  const submit = async () => {
    const h = await add(destination.trim(), name.trim() || undefined);
    if (h) {
      setDestination('');
      setName('');
    }
  };
  return (
    <FieldsForm
      testid="hosts-add-form"
      submitTestid="hosts-add"
      submitLabel="Add host"
      busyLabel="Connecting…"
      busy={!!adding}
      onSubmit={() => void submit()}
      fields={[
        {
          id: 'host-destination',
          testid: 'hosts-destination',
          label: 'SSH destination',
          value: destination,
          onChange: setDestination,
          placeholder: 'web1 or admin@web1.example.com:2222',
          required: true,
          help: 'An alias from ~/.ssh/config, or user@host[:port]. The login must work without a password (a key or your agent).',
        },
        { id: 'host-name', testid: 'hosts-name', label: 'Name', value: name, onChange: setName, placeholder: '(the destination)' },
      ]}
    />
  );
}
