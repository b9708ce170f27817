import { useMemo, useState } from 'react';
import {
  Button,
  Checkbox,
  ExpandableSection,
  FormSelect,
  FormSelectOption,
  HelperText,
  HelperTextItem,
  TextArea,
  TextInput,
} from '@patternfly/react-core';
import { LOG_LEVELS, REJECT_TYPES } from '../../../../shared/firewall/data/firewalld-constants';
import {
  checkRichRuleIn,
  describeRichRule,
  parseRichRule,
  printRichRule,
  RICH_ELEMENT_TYPES,
  type RichAction,
  type RichElement,
  type RichLog,
  type RichRule,
  type RichRuleContext,
} from '../../../../shared/firewall/rich-rule';
import { WriteButton } from '../../app/capabilities';

const EMPTY: RichRule = { priority: 0, element: { type: 'service', name: 'ssh' }, action: { type: 'accept' } };

function blankElement(type: RichElement['type']): RichElement {
  switch (type) {
    case 'service': return { type, name: '' };
    case 'port':
    case 'source-port': return { type, port: '', protocol: 'tcp' };
    case 'protocol': return { type, value: '' };
    case 'icmp-block':
    case 'icmp-type': return { type, name: '' };
    case 'masquerade': return { type };
    case 'forward-port': return { type, port: '', protocol: 'tcp', toPort: '' };
    case 'tcp-mss-clamp': return { type };
  }
}

function blankAction(type: RichAction['type'], limit?: string): RichAction {
  if (type === 'mark') return { type, set: '', ...(limit ? { limit } : {}) };
  return { type, ...(limit ? { limit } : {}) } as RichAction;
}

/** A typed priority as a number: empty means none (0); undefined while it is not a whole number yet ("-"). */
function priorityOf(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return 0;
  if (!/^[+-]?\d+$/.test(t)) return undefined;
  const n = Number(t);
  return n === 0 ? 0 : n; // no -0
}

interface Props {
  /** Text to start from (editing an existing rule). */
  initial?: string;
  context: RichRuleContext;
  submitLabel: string;
  onSubmit(text: string): void;
  onCancel?(): void;
  testIdPrefix?: string;
}

/**
 * A rich rule as text and as a form, kept in sync: typing parses with firewalld's grammar (errors
 * point at the offending text), the form prints exactly what firewalld will store.
 */
