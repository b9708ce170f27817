import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  CardBody,
  CardTitle,
  Checkbox,
  EmptyState,
  EmptyStateActions,
  EmptyStateBody,
  EmptyStateFooter,
  FormSelect,
  FormSelectOption,
  Label,
  List,
  ListItem,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  PageSection,
  Skeleton,
  TextArea,
  TextInput,
  Title,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useAppStore } from '../app/store';
import { useDnsStore } from './store';
import type { Diagnostic } from '../../../shared/dns/diagnostics';
import { FLAG_OPTIONS } from '../../../shared/dns/glibc';
import { diffLines } from '../../../shared/dns/line-diff';
import { toBytes } from './store';
import './dns.css';

const severityVariant = { error: 'danger', warning: 'warning', info: 'info' } as const;

function WarningAlert({ d }: { d: Diagnostic }) {
  const applyFix = useDnsStore((s) => s.applyFix);
  const e = d.edit;
  return (
    <Alert
      isInline
      isPlain
      variant={severityVariant[d.severity]}
      title={d.message}
      className="hd-dns-warning"
      data-testid={`dns-warning-line-${d.line}`}
      data-code={d.code}
      actionLinks={
        e ? (
          <Button
            variant="link"
            isInline
            onClick={() => applyFix(d)}
            data-testid={`dns-fix-line-${d.line}`}
            data-code={d.code}
            aria-label={e.kind === 'deleteLine' ? `Fix: delete line ${e.line}` : `Fix: replace line ${e.line} with ${e.text}`}
          >
            {e.kind === 'deleteLine' ? `Fix: delete line ${e.line}` : 'Fix this line'}
          </Button>
        ) : undefined
      }
    >
      Fix: {d.fix}
      {e?.kind === 'replaceLine' && (
        <>
          {' '}
          The line becomes <code className="hd-dns-fix-preview">{e.text.replace(/\r$/, '␍') || '(empty)'}</code>
        </>
      )}
    </Alert>
  );
}

/** Raw lines with each warning directly under the line it is about. */
function AnnotatedLines({ text, warnings }: { text: string; warnings: Diagnostic[] }) {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const byLine = new Map<number, Diagnostic[]>();
  for (const w of warnings) byLine.set(w.line, [...(byLine.get(w.line) ?? []), w]);
  return (
    <div className="hd-dns-lines" data-testid="dns-lines">
      {(byLine.get(0) ?? []).map((d, i) => (
        <WarningAlert key={`f${i}`} d={d} />
      ))}
      {lines.map((l, i) => (
        <div key={i}>
          <div className="hd-dns-line" data-testid={`dns-line-${i + 1}`}>
            <span className="hd-dns-line-no">{i + 1}</span>
            <span className="hd-dns-line-text">{l.replace(/\r$/, '␍') || ' '}</span>
          </div>
          {(byLine.get(i + 1) ?? []).map((d, k) => (
            <WarningAlert key={k} d={d} />
          ))}
        </div>
      ))}
    </div>
  );
}

