import { useEffect, useId, useRef, useState } from 'react';
import {
  ActionGroup,
  Alert,
  Button,
  ExpandableSection,
  Form,
  FormGroup,
  FormSelect,
  FormSelectOption,
  Grid,
  GridItem,
  Label,
  TextInput,
  Title,
} from '@patternfly/react-core';
import type { OpOutput } from '../../../../shared/api/contract';
import type { Flow, Step } from '../../../../shared/firewall/explain/flow';
import type { FullState, Layer } from '../../../../shared/firewall/model';
import { useHostApi, usePageHost } from '../../app/host-store';
import { WriteButton, useCapabilities } from '../../app/capabilities';
import { fixTarget, stageFix } from '../explain-draft';
import { useExplainRequest } from '../explain-request';
import { EMPTY, fieldsOf, flowOf, PORT_PROTOCOLS, type Fields } from '../explain-fields';
import { draftKey, useFirewallStore } from '../store';

type Explained = OpOutput<'firewall', 'explain'>;
type Fix = Explained['fixes'][number];

/** People's words first, firewalld's name beside them. */
const VERDICT_WORDS: Record<Explained['verdict'], { title: string; color: 'green' | 'red' | 'orange' | 'blue' }> = {
  accept: { title: 'Passes', color: 'green' },
  reject: { title: 'Blocked: refused', color: 'red' },
  drop: { title: 'Blocked: silently dropped', color: 'orange' },
  depends: { title: 'It depends', color: 'blue' },
};
const OUTCOME_WORDS: Record<Step['outcome'], string> = {
  accept: 'accepts',
  reject: 'rejects',
  drop: 'drops',
  continue: 'goes on',
  'no-match': 'does not match',
  maybe: 'may match',
};

/** "Trace it for real": firewall.trace (issue #15 part 2) with the same input as firewall.explain. */
type TraceAnswer = OpOutput<'firewall', 'trace'>;

/** A port field: empty (unknown) or 0-65535. */
function portProblem(text: string): string | undefined {
  const t = text.trim();
  if (!t) return undefined;
  return /^\d{1,5}$/.test(t) && Number(t) <= 65535 ? undefined : `"${t}" is not a port number (0-65535)`;
}