export function RichRuleEditor({ initial, context, submitLabel, onSubmit, onCancel, testIdPrefix = 'fw-rich-rule' }: Props) {
  const [text, setText] = useState(initial ?? printRichRule(EMPTY));
  const [formOpen, setFormOpen] = useState(true);
  const parsed = useMemo(() => parseRichRule(text), [text]);
  const [lastGood, setLastGood] = useState<RichRule>(() => {
    const p = parseRichRule(initial ?? printRichRule(EMPTY));
    return p.ok ? p.rule : EMPTY;
  });
  const rule = parsed.ok ? parsed.rule : lastGood;
  const problems = parsed.ok ? checkRichRuleIn(parsed.rule, context) : [];
  const canonical = parsed.ok ? printRichRule(parsed.rule) : undefined;

  // The priority as typed: "-" or "+" on the way to "-5" must stay in the field, so the text is
  // kept apart from the rule and only a whole number goes into it (range checked with the rule).
  const [prioText, setPrioText] = useState<string>();
  const [prioTouched, setPrioTouched] = useState(false);
  const onText = (v: string) => {
    setPrioText(undefined);
    setText(v);
    const p = parseRichRule(v);
    if (p.ok) setLastGood(p.rule);
  };
  const edit = (next: RichRule) => {
    setLastGood(next);
    setText(printRichRule(next));
  };
  const set = <K extends keyof RichRule>(k: K, v: RichRule[K]) => {
    const next = { ...rule, [k]: v };
    if (v === undefined) delete next[k];
    edit(next);
  };
  const fieldProblem = (prefix: string) => problems.find((p) => p.field === prefix || p.field.startsWith(`${prefix}.`))?.message;
  const prioShown = prioText ?? String(rule.priority);
  const prioNumber = priorityOf(prioShown);
  const prioError = prioNumber === undefined ? `The priority "${prioShown}" is not a whole number: use -32768 to 32767 (0 = none).` : fieldProblem('priority');
  const onPriority = (v: string) => {
    setPrioText(v);
    const n = priorityOf(v);
    if (n !== undefined && n !== rule.priority) set('priority', n);
  };
  const canSubmit = parsed.ok && problems.length === 0 && prioNumber !== undefined;
  const submit = () => {
    setPrioTouched(true);
    if (canSubmit && canonical) onSubmit(canonical);
  };

  const el = rule.element;
  const log = rule.log;
  const act = rule.action;
  const rejectTypes = rule.family ? REJECT_TYPES[rule.family] : [];

  return (
    <div className="hd-fw-rich-editor" data-testid={`${testIdPrefix}-editor`}>
      <label htmlFor={`${testIdPrefix}-text`} className="hd-fw-section-title">Rule as firewalld stores it: fill in the form below, or type or paste a rule here</label>
      {/* Multi-line and wrapping, so a long rule is seen whole; it stays one rule: line breaks
          (pasted ones too) become spaces, Enter or Ctrl+Enter stages it, Shift+Enter does nothing. */}
      <TextArea
        id={`${testIdPrefix}-text`}
        aria-label="Rich rule"
        data-testid={`${testIdPrefix}-input`}
        value={text}
        onChange={(_e, v) => onText(v.replace(/\r?\n/g, ' '))}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            if (!e.shiftKey) submit();
          }
          if (e.key === 'Escape' && onCancel) onCancel();
        }}
        autoResize
        rows={2}
        resizeOrientation="vertical"
        spellCheck={false}
        validated={parsed.ok && problems.length === 0 ? 'success' : 'error'}
        className="hd-fw-mono hd-fw-rich-text"
      />
      {!parsed.ok && (
        <div className="hd-fw-rich-error" data-testid={`${testIdPrefix}-error`}>
          <code className="hd-fw-mono">
            {text.slice(0, parsed.error.start)}
            <mark>{text.slice(parsed.error.start, Math.max(parsed.error.end, parsed.error.start + 1)) || ' '}</mark>
            {text.slice(Math.max(parsed.error.end, parsed.error.start + 1))}
          </code>
          <HelperText>
            <HelperTextItem variant="error">
              {parsed.error.message} (at character {parsed.error.start + 1}, {parsed.error.code})
            </HelperTextItem>
          </HelperText>
        </div>
      )}
      {parsed.ok && problems.length > 0 && (
        <HelperText data-testid={`${testIdPrefix}-problems`}>
          {problems.map((p, i) => (
            <HelperTextItem key={i} variant="error">{p.message}</HelperTextItem>
          ))}
        </HelperText>
      )}
      {parsed.ok && (
        <HelperText>
          <HelperTextItem data-testid={`${testIdPrefix}-plain`}>In plain words: {describeRichRule(parsed.rule)}</HelperTextItem>
        </HelperText>
      )}
      {parsed.ok && problems.length === 0 && canonical !== text && (
        <HelperText>
          <HelperTextItem variant="indeterminate">firewalld will store it as: <code className="hd-fw-mono">{canonical}</code></HelperTextItem>
        </HelperText>
      )}

      <ExpandableSection toggleText={formOpen ? 'Hide rule form' : 'Edit with a form'} isExpanded={formOpen} onToggle={(_e, v) => setFormOpen(v)}>
        <div className="hd-fw-rich-form">
          <label>Priority</label>
          <div>
            <TextInput
              aria-label="Priority"
              data-testid={`${testIdPrefix}-priority`}
              value={prioShown}
              onChange={(_e, v) => onPriority(v)}
              onBlur={() => {
                setPrioTouched(true);
                // A whole number is shown as firewalld prints it ("+05" -> "5"); anything else stays for fixing.
                if (prioNumber !== undefined) setPrioText(undefined);
              }}
              onKeyDown={(e) => e.key === 'Enter' && submit()}
              validated={prioTouched && prioError ? 'error' : 'default'}
            />
            {prioTouched && prioError && (
              <HelperText><HelperTextItem variant="error" data-testid={`${testIdPrefix}-priority-error`}>{prioError}</HelperTextItem></HelperText>
            )}
          </div>
          <label>Family</label>
          <FormSelect aria-label="Family" value={rule.family ?? ''} onChange={(_e, v) => set('family', (v || undefined) as RichRule['family'])}>
            <FormSelectOption value="" label="any (IPv4 and IPv6)" />
            <FormSelectOption value="ipv4" label="ipv4" />
            <FormSelectOption value="ipv6" label="ipv6" />
          </FormSelect>

          {(['source', 'destination'] as const).map((side) => {
            const cur = rule[side];
            const kinds = side === 'source' ? ['address', 'mac', 'ipset'] : ['address', 'ipset'];
            return (
              <div key={side} className="hd-fw-rich-row">
                <label>{side === 'source' ? 'Source' : 'Destination'}</label>
                <FormSelect aria-label={`${side} kind`} data-testid={`${testIdPrefix}-${side}-kind`} value={cur?.kind ?? ''} onChange={(_e, v) => set(side, v ? ({ kind: v, value: cur?.value ?? '', invert: cur?.invert ?? false } as RichRule[typeof side]) : undefined)}>
                  <FormSelectOption value="" label="any" />
                  {kinds.map((k) => <FormSelectOption key={k} value={k} label={k} />)}
                </FormSelect>
                {cur && (
                  <>
                    <TextInput aria-label={`${side} value`} data-testid={`${testIdPrefix}-${side}-value`} value={cur.value} onChange={(_e, v) => set(side, { ...cur, value: v } as RichRule[typeof side])} validated={fieldProblem(side) ? 'error' : 'default'} />
                    <Checkbox id={`${testIdPrefix}-${side}-not`} label="NOT (everything except)" isChecked={cur.invert} onChange={(_e, v) => set(side, { ...cur, invert: v } as RichRule[typeof side])} />
                  </>
                )}
              </div>
            );
          })}

          <div className="hd-fw-rich-row">
            <label>Matches</label>
            <FormSelect aria-label="Element" data-testid={`${testIdPrefix}-element`} value={el?.type ?? ''} onChange={(_e, v) => set('element', v ? blankElement(v as RichElement['type']) : undefined)}>
              <FormSelectOption value="" label="none (all traffic of the source/destination)" />
              {RICH_ELEMENT_TYPES.map((t) => <FormSelectOption key={t} value={t} label={t} />)}
            </FormSelect>
            {el && 'name' in el && (
              <TextInput aria-label="Name" placeholder={el.type === 'service' ? 'service name' : 'ICMP type'} value={el.name} list={el.type === 'service' ? 'hd-fw-services' : 'hd-fw-icmptypes'} onChange={(_e, v) => set('element', { ...el, name: v })} validated={fieldProblem('element') ? 'error' : 'default'} />
            )}
            {el && 'port' in el && (
              <>
                <TextInput aria-label="Port" placeholder="port or range" value={el.port} onChange={(_e, v) => set('element', { ...el, port: v })} validated={fieldProblem('element.port') ? 'error' : 'default'} />
                <FormSelect aria-label="Protocol" value={el.protocol} onChange={(_e, v) => set('element', { ...el, protocol: v })}>
                  {['tcp', 'udp', 'sctp', 'dccp'].map((p) => <FormSelectOption key={p} value={p} label={p} />)}
                </FormSelect>
              </>
            )}
            {el?.type === 'forward-port' && (
              <>
                <TextInput aria-label="To port" placeholder="to-port" value={el.toPort ?? ''} onChange={(_e, v) => set('element', { ...el, toPort: v || undefined })} />
                <TextInput aria-label="To address" placeholder="to-addr" value={el.toAddr ?? ''} onChange={(_e, v) => set('element', { ...el, toAddr: v || undefined })} />
              </>
            )}
            {el?.type === 'protocol' && <TextInput aria-label="Protocol value" placeholder="gre, esp, 47..." value={el.value} onChange={(_e, v) => set('element', { ...el, value: v })} />}
            {el?.type === 'tcp-mss-clamp' && <TextInput aria-label="MSS value" placeholder="pmtu or >= 536" value={el.value ?? ''} onChange={(_e, v) => set('element', { type: 'tcp-mss-clamp', ...(v ? { value: v } : {}) })} />}
          </div>

          <div className="hd-fw-rich-row">
            <label>Logging</label>
            <FormSelect aria-label="Log" value={log?.type ?? ''} onChange={(_e, v) => set('log', v ? ({ type: v } as RichLog) : undefined)}>
              <FormSelectOption value="" label="no logging" />
              <FormSelectOption value="log" label="log (syslog)" />
              <FormSelectOption value="nflog" label="nflog" />
            </FormSelect>
            {log && <TextInput aria-label="Log prefix" placeholder="prefix" value={log.prefix ?? ''} onChange={(_e, v) => set('log', { ...log, prefix: v || undefined })} />}
            {log?.type === 'log' && (
              <FormSelect aria-label="Log level" value={log.level ?? ''} onChange={(_e, v) => set('log', { ...log, level: v || undefined })}>
                <FormSelectOption value="" label="default level" />
                {LOG_LEVELS.map((l) => <FormSelectOption key={l} value={l} label={l} />)}
              </FormSelect>
            )}
            {log?.type === 'nflog' && (
              <>
                <TextInput aria-label="nflog group" placeholder="group" value={log.group ?? ''} onChange={(_e, v) => set('log', { ...log, group: v || undefined })} />
                <TextInput aria-label="nflog queue size" placeholder="queue-size" value={log.queueSize ?? ''} onChange={(_e, v) => set('log', { ...log, queueSize: v || undefined })} />
              </>
            )}
            {log && <TextInput aria-label="Log limit" placeholder="limit, e.g. 3/m" value={log.limit ?? ''} onChange={(_e, v) => set('log', { ...log, limit: v || undefined })} validated={fieldProblem('log.limit') ? 'error' : 'default'} />}
          </div>

          <div className="hd-fw-rich-row">
            <label>Audit</label>
            <Checkbox id={`${testIdPrefix}-audit`} label="audit" isChecked={!!rule.audit} onChange={(_e, v) => set('audit', v ? {} : undefined)} />
            {rule.audit && <TextInput aria-label="Audit limit" placeholder="limit, e.g. 1/m" value={rule.audit.limit ?? ''} onChange={(_e, v) => set('audit', v ? { limit: v } : {})} />}
          </div>

          <div className="hd-fw-rich-row">
            <label>Action</label>
            <FormSelect aria-label="Action" data-testid={`${testIdPrefix}-action`} value={act?.type ?? ''} onChange={(_e, v) => set('action', v ? blankAction(v as RichAction['type'], act?.limit) : undefined)}>
              <FormSelectOption value="" label="none" />
              {['accept', 'reject', 'drop', 'mark'].map((a) => <FormSelectOption key={a} value={a} label={a} />)}
            </FormSelect>
            {act?.type === 'reject' && (
              <FormSelect aria-label="Reject type" value={act.rejectType ?? ''} onChange={(_e, v) => set('action', { ...act, rejectType: v || undefined })} isDisabled={!rule.family}>
                <FormSelectOption value="" label={rule.family ? 'default reject type' : 'reject type needs a family'} />
                {rejectTypes.map((t) => <FormSelectOption key={t} value={t} label={t} />)}
              </FormSelect>
            )}
            {act?.type === 'mark' && <TextInput aria-label="Mark" placeholder="mark[/mask]" value={act.set} onChange={(_e, v) => set('action', { ...act, set: v })} validated={fieldProblem('action.set') ? 'error' : 'default'} />}
            {act && <TextInput aria-label="Action limit" placeholder="limit, e.g. 5/m" value={act.limit ?? ''} onChange={(_e, v) => set('action', { ...act, limit: v || undefined })} validated={fieldProblem('action.limit') ? 'error' : 'default'} />}
          </div>
        </div>
      </ExpandableSection>

      <div className="hd-fw-actions">
        <WriteButton variant="primary" data-testid={`${testIdPrefix}-submit`} isDisabled={!canSubmit} onClick={submit}>
          {submitLabel}
        </WriteButton>
        {onCancel && <Button variant="link" onClick={onCancel}>Cancel</Button>}
      </div>
    </div>
  );
}
