import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, EmptyState, EmptyStateBody, Label, SearchInput, Skeleton, Switch, Toolbar, ToolbarContent, ToolbarItem } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useKernelStore } from '../store';
import { MissingFeature, useCapabilities } from '../../app/capabilities';

const LIMIT = 300;

/**
 * The empirical namespace probe (a fresh `unshare -n -i -u` listing) next to our table for this
 * kernel. Where they disagree both are shown, and the probe is what holds on this host.
 */
export function ProbeView() {
  const { probe, loadProbe } = useKernelStore();
  const canProbe = useCapabilities()?.freshNamespaceProbe !== false;
  const [onlyDisagree, setOnlyDisagree] = useState(true);
  const [text, setText] = useState('');
  useEffect(() => {
    if (canProbe && probe.state === 'idle') void loadProbe();
  }, [canProbe, probe.state, loadProbe]);
  const rows = useMemo(() => {
    if (probe.state !== 'ready') return [];
    const t = text.trim().toLowerCase();
    return probe.value.rows.filter((r) => (!onlyDisagree || !r.agree) && (!t || r.key.toLowerCase().includes(t)));
  }, [probe, onlyDisagree, text]);
  if (!canProbe) return <MissingFeature capability="freshNamespaceProbe" title="No probe on this host" />;
  if (probe.state === 'loading' || probe.state === 'idle') return <Skeleton height="300px" screenreaderText="Probing a fresh namespace" />;
  if (probe.state === 'error') {
    return (
      <Alert variant="danger" isInline title={`The probe failed (${probe.code})`} actionLinks={<Button variant="link" isInline onClick={() => void loadProbe()}>Retry</Button>}>
        {probe.message}
      </Alert>
    );
  }
  const p = probe.value;
  if (!p.available) {
    return (
      <EmptyState titleText="The namespace probe is not available" headingLevel="h2" data-testid="kernel-probe-unavailable">
        <EmptyStateBody>{p.reason} The verdicts use HostDeck's table for kernel {p.kernel || 'unknown'}.</EmptyStateBody>
      </EmptyState>
    );
  }
  const disagree = p.rows.filter((r) => !r.agree).length;
  return (
    <div data-testid="kernel-probe">
      <Alert
        variant={disagree ? 'warning' : 'success'}
        isInline
        isPlain
        title={
          disagree
            ? `On kernel ${p.kernel} the probe and the table disagree on ${disagree} of ${p.rows.length} keys: the probe is what holds on this host.`
            : `On kernel ${p.kernel} the probe agrees with the table for all ${p.rows.length} keys.`
        }
      />
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <SearchInput aria-label="Search probed keys" placeholder="Search keys" value={text} onChange={(_e, v) => setText(v)} onClear={() => setText('')} />
          </ToolbarItem>
          <ToolbarItem>
            <Switch id="kernel-probe-disagree" label="Only disagreements" isChecked={onlyDisagree} onChange={(_e, v) => setOnlyDisagree(v)} />
          </ToolbarItem>
          <ToolbarItem>{`${rows.length} keys`}</ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      {rows.length === 0 ? (
        <EmptyState titleText={onlyDisagree ? 'No disagreement' : 'No key matches'} headingLevel="h3">
          <EmptyStateBody>{onlyDisagree ? 'Turn off "Only disagreements" to see every probed key.' : 'Change the search.'}</EmptyStateBody>
        </EmptyState>
      ) : (
        <div className="hd-kernel-probe-list">
          <Table aria-label="Probe versus table" variant="compact">
            <Thead>
              <Tr>
                <Th>Key</Th>
                <Th>Probe (this host)</Th>
                <Th>Table (kernel {p.kernel})</Th>
              </Tr>
            </Thead>
            <Tbody>
              {rows.slice(0, LIMIT).map((r) => (
                <Tr key={r.key} data-testid={`kernel-probe-row-${r.key}`}>
                  <Td>
                    <code>{r.key}</code>
                  </Td>
                  <Td>
                    <Label isCompact color={r.agree ? 'blue' : 'orange'}>
                      {r.probe}
                    </Label>
                    {!r.agree && ' trusted here'}
                  </Td>
                  <Td>
                    <Label isCompact variant="outline">
                      {r.table}
                    </Label>
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
          {rows.length > LIMIT && <p>{rows.length - LIMIT} more: narrow the search.</p>}
        </div>
      )}
    </div>
  );
}
