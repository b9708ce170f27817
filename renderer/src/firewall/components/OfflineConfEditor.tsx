import { useState } from 'react';
import { FormSelect, FormSelectOption, TextInput } from '@patternfly/react-core';
import { useOfflineSave } from '../offline-save';
import { usePageHost } from '../../app/host-store';
import { WriteButton } from '../../app/capabilities';

/**
 * A firewalld.conf setting of an offline configuration (firewall-offline-cmd's --set-log-denied
 * and the other keys): the host checks the value for the firewalld version, the review shows the file.
 */
export function OfflineConfEditor({ config }: { config: Record<string, unknown> }) {
  const hostId = usePageHost();
  // The default zone has its own control above.
  const keys = Object.keys(config).filter((k) => k !== 'DefaultZone').sort();
  const [key, setKey] = useState(keys[0] ?? '');
  const [value, setValue] = useState('');
  const problem = /[=\n\r#]/.test(value) ? 'The value cannot contain "=", "#" or a line break.' : undefined;
  const set = () => {
    if (!key || !value.trim() || problem) return;
    void useOfflineSave.of(hostId).getState().open(`firewalld.conf ${key}=${value.trim()}`, [{ op: 'conf.set', key, value: value.trim() }]);
  };
  return (
    <div className="hd-fw-inline" data-testid="fw-offline-conf">
      <FormSelect aria-label="firewalld.conf setting" data-testid="fw-offline-conf-key" value={key} onChange={(_e, v) => (setKey(v), setValue(''))}>
        {keys.map((k) => <FormSelectOption key={k} value={k} label={k} />)}
      </FormSelect>
      <TextInput aria-label="New value" data-testid="fw-offline-conf-value" placeholder={`now ${String(config[key] ?? '')}`} value={value} onChange={(_e, v) => setValue(v)} onKeyDown={(e) => e.key === 'Enter' && set()} validated={problem ? 'error' : 'default'} />
      <WriteButton variant="secondary" data-testid="fw-offline-conf-set" isDisabled={!key || !value.trim() || !!problem} onClick={set}>Set</WriteButton>
      {problem && <span className="hd-fw-error">{problem}</span>}
    </div>
  );
}
