/**
 * firewalld rich rules: parse into a structured form, check, and print back.
 *
 * Why hand-written: the grammar is firewalld's own token-stack machine (core/rich.py,
 * Rich_Rule._import_from_string in firewalld 1.3.3) on top of Python's shlex, with quirks a
 * generic parser would not reproduce (a `limit` before the action is attached to the action,
 * `invert="anything"` means NOT, a word "EOL" ends the rule, non-printable characters are
 * dropped before lexing, limit units "minute" are shortened to "m", MACs are upper-cased).
 * The printer mirrors Rich_Rule.__str__, so print(parse(x)) is what firewalld itself stores
 * and reports for x; test/firewall/rich-rule.int.test.ts proves it against a real firewalld.
 */
import { z } from 'zod';
import {
  LOG_LEVELS,
  LOG_PREFIX_MAX,
  PORT_PROTOCOLS,
  REJECT_TYPES,
  RICH_PRIORITY_MAX,
  RICH_PRIORITY_MIN,
  TCP_MSS_CLAMP_MIN,
} from './data/firewalld-constants';
import { checkAddress, checkMac, checkPort, checkProtocol, checkSingleAddress, isUint16, isUint32, pyInt } from './validate';

// ---------------------------------------------------------------------------------------------
// Structured form

export const richFamilySchema = z.enum(['ipv4', 'ipv6']);
export type RichFamily = z.infer<typeof richFamilySchema>;

/** A limit value as firewalld keeps it: "<rate>/<s|m|h|d>" (long units are shortened on parse). */
const limitField = z.string().optional();

export const richSourceSchema = z.object({
  kind: z.enum(['address', 'mac', 'ipset']),
  value: z.string(),
  invert: z.boolean().default(false),
});
export type RichSource = z.infer<typeof richSourceSchema>;

export const richDestinationSchema = z.object({
  kind: z.enum(['address', 'ipset']),
  value: z.string(),
  invert: z.boolean().default(false),
});
export type RichDestination = z.infer<typeof richDestinationSchema>;

export const richElementSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('service'), name: z.string() }),
  z.object({ type: z.literal('port'), port: z.string(), protocol: z.string() }),
  z.object({ type: z.literal('protocol'), value: z.string() }),
  z.object({ type: z.literal('icmp-block'), name: z.string() }),
  z.object({ type: z.literal('icmp-type'), name: z.string() }),
  z.object({ type: z.literal('masquerade') }),
  z.object({
    type: z.literal('forward-port'),
    port: z.string(),
    protocol: z.string(),
    toPort: z.string().optional(),
    toAddr: z.string().optional(),
  }),
  z.object({ type: z.literal('source-port'), port: z.string(), protocol: z.string() }),
  /** firewalld 1.3.3 parses it; nftables applies it in policies (value: a number >= 536 or "pmtu"). */
  z.object({ type: z.literal('tcp-mss-clamp'), value: z.string().optional() }),
]);
export type RichElement = z.infer<typeof richElementSchema>;
export type RichElementType = RichElement['type'];
export const RICH_ELEMENT_TYPES: readonly RichElementType[] = [
  'service', 'port', 'protocol', 'icmp-block', 'icmp-type', 'masquerade', 'forward-port', 'source-port', 'tcp-mss-clamp',
];

export const richLogSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('log'), prefix: z.string().optional(), level: z.string().optional(), limit: limitField }),
  z.object({
    type: z.literal('nflog'),
    group: z.string().optional(),
    prefix: z.string().optional(),
    queueSize: z.string().optional(),
    limit: limitField,
  }),
]);
export type RichLog = z.infer<typeof richLogSchema>;

export const richAuditSchema = z.object({ limit: limitField });
export type RichAudit = z.infer<typeof richAuditSchema>;

export const richActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('accept'), limit: limitField }),
  z.object({ type: z.literal('drop'), limit: limitField }),
  z.object({ type: z.literal('reject'), rejectType: z.string().optional(), limit: limitField }),
  z.object({ type: z.literal('mark'), set: z.string(), limit: limitField }),
]);
export type RichAction = z.infer<typeof richActionSchema>;

export const richRuleSchema = z.object({
  /** 0 = none (firewalld omits it); -32768..32767, lower runs first. */
  priority: z.number().int().default(0),
  family: richFamilySchema.optional(),
  source: richSourceSchema.optional(),
  destination: richDestinationSchema.optional(),
  element: richElementSchema.optional(),
  log: richLogSchema.optional(),
  audit: richAuditSchema.optional(),
  action: richActionSchema.optional(),
});
export type RichRule = z.infer<typeof richRuleSchema>;

/** Which part of a rule a problem concerns; the editor highlights that field. */
export type RichField =
  | 'rule' | 'priority' | 'family'
  | 'source' | 'source.value'
  | 'destination' | 'destination.value'
  | 'element' | 'element.name' | 'element.port' | 'element.protocol' | 'element.value' | 'element.toPort' | 'element.toAddr'
  | 'log' | 'log.prefix' | 'log.level' | 'log.group' | 'log.queueSize' | 'log.limit'
  | 'audit' | 'audit.limit'
  | 'action' | 'action.rejectType' | 'action.set' | 'action.limit';

export interface RichRuleProblem {
  field: RichField;
  /** The firewalld error code it would answer with (INVALID_RULE, INVALID_ADDR, ...). */
  code: string;
  message: string;
}

export interface RichParseError extends RichRuleProblem {
  /** Offsets into the input text (UTF-16 code units), end exclusive. */
  start: number;
  end: number;
}

export type RichParseResult = { ok: true; rule: RichRule } | { ok: false; error: RichParseError };

// ---------------------------------------------------------------------------------------------
// Lexer: Python shlex.split (posix) after functions.stripNonPrintableCharacters, with positions

interface Token {
  text: string;
  /** Input offset of each character of `text`. */
  pos: number[];
  start: number;
  end: number;
}

class LexError extends Error {
  constructor(message: string, readonly start: number, readonly end: number) {
    super(message);
  }
}