/** The "Will this connection pass?" panel: a flow in, firewalld's answer out, and its fixes staged as pending changes. */
export function ExplainPanel({ full }: { full: FullState }) {
  const hostId = usePageHost();
  const api = useHostApi();
  const caps = useCapabilities();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [f, setF] = useState<Fields>(EMPTY);
  const [asked, setAsked] = useState<{ flow: Flow; layer: Layer }>();
  const [answer, setAnswer] = useState<Explained>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [staged, setStaged] = useState<Set<number>>(new Set());
  const [interfaces, setInterfaces] = useState<string[]>([]);
  const [trace, setTrace] = useState<{ state: 'running' } | { state: 'done'; value: TraceAnswer } | { state: 'error'; message: string }>();
  const [from, setFrom] = useState<string>();
  const result = useRef<HTMLDivElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  // The host's own interfaces when it has them (a live host, an SSH host); else names are typed.
  const listed = caps?.interfaces === true;
  useEffect(() => {
    if (!listed || !open) return;
    let live = true;
    api.firewall.interfaces({}).then((r) => live && setInterfaces(r.interfaces), () => live && setInterfaces([]));
    return () => {
      live = false;
    };
  }, [api, listed, open]);

  const ask = async (q: { flow: Flow; layer: Layer }, focus: boolean) => {
    setBusy(true);
    try {
      // The page shows the files (offline): explain answers from them too.
      const r = await api.firewall.explain({ ...q, offline: full.offline ? true : undefined });
      setAnswer(r);
      setError(undefined);
      if (focus) result.current?.focus();
    } catch (e) {
      setAnswer(undefined);
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  // The firewall changed (a fix applied, another tool): the answer shown is asked again.
  useEffect(() => {
    if (asked) void ask(asked, false);
  }, [full.revision]);

  // "Explain" elsewhere on the page (the denied-packet feed): open, fill the form, ask. Only
  // requests made while the panel is mounted: coming back to the page does not ask again.
  const request = useExplainRequest((s) => s.request);
  const handled = useRef(request?.seq);
  useEffect(() => {
    if (!request || request.seq === handled.current) return;
    handled.current = request.seq;
    // What a log line says is what the kernel did now: the runtime configuration.
    const q = { flow: request.flow, layer: 'runtime' as const };
    setOpen(true);
    setF(fieldsOf(request.flow, q.layer));
    setFrom(request.from);
    setAsked(q);
    setStaged(new Set());
    setTrace(undefined);
    panel.current?.scrollIntoView({ block: 'start' });
    void ask(q, true);
  }, [request?.seq]);

  const problems = { dport: portProblem(f.dport), sport: portProblem(f.sport) };
  const bad = Object.values(problems).some(Boolean);
  const submit = (e?: React.FormEvent) => {
    e?.preventDefault();
    if (bad) return;
    const q = { flow: flowOf(f), layer: f.layer };
    setAsked(q);
    setFrom(undefined);
    setStaged(new Set());
    setTrace(undefined);
    void ask(q, true);
  };
  const set = <K extends keyof Fields>(k: K) => (_e: unknown, v: string) => setF((x) => ({ ...x, [k]: v as Fields[K] }));

  const addFix = (fix: Fix, i: number) => {
    const t = fixTarget(fix.change);
    if (!t) return;
    const s = useFirewallStore.of(hostId).getState();
    s.setDraft(draftKey(hostId, t.kind, t.name), (d) => stageFix(d, fix.change));
    s.select(t.kind, t.name);
    s.setTab(t.kind === 'zone' ? 'zones' : 'policies');
    s.notify({ variant: 'info', title: `Added to the pending changes of ${t.kind} ${t.name}`, detail: `${fix.summary}. Nothing is applied yet: review it in the pending changes bar and apply it (Safe apply reverts by itself unless you confirm).` });
    setStaged((x) => new Set(x).add(i));
  };

  const runTrace = async () => {
    if (!asked) return;
    setTrace({ state: 'running' });
    try {
      setTrace({ state: 'done', value: await api.firewall.trace(asked) });
    } catch (e) {
      setTrace({ state: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  };

  const isPortProto = f.protocol !== '' && PORT_PROTOCOLS.has(f.protocol);
  const isIcmp = f.protocol === 'icmp' || f.protocol === 'icmpv6';
  // Interfaces the zones name, even where the host's own cannot be listed (an image, a snapshot).
  const bound = [...new Set(Object.values(full[f.layer].zones).flatMap((z) => z.interfaces))].sort();
  // ...and the one a request named (a log line's interface), so the form shows what was asked.
  const choices = [...new Set([...interfaces, ...bound, ...[f.iface, f.outIface].filter(Boolean)])].sort();
  const ifaceField = (k: 'iface' | 'outIface', label: string, help: string) => (
    <FormGroup label={label} fieldId={`${id}-${k}`}>
      {listed && choices.length ? (
        <FormSelect id={`${id}-${k}`} data-testid={`fw-explain-${k}`} value={f[k]} onChange={set(k)} aria-describedby={`${id}-${k}-help`}>
          <FormSelectOption value="" label="unknown (any interface)" />
          {choices.map((n) => <FormSelectOption key={n} value={n} label={bound.includes(n) && !interfaces.includes(n) ? `${n} (bound to a zone, not on the host now)` : n} />)}
        </FormSelect>
      ) : (
        <TextInput id={`${id}-${k}`} data-testid={`fw-explain-${k}`} value={f[k]} onChange={set(k)} placeholder="unknown (any interface)" list={`${id}-bound`} aria-describedby={`${id}-${k}-help`} />
      )}
      <div id={`${id}-${k}-help`} className="hd-fw-none">{help}</div>
    </FormGroup>
  );

  return (
    <div ref={panel}>
    <ExpandableSection toggleText="Will this connection pass?" isExpanded={open} onToggle={(_e, v) => setOpen(v)} data-testid="fw-explain" className="hd-fw-explain">
      {from && <p className="hd-fw-none" data-testid="fw-explain-from">Asked from {from}: the packet as the kernel logged it; unlogged fields stay unknown.</p>}
      <Form onSubmit={submit} aria-label="Describe the connection" data-testid="fw-explain-form">
        <Grid hasGutter md={4}>
          <GridItem>
            <FormGroup label="Source address" fieldId={`${id}-src`}>
              <TextInput id={`${id}-src`} data-testid="fw-explain-src" value={f.src} onChange={set('src')} placeholder="unknown (any source)" />
            </FormGroup>
          </GridItem>
          <GridItem>
            <FormGroup label="Destination address" fieldId={`${id}-dst`}>
              <TextInput id={`${id}-dst`} data-testid="fw-explain-dst" value={f.dst} onChange={set('dst')} placeholder="this host" />
            </FormGroup>
          </GridItem>
          <GridItem>
            <FormGroup label="Protocol" fieldId={`${id}-protocol`}>
              <FormSelect id={`${id}-protocol`} data-testid="fw-explain-protocol" value={f.protocol} onChange={set('protocol')}>
                <FormSelectOption value="" label="unknown" />
                {(['tcp', 'udp', 'sctp', 'dccp', 'icmp', 'icmpv6'] as const).map((p) => <FormSelectOption key={p} value={p} label={p === 'icmpv6' ? 'ICMPv6' : p.toUpperCase()} />)}
              </FormSelect>
            </FormGroup>
          </GridItem>
          {isPortProto && (
            <>
              <GridItem>
                <FormGroup label="Destination port" fieldId={`${id}-dport`}>
                  <TextInput id={`${id}-dport`} data-testid="fw-explain-dport" inputMode="numeric" value={f.dport} onChange={set('dport')} placeholder="unknown" validated={problems.dport ? 'error' : 'default'} aria-invalid={!!problems.dport} aria-describedby={problems.dport ? `${id}-dport-err` : undefined} />
                  {problems.dport && <div id={`${id}-dport-err`} className="hd-fw-error">{problems.dport}</div>}
                </FormGroup>
              </GridItem>
              <GridItem>
                <FormGroup label="Source port" fieldId={`${id}-sport`}>
                  <TextInput id={`${id}-sport`} data-testid="fw-explain-sport" inputMode="numeric" value={f.sport} onChange={set('sport')} placeholder="unknown" validated={problems.sport ? 'error' : 'default'} aria-invalid={!!problems.sport} aria-describedby={problems.sport ? `${id}-sport-err` : undefined} />
                  {problems.sport && <div id={`${id}-sport-err`} className="hd-fw-error">{problems.sport}</div>}
                </FormGroup>
              </GridItem>
            </>
          )}
          {isIcmp && (
            <GridItem>
              <FormGroup label="ICMP type" fieldId={`${id}-icmp`}>
                <TextInput id={`${id}-icmp`} data-testid="fw-explain-icmp-type" value={f.icmpType} onChange={set('icmpType')} list="hd-fw-icmptypes" placeholder="echo-request" />
              </FormGroup>
            </GridItem>
          )}
          <GridItem>{ifaceField('iface', 'Arrives on interface', listed ? "The host's interfaces." : 'This host has no interfaces of its own to list: type a name.')}</GridItem>
          <GridItem>{ifaceField('outIface', 'Leaves by interface (forwarded)', 'Empty: the connection is to this host itself.')}</GridItem>
          <GridItem>
            <FormGroup label="Configuration" fieldId={`${id}-layer`}>
              <FormSelect id={`${id}-layer`} data-testid="fw-explain-layer" value={f.layer} onChange={set('layer')}>
                <FormSelectOption value="runtime" label="Runtime (what firewalld does now)" />
                <FormSelectOption value="permanent" label="Permanent (after a reload or reboot)" />
              </FormSelect>
            </FormGroup>
          </GridItem>
        </Grid>
        <datalist id={`${id}-bound`}>{bound.map((n) => <option key={n} value={n} />)}</datalist>
        <ActionGroup>
          <Button type="submit" variant="primary" data-testid="fw-explain-run" isDisabled={bad || busy} isLoading={busy}>Explain</Button>
          {/* A trace sends a packet through the running ruleset: none offline. */}
          {caps?.firewall === 'live' && !full.offline && (
            <Button variant="secondary" data-testid="fw-explain-trace" isDisabled={!asked || trace?.state === 'running'} isLoading={trace?.state === 'running'} onClick={() => void runTrace()}>
              Trace it for real
            </Button>
          )}
        </ActionGroup>
      </Form>
      <div ref={result} tabIndex={-1} aria-live="polite" className="hd-fw-explain-result" data-testid="fw-explain-result">
        {error && <Alert isInline variant="danger" title="Cannot explain this connection" data-testid="fw-explain-error">{error}</Alert>}
        {answer && <Answer answer={answer} staged={staged} onFix={addFix} />}
        {answer && trace && <TraceResult trace={trace} predicted={answer.verdict} />}
      </div>
    </ExpandableSection>
    </div>
  );
}

const stepLine = (s: Step) => (
  <>
    {s.words} <code className="hd-fw-mono">{s.firewalld}</code> <span className="hd-fw-none">[{s.chain}]</span>
  </>
);

function Answer({ answer: a, staged, onFix }: { answer: Explained; staged: Set<number>; onFix(f: Fix, i: number): void }) {
  const v = VERDICT_WORDS[a.verdict];
  // "Depends" whose every case passes needs no fix.
  const blocked = a.verdict === 'reject' || a.verdict === 'drop' || (a.verdict === 'depends' && (a.cases.some((c) => c.verdict !== 'accept') || !a.cases.length));
  const fwName = a.verdict === 'depends' ? 'depends' : `${a.verdict}${a.rejectWith ? ` (${a.rejectWith})` : ''}`;
  return (
    <div className="hd-fw-explain-answer" data-testid="fw-explain-answer" data-verdict={a.verdict}>
      <Title headingLevel="h3" size="lg">
        <Label color={v.color} data-testid="fw-explain-verdict">{v.title}</Label> <code className="hd-fw-mono">{fwName}</code>
        <span className="hd-fw-none"> · {a.layer} configuration{a.direction === 'forward' ? ' · forwarded' : ''}</span>
      </Title>
      {a.verdict !== 'depends' && <p>The client sees {a.clientSees}.</p>}
      <p data-testid="fw-explain-decided">
        <strong>Decided by:</strong> {stepLine(a.decidedBy)}
        {a.decidedBy.richRule && <> (priority {a.decidedBy.richRule.priority})</>}
      </p>
      {a.zone && <p data-testid="fw-explain-zone"><strong>Zone {a.zone.name}</strong> (chosen by {a.zone.by}): {a.zone.why}</p>}
      {(a.cases.length > 0 || a.alternatives.length > 0) && (
        <div data-testid="fw-explain-depends">
          <strong>It depends on what is not given:</strong>
          <ul>
            {a.cases.map((c, i) => <li key={`c${i}`}>If {c.when}: <strong>{VERDICT_WORDS[c.verdict].title}</strong> <code className="hd-fw-mono">{c.verdict}</code>, {c.decidedBy.words}</li>)}
            {a.alternatives.map((x, i) => <li key={`a${i}`}>But {x.when}: <strong>{VERDICT_WORDS[x.verdict].title}</strong> <code className="hd-fw-mono">{x.verdict}</code>, {x.decidedBy.words}</li>)}
          </ul>
        </div>
      )}
      <ExpandableSection toggleText={`The path, in firewalld's order (${a.path.length} step${a.path.length === 1 ? '' : 's'})`} isIndented data-testid="fw-explain-path-toggle">
        <ol className="hd-fw-explain-path" data-testid="fw-explain-path">
          {a.path.map((s, i) => (
            <li key={i} data-outcome={s.outcome}>
              <span className="hd-fw-explain-outcome">{OUTCOME_WORDS[s.outcome]}</span> {stepLine(s)}
              {s.dependsOn && <span className="hd-fw-none"> (depends on {s.dependsOn})</span>}
            </li>
          ))}
        </ol>
      </ExpandableSection>
      {a.logPrefix && <p className="hd-fw-none">Logged as <code className="hd-fw-mono">{a.logPrefix}</code></p>}
      {a.assumptions.length > 0 && <p className="hd-fw-none">Assumes {a.assumptions.join('; ')}.</p>}
      {blocked && (
        <div data-testid="fw-explain-fixes">
          <Title headingLevel="h4" size="md">To let exactly this in</Title>
          {a.fixes.length === 0 ? (
            <p className="hd-fw-none">No single change lets it in for every case{a.verdict === 'depends' ? ': give the unknown fields first' : ''}.</p>
          ) : (
            <ul className="hd-fw-explain-fixes">
              {a.fixes.map((fix, i) => (
                <li key={i} data-testid="fw-explain-fix" data-fix={fix.summary}>
                  {fix.summary} <span className="hd-fw-none">({fix.scope})</span>{' '}
                  {staged.has(i) ? (
                    <Label color="blue" isCompact>pending</Label>
                  ) : (
                    <WriteButton variant="link" isInline onClick={() => onFix(fix, i)} aria-label={`Add to pending changes: ${fix.summary}`}>Add to pending changes</WriteButton>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

function TraceResult({ trace, predicted }: { trace: { state: 'running' } | { state: 'done'; value: TraceAnswer } | { state: 'error'; message: string }; predicted: Explained['verdict'] }) {
  if (trace.state === 'running') return <p className="hd-fw-none">Sending one real packet through a copy of the host's rules…</p>;
  if (trace.state === 'error') return <Alert isInline variant="danger" title="The trace failed" data-testid="fw-explain-trace-result">{trace.message}</Alert>;
  const t = trace.value;
  // The trace compares the kernel, the client and the prediction itself (agreement, disagreement).
  const title = t.agreement ? `The kernel agrees: ${t.verdict}` : `The kernel disagrees: it says ${t.verdict}, the prediction ${predicted}`;
  return (
    <Alert isInline variant={t.agreement ? 'info' : 'danger'} title={title} data-testid="fw-explain-trace-result" data-agrees={t.agreement} data-verdict={t.verdict}>
      {t.disagreement && <p>{t.disagreement}</p>}
      <p>The client saw: {t.client.outcome} ({t.client.detail})</p>
      {t.kernelPath.length ? (
        <ol className="hd-fw-mono">
          {t.kernelPath.map((s, i) => <li key={i}>{[`${s.family} ${s.table}`, s.chain, s.rule ?? s.kind, s.verdict].join(' · ')}</li>)}
        </ol>
      ) : null}
      {t.notLoaded.length ? <p>Not traced (could not be loaded into the copy): {t.notLoaded.map((n) => `${n.table}: ${n.error}`).join('; ')}</p> : null}
      {t.notes.length ? <ul>{t.notes.map((n, i) => <li key={i}>{n}</li>)}</ul> : null}
    </Alert>
  );
}
