import { useState } from 'react';
import { Button, Modal, ModalBody, ModalFooter, ModalHeader, TextInput } from '@patternfly/react-core';

/** A confirmation the page asks for before a destructive or disruptive action. */
export interface Confirm {
  title: string;
  body: React.ReactNode;
  /** Label of the confirming button. */
  action: string;
  /** When set, the user must type this word before confirming (panic mode). */
  typed?: string;
  danger?: boolean;
  /** Disables the confirming button (e.g. an invalid value in `body`). */
  invalid?: boolean;
  run(): Promise<unknown>;
  /** A second, less recommended way to go ahead (e.g. "without safe apply"). */
  alternative?: { action: string; testId: string; run(): Promise<unknown> };
}

export function ConfirmModal({ c, onClose }: { c: Confirm; onClose(): void }) {
  const [typed, setTyped] = useState('');
  const [running, setRunning] = useState(false);
  const ok = (!c.typed || typed === c.typed) && !c.invalid;
  return (
    <Modal isOpen onClose={onClose} variant="small" aria-labelledby="fw-confirm-title" data-testid="fw-confirm">
      <ModalHeader title={c.title} labelId="fw-confirm-title" titleIconVariant={c.danger ? 'danger' : 'warning'} />
      <ModalBody>
        {c.body}
        {c.typed && (
          <p>
            Type <strong>{c.typed}</strong> to confirm:
            <TextInput aria-label="Confirmation" data-testid="fw-confirm-typed" value={typed} onChange={(_e, v) => setTyped(v)} />
          </p>
        )}
      </ModalBody>
      <ModalFooter>
        <Button
          variant={c.danger ? 'danger' : 'primary'}
          data-testid="fw-confirm-ok"
          isDisabled={!ok || running}
          isLoading={running}
          onClick={() => {
            setRunning(true);
            void c.run().finally(onClose);
          }}
        >
          {c.action}
        </Button>
        {c.alternative && (
          <Button
            variant="secondary"
            data-testid={c.alternative.testId}
            isDisabled={running}
            onClick={() => {
              setRunning(true);
              void c.alternative!.run().finally(onClose);
            }}
          >
            {c.alternative.action}
          </Button>
        )}
        <Button variant="link" data-testid="fw-confirm-cancel" onClick={onClose}>Cancel</Button>
      </ModalFooter>
    </Modal>
  );
}
