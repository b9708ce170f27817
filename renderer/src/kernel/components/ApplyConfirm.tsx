import { useEffect, useState } from 'react';
import { Alert, Button, Label, Modal, ModalBody, ModalFooter, ModalHeader, ModalVariant, Skeleton } from '@patternfly/react-core';
import { Table, Tbody, Td, Tr } from '@patternfly/react-table';
import { useKernelStore } from '../store';
import { RevertChoice } from './RevertTimer';
import { ColumnHeads } from '../../app/ColumnHeads';
import { WeakeningNotice } from './Weakening';
import { WriteButton } from '../../app/capabilities';

/** The "Apply to the live kernel?" dialog: the plan table, the revert choice and the confirm button. */
export function ApplyConfirm() {
  const { applyPlan, cancelApply, confirmApply, applyResult } = useKernelStore();
  // Each plan is confirmed afresh: a new dry run clears the checkbox.
  const [accepted, setAccepted] = useState(false);
  useEffect(() => setAccepted(false), [applyPlan]);
  if (applyPlan.state === 'idle') return null;
  const plan = applyPlan.state === 'ready' ? applyPlan.value : null;
  const weak = plan?.weakening ?? [];
  return (
    <Modal isOpen variant={ModalVariant.large} onClose={cancelApply} aria-labelledby="kernel-apply-title" data-testid="kernel-apply-confirm">
      <ModalHeader
        title="Apply to the live kernel?"
        labelId="kernel-apply-title"
        titleIconVariant="warning"
        description="Values are written now, in this order, to /proc/sys. They last until reboot unless the profile is also saved to /etc/sysctl.d. The previous values are recorded for Undo."
      />
      <ModalBody>
        {applyPlan.state === 'loading' ? (
          <Skeleton height="160px" screenreaderText="Computing what would change" />
        ) : applyPlan.state === 'error' ? (
          <Alert variant="danger" isInline title={`Cannot apply (${applyPlan.code})`}>
            {applyPlan.message}
          </Alert>
        ) : (
          <Table aria-label="What would change" variant="compact" data-testid="kernel-apply-plan">
            <ColumnHeads names={['Key', 'Now', 'After', 'Outcome']} />
            <Tbody>
              {plan!.results.map((r) => (
                <Tr key={r.key} data-testid={`kernel-apply-plan-${r.key}`}>
                  <Td>
                    <code>{r.key}</code>
                  </Td>
                  <Td>
                    <code>{r.previous ?? '—'}</code>
                  </Td>
                  <Td>
                    <code>{r.value}</code>
                  </Td>
                  <Td>
                    {r.outcome === 'failed' ? (
                      <Label color="red" isCompact>
                        will fail: {r.error?.message}
                      </Label>
                    ) : r.outcome === 'planned' ? (
                      <Label color="orange" isCompact>
                        changes{r.undoable ? '' : ' (cannot be undone)'}
                      </Label>
                    ) : (
                      <Label isCompact>unchanged</Label>
                    )}
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        )}
        {weak.length > 0 && <WeakeningNotice items={weak} accepted={accepted} onAccept={setAccepted} testId="kernel-apply-weakening" />}
        {plan && plan.summary.planned > 0 && <RevertChoice />}
      </ModalBody>
      <ModalFooter>
        <WriteButton
          variant="warning"
          data-testid="kernel-apply-go"
          isDisabled={!plan || plan.summary.planned === 0 || (weak.length > 0 && !accepted)}
          isLoading={applyResult.state === 'loading'}
          onClick={() => void confirmApply(accepted ? weak.map((w) => w.key) : undefined)}
        >
          {plan ? `Apply ${plan.summary.planned} change${plan.summary.planned === 1 ? '' : 's'}` : 'Apply'}
        </WriteButton>
        <Button variant="link" onClick={cancelApply}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}
