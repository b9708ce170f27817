import { useState } from 'react';
import { Button, FormSelect, FormSelectOption, HelperText, HelperTextItem, InputGroup, InputGroupItem, TextInput } from '@patternfly/react-core';
import { WriteButton } from '../../app/capabilities';

interface Props {
  testId: string;
  placeholder: string;
  /** Returns a plain-words problem, or undefined when the value may be added. */
  check(value: string, protocol?: string): string | undefined;
  onAdd(value: string): void;
  /** Show a protocol select; the value becomes "value/protocol". */
  protocols?: string[];
  /** Suggestions (datalist). */
  options?: string[];
  /** Editing an item in place: its text ("8080/tcp" with protocols), the button's label and a way out. */
  initial?: string;
  submitLabel?: string;
  onCancel?(): void;
  /** What says where the value goes (the zone and policy editors' layer note). */
  describedBy?: string;
}

/** A text field with validation in plain words and an Add button. */
export function AddItem({ testId, placeholder, check, onAdd, protocols, options, initial, submitLabel, onCancel, describedBy = 'hd-fw-layer-note' }: Props) {
  const split = initial !== undefined && protocols ? initial.lastIndexOf('/') : -1;
  const [value, setValue] = useState(split >= 0 ? initial!.slice(0, split) : (initial ?? ''));
  const [proto, setProto] = useState(split >= 0 ? initial!.slice(split + 1) : (protocols?.[0] ?? ''));
  const what = testId.replaceAll('-', ' ');
  const v = value.trim();
  const problem = v ? check(v, protocols ? proto : undefined) : undefined;
  const listId = options ? `hd-fw-list-${testId}` : undefined;
  const add = () => {
    if (!v || problem) return;
    onAdd(protocols ? `${v}/${proto}` : v);
    setValue('');
  };
  return (
    <div className="hd-fw-additem">
      <InputGroup>
        <InputGroupItem isFill>
          <TextInput
            aria-label={placeholder}
            aria-describedby={describedBy || undefined}
            placeholder={placeholder}
            data-testid={`fw-add-${testId}-input`}
            value={value}
            list={listId}
            onChange={(_e, x) => setValue(x)}
            onKeyDown={(e) => (e.key === 'Enter' ? add() : e.key === 'Escape' && onCancel?.())}
            autoFocus={initial !== undefined}
            validated={problem ? 'error' : 'default'}
          />
        </InputGroupItem>
        {protocols && (
          <InputGroupItem>
            <FormSelect aria-label={`Protocol of the ${what}`} data-testid={`fw-add-${testId}-protocol`} value={proto} onChange={(_e, x) => setProto(x)} className="hd-fw-narrow">
              {protocols.map((p) => <FormSelectOption key={p} value={p} label={p} />)}
            </FormSelect>
          </InputGroupItem>
        )}
        <InputGroupItem>
          <WriteButton variant="secondary" data-testid={`fw-add-${testId}`} isDisabled={!v || !!problem} onClick={add} aria-label={submitLabel ? undefined : `Add ${what}`}>
            {submitLabel ?? 'Add'}
          </WriteButton>
        </InputGroupItem>
        {onCancel && (
          <InputGroupItem>
            <Button variant="link" data-testid={`fw-add-${testId}-cancel`} onClick={onCancel}>Cancel</Button>
          </InputGroupItem>
        )}
      </InputGroup>
      {options && (
        <datalist id={listId}>
          {options.map((o) => <option key={o} value={o} />)}
        </datalist>
      )}
      {problem && (
        <HelperText>
          <HelperTextItem variant="error" data-testid={`fw-add-${testId}-error`}>{problem}</HelperTextItem>
        </HelperText>
      )}
    </div>
  );
}
