import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  CardBody,
  CardTitle,
  Checkbox,
  ClipboardCopyButton,
  CodeBlock,
  CodeBlockAction,
  CodeBlockCode,
  EmptyState,
  EmptyStateActions,
  EmptyStateBody,
  EmptyStateFooter,
  Form,
  FormGroup,
  FormHelperText,
  FormSelect,
  FormSelectOption,
  HelperText,
  HelperTextItem,
  Label,
  List,
  ListItem,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  PageSection,
  Skeleton,
  Switch,
  TextArea,
  TextInput,
  Title,
  ToggleGroup,
  ToggleGroupItem,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useAppStore } from '../app/store';
import { useDnsStore } from './store';
import type { Diagnostic } from '../../../shared/dns/diagnostics';
import type { DnsPlan } from '../../../shared/dns/contract';
import { FLAG_OPTIONS } from '../../../shared/dns/glibc';
import { diffLines } from '../../../shared/dns/line-diff';
import { toBytes } from './store';
import './dns.css';

const severityVariant = { error: 'danger', warning: 'warning', info: 'info' } as const;

/** Diagnostics write commands in `backticks`: show them as code. */
function WithCode({ text }: { text: string }) {
  const parts = text.split(/`([^`]+)`/);
  return <>{parts.map((p, i) => (i % 2 ? <code key={i}>{p}</code> : p))}</>;
}

/** A line's text with a trailing carriage return made visible (the mono font has no ␍ glyph). */
function LineText({ text }: { text: string }) {
  const cr = text.endsWith('\r');
  const body = cr ? text.slice(0, -1) : text;
  return (
    <span className="hd-dns-line-text">
      {body || (cr ? '' : ' ')}
      {cr && (
        <span className="hd-dns-cr" title="carriage return (Windows line ending)">
          CR
        </span>
      )}
    </span>
  );
}

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
      Fix: <WithCode text={d.fix} />
      {e?.kind === 'replaceLine' && (
        <>
          {' '}
          The line becomes <code className="hd-dns-fix-preview">{e.text.replace(/\r$/, ' CR') || '(empty)'}</code>
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
            <LineText text={l} />
          </div>
          {(byLine.get(i + 1) ?? []).map((d, k) => (
            <WarningAlert key={k} d={d} />
          ))}
        </div>
      ))}
    </div>
  );
}

/** What each resolv.conf flag does, in plain words (glibc resolv.conf(5)). */
const FLAG_HELP: Record<string, string> = {
  rotate: 'spread queries over the nameservers instead of always asking the first',
  edns0: 'allow larger UDP answers (EDNS0)',
  'single-request': 'send A and AAAA one after the other (for firewalls that drop the second)',
  'single-request-reopen': 'use a new socket for the second query (for broken NAT)',
  'no-tld-query': 'never send a single-label name as is',
  'use-vc': 'always use TCP',
  'no-reload': 'do not re-read resolv.conf when it changes',
  'trust-ad': 'pass the DNSSEC AD bit through from the server',
  'no-aaaa': 'suppress AAAA (IPv6) answers',
};

const NUMBER_HELP = { ndots: 'dots a name needs to be tried as is first', timeout: 'seconds to wait for each server', attempts: 'rounds over all servers' } as const;

function StructuredForm() {
  const analysis = useDnsStore((s) => s.analysis);
  const edit = useDnsStore((s) => s.edit);
  const [newNs, setNewNs] = useState('');
  if (!analysis) return null;
  const g = analysis.glibc;
  const ns = g.nameservers.map((s) => (s.scope ? `${s.address}%${s.scope}` : s.address));
  const add = () => {
    if (!newNs.trim()) return;
    edit({ kind: 'setNameservers', nameservers: [...ns, newNs.trim()] });
    setNewNs('');
  };
  return (
    <Card data-testid="dns-form" isCompact>
      <CardTitle>Settings as glibc reads them</CardTitle>
      <CardBody>
        <Form onSubmit={(e) => e.preventDefault()} className="hd-dns-form">
          <FormGroup label="Nameservers" fieldId="dns-new-ns-input" role="group">
            <List isPlain className="hd-dns-ns-list">
              {ns.map((a, i) => (
                <ListItem key={`${a}-${i}`}>
                  <span className="hd-dns-ns">
                    <code>{a}</code>
                    {i >= 3 && (
                      <Label isCompact color="orange">
                        never used
                      </Label>
                    )}
                    <Button variant="link" isInline onClick={() => edit({ kind: 'setNameservers', nameservers: ns.filter((_, k) => k !== i) })} aria-label={`Remove ${a}`}>
                      remove
                    </Button>
                  </span>
                </ListItem>
              ))}
              {g.defaultNameserver && (
                <ListItem>
                  <Label isCompact color="red">
                    none: 127.0.0.1 is used
                  </Label>
                </ListItem>
              )}
            </List>
            <div className="hd-dns-inline">
              <TextInput
                id="dns-new-ns-input"
                aria-label="New nameserver"
                value={newNs}
                onChange={(_, v) => setNewNs(v)}
                onKeyDown={(e) => e.key === 'Enter' && add()}
                placeholder="Add a nameserver, e.g. 192.0.2.53"
                data-testid="dns-new-ns"
              />
              <Button variant="secondary" isDisabled={!newNs.trim()} onClick={add} data-testid="dns-add-ns">
                Add
              </Button>
            </div>
          </FormGroup>
          <FormGroup label="Search domains" fieldId="dns-search-input">
            <TextInput
              id="dns-search-input"
              aria-label="Search domains"
              data-testid="dns-search"
              value={g.search.join(' ')}
              placeholder="corp.example lab.example"
              onChange={(_, v) => edit({ kind: 'setSearch', domains: v.split(/\s+/).filter(Boolean) })}
            />
            <FormHelperText>
              <HelperText>
                <HelperTextItem>Space-separated, tried in order for names with fewer than ndots dots.</HelperTextItem>
              </HelperText>
            </FormHelperText>
          </FormGroup>
          <FormGroup label="Options" role="group" fieldId="dns-opt-ndots-input">
            <div className="hd-dns-numbers">
              {(['ndots', 'timeout', 'attempts'] as const).map((k) => (
                <div key={k} className="hd-dns-number">
                  <label htmlFor={`dns-opt-${k}-input`}>{k}</label>
                  <TextInput
                    id={`dns-opt-${k}-input`}
                    aria-label={k}
                    type="number"
                    data-testid={`dns-opt-${k}`}
                    value={String(g[k])}
                    onChange={(_, v) => v !== '' && Number.isInteger(Number(v)) && edit({ kind: 'setOption', name: k, value: Number(v) })}
                  />
                  <span className="hd-dns-subtle">{NUMBER_HELP[k]}</span>
                </div>
              ))}
            </div>
            <div className="hd-dns-flags">
              {FLAG_OPTIONS.map((f) => (
                <Checkbox
                  key={f}
                  id={`dns-flag-${f}`}
                  label={<code>{f}</code>}
                  description={FLAG_HELP[f]}
                  isChecked={g.flags[f]}
                  onChange={(_, c) => edit({ kind: 'setOption', name: f, value: c })}
                />
              ))}
            </div>
          </FormGroup>
        </Form>
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
      <Alert isInline variant="info" title={`There is no resolv.conf at ${file.value.path}`} data-testid="dns-owner" data-kind={o.kind}>
        Without the file, glibc and musl ask a resolver on this machine (127.0.0.1), which only works if one runs here. Add a nameserver below (or type the file on
        the right), then Review and save creates it.
      </Alert>
    );
  }
  if (!o.managed) {
    return (
      <Alert isInline isPlain variant="success" title={`Owner: ${o.name}. Editing this file is the right place for changes.`} data-testid="dns-owner" data-kind={o.kind}>
        {o.evidence.join('; ')}
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
        <div data-testid="dns-resolved-absent" className="hd-dns-absent">
          <p>
            <strong>systemd-resolved is not running here.</strong> Programs read resolv.conf directly, so the file above is the whole story.{' '}
            <Button variant="link" isInline onClick={() => void loadResolved()}>
              Check again
            </Button>
          </p>
          {r.reason && <p className="hd-dns-subtle">Details: {r.reason}</p>}
        </div>
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
    <Card data-testid="dns-resolved" isCompact>
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
      <ModalHeader title={file.value.exists ? `Review changes to ${file.value.path}` : `Create ${file.value.path}`} labelId="dns-review-title" description={`${changed} line(s) differ from the file on disk (${encoding}).`} />
      <ModalBody>
        <div className="hd-dns-diff" data-testid="dns-diff">
          {diff.map((l, i) => (
            <div key={i} className={`hd-dns-diff-line hd-dns-diff-${l.kind}`} data-kind={l.kind}>
              <span className="hd-dns-line-no">{l.oldLine ?? ''}</span>
              <span className="hd-dns-line-no">{l.newLine ?? ''}</span>
              <span className="hd-dns-diff-mark">{l.kind === 'add' ? '+' : l.kind === 'del' ? '−' : ' '}</span>
              <LineText text={l.text} />
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

/** The ordered queries with the reason for each: what someone debugging "why is DNS slow" reads first. */
function PlanSteps({ plan, testId }: { plan: DnsPlan; testId: string }) {
  const perName = plan.types.length;
  if (plan.steps.length === 0) {
    return (
      <Alert isInline variant="danger" title="No query is sent at all: every lookup fails at once" data-testid={testId}>
        {plan.stop ?? plan.advice[0] ?? 'The resolver settings stop the lookup before any packet leaves.'}
      </Alert>
    );
  }
  return (
    <div data-testid={testId}>
      <p className="hd-dns-plan-summary">
        Looking up <code>{plan.input}</code> with {plan.libc}: <strong>{plan.queries.length}</strong> name{plan.queries.length === 1 ? '' : 's'} × {plan.types.join(' + ')} ={' '}
        <strong data-testid={`${testId}-packets`}>{plan.packets}</strong> packet{plan.packets === 1 ? '' : 's'} when no name exists, before the timeouts and retries of each
        server.
      </p>
      <Table aria-label="Queries in order" variant="compact" className="hd-dns-plan-table">
        <Thead>
          <Tr>
            <Th width={10}>#</Th>
            <Th width={40}>Name sent</Th>
            <Th>Why</Th>
            <Th width={10}>Packets</Th>
          </Tr>
        </Thead>
        <Tbody>
          {plan.steps.map((st, i) => (
            <Tr key={i} data-kind={st.kind}>
              <Td dataLabel="#">{i + 1}</Td>
              <Td dataLabel="Name sent">
                <code className="hd-dns-break">{st.name}</code>
              </Td>
              <Td dataLabel="Why">{st.reason}</Td>
              <Td dataLabel="Packets">{perName}</Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
      {plan.stop && <p className="hd-dns-subtle">Stops here: {plan.stop}.</p>}
      {plan.advice.length > 0 && (
        <Alert isInline variant="info" title={plan.queries.length > 1 ? 'How to send fewer queries' : 'Advice'} className="hd-dns-gap-top" data-testid={`${testId}-advice`}>
          <List>
            {plan.advice.map((a, i) => (
              <ListItem key={i}>{a}</ListItem>
            ))}
          </List>
        </Alert>
      )}
    </div>
  );
}

/** A read-only code block with a copy button. */
function Snippet({ text, testId, label }: { text: string; testId: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <CodeBlock
      data-testid={testId}
      actions={
        <CodeBlockAction>
          <ClipboardCopyButton
            id={`${testId}-copy`}
            textId={`${testId}-text`}
            aria-label={label}
            onClick={() => void navigator.clipboard?.writeText(text).then(() => setCopied(true), () => setCopied(false))}
            exitDelay={copied ? 1500 : 600}
            variant="plain"
            onTooltipHidden={() => setCopied(false)}
          >
            {copied ? 'Copied' : 'Copy'}
          </ClipboardCopyButton>
        </CodeBlockAction>
      }
    >
      <CodeBlockCode id={`${testId}-text`}>{text}</CodeBlockCode>
    </CodeBlock>
  );
}

type Policy = 'ClusterFirst' | 'ClusterFirstWithHostNet' | 'Default' | 'None';
const POLICY_HELP: Record<Policy, string> = {
  ClusterFirst: 'cluster DNS first, with the namespace search list (the default)',
  ClusterFirstWithHostNet: 'like ClusterFirst, for hostNetwork pods',
  Default: "the node's resolv.conf (the file on the left), as the kubelet passes it",
  None: 'only what dnsConfig says',
};

const words = (v: string) => v.split(/[\s,]+/).filter(Boolean);

function PlanPanel() {
  const { plan, runPlan, libc, setLibc, pod, runPod } = useDnsStore();
  const [name, setName] = useState('api.example.com');
  const [mode, setMode] = useState<'host' | 'pod'>('host');
  const [podForm, setPodForm] = useState({
    policy: 'ClusterFirst' as Policy,
    namespace: 'default',
    clusterDomain: 'cluster.local',
    clusterDns: '10.96.0.10',
    hostNetwork: false,
    nameservers: '',
    searches: '',
    options: '',
  });
  const run = () => {
    if (!name.trim()) return;
    if (mode === 'host') void runPlan(name.trim());
    else {
      const options = words(podForm.options).map((o) => {
        const i = o.indexOf(':');
        return i < 0 ? { name: o } : { name: o.slice(0, i), value: o.slice(i + 1) };
      });
      const dnsConfig =
        podForm.nameservers || podForm.searches || podForm.options
          ? { nameservers: words(podForm.nameservers), searches: words(podForm.searches), options }
          : undefined;
      void runPod({ policy: podForm.policy, namespace: podForm.namespace, clusterDomain: podForm.clusterDomain, clusterDns: podForm.clusterDns, hostNetwork: podForm.hostNetwork, dnsConfig, name: name.trim() });
    }
  };
  const set = (p: Partial<typeof podForm>) => setPodForm({ ...podForm, ...p });
  const result = mode === 'host' ? plan : pod;
  return (
    <Card data-testid="dns-plan" isCompact>
      <CardTitle>Query plan: what the resolver sends for a name</CardTitle>
      <CardBody>
        <Form onSubmit={(e) => { e.preventDefault(); run(); }}>
          <div className="hd-dns-plan-form">
            <FormGroup label="Name to look up" fieldId="dns-plan-name-input" className="hd-dns-grow">
              <TextInput id="dns-plan-name-input" value={name} onChange={(_, v) => setName(v)} data-testid="dns-plan-name" placeholder="api.example.com" />
            </FormGroup>
            <FormGroup label="C library" fieldId="dns-plan-libc">
              <FormSelect id="dns-plan-libc" aria-label="C library" value={libc} onChange={(_, v) => setLibc(v as 'glibc' | 'musl')}>
                <FormSelectOption value="glibc" label="glibc (Debian, Ubuntu, RHEL)" />
                <FormSelectOption value="musl" label="musl (Alpine)" />
              </FormSelect>
            </FormGroup>
            <FormGroup label="Where" fieldId="dns-plan-where" role="group">
              <ToggleGroup aria-label="Where the lookup runs" id="dns-plan-where">
                <ToggleGroupItem text="On this host" buttonId="dns-mode-host" isSelected={mode === 'host'} onChange={() => setMode('host')} />
                <ToggleGroupItem text="In a Kubernetes pod" buttonId="dns-mode-pod" isSelected={mode === 'pod'} onChange={() => setMode('pod')} data-testid="dns-mode-pod" />
              </ToggleGroup>
            </FormGroup>
          </div>
          {mode === 'pod' && (
            <div className="hd-dns-pod-form" data-testid="dns-pod-form">
              <FormGroup label="dnsPolicy" fieldId="dns-pod-policy">
                <FormSelect id="dns-pod-policy" value={podForm.policy} onChange={(_, v) => set({ policy: v as Policy })}>
                  {(Object.keys(POLICY_HELP) as Policy[]).map((p) => (
                    <FormSelectOption key={p} value={p} label={p} />
                  ))}
                </FormSelect>
                <FormHelperText>
                  <HelperText>
                    <HelperTextItem>{POLICY_HELP[podForm.policy]}</HelperTextItem>
                  </HelperText>
                </FormHelperText>
              </FormGroup>
              <FormGroup label="Namespace" fieldId="dns-pod-ns">
                <TextInput id="dns-pod-ns" value={podForm.namespace} onChange={(_, v) => set({ namespace: v })} />
              </FormGroup>
              <FormGroup label="Cluster domain" fieldId="dns-pod-domain">
                <TextInput id="dns-pod-domain" value={podForm.clusterDomain} onChange={(_, v) => set({ clusterDomain: v })} />
              </FormGroup>
              <FormGroup label="Cluster DNS IP" fieldId="dns-pod-dns">
                <TextInput id="dns-pod-dns" value={podForm.clusterDns} onChange={(_, v) => set({ clusterDns: v })} />
              </FormGroup>
              <FormGroup label="dnsConfig nameservers" fieldId="dns-pod-cfg-ns">
                <TextInput id="dns-pod-cfg-ns" value={podForm.nameservers} placeholder="optional" onChange={(_, v) => set({ nameservers: v })} />
              </FormGroup>
              <FormGroup label="dnsConfig searches" fieldId="dns-pod-cfg-search">
                <TextInput id="dns-pod-cfg-search" value={podForm.searches} placeholder="optional" onChange={(_, v) => set({ searches: v })} />
              </FormGroup>
              <FormGroup label="dnsConfig options" fieldId="dns-pod-cfg-opts">
                <TextInput id="dns-pod-cfg-opts" value={podForm.options} placeholder="e.g. ndots:2 single-request-reopen" onChange={(_, v) => set({ options: v })} data-testid="dns-pod-options" />
              </FormGroup>
              <FormGroup fieldId="dns-pod-hostnet" label="Host network">
                <Switch id="dns-pod-hostnet" label="hostNetwork: true" isChecked={podForm.hostNetwork} onChange={(_, v) => set({ hostNetwork: v })} />
              </FormGroup>
            </div>
          )}
          <div className="hd-dns-actions">
            {mode === 'host' ? (
              <Button type="submit" data-testid="dns-plan-run" isDisabled={!name.trim()}>
                Show the queries on this host
              </Button>
            ) : (
              <Button type="submit" data-testid="dns-pod-run" isDisabled={!name.trim()}>
                Build the pod&apos;s resolv.conf and queries
              </Button>
            )}
          </div>
        </Form>
        <div className="hd-dns-gap-top">
          {result.state === 'loading' && <Skeleton height="120px" screenreaderText="Planning the lookup" />}
          {result.state === 'error' && <Alert isInline variant="danger" title={`Cannot plan this lookup (${result.code})`}>{result.message}</Alert>}
          {mode === 'host' && plan.state === 'ready' && <PlanSteps plan={plan.value} testId="dns-plan-result" />}
          {mode === 'pod' && pod.state === 'ready' && (
            <div data-testid="dns-pod-result" className="hd-dns-stack">
              {[...pod.value.validation.map((m) => ({ reason: 'Invalid', message: m })), ...pod.value.events].map((e, i) => (
                <Alert key={i} isInline variant="warning" title={`${e.reason}: ${e.message}`} />
              ))}
              {pod.value.optionsOrderUnstable && <Alert isInline isPlain variant="info" title="The order of options in this pod's resolv.conf can differ between kubelet versions." />}
              <div className="hd-dns-pod-grid">
                <div>
                  <Title headingLevel="h4">The pod&apos;s /etc/resolv.conf</Title>
                  <Snippet text={pod.value.resolvConf} testId="dns-pod-resolv" label="Copy the pod's resolv.conf" />
                  {pod.value.warnings.map((w, i) => (
                    <Alert key={i} isInline isPlain variant={severityVariant[w.severity]} title={w.line ? `Line ${w.line}: ${w.message}` : w.message} />
                  ))}
                </div>
                <div>
                  <Title headingLevel="h4">Pod spec snippet</Title>
                  <Snippet text={pod.value.yaml} testId="dns-pod-yaml" label="Copy the pod spec snippet" />
                </div>
              </div>
              {pod.value.plans.map((p, i) => (
                <PlanSteps key={i} plan={p} testId={`dns-pod-plan-${i}`} />
              ))}
            </div>
          )}
        </div>
      </CardBody>
    </Card>
  );
}

function LivePanel() {
  const { live, runLive } = useDnsStore();
  const [name, setName] = useState('.');
  const run = () => name.trim() && void runLive(name.trim());
  return (
    <Card data-testid="dns-live" isCompact>
      <CardTitle>Live check: ask each nameserver now</CardTitle>
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
        {live.state === 'error' && <Alert isInline variant="danger" title={`Cannot run the check (${live.code})`}>{live.message}</Alert>}
        {live.state === 'ready' &&
          (live.value.length === 0 ? (
            <Alert isInline variant="warning" title="No nameserver to ask: the file has none, so programs use 127.0.0.1." />
          ) : (
            <Table aria-label="Live check results" variant="compact" data-testid="dns-live-result">
              <Thead>
                <Tr>
                  <Th>Server</Th>
                  <Th>Result</Th>
                  <Th>Time</Th>
                  <Th>Answers</Th>
                </Tr>
              </Thead>
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
        <EmptyState titleText="Cannot read resolv.conf" headingLevel="h2" status="danger" data-testid="dns-read-error">
          <EmptyStateBody>
            {file.message} [{file.code}]
          </EmptyStateBody>
          <EmptyStateFooter>
            <EmptyStateActions>
              <Button onClick={() => void load(hostId)}>Try again</Button>
            </EmptyStateActions>
          </EmptyStateFooter>
        </EmptyState>
      </PageSection>
    );
  }
  const diags = analysis?.diagnostics ?? [];
  const count = (sev: Diagnostic['severity']) => diags.filter((d) => d.severity === sev).length;
  return (
    <PageSection data-testid="dns-page">
      <div className="hd-dns-page">
      <div className="hd-dns-header">
        <div>
          <Title headingLevel="h1">DNS resolver</Title>
          <div className="hd-dns-path">
            <code data-testid="dns-path">{file.value.path}</code>
            {!file.value.exists && (
              <Label isCompact color="orange">
                does not exist yet
              </Label>
            )}
            {dirty && (
              <Label isCompact color="blue" data-testid="dns-dirty">
                unsaved changes
              </Label>
            )}
            {count('error') > 0 && (
              <Label isCompact color="red">
                {count('error')} error{count('error') === 1 ? '' : 's'}
              </Label>
            )}
            {count('warning') > 0 && (
              <Label isCompact color="orange">
                {count('warning')} warning{count('warning') === 1 ? '' : 's'}
              </Label>
            )}
          </div>
        </div>
        <div className="hd-dns-header-actions">
          {!file.value.writable && <span className="hd-dns-subtle">Read-only: saving needs HostDeck running as root</span>}
          <Button variant="link" isDisabled={!dirty} onClick={() => setText(file.value.text)}>
            Revert
          </Button>
          <Button variant="primary" isDisabled={!dirty || !file.value.writable} onClick={openReview} data-testid="dns-save">
            {file.value.exists ? 'Review and save' : 'Review and create'}
          </Button>
        </div>
      </div>
      {save.state === 'error' && <Alert isInline variant="danger" title={`${save.message} [${save.code}]`} data-testid="dns-save-error" />}
      {save.state === 'ready' && !dirty && <Alert isInline variant="success" title={`Saved ${save.value.path}`} data-testid="dns-saved" />}
      <OwnerPanel />
      <div className="hd-dns-grid">
        <StructuredForm />
        <Card isCompact>
          <CardTitle>resolv.conf text, with each warning under its line</CardTitle>
          <CardBody>
            <TextArea
              aria-label="resolv.conf text"
              className="hd-dns-raw"
              value={text}
              onChange={(_, v) => setText(v)}
              data-testid="dns-raw"
              resizeOrientation="vertical"
              placeholder={'nameserver 192.0.2.53\nsearch corp.example\noptions ndots:1'}
            />
            {text ? (
              <AnnotatedLines text={text} warnings={diags} />
            ) : (
              <p className="hd-dns-subtle hd-dns-gap-top" data-testid="dns-lines-empty">
                The file is empty: glibc and musl use 127.0.0.1 and the host name&apos;s domain.
              </p>
            )}
          </CardBody>
        </Card>
      </div>
      <PlanPanel />
      <LivePanel />
      <ResolvedPanel />
      </div>
      <ReviewModal />
    </PageSection>
  );
}