function StructuredForm() {
  const analysis = useDnsStore((s) => s.analysis);
  const edit = useDnsStore((s) => s.edit);
  const [newNs, setNewNs] = useState('');
  if (!analysis) return null;
  const g = analysis.glibc;
  const ns = g.nameservers.map((s) => (s.scope ? `${s.address}%${s.scope}` : s.address));
  return (
    <Card data-testid="dns-form">
      <CardTitle>Settings as glibc reads them</CardTitle>
      <CardBody>
        <Title headingLevel="h4">Nameservers</Title>
        <List isPlain>
          {ns.map((a, i) => (
            <ListItem key={`${a}-${i}`}>
              <span className="hd-dns-row">
                <code>{a}</code>
                {i >= 3 && <Label color="orange">never used</Label>}
                <Button variant="link" isInline onClick={() => edit({ kind: 'setNameservers', nameservers: ns.filter((_, k) => k !== i) })}>
                  remove
                </Button>
              </span>
            </ListItem>
          ))}
          {g.defaultNameserver && <ListItem><Label color="red">none: 127.0.0.1 is used</Label></ListItem>}
        </List>
        <div className="hd-dns-row">
          <TextInput aria-label="New nameserver" value={newNs} onChange={(_, v) => setNewNs(v)} placeholder="192.0.2.53" data-testid="dns-new-ns" />
          <Button variant="secondary" isDisabled={!newNs.trim()} onClick={() => { edit({ kind: 'setNameservers', nameservers: [...ns, newNs.trim()] }); setNewNs(''); }}>
            Add
          </Button>
        </div>
        <Title headingLevel="h4">Search domains</Title>
        <TextInput
          aria-label="Search domains"
          data-testid="dns-search"
          value={g.search.join(' ')}
          onChange={(_, v) => edit({ kind: 'setSearch', domains: v.split(/\s+/).filter(Boolean) })}
        />
        <Title headingLevel="h4">Options</Title>
        {(['ndots', 'timeout', 'attempts'] as const).map((k) => (
          <div className="hd-dns-row" key={k}>
            <span>{k}</span>
            <TextInput
              aria-label={k}
              type="number"
              data-testid={`dns-opt-${k}`}
              value={String(g[k])}
              onChange={(_, v) => v !== '' && Number.isInteger(Number(v)) && edit({ kind: 'setOption', name: k, value: Number(v) })}
            />
          </div>
        ))}
        {FLAG_OPTIONS.map((f) => (
          <Checkbox key={f} id={`dns-flag-${f}`} label={f} isChecked={g.flags[f]} onChange={(_, c) => edit({ kind: 'setOption', name: f, value: c })} />
        ))}
      </CardBody>
    </Card>
  );
}

function OwnerPanel() {
  const file = useDnsStore((s) => s.file);
  if (file.state !== 'ready') return null;
  const o = file.value.owner;
  const evidence = (
    <List>
      {o.evidence.map((e, i) => (
        <ListItem key={i}>{e}</ListItem>
      ))}
    </List>
  );
  if (o.kind === 'missing') {
    return (
      <Card data-testid="dns-owner" data-kind={o.kind}>
        <EmptyState titleText="There is no resolv.conf here" headingLevel="h3" status="info" variant="sm">
          <EmptyStateBody>
            Without the file, glibc and musl ask a resolver on this machine (127.0.0.1), which only works if one runs here. Write the
            settings in the editor and save to create the file.
            {evidence}
          </EmptyStateBody>
        </EmptyState>
      </Card>
    );
  }
  if (!o.managed) {
    return (
      <Alert isInline variant="success" title={`Owner: ${o.name}`} data-testid="dns-owner" data-kind={o.kind}>
        Editing this file is the right place for changes.
        {evidence}
      </Alert>
    );
  }
  return (
    <Alert isInline variant="warning" title={`Owner: ${o.name}. Changes made here will be overwritten.`} data-testid="dns-owner" data-kind={o.kind}>
      {evidence}
      {o.changeInstead.length > 0 && <Title headingLevel="h4">Change it here instead</Title>}
      <List>
        {o.changeInstead.map((c, i) => (
          <ListItem key={`c${i}`}>{c}</ListItem>
        ))}
      </List>
    </Alert>
  );
}

const domainText = (ds: { domain: string; routeOnly: boolean }[]) => ds.map((d) => (d.routeOnly ? `~${d.domain}` : d.domain)).join(' ');

