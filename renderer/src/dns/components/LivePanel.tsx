import { useState } from 'react';
import {
  Alert,
  Button,
  Card,
  CardBody,
  CardTitle,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  Label,
  TextInput,
} from '@patternfly/react-core';
import {
  Table,
  Tbody,
  Td,
  Tr,
} from '@patternfly/react-table';
import { useDnsStore } from '../store';
import { ColumnHeads } from '../../app/ColumnHeads';

export function LivePanel() {
  const { live, runLive } = useDnsStore();
  const [name, setName] = useState('.');
  const run = () => name.trim() && void runLive(name.trim());
  return (
    <Card data-testid="dns-live" isCompact>
      <CardTitle component="h2">Live check: ask each nameserver now</CardTitle>
      <CardBody>
        <Form onSubmit={(e) => { e.preventDefault(); run(); }}>
          <div className="hd-dns-plan-form">
            <FormGroup label="Name to query (A record)" fieldId="dns-live-name" className="hd-dns-grow">
              <TextInput id="dns-live-name" aria-label="Name to query" value={name} onChange={(_, v) => setName(v)} data-testid="dns-live-name" />
              <FormHelperText>
                <HelperText>
                  <HelperTextItem>&quot;.&quot; asks for the root: every working recursive server answers it.</HelperTextItem>
                </HelperText>
              </FormHelperText>
            </FormGroup>
            <div className="hd-dns-actions">
              <Button type="submit" variant="secondary" data-testid="dns-live-run" isLoading={live.state === 'loading'}>
                Query each nameserver
              </Button>
            </div>
          </div>
        </Form>
        {live.state === 'error' && <Alert component="h3" isInline variant="danger" title={`Cannot run the check (${live.code})`}>{live.message}</Alert>}
        {live.state === 'ready' &&
          (live.value.length === 0 ? (
            <Alert component="h3" isInline variant="warning" title="No nameserver to ask: the file has none, so programs use 127.0.0.1." />
          ) : (
            <Table aria-label="Live check results" variant="compact" data-testid="dns-live-result">
              <ColumnHeads names={['Server', 'Result', 'Time', 'Answers']} />
              <Tbody>
                {live.value.map((r) => (
                  <Tr key={r.server}>
                    <Td dataLabel="Server">
                      <code>{r.server}</code>
                    </Td>
                    <Td dataLabel="Result">
                      {r.error ? (
                        <Label isCompact color="red">
                          {r.error}
                        </Label>
                      ) : (
                        <Label isCompact color={r.ok ? 'green' : 'orange'}>
                          {r.rcode ?? 'answered'}
                        </Label>
                      )}
                    </Td>
                    <Td dataLabel="Time">{r.latencyMs === null ? '—' : `${r.latencyMs} ms`}</Td>
                    <Td dataLabel="Answers">{r.answers.length ? <code className="hd-dns-break">{r.answers.join(' ')}</code> : '—'}</Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          ))}
      </CardBody>
    </Card>
  );
}
