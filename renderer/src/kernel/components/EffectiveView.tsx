import { useEffect, useState } from 'react';
import {
  Alert,
  Button,
  EmptyState,
  EmptyStateActions,
  EmptyStateBody,
  EmptyStateFooter,
  Label,
  SearchInput,
  Skeleton,
  Title,
} from '@patternfly/react-core';
import {
  Table,
  Tbody,
  Td,
  Th,
  Thead,
  Tr,
} from '@patternfly/react-table';
import type { EffectiveOut } from '../../../../shared/kernel/contract';
import { useKernelStore } from '../store';
import { ColumnHeads } from '../../app/ColumnHeads';

const FILE_STATUS: Record<EffectiveOut['files'][number]['status'], { color: 'green' | 'grey' | 'orange' | 'red'; text: string }> = {
  applied: { color: 'green', text: 'read' },
  masked: { color: 'grey', text: 'masked' },
  overridden: { color: 'grey', text: 'overridden' },
  unreadable: { color: 'red', text: 'unreadable' },
};

/** The sysctl.d configuration as systemd-sysctl applies it: files in order, drift, settings with provenance. */
export function EffectiveView() {
  const { effective, loadEffective } = useKernelStore();
  const [text, setText] = useState('');
  useEffect(() => {
    if (effective.state === 'idle') void loadEffective();
  }, [effective.state, loadEffective]);
  if (effective.state === 'loading' || effective.state === 'idle') return <Skeleton height="300px" screenreaderText="Reading sysctl.d" />;
  if (effective.state === 'error')
    return (
      <Alert
        variant="danger"
        isInline
        title={`Cannot read the sysctl.d configuration (${effective.code})`}
        actionLinks={<Button variant="link" isInline onClick={() => void loadEffective()}>Try again</Button>}
      >
        {effective.message}
      </Alert>
    );
  const e = effective.value;
  const warnings = e.warnings.filter((w) => w.severity !== 'info');
  // Drift comes from the Node side for any root (same rule as the list); liveSource says what it was compared with.
  const drift = e.drift;
  const t = text.trim().toLowerCase();
  const settings = t ? e.settings.filter((s) => `${s.key} ${s.value} ${s.file}`.toLowerCase().includes(t)) : e.settings;
  const refresh = (
    <Button variant="link" isInline onClick={() => void loadEffective()} data-testid="kernel-effective-reload">
      Read again
    </Button>
  );
  if (e.files.length === 0) {
    return (
      <EmptyState titleText="No sysctl.d files" headingLevel="h2" variant="sm" data-testid="kernel-effective-empty">
        <EmptyStateBody>
          Nothing in /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d, /usr/lib/sysctl.d or /etc/sysctl.conf{e.root !== '/' ? ` under ${e.root}` : ''}: at boot
          the kernel keeps its defaults. Create a profile on the “Profile, apply &amp; export” tab and save it to /etc/sysctl.d.
        </EmptyStateBody>
        <EmptyStateFooter>
          <EmptyStateActions>{refresh}</EmptyStateActions>
        </EmptyStateFooter>
      </EmptyState>
    );
  }
  return (
    <div data-testid="kernel-effective" className="hd-kernel-sections">
      <p className="hd-kernel-subtle">
        {e.root === '/' ? 'This host’s' : <>The configuration under <code>{e.root}</code>:</>} sysctl.d files as systemd-sysctl applies them at boot (later files and
        later lines win). {refresh}
      </p>
      {warnings.length > 0 && (
        <Alert variant="warning" isInline title={`${warnings.length} problem${warnings.length === 1 ? '' : 's'} in these files: lines systemd-sysctl ignores or fails on, invalid values, unknown keys`} data-testid="kernel-effective-warnings">
          <ul>
            {warnings.map((w) => (
              <li key={`${w.file}:${w.line}:${w.message}`}>
                <code>
                  {w.file}:{w.line}
                </code>{' '}
                {w.message}
              </li>
            ))}
          </ul>
        </Alert>
      )}
      <section>
        <Title headingLevel="h2" size="lg">Files, in the order systemd-sysctl reads them</Title>
        <Table aria-label="sysctl.d files" variant="compact" data-testid="kernel-effective-files">
          <Thead>
            <Tr>
              <Th width={10}>#</Th>
              <Th>File</Th>
              <Th>Status</Th>
            </Tr>
          </Thead>
          <Tbody>
            {e.files.map((f, i) => (
              <Tr key={f.path}>
                <Td dataLabel="#">{i + 1}</Td>
                <Td dataLabel="File">
                  <code>{f.path}</code>
                </Td>
                <Td dataLabel="Status">
                  <Label isCompact color={FILE_STATUS[f.status].color}>
                    {FILE_STATUS[f.status].text}
                  </Label>{' '}
                  {f.by ? <span className="hd-kernel-subtle">by {f.by}</span> : ''}
                  {f.error ? <span className="hd-kernel-subtle">{f.error}</span> : ''}
                </Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      </section>
      <section>
        <Title headingLevel="h2" size="lg">Drift: live value differs from configured ({drift.length})</Title>
        {e.liveSource.note && drift.length === 0 && (
          <p className="hd-kernel-subtle" data-testid="kernel-live-source">
            {e.liveSource.note}
          </p>
        )}
        {drift.length === 0 ? (
          <p data-testid="kernel-no-drift">Every configured value is what the kernel runs with now.</p>
        ) : (
          <>
            <p className="hd-kernel-subtle" data-testid="kernel-live-source">
              {e.liveSource.note ??
                'Something changed these after boot (sysctl -w, a container runtime, an operator), or they failed to apply. Apply the profile again, or find who writes them.'}
            </p>
            <Table aria-label="Drift" variant="compact" data-testid="kernel-drift">
              <ColumnHeads names={['Key', 'Configured', 'Live', 'Set in']} />
              <Tbody>
                {drift.map((d) => (
                  <Tr key={d.key}>
                    <Td dataLabel="Key">
                      <code>{d.key}</code>
                    </Td>
                    <Td dataLabel="Configured">
                      <code>{d.configured}</code>
                    </Td>
                    <Td dataLabel="Live">
                      <code>{d.live ?? 'missing'}</code>
                    </Td>
                    <Td dataLabel="Set in">
                      {d.file}:{d.line}
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          </>
        )}
      </section>
      <section>
        <div className="hd-kernel-section-head">
          <Title headingLevel="h2" size="lg">Effective settings ({e.settings.length})</Title>
          {e.settings.length > 8 && (
            <SearchInput aria-label="Search effective settings" placeholder="Filter settings" value={text} onChange={(_e, v) => setText(v)} onClear={() => setText('')} />
          )}
        </div>
        {e.settings.length === 0 ? (
          <p>The files set nothing (only comments, exclusions or ignored lines).</p>
        ) : (
          <Table aria-label="Effective settings" variant="compact" data-testid="kernel-effective-settings">
            <ColumnHeads names={['Key', 'Value', 'Set in', 'Overrides']} />
            <Tbody>
              {settings.map((s) => (
                <Tr key={s.path}>
                  <Td dataLabel="Key">
                    <code>{s.key}</code>
                    {s.ignoreFailure && (
                      <Label isCompact variant="outline" className="hd-kernel-inline-label" title="Line starts with '-': a failure to write it is ignored">
                        errors ignored
                      </Label>
                    )}
                    {s.glob && <span className="hd-kernel-subtle"> from {s.glob}</span>}
                  </Td>
                  <Td dataLabel="Value">
                    <code>{s.value}</code>
                  </Td>
                  <Td dataLabel="Set in">
                    {s.file}:{s.line}
                  </Td>
                  <Td dataLabel="Overrides">{s.overrides.length ? s.overrides.map((o) => `${o.file}:${o.line}`).join(', ') : '—'}</Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        )}
      </section>
    </div>
  );
}