function ResolvedPanel() {
  const { resolved, loadResolved } = useDnsStore();
  const body = (() => {
    if (resolved.state === 'idle' || resolved.state === 'loading') return <Skeleton height="80px" screenreaderText="Asking systemd-resolved" />;
    if (resolved.state === 'error') {
      return (
        <EmptyState titleText="Could not ask systemd-resolved" headingLevel="h3" status="danger" variant="sm" data-testid="dns-resolved-error">
          <EmptyStateBody>
            {resolved.message} [{resolved.code}]
          </EmptyStateBody>
          <EmptyStateFooter>
            <EmptyStateActions>
              <Button variant="secondary" onClick={() => void loadResolved()}>
                Try again
              </Button>
            </EmptyStateActions>
          </EmptyStateFooter>
        </EmptyState>
      );
    }
    const r = resolved.value;
    if (!r.available) {
      return (
        <EmptyState titleText="systemd-resolved is not running here" headingLevel="h3" variant="sm" data-testid="dns-resolved-absent">
          <EmptyStateBody>
            Programs read resolv.conf directly, so the file above is the whole story. ({r.reason})
          </EmptyStateBody>
          <EmptyStateFooter>
            <EmptyStateActions>
              <Button variant="link" onClick={() => void loadResolved()}>
                Check again
              </Button>
            </EmptyStateActions>
          </EmptyStateFooter>
        </EmptyState>
      );
    }
    const g = r.global;
    const links = r.links.filter((l) => l.servers.length > 0 || l.domains.length > 0);
    if ((g?.servers.length ?? 0) === 0 && links.length === 0) {
      return (
        <EmptyState titleText="systemd-resolved has no upstream servers" headingLevel="h3" status="warning" variant="sm" data-testid="dns-resolved-empty">
          <EmptyStateBody>
            Neither DNS= in resolved.conf nor any network link gives it a server, so only the fallback servers ({g?.fallbackServers.join(' ') || 'none'})
            answer. Set DNS= in /etc/systemd/resolved.conf or let the network manager configure the links.
          </EmptyStateBody>
        </EmptyState>
      );
    }
    return (
      <Table aria-label="systemd-resolved servers per link" variant="compact" data-testid="dns-resolved-table">
        <Thead>
          <Tr>
            <Th>Scope</Th>
            <Th>Servers</Th>
            <Th>Domains</Th>
            <Th>Default route</Th>
          </Tr>
        </Thead>
        <Tbody>
          {g && (
            <Tr>
              <Td dataLabel="Scope">Global (resolv.conf mode: {g.resolvConfMode ?? 'unknown'})</Td>
              <Td dataLabel="Servers">
                <code>{g.servers.join(' ') || '—'}</code>
                {g.fallbackServers.length > 0 && <div>fallback: {g.fallbackServers.join(' ')}</div>}
              </Td>
              <Td dataLabel="Domains">{domainText(g.domains) || '—'}</Td>
              <Td dataLabel="Default route">—</Td>
            </Tr>
          )}
          {r.links.map((l) => (
            <Tr key={l.ifindex} data-testid={`dns-resolved-link-${l.name}`}>
              <Td dataLabel="Scope">
                {l.name} <Label isCompact>{l.scopes.join(', ') || 'no scope'}</Label>
              </Td>
              <Td dataLabel="Servers">
                <code>{l.servers.join(' ') || '—'}</code>
                {l.currentServer && <div>current: {l.currentServer}</div>}
              </Td>
              <Td dataLabel="Domains">{domainText(l.domains) || '—'}</Td>
              <Td dataLabel="Default route">{l.defaultRoute === null ? '—' : l.defaultRoute ? 'yes' : 'no'}</Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
    );
  })();
  return (
    <Card data-testid="dns-resolved">
      <CardTitle>systemd-resolved: the servers really asked</CardTitle>
      <CardBody>{body}</CardBody>
    </Card>
  );
}

/** The pending change as a line diff against the file on disk, with the dangerous settings to confirm. */
function ReviewModal() {
  const { file, text, analysis, reviewOpen, closeReview, doSave, encoding } = useDnsStore();
  const [understood, setUnderstood] = useState(false);
  const before = file.state === 'ready' ? file.value.text : '';
  const diff = useMemo(() => diffLines(before, text), [before, text]);
  const dangerous = analysis?.diagnostics.filter((d) => d.dangerous) ?? [];
  const changed = diff.filter((l) => l.kind !== 'same').length;
  useEffect(() => setUnderstood(false), [reviewOpen]);
  if (file.state !== 'ready') return null;
  return (
    <Modal isOpen={reviewOpen} onClose={closeReview} variant="medium" data-testid="dns-review" aria-labelledby="dns-review-title">
      <ModalHeader title={`Review changes to ${file.value.path}`} labelId="dns-review-title" description={`${changed} line(s) differ from the file on disk (${encoding}).`} />
      <ModalBody>
        <div className="hd-dns-diff" data-testid="dns-diff">
          {diff.map((l, i) => (
            <div key={i} className={`hd-dns-diff-line hd-dns-diff-${l.kind}`} data-kind={l.kind}>
              <span className="hd-dns-line-no">{l.oldLine ?? ''}</span>
              <span className="hd-dns-line-no">{l.newLine ?? ''}</span>
              <span className="hd-dns-diff-mark">{l.kind === 'add' ? '+' : l.kind === 'del' ? '−' : ' '}</span>
              <span className="hd-dns-line-text">{l.text.replace(/\r$/, '␍') || ' '}</span>
            </div>
          ))}
        </div>
        {toBytes(text, encoding) === toBytes(before, encoding) && <Alert isInline variant="info" title="No changes to write." />}
        {dangerous.length > 0 && (
          <Alert isInline variant="danger" title="This file has dangerous settings" data-testid="dns-confirm">
            <List>
              {dangerous.map((d, i) => (
                <ListItem key={i}>
                  {d.line ? `Line ${d.line}: ` : ''}
                  {d.message}
                </ListItem>
              ))}
            </List>
            <Checkbox id="dns-understood" label="I understand; write it anyway" isChecked={understood} onChange={(_, c) => setUnderstood(c)} data-testid="dns-confirm-check" />
          </Alert>
        )}
      </ModalBody>
      <ModalFooter>
        <Button
          variant={dangerous.length ? 'danger' : 'primary'}
          isDisabled={changed === 0 || (dangerous.length > 0 && !understood)}
          onClick={() => void doSave(dangerous.length > 0)}
          data-testid="dns-write"
        >
          Write file
        </Button>
        <Button variant="link" onClick={closeReview}>
          Keep editing
        </Button>
      </ModalFooter>
    </Modal>
  );
}

function PlanPanel() {
  const { plan, runPlan, libc, setLibc, pod, runPod } = useDnsStore();
  const [name, setName] = useState('api.example.com');
  const [podForm, setPodForm] = useState({ policy: 'ClusterFirst' as const, namespace: 'default', clusterDomain: 'cluster.local', clusterDns: '10.96.0.10' });
  return (
    <Card data-testid="dns-plan">
      <CardTitle>Query plan</CardTitle>
      <CardBody>
        <div className="hd-dns-row">
          <TextInput aria-label="Name to look up" value={name} onChange={(_, v) => setName(v)} data-testid="dns-plan-name" />
          <FormSelect aria-label="C library" value={libc} onChange={(_, v) => setLibc(v as 'glibc' | 'musl')}>
            <FormSelectOption value="glibc" label="glibc" />
            <FormSelectOption value="musl" label="musl (Alpine)" />
          </FormSelect>
          <Button onClick={() => void runPlan(name)} data-testid="dns-plan-run">Plan on this host</Button>
          <Button variant="secondary" onClick={() => void runPod({ ...podForm, name })}>Plan in a pod</Button>
        </div>
        <div className="hd-dns-row">
          <FormSelect aria-label="dnsPolicy" value={podForm.policy} onChange={(_, v) => setPodForm({ ...podForm, policy: v as typeof podForm.policy })}>
            {['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'].map((p) => (
              <FormSelectOption key={p} value={p} label={p} />
            ))}
          </FormSelect>
          <TextInput aria-label="Namespace" value={podForm.namespace} onChange={(_, v) => setPodForm({ ...podForm, namespace: v })} />
          <TextInput aria-label="Cluster domain" value={podForm.clusterDomain} onChange={(_, v) => setPodForm({ ...podForm, clusterDomain: v })} />
          <TextInput aria-label="Cluster DNS" value={podForm.clusterDns} onChange={(_, v) => setPodForm({ ...podForm, clusterDns: v })} />
        </div>
        {plan.state === 'loading' && <Skeleton />}
        {plan.state === 'error' && <Alert isInline variant="danger" title={plan.message} />}
        {plan.state === 'ready' && (
          <div data-testid="dns-plan-result">
            <ol>
              {plan.value.steps.map((s, i) => (
                <li key={i}>
                  <code>{s.name}</code> — {s.reason}
                </li>
              ))}
            </ol>
            <p>
              {plan.value.queries.length} name(s) × {plan.value.types.join('+')} = <strong>{plan.value.packets}</strong> packet(s) when nothing exists
            </p>
            {plan.value.advice.map((a, i) => (
              <Alert key={i} isInline isPlain variant="info" title={a} />
            ))}
          </div>
        )}
        {pod.state === 'loading' && <Skeleton />}
        {pod.state === 'error' && <Alert isInline variant="danger" title={pod.message} />}
        {pod.state === 'ready' && (
          <div data-testid="dns-pod-result">
            <Title headingLevel="h4">Pod resolv.conf</Title>
            <pre>{pod.value.resolvConf}</pre>
            {pod.value.events.map((e, i) => (
              <Alert key={i} isInline isPlain variant="warning" title={`${e.reason}: ${e.message}`} />
            ))}
            {pod.value.plans.map((p, i) => (
              <p key={i}>
                {p.queries.join(' → ')} ({p.packets} packets)
              </p>
            ))}
            <Title headingLevel="h4">Pod spec snippet</Title>
            <pre>{pod.value.yaml}</pre>
          </div>
        )}
      </CardBody>
    </Card>
  );
}

function LivePanel() {
  const { live, runLive } = useDnsStore();
  const [name, setName] = useState('.');
  return (
    <Card data-testid="dns-live">
      <CardTitle>Live check</CardTitle>
      <CardBody>
        <div className="hd-dns-row">
          <TextInput aria-label="Name to query" value={name} onChange={(_, v) => setName(v)} />
          <Button variant="secondary" onClick={() => void runLive(name)}>Query each nameserver</Button>
        </div>
        {live.state === 'loading' && <Skeleton />}
        {live.state === 'error' && <Alert isInline variant="danger" title={live.message} />}
        {live.state === 'ready' && (
          <List isPlain>
            {live.value.map((r) => (
              <ListItem key={r.server}>
                <code>{r.server}</code>{' '}
                {r.error ? <Label color="red">{r.error}</Label> : <Label color="green">{`${r.rcode} in ${r.latencyMs} ms ${r.answers.join(' ')}`}</Label>}
              </ListItem>
            ))}
          </List>
        )}
      </CardBody>
    </Card>
  );
}

export function DnsPage() {
  const hostId = useAppStore((s) => s.hostId);
  const { file, text, setText, analysis, load, loadResolved, openReview, save } = useDnsStore();
  useEffect(() => {
    void load(hostId).then(() => loadResolved());
  }, [hostId, load, loadResolved]);
  const dirty = file.state === 'ready' && text !== file.value.text;

  if (file.state === 'idle' || file.state === 'loading') {
    return (
      <PageSection data-testid="dns-page">
        <Skeleton height="300px" screenreaderText="Loading resolv.conf" />
      </PageSection>
    );
  }
  if (file.state === 'error') {
    return (
      <PageSection data-testid="dns-page">
        <EmptyState titleText="Cannot read resolv.conf" headingLevel="h2" status="danger">
          <EmptyStateBody>
            {file.message} [{file.code}]
          </EmptyStateBody>
          <Button onClick={() => void load(hostId)}>Retry</Button>
        </EmptyState>
      </PageSection>
    );
  }
  return (
    <PageSection data-testid="dns-page">
      <div className="hd-dns-row">
        <Title headingLevel="h1">{file.value.path}</Title>
        {!file.value.exists && <Label color="orange">does not exist</Label>}
        <Button variant="primary" isDisabled={!dirty || !file.value.writable} onClick={openReview} data-testid="dns-save">
          Review and save
        </Button>
        <Button variant="link" isDisabled={!dirty} onClick={() => setText(file.value.text)}>
          Revert
        </Button>
        {!file.value.writable && <Label>read-only: saving needs HostDeck running as root</Label>}
      </div>
      {save.state === 'error' && <Alert isInline variant="danger" title={`${save.message} [${save.code}]`} data-testid="dns-save-error" />}
      {save.state === 'ready' && !dirty && <Alert isInline variant="success" title={`Saved ${save.value.path}`} data-testid="dns-saved" />}
      <OwnerPanel />
      <div className="hd-dns-grid">
        <StructuredForm />
        <Card>
          <CardTitle>resolv.conf</CardTitle>
          <CardBody>
            <TextArea aria-label="resolv.conf text" className="hd-dns-raw" value={text} onChange={(_, v) => setText(v)} data-testid="dns-raw" resizeOrientation="vertical" />
            <AnnotatedLines text={text} warnings={analysis?.diagnostics ?? []} />
          </CardBody>
        </Card>
      </div>
      <ResolvedPanel />
      <PlanPanel />
      <LivePanel />
      <ReviewModal />
    </PageSection>
  );
}
