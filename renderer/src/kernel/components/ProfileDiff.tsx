import { Alert, EmptyState, EmptyStateBody, Label, Spinner } from '@patternfly/react-core';
import { Table, Tbody, Td, Tr } from '@patternfly/react-table';
import { useKernelStore } from '../store';
import { ColumnHeads } from '../../app/ColumnHeads';

/** The result of "What would change": live vs profile value per key. */
export function ProfileDiff() {
  const profileCheck = useKernelStore((s) => s.profileCheck);
  return (
    <>
      {profileCheck.state === 'loading' && <Spinner size="md" aria-label="Checking the profile" />}
      {profileCheck.state === 'error' && <Alert variant="danger" isInline title={profileCheck.message} />}
      {profileCheck.state === 'ready' &&
        (profileCheck.value.entries.length === 0 ? (
          <EmptyState titleText="The profile is empty" headingLevel="h3">
            <EmptyStateBody>Type key = value lines, add parameters from the list, or import a TuneD profile.</EmptyStateBody>
          </EmptyState>
        ) : (
          <Table aria-label="What would change" variant="compact" data-testid="kernel-profile-diff">
            <ColumnHeads names={['Key', 'Live', 'Profile', 'Change']} />
            <Tbody>
              {profileCheck.value.entries.map((e, i) => (
                // The same key twice is two rows; the test id names the key's winning (last) line.
                <Tr key={i} data-testid={e.change === 'overridden' ? `kernel-diff-overridden-${e.key}` : `kernel-diff-${e.key}`} data-change={e.error ? 'error' : e.change}>
                  <Td>
                    <code>{e.key}</code>
                  </Td>
                  <Td>
                    <code>{e.live ?? '—'}</code>
                  </Td>
                  <Td>
                    <code>{e.value}</code>
                  </Td>
                  <Td>
                    {e.error ? (
                      <Label color="red" isCompact>
                        {e.error}
                      </Label>
                    ) : e.change === 'change' ? (
                      <Label color="orange" isCompact>
                        changes
                      </Label>
                    ) : e.change === 'overridden' ? (
                      <Label color="yellow" isCompact>
                        no effect
                      </Label>
                    ) : (
                      <Label isCompact>{e.change}</Label>
                    )}
                    {e.warning && (
                      <div className="hd-kernel-subtle" data-testid={`kernel-diff-warning-${i}`}>
                        {e.warning}
                      </div>
                    )}
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        ))}
    </>
  );
}
