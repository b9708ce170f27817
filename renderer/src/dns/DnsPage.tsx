import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  CardBody,
  CardTitle,
  Checkbox,
  EmptyState,
  EmptyStateBody,
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
import { useAppStore } from '../app/store';
import { useDnsStore } from './store';
import type { Diagnostic } from '../../../shared/dns/diagnostics';
import { FLAG_OPTIONS } from '../../../shared/dns/glibc';
import './dns.css';

const severityVariant = { error: 'danger', warning: 'warning', info: 'info' } as const;

function WarningAlert({ d }: { d: Diagnostic }) {
  return (
    <Alert
      isInline
      isPlain
      variant={severityVariant[d.severity]}
      title={d.message}
      className="hd-dns-warning"
      data-testid={`dns-warning-line-${d.line}`}
      data-code={d.code}
    >
      Fix: {d.fix}
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
  return (
    <Alert isInline variant={o.managed ? 'warning' : 'info'} title={`Owner: ${o.name}`} data-testid="dns-owner" data-kind={o.kind}>
      <List>
        {o.evidence.map((e, i) => (
          <ListItem key={i}>{e}</ListItem>
        ))}
        {o.changeInstead.map((c, i) => (
          <ListItem key={`c${i}`}>
            <strong>Change instead:</strong> {c}
          </ListItem>
        ))}
      </List>
    </Alert>
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
  const { file, text, setText, analysis, load, doSave, save, confirmNeeded, cancelConfirm } = useDnsStore();
  useEffect(() => {
    void load(hostId);
  }, [hostId, load]);
  const dirty = file.state === 'ready' && text !== file.value.text;
  const dangerous = useMemo(() => analysis?.diagnostics.filter((d) => d.dangerous) ?? [], [analysis]);

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
        <Button variant="primary" isDisabled={!dirty || !file.value.writable} onClick={() => void doSave(false)} data-testid="dns-save">
          Save
        </Button>
        <Button variant="link" isDisabled={!dirty} onClick={() => setText(file.value.text)}>
          Revert
        </Button>
        {!file.value.writable && <Label>read-only: saving needs HostDeck running as root</Label>}
      </div>
      {save.state === 'error' && <Alert isInline variant="danger" title={`${save.message} [${save.code}]`} data-testid="dns-save-error" />}
      {save.state === 'ready' && !dirty && <Alert isInline variant="success" title={`Saved ${save.value.path}`} />}
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
      <PlanPanel />
      <LivePanel />
      <Modal isOpen={confirmNeeded} onClose={cancelConfirm} variant="small" data-testid="dns-confirm">
        <ModalHeader title="Save a dangerous setting?" titleIconVariant="warning" />
        <ModalBody>
          <List>
            {dangerous.map((d, i) => (
              <ListItem key={i}>
                {d.line ? `Line ${d.line}: ` : ''}
                {d.message}
              </ListItem>
            ))}
          </List>
        </ModalBody>
        <ModalFooter>
          <Button variant="danger" onClick={() => void doSave(true)} data-testid="dns-confirm-save">
            Save anyway
          </Button>
          <Button variant="link" onClick={cancelConfirm}>
            Cancel
          </Button>
        </ModalFooter>
      </Modal>
    </PageSection>
  );
}