/** firewalld removes C0 and C1 control characters (0-31, 127-159) before lexing. */
const isStripped = (c: number) => c < 32 || (c >= 127 && c < 160);

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let state: ' ' | 'a' | '"' | "'" | '\\' = ' ';
  let escapedState: 'a' | '"' = 'a';
  let text = '';
  let pos: number[] = [];
  let start = 0;
  let end = 0;
  let quoted = false;
  let quoteStart = 0;
  const add = (ch: string, at: number) => {
    text += ch;
    pos.push(at);
  };
  for (let i = 0; i <= input.length; i++) {
    if (i < input.length && isStripped(input.charCodeAt(i))) continue;
    const ch = i < input.length ? input[i]! : undefined;
    if (state === ' ') {
      if (ch === undefined) break;
      if (ch === ' ') continue;
      start = i;
      quoted = false;
      if (ch === '"' || ch === "'") {
        state = ch;
        quoted = true;
        quoteStart = i;
      } else if (ch === '\\') {
        escapedState = 'a';
        state = '\\';
      } else {
        add(ch, i);
        state = 'a';
      }
    } else if (state === '"' || state === "'") {
      if (ch === undefined) throw new LexError('This quotation mark is never closed.', quoteStart, input.length);
      if (ch === state) state = 'a';
      else if (ch === '\\' && state === '"') {
        escapedState = '"';
        state = '\\';
      } else add(ch, i);
    } else if (state === '\\') {
      if (ch === undefined) throw new LexError('A backslash at the end of the rule escapes nothing.', input.length - 1, input.length);
      // Inside double quotes a backslash only escapes " and \; elsewhere it stays.
      if (escapedState === '"' && ch !== '\\' && ch !== '"') add('\\', i - 1);
      add(ch, i);
      state = escapedState;
    } else if (ch === undefined || ch === ' ') {
      // state 'a' (inside a word) meets the end of the word
      if (text !== '' || quoted) tokens.push({ text, pos, start, end });
      text = '';
      pos = [];
      state = ' ';
      if (ch === undefined) break;
      continue;
    } else if (ch === '"' || ch === "'") {
      state = ch;
      quoted = true;
      quoteStart = i;
    } else if (ch === '\\') {
      escapedState = 'a';
      state = '\\';
    } else add(ch, i);
    end = i + 1;
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Parser: Rich_Rule._import_from_string, step by step

const ATTRIBUTES = new Set([
  'priority', 'family', 'address', 'mac', 'ipset', 'invert', 'value', 'port', 'protocol', 'to-port', 'to-addr',
  'name', 'group', 'prefix', 'level', 'queue-size', 'type', 'set',
]);
const ELEMENTS = new Set([
  'rule', 'source', 'destination', 'protocol', 'service', 'port', 'icmp-block', 'icmp-type', 'masquerade',
  'forward-port', 'source-port', 'log', 'nflog', 'audit', 'accept', 'drop', 'reject', 'mark', 'limit', 'not', 'NOT',
  'EOL', 'tcp-mss-clamp',
]);
const MAIN_ELEMENTS = new Set(['protocol', 'service', 'port', 'icmp-block', 'icmp-type', 'masquerade', 'forward-port', 'source-port']);

interface LexToken {
  element?: string;
  attrName?: string;
  attrValue?: string;
  start: number;
  end: number;
  valueStart: number;
}

class ParseFail extends Error {
  constructor(readonly problem: RichParseError) {
    super(problem.message);
  }
}

type Span = [number, number];

function tokenize(input: string): LexToken[] {
  const out: LexToken[] = [];
  for (const t of lex(input)) {
    if (t.text.includes('=')) {
      const parts = t.text.split('=');
      if (parts.length !== 2 || !parts[0] || !parts[1]) {
        const message = parts.length !== 2
          ? `${JSON.stringify(t.text)} has more than one "=": firewalld cannot take "=" inside a value.`
          : !parts[0]
            ? `${JSON.stringify(t.text)} has no attribute name before "=".`
            : `The attribute ${parts[0]} has an empty value.`;
        throw new ParseFail({ field: 'rule', code: 'INVALID_RULE', message, start: t.start, end: t.end });
      }
      const eq = t.text.indexOf('=');
      out.push({ attrName: parts[0], attrValue: parts[1], start: t.start, end: t.end, valueStart: (t.pos[eq] ?? t.start) + 1 });
    } else {
      out.push({ element: t.text, start: t.start, end: t.end, valueStart: t.start });
    }
  }
  return out;
}

/** Python truthiness of optional strings: firewalld omits empty values when printing. */
const has = (v: string | undefined): v is string => v !== undefined && v !== '';

function normalizeLimit(value: string): string {
  // Rich_Limit.__init__: "3/minute" -> "3/m".
  if (value.includes('/')) {
    const splits = value.split('/');
    if (splits.length === 2 && ['second', 'minute', 'hour', 'day'].includes(splits[1]!)) return `${splits[0]}/${splits[1]![0]}`;
  }
  return value;
}

export function parseRichRule(input: string): RichParseResult {
  const spans = new Map<RichField, Span>();
  try {
    const rule = parseInto(input, spans);
    const problems = checkRichRule(rule);
    if (problems.length > 0) {
      const p = problems[0]!;
      const span = spanFor(p.field, spans) ?? [0, input.length];
      return { ok: false, error: { ...p, start: span[0], end: span[1] } };
    }
    return { ok: true, rule };
  } catch (e) {
    if (e instanceof ParseFail) return { ok: false, error: e.problem };
    if (e instanceof LexError) return { ok: false, error: { field: 'rule', code: 'INVALID_RULE', message: e.message, start: e.start, end: e.end } };
    throw e;
  }
}

function spanFor(field: RichField, spans: Map<RichField, Span>): Span | undefined {
  let f: string = field;
  for (;;) {
    const s = spans.get(f as RichField);
    if (s) return s;
    const dot = f.lastIndexOf('.');
    if (dot < 0) return spans.get('rule');
    f = f.slice(0, dot);
  }
}

function parseInto(input: string, spans: Map<RichField, Span>): RichRule {
  const fail = (message: string, start: number, end: number, field: RichField = 'rule', code = 'INVALID_RULE'): never => {
    throw new ParseFail({ field, code, message, start, end });
  };
  if (!input) fail('The rule is empty.', 0, 0);
  const tokens = tokenize(input);
  const eolAt = input.length;
  tokens.push({ element: 'EOL', start: eolAt, end: eolAt, valueStart: eolAt });
  if (tokens[0]!.element === 'EOL') fail('The rule is empty.', 0, input.length);
  spans.set('rule', [tokens[0]!.start, tokens[tokens.length - 2]?.end ?? input.length]);

  const rule: RichRule = { priority: 0 };
  // attrs holds attribute values of the element being read; like firewalld's dict it is shared,
  // so a limit read at rule level is picked up by the next action, log or audit.
  const attrs = new Map<string, { value: string; span: Span }>();
  let limitAttr: { value: string; span: Span } | undefined;
  const stack: Array<{ name: string; start: number }> = [];
  let index = 0;
  const attrSpan = (t: LexToken): Span => [t.valueStart, t.end];
  const get = (k: string) => attrs.get(k)?.value;
  const elementSpan = (from: number, t: LexToken): Span => [from, Math.max(from, tokens[index - 1]?.end ?? t.start)];
  const top = () => stack[stack.length - 1];
  const takeLimit = (field: RichField) => {
    const l = limitAttr;
    if (l) spans.set(field, l.span);
    return l?.value;
  };

  while (!(tokens[index]?.element === 'EOL' && stack.length === 1 && stack[0]!.name === 'rule')) {
    const t = tokens[index];
    if (!t) {
      throw new ParseFail({ field: 'rule', code: 'INVALID_RULE', message: 'The rule ends inside an element: something is missing at the end.', start: input.length, end: input.length });
    }
    const { element, attrName, attrValue } = t;
    if (attrName !== undefined) {
      if (!ATTRIBUTES.has(attrName)) fail(`Unknown attribute ${JSON.stringify(attrName)}.`, t.start, t.end);
    } else {
      if (!ELEMENTS.has(element!)) fail(`Unknown element ${JSON.stringify(element)}.`, t.start, t.end);
      if (element === 'source' && rule.source) fail("A rule can have only one 'source'.", t.start, t.end);
      if (element === 'destination' && rule.destination) fail("A rule can have only one 'destination'.", t.start, t.end);
      if (MAIN_ELEMENTS.has(element!) && rule.element) {
        fail(`A rule can have only one element: it already has '${rule.element.type}', so '${element}' is not allowed.`, t.start, t.end);
      }
      if ((element === 'log' || element === 'nflog') && rule.log) fail('A rule can have only one log or nflog.', t.start, t.end);
      if (element === 'audit' && rule.audit) fail("A rule can have only one 'audit'.", t.start, t.end);
      if (['accept', 'drop', 'reject', 'mark'].includes(element!) && rule.action) {
        fail(`A rule can have only one action: it already has '${rule.action.type}', so '${element}' is not allowed.`, t.start, t.end);
      }
    }

    const cur = top();
    const inEl = cur?.name ?? '';
    // "Return the token to the input": the element ends and the token is read again one level up.
    let again = false;
    const end = () => {
      stack.pop();
      attrs.clear();
      limitAttr = undefined;
      again = true;
    };

    if (inEl === '') {
      if (attrName !== undefined) {
        if (attrName === 'family' || attrName === 'priority') fail(`'${attrName}' must come after 'rule': write 'rule ${attrName}=...'.`, t.start, t.end);
        fail(`'${attrName}' is outside of any element: a rule starts with 'rule'.`, t.start, t.end);
      } else if (!element!.includes('rule')) {
        fail(`'${element}' is outside of the rule: a rule starts with 'rule'.`, t.start, t.end);
      } else {
        stack.push({ name: 'rule', start: t.start });
      }
    } else if (inEl === 'rule') {
      if (attrName === 'family') {
        if (attrValue !== 'ipv4' && attrValue !== 'ipv6') fail(`The family ${JSON.stringify(attrValue)} is not valid: use ipv4 or ipv6.`, t.valueStart, t.end, 'family', 'INVALID_FAMILY');
        rule.family = attrValue as RichFamily;
        spans.set('family', attrSpan(t));
      } else if (attrName === 'priority') {
        const n = pyInt(attrValue!);
        if (n === undefined) fail(`The priority ${JSON.stringify(attrValue)} is not a whole number.`, t.valueStart, t.end, 'priority', 'INVALID_PRIORITY');
        rule.priority = n === 0 ? 0 : n!; // avoid -0
        spans.set('priority', attrSpan(t));
      } else if (attrName !== undefined) {
        if (attrName === 'protocol') {
          fail("'protocol' is misplaced: write 'protocol value=...' or 'port port=... protocol=...'.", t.start, t.end);
        }
        fail(`The attribute '${attrName}' is outside of any element: write 'rule <element> ${attrName}=...'.`, t.start, t.end);
      } else if (element === 'rule') {
        fail("'rule' appears twice.", t.start, t.end);
      } else if (element === 'not' || element === 'NOT') {
        fail("'NOT' belongs right after 'source' or 'destination'.", t.start, t.end);
      } else {
        stack.push({ name: element!, start: t.start });
      }
    } else if (inEl === 'source' || inEl === 'destination') {
      const allowed = inEl === 'source' ? ['address', 'mac', 'ipset', 'invert'] : ['address', 'ipset', 'invert'];
      if (attrName !== undefined && allowed.includes(attrName)) {
        attrs.set(attrName, { value: attrValue!, span: attrSpan(t) });
      } else if (element === 'not' || element === 'NOT') {
        attrs.set('invert', { value: 'True', span: [t.start, t.end] });
      } else {
        const span = elementSpan(cur!.start, t);
        const kinds = (inEl === 'source' ? ['address', 'mac', 'ipset'] : ['address', 'ipset']).filter((k) => has(get(k)));
        if (kinds.length === 0) {
          fail(inEl === 'source' ? "'source' needs an address, mac or ipset." : "'destination' needs an address or ipset.", span[0], span[1], inEl);
        }
        if (kinds.length > 1) {
          const code = inEl === 'destination' ? 'INVALID_DESTINATION' : 'INVALID_RULE';
          fail(`'${inEl}' can have only one of ${kinds.join(' and ')}.`, span[0], span[1], inEl, code);
        }
        const kind = kinds[0]!;
        let value = get(kind)!;
        if (kind === 'mac') value = value.toUpperCase();
        const invert = attrs.has('invert');
        spans.set(inEl, span);
        spans.set(`${inEl}.value` as RichField, attrs.get(kind)!.span);
        if (inEl === 'source') rule.source = { kind: kind as RichSource['kind'], value, invert };
        else rule.destination = { kind: kind as RichDestination['kind'], value, invert };
        end();
      }
    } else if (inEl === 'protocol' || inEl === 'service' || inEl === 'icmp-block' || inEl === 'icmp-type') {
      const want = inEl === 'protocol' ? 'value' : 'name';
      if (attrName === want) {
        rule.element = inEl === 'protocol' ? { type: 'protocol', value: attrValue! } : { type: inEl, name: attrValue! };
        spans.set('element', [cur!.start, t.end]);
        spans.set(`element.${want}` as RichField, attrSpan(t));
        stack.pop();
      } else {
        fail(`'${inEl}' needs ${want}=...: write '${inEl} ${want}="..."'.`, cur!.start, t.end, 'element');
      }
    } else if (inEl === 'tcp-mss-clamp') {
      if (attrName === 'value') {
        attrs.set('value', { value: attrValue!, span: attrSpan(t) });
      } else {
        rule.element = { type: 'tcp-mss-clamp', ...(attrs.has('value') ? { value: get('value')! } : {}) };
        spans.set('element', elementSpan(cur!.start, t));
        if (attrs.has('value')) spans.set('element.value', attrs.get('value')!.span);
        end();
      }
    } else if (inEl === 'port' || inEl === 'source-port' || inEl === 'forward-port') {
      const allowed = inEl === 'forward-port' ? ['port', 'protocol', 'to-port', 'to-addr'] : ['port', 'protocol'];
      if (attrName !== undefined && allowed.includes(attrName)) {
        attrs.set(attrName, { value: attrValue!, span: attrSpan(t) });
      } else {
        const span = elementSpan(cur!.start, t);
        if (!attrs.has('port')) fail(`'${inEl}' needs port=...`, span[0], span[1], 'element.port', 'INVALID_PORT');
        if (!attrs.has('protocol')) fail(`'${inEl}' needs protocol=... (tcp, udp, sctp or dccp).`, span[0], span[1], 'element.protocol', 'INVALID_PROTOCOL');
        spans.set('element', span);
        for (const [k, f] of [['port', 'element.port'], ['protocol', 'element.protocol'], ['to-port', 'element.toPort'], ['to-addr', 'element.toAddr']] as const) {
          const a = attrs.get(k);
          if (a) spans.set(f, a.span);
        }
        if (inEl === 'forward-port') {
          rule.element = {
            type: 'forward-port',
            port: get('port')!,
            protocol: get('protocol')!,
            ...(has(get('to-port')) ? { toPort: get('to-port') } : {}),
            ...(has(get('to-addr')) ? { toAddr: get('to-addr') } : {}),
          };
        } else {
          rule.element = { type: inEl, port: get('port')!, protocol: get('protocol')! };
        }
        end();
      }
    } else if (inEl === 'masquerade') {
      rule.element = { type: 'masquerade' };
      spans.set('element', [cur!.start, cur!.start + 'masquerade'.length]);
      end();
    } else if (inEl === 'log' || inEl === 'nflog') {
      const allowed = inEl === 'log' ? ['prefix', 'level'] : ['group', 'prefix', 'queue-size'];
      if (attrName !== undefined && allowed.includes(attrName)) {
        attrs.set(attrName, { value: attrValue!, span: attrSpan(t) });
      } else if (element === 'limit') {
        stack.push({ name: 'limit', start: t.start });
      } else {
        spans.set('log', elementSpan(cur!.start, t));
        for (const [k, f] of [['prefix', 'log.prefix'], ['level', 'log.level'], ['group', 'log.group'], ['queue-size', 'log.queueSize']] as const) {
          const a = attrs.get(k);
          if (a) spans.set(f, a.span);
        }
        const limit = takeLimit('log.limit');
        const prefix = get('prefix');
        if (inEl === 'log') {
          const level = get('level');
          rule.log = { type: 'log', ...(prefix !== undefined ? { prefix } : {}), ...(level !== undefined ? { level } : {}), ...(limit !== undefined ? { limit } : {}) };
        } else {
          const group = get('group');
          const queueSize = get('queue-size');
          rule.log = {
            type: 'nflog',
            ...(group !== undefined ? { group } : {}),
            ...(prefix !== undefined ? { prefix } : {}),
            ...(queueSize !== undefined ? { queueSize } : {}),
            ...(limit !== undefined ? { limit } : {}),
          };
        }
        end();
      }
    } else if (inEl === 'audit' || inEl === 'accept' || inEl === 'drop' || inEl === 'reject' || inEl === 'mark') {
      if (inEl === 'reject' && attrName === 'type') {
        attrs.set('type', { value: attrValue!, span: attrSpan(t) });
      } else if (inEl === 'mark' && attrName === 'set') {
        attrs.set('set', { value: attrValue!, span: attrSpan(t) });
      } else if (element === 'limit') {
        stack.push({ name: 'limit', start: t.start });
      } else {
        const span = elementSpan(cur!.start, t);
        if (inEl === 'audit') {
          spans.set('audit', span);
          const limit = takeLimit('audit.limit');
          rule.audit = limit !== undefined ? { limit } : {};
        } else {
          spans.set('action', span);
          const limit = takeLimit('action.limit');
          const lim = limit !== undefined ? { limit } : {};
          if (inEl === 'reject') {
            const rt = attrs.get('type');
            if (rt) spans.set('action.rejectType', rt.span);
            rule.action = { type: 'reject', ...(rt ? { rejectType: rt.value } : {}), ...lim };
          } else if (inEl === 'mark') {
            const set = attrs.get('set');
            if (!set) fail("'mark' needs set=<mark>[/<mask>].", span[0], span[1], 'action.set', 'INVALID_MARK');
            spans.set('action.set', set!.span);
            rule.action = { type: 'mark', set: set!.value, ...lim };
          } else {
            rule.action = { type: inEl, ...lim };
          }
        }
        end();
      }
    } else if (inEl === 'limit') {
      if (attrName === 'value') {
        limitAttr = { value: normalizeLimit(attrValue!), span: attrSpan(t) };
        stack.pop();
      } else {
        fail("'limit' needs value=<rate>/<unit>, like limit value=\"3/m\".", cur!.start, t.end, 'rule', 'INVALID_LIMIT');
      }
    } else {
      // 'not', 'EOL' or another word pushed at rule level that firewalld never leaves again.
      fail(`'${inEl}' is not allowed here.`, cur!.start, cur!.start + inEl.length);
    }
    if (!again) index++;
  }
  return rule;
}

// ---------------------------------------------------------------------------------------------
// Checks: Rich_Rule.check and the per-element checks, on the structured form

const problem = (field: RichField, code: string, message: string): RichRuleProblem => ({ field, code, message });

/**
 * Everything firewalld's Rich_Rule.check refuses, plus values that firewalld would store but
 * could not read back (a `"` in a value). Environment checks (does the service, ipset or ICMP
 * type exist, does an ICMP type fit the family) need the firewall state: see checkRichRuleIn.
 */
export function checkRichRule(rule: RichRule): RichRuleProblem[] {
  const out: RichRuleProblem[] = [];
  const { family, source, destination, element, log, audit, action, priority } = rule;

  if (family === undefined) {
    if (source?.kind === 'address' || destination?.kind === 'address') {
      out.push(problem('family', 'MISSING_FAMILY', 'A rule with an address needs a family (ipv4 or ipv6).'));
    } else if (destination) {
      out.push(problem('family', 'MISSING_FAMILY', 'A rule with a destination needs a family (ipv4 or ipv6).'));
    }
    if (element?.type === 'forward-port') out.push(problem('family', 'MISSING_FAMILY', 'A forward-port rule needs a family (ipv4 or ipv6).'));
  }
  if (!Number.isInteger(priority) || priority < RICH_PRIORITY_MIN || priority > RICH_PRIORITY_MAX) {
    out.push(problem('priority', 'INVALID_PRIORITY', `The priority ${priority} is out of range: it must be between ${RICH_PRIORITY_MIN} and ${RICH_PRIORITY_MAX}.`));
  }
  if (!element && (!log || priority === 0)) {
    if (!action) out.push(problem('action', 'INVALID_RULE', 'The rule has no element and no action: add an element (service, port, ...) or an action.'));
    else if (!source && !destination && priority === 0) {
      out.push(problem('element', 'INVALID_RULE', 'The rule has no element, no source and no destination: it would match everything.'));
    }
  }
  const noActionNeeded = element && ['icmp-block', 'forward-port', 'masquerade', 'tcp-mss-clamp'].includes(element.type);
  if (!noActionNeeded && !log && !audit && !action) {
    out.push(problem('action', 'INVALID_RULE', 'The rule needs an action (accept, reject, drop, mark), a log or an audit.'));
  }

  if (source) {
    if (source.kind === 'address') {
      if (family) pushIf(out, 'source.value', 'INVALID_ADDR', checkAddress(source.value, family, 'source address'));
    } else if (source.kind === 'mac') {
      pushIf(out, 'source.value', 'INVALID_MAC', checkMac(source.value));
    } else {
      pushIf(out, 'source.value', 'INVALID_IPSET', checkIpsetRef(source.value));
    }
  }
  if (destination) {
    if (destination.kind === 'address') {
      if (family) pushIf(out, 'destination.value', 'INVALID_ADDR', checkAddress(destination.value, family, 'destination address'));
    } else {
      pushIf(out, 'destination.value', 'INVALID_IPSET', checkIpsetRef(destination.value));
    }
  }

  if (element) {
    switch (element.type) {
      case 'service':
        if (!element.name) out.push(problem('element.name', 'INVALID_SERVICE', 'The service name is empty.'));
        break;
      case 'port':
      case 'source-port':
        pushIf(out, 'element.port', 'INVALID_PORT', checkPort(element.port));
        pushIf(out, 'element.protocol', 'INVALID_PROTOCOL', checkRichPortProtocol(element.protocol));
        break;
      case 'protocol':
        pushIf(out, 'element.value', 'INVALID_PROTOCOL', checkProtocol(element.value));
        break;
      case 'masquerade':
        if (action) out.push(problem('action', 'INVALID_RULE', 'A masquerade rule cannot have an action.'));
        if (source?.kind === 'mac') out.push(problem('source', 'INVALID_RULE', 'A masquerade rule cannot match a MAC source.'));
        break;
      case 'icmp-block':
        if (!element.name) out.push(problem('element.name', 'INVALID_ICMPTYPE', 'The ICMP type is empty.'));
        if (action) out.push(problem('action', 'INVALID_RULE', 'An icmp-block rule cannot have an action (it always rejects).'));
        break;
      case 'icmp-type':
        if (!element.name) out.push(problem('element.name', 'INVALID_ICMPTYPE', 'The ICMP type is empty.'));
        break;
      case 'forward-port':
        pushIf(out, 'element.port', 'INVALID_PORT', checkPort(element.port));
        pushIf(out, 'element.protocol', 'INVALID_PROTOCOL', checkRichPortProtocol(element.protocol));
        if (!has(element.toPort) && !has(element.toAddr)) {
          out.push(problem('element.toPort', 'INVALID_PORT', 'A forward-port needs a to-port, a to-addr or both.'));
        }
        if (has(element.toPort)) pushIf(out, 'element.toPort', 'INVALID_PORT', checkPort(element.toPort, 'to-port'));
        if (has(element.toAddr) && family) pushIf(out, 'element.toAddr', 'INVALID_ADDR', checkSingleAddress(element.toAddr, family, 'to-addr'));
        if (action) out.push(problem('action', 'INVALID_RULE', 'A forward-port rule cannot have an action.'));
        break;
      case 'tcp-mss-clamp':
        if (action) out.push(problem('action', 'INVALID_RULE', 'A tcp-mss-clamp rule cannot have an action.'));
        if (has(element.value) && !isTcpMssClamp(element.value)) {
          out.push(problem('element.value', 'INVALID_RULE', `The tcp-mss-clamp value ${JSON.stringify(element.value)} is not valid: use pmtu or a number of at least ${TCP_MSS_CLAMP_MIN}.`));
        }
        break;
    }
  }

  if (log) {
    if (has(log.prefix) && log.prefix.length > LOG_PREFIX_MAX) {
      out.push(problem('log.prefix', 'INVALID_LOG_PREFIX', `The log prefix has ${log.prefix.length} characters; firewalld allows at most ${LOG_PREFIX_MAX}.`));
    }
    if (log.type === 'log') {
      if (has(log.level) && !(LOG_LEVELS as readonly string[]).includes(log.level)) {
        out.push(problem('log.level', 'INVALID_LOG_LEVEL', `The log level ${JSON.stringify(log.level)} is not valid: use one of ${LOG_LEVELS.join(', ')}.`));
      }
    } else {
      if (has(log.group) && !isUint16(log.group)) out.push(problem('log.group', 'INVALID_NFLOG_GROUP', `The nflog group ${JSON.stringify(log.group)} must be a whole number from 0 to 65535.`));
      if (has(log.queueSize) && !isUint16(log.queueSize)) {
        out.push(problem('log.queueSize', 'INVALID_NFLOG_QUEUE', `The nflog queue-size ${JSON.stringify(log.queueSize)} must be a whole number from 0 to 65535.`));
      }
    }
    if (has(log.limit)) pushIf(out, 'log.limit', 'INVALID_LIMIT', checkLimit(log.limit));
  }
  if (audit) {
    if (!action || action.type === 'mark') {
      out.push(problem('audit', 'INVALID_AUDIT_TYPE', 'An audit needs an accept, reject or drop action in the same rule.'));
    }
    if (has(audit.limit)) pushIf(out, 'audit.limit', 'INVALID_LIMIT', checkLimit(audit.limit));
  }
  if (action) {
    if (action.type === 'reject' && has(action.rejectType)) {
      if (!family) out.push(problem('family', 'INVALID_RULE', 'A reject type needs a rule family (ipv4 or ipv6).'));
      else if (!(REJECT_TYPES[family] as readonly string[]).includes(action.rejectType)) {
        out.push(problem('action.rejectType', 'INVALID_RULE', `${JSON.stringify(action.rejectType)} is not an ${family} reject type: use one of ${REJECT_TYPES[family].join(', ')}.`));
      }
    }
    if (action.type === 'mark') pushIf(out, 'action.set', 'INVALID_MARK', checkMark(action.set));
    if (has(action.limit)) pushIf(out, 'action.limit', 'INVALID_LIMIT', checkLimit(action.limit));
  }

  for (const [field, value] of stringFields(rule)) {
    if (value.includes('"')) {
      out.push(problem(field, 'INVALID_RULE', `${JSON.stringify(value)} contains a double quote, which firewalld prints without escaping and then cannot read back.`));
    } else if (/\\(?=[\\"]|$)/.test(value)) {
      out.push(problem(field, 'INVALID_RULE', `${JSON.stringify(value)} has a backslash that firewalld would not read back the same way.`));
    } else if (value.includes('=')) {
      out.push(problem(field, 'INVALID_RULE', `${JSON.stringify(value)} contains "=", which firewalld cannot take in a rich-rule value.`));
    } else if ([...value].some((c) => isStripped(c.charCodeAt(0)))) {
      out.push(problem(field, 'INVALID_RULE', `${JSON.stringify(value)} contains control characters, which firewalld removes.`));
    }
  }
  return out;
}

function pushIf(out: RichRuleProblem[], field: RichField, code: string, message: string | undefined) {
  if (message) out.push(problem(field, code, message));
}

function checkRichPortProtocol(p: string): string | undefined {
  return (PORT_PROTOCOLS as readonly string[]).includes(p) ? undefined : `${JSON.stringify(p)} is not a port protocol: use tcp, udp, sctp or dccp.`;
}

function checkIpsetRef(name: string): string | undefined {
  // core/ipset.py check_ipset_name: only the length is checked here.
  return name.length > 32 ? `The ipset name ${JSON.stringify(name)} is longer than 32 characters.` : undefined;
}

function isTcpMssClamp(v: string): boolean {
  if (/^[0-9]+$/.test(v)) return Number(v) >= TCP_MSS_CLAMP_MIN;
  return v === 'pmtu' || v === 'None';
}

/** Rich_Mark.check: "<uint32>" or "<uint32>/<uint32>" (hex with 0x allowed). */
export function checkMark(set: string): string | undefined {
  const parts = set.split('/');
  if (parts.length > 2 || !parts.every((p) => isUint32(p))) {
    return `The mark ${JSON.stringify(set)} is not valid: use a number from 0 to 4294967295, optionally with a mask, like 0x10/0xff.`;
  }
  return undefined;
}

/** Rich_Limit.check: "<rate>/<s|m|h|d>", rate at least 1, and not 1/d. */
export function checkLimit(value: string): string | undefined {
  const v = normalizeLimit(value);
  const splits = v.split('/');
  const bad = `The limit ${JSON.stringify(value)} is not valid: write <rate>/<unit> with unit s, m, h or d, like 3/m.`;
  if (splits.length !== 2) return bad;
  const rate = pyInt(splits[0]!);
  if (rate === undefined || rate < 1 || !['s', 'm', 'h', 'd'].includes(splits[1]!)) return bad;
  if (rate === 1 && splits[1] === 'd') return 'The limit 1/d is too slow for firewalld: use 2/d or more.';
  return undefined;
}

function stringFields(rule: RichRule): Array<[RichField, string]> {
  const out: Array<[RichField, string]> = [];
  const add = (f: RichField, v: string | undefined) => {
    if (v !== undefined && v !== '') out.push([f, v]);
  };
  add('source.value', rule.source?.value);
  add('destination.value', rule.destination?.value);
  const e = rule.element;
  if (e) {
    if ('name' in e) add('element.name', e.name);
    if ('port' in e) add('element.port', e.port);
    if ('protocol' in e) add('element.protocol', e.protocol);
    if ('value' in e) add('element.value', e.value);
    if (e.type === 'forward-port') {
      add('element.toPort', e.toPort);
      add('element.toAddr', e.toAddr);
    }
  }
  const l = rule.log;
  if (l) {
    add('log.prefix', l.prefix);
    add('log.limit', l.limit);
    if (l.type === 'log') add('log.level', l.level);
    else {
      add('log.group', l.group);
      add('log.queueSize', l.queueSize);
    }
  }
  add('audit.limit', rule.audit?.limit);
  const a = rule.action;
  if (a) {
    add('action.limit', a.limit);
    if (a.type === 'reject') add('action.rejectType', a.rejectType);
    if (a.type === 'mark') add('action.set', a.set);
  }
  return out;
}

/** What the rule's environment offers; any list left out is not checked. */
export interface RichRuleContext {
  services?: readonly string[];
  /**
   * The live service definitions' own destinations and includes (firewalld refuses a rule with
   * a destination whose service, or a service it includes, has one: "Destination conflict with service").
   */
  serviceDefs?: Readonly<Record<string, { destination?: { ipv4?: string; ipv6?: string }; includes?: readonly string[] }>>;
  icmptypes?: ReadonlyArray<{ name: string; destinations?: readonly string[] }>;
  ipsets?: ReadonlyArray<{ name: string; type: string; family?: string }>;
}

/** The IP family a rule is limited to: its family, else its source address's (as firewalld derives it). */
function ruleFamily(rule: RichRule): RichFamily | undefined {
  if (rule.family) return rule.family;
  if (rule.source?.kind === 'address') return rule.source.value.includes(':') ? 'ipv6' : 'ipv4';
  return undefined;
}

/**
 * firewalld (fw_policy._rule_prepare) applies a service rule once for the service and once for
 * every service it includes; any of them with a destination of its own (mdns, ssdp, ...) makes
 * a rule destination a conflict, whatever the families. The message names the service's
 * destination for the rule's family when it has one.
 */
function serviceDestinationConflict(name: string, rule: RichRule, defs: NonNullable<RichRuleContext['serviceDefs']>): string | undefined {
  const seen = new Set<string>();
  const walk = (n: string): string | undefined => {
    if (seen.has(n)) return undefined;
    seen.add(n);
    const def = defs[n];
    if (!def) return undefined;
    const dest = def.destination ?? {};
    if (dest.ipv4 || dest.ipv6) return n;
    for (const inc of def.includes ?? []) {
      const hit = walk(inc);
      if (hit) return hit;
    }
    return undefined;
  };
  const owner = walk(name);
  if (!owner) return undefined;
  const dest = defs[owner]!.destination ?? {};
  const fam = ruleFamily(rule);
  const shown = fam && dest[fam] ? `${fam} ${dest[fam]}` : [dest.ipv4 && `ipv4 ${dest.ipv4}`, dest.ipv6 && `ipv6 ${dest.ipv6}`].filter(Boolean).join(', ');
  const via = owner === name ? `The service ${name}` : `The service ${name} includes ${owner}, which`;
  return (
    `${via} has its own destination (${shown}), so the rule cannot have a destination too ` +
    `(firewalld: "Destination conflict with service"; saved permanently, the next reload would fail). ` +
    `Remove the destination, or match a port instead of the service.`
  );
}

/** checkRichRule plus the checks firewalld makes against its state when the rule is applied. */
export function checkRichRuleIn(rule: RichRule, ctx: RichRuleContext): RichRuleProblem[] {
  const out = checkRichRule(rule);
  const e = rule.element;
  if (e?.type === 'service' && ctx.services && e.name && !ctx.services.includes(e.name)) {
    out.push(problem('element.name', 'INVALID_SERVICE', `firewalld has no service named ${JSON.stringify(e.name)}.`));
  }
  if ((e?.type === 'icmp-block' || e?.type === 'icmp-type') && ctx.icmptypes && e.name) {
    const ict = ctx.icmptypes.find((i) => i.name === e.name);
    if (!ict) out.push(problem('element.name', 'INVALID_ICMPTYPE', `firewalld has no ICMP type named ${JSON.stringify(e.name)}.`));
    else if (rule.family && ict.destinations?.length && !ict.destinations.includes(rule.family)) {
      out.push(problem('element.name', 'INVALID_ICMPTYPE', `The ICMP type ${e.name} exists only for ${ict.destinations.join(' and ')}, not for ${rule.family}.`));
    }
    if (e.type === 'icmp-block' && rule.action?.type === 'accept') {
      out.push(problem('action', 'INVALID_RULE', 'An icmp-block cannot use the accept action.'));
    }
  }
  if (e?.type === 'service' && rule.destination && ctx.serviceDefs?.[e.name]) {
    const conflict = serviceDestinationConflict(e.name, rule, ctx.serviceDefs);
    if (conflict) out.push(problem('destination', 'INVALID_RULE', conflict));
  }
  for (const [side, ref] of [['source', rule.source], ['destination', rule.destination]] as const) {
    if (ref?.kind !== 'ipset' || !ctx.ipsets) continue;
    const set = ctx.ipsets.find((s) => s.name === ref.value);
    if (!set) {
      out.push(problem(`${side}.value`, 'INVALID_IPSET', `There is no ipset named ${JSON.stringify(ref.value)}.`));
      continue;
    }
    const setFamily = set.type === 'hash:mac' ? undefined : set.family === 'inet6' ? 'ipv6' : 'ipv4';
    if (rule.family && setFamily && rule.family !== setFamily) {
      out.push(problem(`${side}.value`, 'INVALID_RULE', `The ipset ${set.name} holds ${setFamily} entries, but the rule family is ${rule.family}.`));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Printer: Rich_Rule.__str__ and the element __str__ methods

export function printRichRule(rule: RichRule): string {
  let ret = 'rule';
  if (rule.priority) ret += ` priority="${rule.priority}"`;
  if (rule.family) ret += ` family="${rule.family}"`;
  if (rule.source) {
    const s = rule.source;
    ret += ` source${s.invert ? ' NOT' : ''} ${s.kind}="${s.value}"`;
  }
  if (rule.destination) {
    const d = rule.destination;
    ret += ` destination${d.invert ? ' NOT' : ''} ${d.kind}="${d.value}"`;
  }
  if (rule.element) ret += ` ${printElement(rule.element)}`;
  const lim = (l: string | undefined) => (has(l) ? ` limit value="${l}"` : '');
  if (rule.log) {
    const l = rule.log;
    if (l.type === 'log') {
      ret += ` log${has(l.prefix) ? ` prefix="${l.prefix}"` : ''}${has(l.level) ? ` level="${l.level}"` : ''}${lim(l.limit)}`;
    } else {
      ret += ` nflog${has(l.group) ? ` group="${l.group}"` : ''}${has(l.prefix) ? ` prefix="${l.prefix}"` : ''}${has(l.queueSize) ? ` queue-size="${l.queueSize}"` : ''}${lim(l.limit)}`;
    }
  }
  if (rule.audit) ret += ` audit${lim(rule.audit.limit)}`;
  if (rule.action) {
    const a = rule.action;
    if (a.type === 'reject') ret += ` reject${has(a.rejectType) ? ` type="${a.rejectType}"` : ''}${lim(a.limit)}`;
    else if (a.type === 'mark') ret += ` mark set=${a.set}${lim(a.limit)}`;
    else ret += ` ${a.type}${lim(a.limit)}`;
  }
  return ret;
}

function printElement(e: RichElement): string {
  switch (e.type) {
    case 'service':
      return `service name="${e.name}"`;
    case 'port':
    case 'source-port':
      return `${e.type} port="${e.port}" protocol="${e.protocol}"`;
    case 'protocol':
      return `protocol value="${e.value}"`;
    case 'icmp-block':
    case 'icmp-type':
      return `${e.type} name="${e.name}"`;
    case 'masquerade':
      return 'masquerade';
    case 'forward-port':
      return `forward-port port="${e.port}" protocol="${e.protocol}"${has(e.toPort) ? ` to-port="${e.toPort}"` : ''}${has(e.toAddr) ? ` to-addr="${e.toAddr}"` : ''}`;
    case 'tcp-mss-clamp':
      return has(e.value) ? `tcp-mss-clamp value="${e.value}"` : 'tcp-mss-clamp';
  }
}

/**
 * The form firewalld stores and reports a rule in, or undefined if firewalld would refuse it.
 * firewalld's RichRuleAdded/Removed signals carry the text as sent, not this form: normalize
 * before comparing with getRichRules output.
 */
export function normalizeRichRule(text: string): string | undefined {
  const r = parseRichRule(text);
  return r.ok ? printRichRule(r.rule) : undefined;
}

/**
 * The rule as firewalld reports it after it went through its XML (permanent config, reload):
 * a bare `tcp-mss-clamp` is written as <tcp-mss-clamp/> and read back as value="pmtu"
 * (core/io/policy.py). Use it to compare runtime with permanent rules.
 */
export function richRuleAfterXml(rule: RichRule): RichRule {
  if (rule.element?.type === 'tcp-mss-clamp' && !has(rule.element.value)) {
    return { ...rule, element: { type: 'tcp-mss-clamp', value: 'pmtu' } };
  }
  return rule;
}

/** A key under which runtime and permanent spellings of the same rule compare equal. */
export function richRuleKey(text: string): string {
  const r = parseRichRule(text);
  return r.ok ? printRichRule(richRuleAfterXml(r.rule)) : text;
}

/** A short human summary of a rule for lists ("Allow ssh from 192.0.2.0/24, log"). */
export function describeRichRule(rule: RichRule): string {
  const parts: string[] = [];
  const a = rule.action;
  const verb = !a ? (rule.element?.type === 'icmp-block' ? 'Block' : rule.element?.type === 'masquerade' ? 'Masquerade' : rule.element?.type === 'forward-port' ? 'Forward' : rule.log ? 'Log' : 'Audit')
    : a.type === 'accept' ? 'Allow' : a.type === 'drop' ? 'Drop' : a.type === 'reject' ? 'Reject' : `Mark ${a.set}`;
  parts.push(verb);
  const e = rule.element;
  if (e) {
    if (e.type === 'service') parts.push(`service ${e.name}`);
    else if (e.type === 'port' || e.type === 'source-port') parts.push(`${e.type === 'source-port' ? 'source port' : 'port'} ${e.port}/${e.protocol}`);
    else if (e.type === 'protocol') parts.push(`protocol ${e.value}`);
    else if (e.type === 'icmp-block' || e.type === 'icmp-type') parts.push(`ICMP ${e.name}`);
    else if (e.type === 'forward-port') parts.push(`${e.port}/${e.protocol} to ${[e.toAddr, e.toPort].filter(Boolean).join(':')}`);
    else if (e.type === 'tcp-mss-clamp') parts.push(`TCP MSS clamp ${e.value ?? 'pmtu'}`);
  } else if (!rule.source && !rule.destination) parts.push('everything');
  if (rule.source) parts.push(`from ${rule.source.invert ? 'anything but ' : ''}${rule.source.kind === 'ipset' ? `ipset ${rule.source.value}` : rule.source.value}`);
  if (rule.destination) parts.push(`to ${rule.destination.invert ? 'anything but ' : ''}${rule.destination.kind === 'ipset' ? `ipset ${rule.destination.value}` : rule.destination.value}`);
  if (rule.family) parts.push(`(${rule.family === 'ipv4' ? 'IPv4' : 'IPv6'})`);
  const extras: string[] = [];
  if (rule.log) extras.push(rule.log.type === 'nflog' ? 'nflog' : 'log');
  if (rule.audit) extras.push('audit');
  if (a?.limit) extras.push(`limit ${a.limit}`);
  if (rule.priority) extras.push(`priority ${rule.priority}`);
  return parts.join(' ') + (extras.length ? `, ${extras.join(', ')}` : '');
}
