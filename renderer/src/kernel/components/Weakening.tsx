import { useState } from 'react';
import { Alert, Button, Checkbox, Modal, ModalBody, ModalFooter, ModalHeader, ModalVariant } from '@patternfly/react-core';
import type { WeakeningOut } from '../../../../shared/kernel/contract';
import { WriteButton } from '../../app/capabilities';

/**
 * The settings of a change that switch a kernel protection off, each with what it weakens, and
 * the checkbox that confirms them (shared/helper/weakening.ts; the helper refuses them without
 * that confirmation).
 */
export function WeakeningNotice({ items, accepted, onAccept, testId }: { items: WeakeningOut[]; accepted: boolean; onAccept: (v: boolean) => void; testId: string }) {
  return (
    <Alert variant="danger" isInline title={`This weakens security (${items.length} setting${items.length === 1 ? '' : 's'})`} data-testid={testId}>
      <ul>
        {items.map((w) => (
          <li key={w.key} data-testid={`${testId}-${w.key}`}>
            <code>
              {w.key} = {w.value}
            </code>
            : {w.weakens}
          </li>
        ))}
      </ul>
      <Checkbox
        id={`${testId}-check`}
        data-testid={`${testId}-check`}
        isChecked={accepted}
        onChange={(_e, v) => onAccept(v)}
        label={items.length === 1 ? 'I understand what this setting weakens and want it anyway' : 'I understand what these settings weaken and want them anyway'}
      />
    </Alert>
  );
}

/** A save or an undo the host refused until its weakening settings are confirmed: ask, then run it again with them. */
export function WeakeningConfirm({ items, action, testId, onConfirm, onCancel }: { items: WeakeningOut[]; action: string; testId: string; onConfirm: () => void; onCancel: () => void }) {
  const [accepted, setAccepted] = useState(false);
  return (
    <Modal isOpen variant={ModalVariant.medium} onClose={onCancel} aria-labelledby={`${testId}-title`} data-testid={testId}>
      <ModalHeader title={`${action}: confirm weaker security`} labelId={`${testId}-title`} titleIconVariant="danger" />
      <ModalBody>
        <WeakeningNotice items={items} accepted={accepted} onAccept={setAccepted} testId={`${testId}-list`} />
      </ModalBody>
      <ModalFooter>
        <WriteButton variant="danger" data-testid={`${testId}-go`} isDisabled={!accepted} onClick={onConfirm}>
          {action} anyway
        </WriteButton>
        <Button variant="link" onClick={onCancel}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}
