import type { ReactNode } from 'react';
import { ActionGroup, Button, Form, FormGroup, FormHelperText, HelperText, HelperTextItem, TextInput } from '@patternfly/react-core';

/** One text field of a FieldsForm; `testid` keeps the e2e page objects' names. */
export interface FormField {
  id: string;
  testid: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  required?: boolean;
  help?: ReactNode;
}

/**
 * The Hosts page's forms (add a host, import an inventory) are the same shape: a few text
 * fields and one button that is busy while the server works. One component keeps their
 * keyboard order, labels and busy state alike.
 */
export function FieldsForm(props: {
  testid: string;
  fields: FormField[];
  submitLabel: string;
  busyLabel: string;
  submitTestid: string;
  busy: boolean;
  variant?: 'primary' | 'secondary';
  onSubmit: () => void;
}) {
  const missing = props.fields.some((f) => f.required && !f.value.trim());
  return (
    <Form
      isHorizontal
      onSubmit={(e) => {
        e.preventDefault();
        if (!missing && !props.busy) props.onSubmit();
      }}
      data-testid={props.testid}
    >
      {props.fields.map((f) => (
        <FormGroup key={f.id} label={f.label} fieldId={f.id} isRequired={f.required}>
          <TextInput id={f.id} data-testid={f.testid} value={f.value} onChange={(_e, v) => f.onChange(v)} placeholder={f.placeholder} />
          {f.help && (
            <FormHelperText>
              <HelperText>
                <HelperTextItem>{f.help}</HelperTextItem>
              </HelperText>
            </FormHelperText>
          )}
        </FormGroup>
      ))}
      <ActionGroup>
        <Button type="submit" variant={props.variant ?? 'primary'} isDisabled={missing || props.busy} isLoading={props.busy} data-testid={props.submitTestid}>
          {props.busy ? props.busyLabel : props.submitLabel}
        </Button>
      </ActionGroup>
    </Form>
  );
}
