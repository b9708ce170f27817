/**
 * One firewalld configuration file into HostDeck's model, with firewalld 1.3.3's reader
 * semantics (core/io/zone.py, policy.py common_startElement, service.py, ipset.py,
 * icmptype.py, helper.py): an unexpected element or attribute, a bad target, port, protocol,
 * address or ipset option makes the whole file fail to load (firewalld skips the object and
 * --check-config fails); a repeated item, an invalid rich rule or an entry that does not fit
 * the ipset are dropped with a warning, as firewalld logs and drops them.
 *
 * Not reproduced: firewalld merges overlapping port ranges of a zone as it reads them
 * (coalescePortRange); files firewalld or firewall-offline-cmd wrote are already merged.
 */
import type { ForwardPort, Helper, IcmpType, IpSet, Policy, Port, PortProtocol, Service, Zone } from '../model';
import { IPSET_OPTIONS, IPSET_TYPES, LOG_LEVELS, POLICY_TARGETS, ZONE_TARGETS } from '../data/firewalld-constants';
import { checkRichRule, parseRichRule, printRichRule, type RichRule } from '../rich-rule';
import {
  checkAddress,
  checkIpsetEntry,
  checkName,
  checkPortProtocol,
  checkProtocol,
  isIPv4,
  isIPv6,
  isMac,
  normalizePort,
  pyInt,
  type ObjectKind,
} from '../validate';
import { parseXml, XmlError, type XmlElement } from './xml';

/** One thing wrong in a configuration: where (file:line, element) and what. */
export interface ConfigProblem {
  /** The file as people should see it (an image's path on this machine). */
  file: string;
  line?: number;
  /** The element or object concerned: `<port port="x" protocol="tcp">`, `zone public`. */
  element: string;
  /** firewalld's error code (INVALID_SERVICE, PARSE_ERROR, ...). */
  code: string;
  message: string;
  /** error: firewalld would not load it (check fails); warning: firewalld loads it, dropping the item. */
  severity: 'error' | 'warning';
}

export type ParsedObject =
  | { kind: 'zone'; obj: Zone }
  | { kind: 'policy'; obj: Policy }
  | { kind: 'service'; obj: Service }
  | { kind: 'ipset'; obj: IpSet; entries: string[] }
  | { kind: 'icmptype'; obj: IcmpType }
  | { kind: 'helper'; obj: Helper };

export type ConfigKind = ParsedObject['kind'];

type AttrTable = Record<string, string[] | null>;

const RULE_REQUIRED: AttrTable = {
  rule: null, source: null, destination: null, 'icmp-type': ['name'], log: null, nflog: null, audit: null,
  accept: null, reject: null, drop: null, mark: ['set'], limit: ['value'],
};
const RULE_OPTIONAL: AttrTable = {
  rule: ['family', 'priority'], source: ['address', 'mac', 'invert', 'family', 'ipset'], destination: ['address', 'invert', 'ipset'],
  log: ['prefix', 'level'], nflog: ['group', 'prefix', 'queue-size'], reject: ['type'], 'tcp-mss-clamp': ['value'],
};
const COMMON_REQUIRED: AttrTable = {
  short: null, description: null, service: ['name'], port: ['port', 'protocol'], 'icmp-block': ['name'],
  'forward-port': ['port', 'protocol'], protocol: ['value'], 'source-port': ['port', 'protocol'], ...RULE_REQUIRED,
};
/** PARSER_REQUIRED_ELEMENT_ATTRS / PARSER_OPTIONAL_ELEMENT_ATTRS of each reader (firewalld 1.3.3). */
const TABLES: Record<ConfigKind, { required: AttrTable; optional: AttrTable }> = {
  zone: {
    required: { ...COMMON_REQUIRED, zone: null, forward: null, interface: ['name'], 'icmp-block-inversion': null },
    optional: { ...RULE_OPTIONAL, zone: ['name', 'immutable', 'target', 'version'], masquerade: ['enabled'], 'forward-port': ['to-port', 'to-addr'] },
  },
  policy: {
    required: { ...COMMON_REQUIRED, policy: ['target'], masquerade: null, 'ingress-zone': ['name'], 'egress-zone': ['name'] },
    optional: { ...RULE_OPTIONAL, policy: ['version', 'priority'], 'forward-port': ['to-port', 'to-addr'] },
  },
  service: {
    required: { short: null, description: null, service: null },
    optional: { service: ['name', 'version'], port: ['port', 'protocol'], protocol: ['value'], module: ['name'], destination: ['ipv4', 'ipv6'], 'source-port': ['port', 'protocol'], include: ['service'], helper: ['name'] },
  },
  ipset: { required: { short: null, description: null, ipset: ['type'], option: ['name'], entry: null }, optional: { ipset: ['version'], option: ['value'] } },
  icmptype: { required: { short: null, description: null, icmptype: null }, optional: { icmptype: ['name', 'version'], destination: ['ipv4', 'ipv6'] } },
  helper: { required: { short: null, description: null, helper: ['module'] }, optional: { helper: ['name', 'version', 'family'], port: ['port', 'protocol'] } },
};

/** A file-level failure: the object is not loaded. */
class LoadError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly el?: XmlElement,
  ) {
    super(message);
  }
}

export function describeElement(el: XmlElement): string {
  const a = Object.entries(el.attrs).map(([k, v]) => ` ${k}="${v}"`).join('');
  return `<${el.name}${a}>`;
}

function checkAttrs(kind: ConfigKind, el: XmlElement): void {
  const { required, optional } = TABLES[kind];
  const names = new Set(Object.keys(el.attrs));
  let found = false;
  if (el.name in required) {
    found = true;
    for (const a of required[el.name] ?? []) {
      if (!names.delete(a)) throw new LoadError('PARSE_ERROR', `Missing attribute ${a} for ${el.name}`, el);
    }
  }
  if (el.name in optional) {
    found = true;
    for (const a of optional[el.name] ?? []) names.delete(a);
  }
  if (!found) throw new LoadError('PARSE_ERROR', `Unexpected element ${el.name}`, el);
  for (const a of names) throw new LoadError('PARSE_ERROR', `${el.name}: Unexpected attribute ${a}`, el);
}

function port(el: XmlElement, value: string, what = 'port'): string {
  const p = normalizePort(value);
  if (p === undefined) throw new LoadError('INVALID_PORT', `'${value}' is not a valid ${what}`, el);
  return p;
}
function proto(el: XmlElement, value: string): PortProtocol {
  if (checkPortProtocol(value)) throw new LoadError('INVALID_PROTOCOL', `'${value}' not from {'tcp'|'udp'|'sctp'|'dccp'}`, el);
  return value as PortProtocol;
}
const samePort = (a: Port, b: Port) => a.port === b.port && a.protocol === b.protocol;

interface Ctx {
  kind: ConfigKind;
  file: string;
  problems: ConfigProblem[];
}
function warn(ctx: Ctx, el: XmlElement, code: string, message: string): void {
  ctx.problems.push({ file: ctx.file, line: el.line, element: describeElement(el), code, message, severity: 'warning' });
}

/** A <rule> element into a rich rule (firewalld's str() form), or a warning and undefined (firewalld drops it). */
function ruleFrom(ctx: Ctx, el: XmlElement): string | undefined {
  const fail = (at: XmlElement, message: string): undefined => {
    warn(ctx, at, 'INVALID_RULE', `rich rule ignored: ${message}`);
    return undefined;
  };
  const rule: RichRule = { priority: 0 };
  if (el.attrs.family !== undefined) {
    if (el.attrs.family !== 'ipv4' && el.attrs.family !== 'ipv6') return fail(el, `Rule family "${el.attrs.family}" invalid`);
    rule.family = el.attrs.family;
  }
  if (el.attrs.priority !== undefined) {
    const p = pyInt(el.attrs.priority);
    if (p === undefined) throw new LoadError('INVALID_PRIORITY', `invalid literal for int(): '${el.attrs.priority}'`, el);
    rule.priority = p;
  }
  const limitOf = (x: XmlElement): string | undefined | null => {
    const limits = x.children.filter((c) => c.name === 'limit');
    if (limits.length > 1) return null;
    return limits[0]?.attrs.value;
  };
  for (const c of el.children) {
    checkAttrs(ctx.kind, c);
    for (const g of c.children) checkAttrs(ctx.kind, g);
    const inv = (c.attrs.invert ?? '').toLowerCase();
    const invert = inv === 'yes' || inv === 'true';
    const limit = limitOf(c);
    if (limit === null) return fail(c, 'more than one limit');
    if (c.children.length && !['log', 'nflog', 'audit', 'accept', 'reject', 'drop', 'mark'].includes(c.name)) return fail(c, 'Limit outside of action, log and audit');
    const element = (e: RichRule['element']) => {
      if (rule.element) return false;
      rule.element = e;
      return true;
    };
    switch (c.name) {
      case 'source': {
        if (rule.source) return fail(c, 'More than one source');
        const kinds = (['address', 'mac', 'ipset'] as const).filter((k) => c.attrs[k] !== undefined);
        if (kinds.length !== 1) return fail(c, 'a source needs exactly one of address, mac, ipset');
        rule.source = { kind: kinds[0]!, value: c.attrs[kinds[0]!]!, invert };
        break;
      }
      case 'destination': {
        if (rule.destination) break; // firewalld keeps the first one (and only warns)
        const kinds = (['address', 'ipset'] as const).filter((k) => c.attrs[k] !== undefined);
        if (kinds.length !== 1) return fail(c, 'a destination needs exactly one of address, ipset');
        rule.destination = { kind: kinds[0]!, value: c.attrs[kinds[0]!]!, invert };
        break;
      }
      case 'service':
        if (!element({ type: 'service', name: c.attrs.name! })) return fail(c, 'More than one element');
        break;
      case 'port':
      case 'source-port':
        if (!element({ type: c.name, port: c.attrs.port!, protocol: c.attrs.protocol! })) return fail(c, 'More than one element');
        break;
      case 'protocol':
        if (!element({ type: 'protocol', value: c.attrs.value! })) return fail(c, 'More than one element');
        break;
      case 'icmp-block':
      case 'icmp-type':
        if (!element({ type: c.name, name: c.attrs.name! })) return fail(c, 'More than one element');
        break;
      case 'masquerade':
        if (!element({ type: 'masquerade' })) return fail(c, 'More than one element');
        break;
      case 'forward-port':
        if (!element({ type: 'forward-port', port: c.attrs.port!, protocol: c.attrs.protocol!, toPort: c.attrs['to-port'] || undefined, toAddr: c.attrs['to-addr'] || undefined })) return fail(c, 'More than one element');
        break;
      case 'tcp-mss-clamp':
        if (!element({ type: 'tcp-mss-clamp', value: c.attrs.value && c.attrs.value !== 'None' ? c.attrs.value : 'pmtu' })) return fail(c, 'More than one element');
        break;
      case 'log':
      case 'nflog': {
        if (rule.log) break; // firewalld keeps the first one
        if (c.attrs.prefix !== undefined && (!c.attrs.prefix || c.attrs.prefix.length > 127)) return fail(c, `Invalid ${c.name} prefix`);
        if (c.name === 'log') {
          if (c.attrs.level !== undefined && !(LOG_LEVELS as readonly string[]).includes(c.attrs.level)) return fail(c, 'Invalid log level');
          rule.log = { type: 'log', prefix: c.attrs.prefix, level: c.attrs.level, limit };
        } else {
          for (const k of ['group', 'queue-size']) if (c.attrs[k] !== undefined && !/^\d+$/.test(c.attrs[k]!)) return fail(c, `Invalid nflog ${k} value`);
          rule.log = { type: 'nflog', group: c.attrs.group, prefix: c.attrs.prefix, queueSize: c.attrs['queue-size'], limit };
        }
        break;
      }
      case 'audit':
        if (rule.audit) return fail(c, 'More than one audit');
        rule.audit = { limit };
        break;
      case 'accept':
      case 'drop':
      case 'reject':
      case 'mark':
        if (rule.action) return fail(c, 'More than one action');
        rule.action = c.name === 'reject' ? { type: 'reject', rejectType: c.attrs.type, limit } : c.name === 'mark' ? { type: 'mark', set: c.attrs.set!, limit } : { type: c.name, limit };
        break;
      default:
        return fail(c, `${c.name} is not allowed in a rule`);
    }
  }
  // Through firewalld's own string form: print, parse and check as Rich_Rule(rule_str=...).check() does.
  const text = printRichRule(rule);
  const parsed = parseRichRule(text);
  if (!parsed.ok) return fail(el, parsed.error.message);
  const problems = checkRichRule(parsed.rule);
  if (problems.length) return fail(el, problems[0]!.message);
  return printRichRule(parsed.rule);
}

function pushUnique<T>(list: T[], item: T, same: (a: T, b: T) => boolean = (a, b) => a === b): boolean {
  if (list.some((x) => same(x, item))) return false;
  list.push(item);
  return true;
}

/** common_startElement: the items zones and policies share (outside rules). */
function commonItem(ctx: Ctx, o: Zone | Policy, c: XmlElement): boolean {
  const dup = () => warn(ctx, c, 'ALREADY_ENABLED', `${describeElement(c)} already set, ignoring`);
  switch (c.name) {
    case 'short':
      o.short = c.text;
      return true;
    case 'description':
      o.description = c.text;
      return true;
    case 'service':
      if (!pushUnique(o.services, c.attrs.name!)) dup();
      return true;
    case 'port':
    case 'source-port': {
      const p = { port: port(c, c.attrs.port!), protocol: proto(c, c.attrs.protocol!) };
      if (!pushUnique(c.name === 'port' ? o.ports : o.sourcePorts, p, samePort)) dup();
      return true;
    }
    case 'protocol': {
      const bad = checkProtocol(c.attrs.value!);
      if (bad) throw new LoadError('INVALID_PROTOCOL', bad, c);
      if (!pushUnique(o.protocols, c.attrs.value!)) dup();
      return true;
    }
    case 'icmp-block':
      if (!pushUnique(o.icmpBlocks, c.attrs.name!)) dup();
      return true;
    case 'icmp-type':
    case 'tcp-mss-clamp':
      warn(ctx, c, 'INVALID_RULE', `${c.name} outside of a rule, ignoring`);
      return true;
    case 'masquerade':
      if (o.masquerade) dup();
      o.masquerade = true;
      return true;
    case 'forward-port': {
      const toPort = c.attrs['to-port'] ?? '';
      const toAddr = c.attrs['to-addr'] ?? '';
      const f: ForwardPort = { port: port(c, c.attrs.port!), protocol: proto(c, c.attrs.protocol!), toPort: toPort ? port(c, toPort, 'to-port') : '', toAddr };
      if (toAddr && !isIPv4(toAddr) && !isIPv6(toAddr)) throw new LoadError('INVALID_ADDR', `to-addr '${toAddr}' is not a valid address`, c);
      if (!pushUnique(o.forwardPorts, f, (a, b) => JSON.stringify(a) === JSON.stringify(b))) dup();
      return true;
    }
    case 'rule': {
      const r = ruleFrom(ctx, c);
      if (r !== undefined && !pushUnique(o.richRules, r)) dup();
      return true;
    }
    case 'destination':
    case 'accept':
    case 'reject':
    case 'drop':
    case 'mark':
    case 'log':
    case 'nflog':
    case 'audit':
    case 'limit':
      warn(ctx, c, 'INVALID_RULE', `${c.name} outside of a rule, ignoring`);
      return true;
  }
  return false;
}

const text = { version: '', short: '', description: '' };

function zoneFrom(ctx: Ctx, name: string, root: XmlElement): Zone {
  const z: Zone = {
    name, ...text, target: 'default', services: [], ports: [], protocols: [], sourcePorts: [], icmpBlocks: [], icmpBlockInversion: false,
    // Read from disk, a missing <forward/> means off (zone_reader), whatever new zones default to.
    forward: false, masquerade: false, forwardPorts: [], richRules: [], interfaces: [], sources: [],
  };
  if (root.attrs.version !== undefined) z.version = root.attrs.version;
  const target = root.attrs.target;
  if (target !== undefined) {
    if (!(ZONE_TARGETS as readonly string[]).includes(target) && target !== '') throw new LoadError('INVALID_TARGET', target, root);
    if (target) z.target = target;
  }
  for (const c of root.children) {
    checkAttrs(ctx.kind, c);
    if (c.name !== 'rule') for (const g of c.children) checkAttrs(ctx.kind, g);
    if (commonItem(ctx, z, c)) continue;
    switch (c.name) {
      case 'forward':
        z.forward = true;
        break;
      case 'icmp-block-inversion':
        z.icmpBlockInversion = true;
        break;
      case 'interface':
        if (!pushUnique(z.interfaces, c.attrs.name!)) warn(ctx, c, 'ALREADY_ENABLED', `Interface '${c.attrs.name}' already set, ignoring`);
        break;
      case 'source': {
        const { address, ipset } = c.attrs;
        if (address === undefined && ipset === undefined) warn(ctx, c, 'INVALID_ADDR', 'Invalid source: No address no ipset, ignoring');
        else if (address !== undefined && ipset !== undefined) warn(ctx, c, 'INVALID_ADDR', 'Invalid source: Address and ipset, ignoring');
        else if (c.attrs.invert !== undefined) warn(ctx, c, 'INVALID_ADDR', 'Invalid source: Invertion not allowed here, ignoring');
        else if (address !== undefined) {
          if (checkAddress(address, undefined) && !isMac(address)) throw new LoadError('INVALID_ADDR', address, c);
          if (!pushUnique(z.sources, address)) warn(ctx, c, 'ALREADY_ENABLED', `Source '${address}' already set, ignoring`);
        } else if (!pushUnique(z.sources, `ipset:${ipset}`)) warn(ctx, c, 'ALREADY_ENABLED', `Source 'ipset:${ipset}' already set, ignoring`);
        break;
      }
      default:
        warn(ctx, c, 'PARSE_ERROR', `Unknown XML element '${c.name}'`);
    }
  }
  return z;
}

function policyFrom(ctx: Ctx, name: string, root: XmlElement): Policy {
  const p: Policy = {
    name, ...text, target: 'CONTINUE', priority: -1, ingressZones: [], egressZones: [], services: [], ports: [], protocols: [], sourcePorts: [],
    icmpBlocks: [], masquerade: false, forwardPorts: [], richRules: [],
  };
  if (root.attrs.version !== undefined) p.version = root.attrs.version;
  const target = root.attrs.target!;
  if (!(POLICY_TARGETS as readonly string[]).includes(target)) throw new LoadError('INVALID_TARGET', target, root);
  p.target = target;
  if (root.attrs.priority !== undefined) {
    const n = pyInt(root.attrs.priority);
    if (n === undefined) throw new LoadError('INVALID_PRIORITY', `invalid literal for int(): '${root.attrs.priority}'`, root);
    p.priority = n;
  }
  for (const c of root.children) {
    checkAttrs(ctx.kind, c);
    if (c.name !== 'rule') for (const g of c.children) checkAttrs(ctx.kind, g);
    if (commonItem(ctx, p, c)) continue;
    if (c.name === 'ingress-zone' || c.name === 'egress-zone') {
      if (!pushUnique(c.name === 'ingress-zone' ? p.ingressZones : p.egressZones, c.attrs.name!)) warn(ctx, c, 'ALREADY_ENABLED', `${c.name} '${c.attrs.name}' already set, ignoring`);
    } else warn(ctx, c, 'PARSE_ERROR', `Unknown XML element '${c.name}'`);
  }
  return p;
}

function serviceFrom(ctx: Ctx, name: string, root: XmlElement): Service {
  const s: Service = { name, ...text, ports: [], protocols: [], sourcePorts: [], modules: [], helpers: [], includes: [], destination: {} };
  if (root.attrs.version !== undefined) s.version = root.attrs.version;
  const need = (c: XmlElement, a: string) => {
    if (c.attrs[a] === undefined) throw new LoadError('PARSE_ERROR', `${c.name}: missing attribute ${a}`, c);
    return c.attrs[a];
  };
  const dup = (c: XmlElement) => warn(ctx, c, 'ALREADY_ENABLED', `${describeElement(c)} already set, ignoring`);
  for (const c of root.children) {
    checkAttrs(ctx.kind, c);
    for (const g of c.children) checkAttrs(ctx.kind, g);
    switch (c.name) {
      case 'short':
        s.short = c.text;
        break;
      case 'description':
        s.description = c.text;
        break;
      case 'port': {
        const pt = need(c, 'port');
        if (pt !== '') {
          if (!pushUnique(s.ports, { port: port(c, pt), protocol: proto(c, need(c, 'protocol')) }, samePort)) dup(c);
        } else {
          const bad = checkProtocol(need(c, 'protocol'));
          if (bad) throw new LoadError('INVALID_PROTOCOL', bad, c);
          if (!pushUnique(s.protocols, c.attrs.protocol!)) dup(c);
        }
        break;
      }
      case 'protocol': {
        const bad = checkProtocol(need(c, 'value'));
        if (bad) throw new LoadError('INVALID_PROTOCOL', bad, c);
        if (!pushUnique(s.protocols, c.attrs.value!)) dup(c);
        break;
      }
      case 'source-port':
        if (!pushUnique(s.sourcePorts, { port: port(c, need(c, 'port')), protocol: proto(c, need(c, 'protocol')) }, samePort)) dup(c);
        break;
      case 'destination':
        for (const fam of ['ipv4', 'ipv6'] as const) {
          const v = c.attrs[fam];
          if (v === undefined) continue;
          const bad = checkAddress(v, fam);
          if (bad) throw new LoadError('INVALID_ADDR', bad, c);
          if (s.destination[fam] === undefined) s.destination[fam] = v;
          else dup(c);
        }
        break;
      case 'module': {
        let m = need(c, 'name');
        if (m.startsWith('nf_conntrack_')) m = m.replace('nf_conntrack_', '').replace(/_/g, '-');
        if (!pushUnique(s.modules, m)) dup(c);
        break;
      }
      case 'include':
        if (!pushUnique(s.includes, need(c, 'service'))) dup(c);
        break;
      case 'helper':
        if (!pushUnique(s.helpers, need(c, 'name'))) dup(c);
        break;
      default:
        warn(ctx, c, 'PARSE_ERROR', `Unknown XML element '${c.name}'`);
    }
  }
  return s;
}

function ipsetFrom(ctx: Ctx, name: string, root: XmlElement): { obj: IpSet; entries: string[] } {
  const type = root.attrs.type!;
  if (!(IPSET_TYPES as readonly string[]).includes(type)) throw new LoadError('INVALID_TYPE', `${type} (firewalld knows ${IPSET_TYPES.join(', ')})`, root);
  const obj: IpSet = { name, ...text, type, options: {}, entryCount: 0, entriesHash: '' };
  if (root.attrs.version !== undefined) obj.version = root.attrs.version;
  const raw: Array<{ value: string; el: XmlElement }> = [];
  for (const c of root.children) {
    checkAttrs(ctx.kind, c);
    for (const g of c.children) checkAttrs(ctx.kind, g);
    if (c.name === 'short') obj.short = c.text;
    else if (c.name === 'description') obj.description = c.text;
    else if (c.name === 'entry') raw.push({ value: c.text, el: c });
    else if (c.name === 'option') {
      const key = c.attrs.name!;
      const value = c.attrs.value ?? '';
      if (!(IPSET_OPTIONS as readonly string[]).includes(key)) throw new LoadError('INVALID_OPTION', `Unknown option '${key}'`, c);
      if (type === 'hash:mac' && key === 'family') throw new LoadError('INVALID_OPTION', `Unsupported option '${key}' for type '${type}'`, c);
      if (!value) throw new LoadError('INVALID_OPTION', `Missing mandatory value of option '${key}'`, c);
      if (key !== 'family') {
        const n = pyInt(value);
        if (n === undefined) throw new LoadError('INVALID_VALUE', `Option '${key}': Value '${value}' is not an integer`, c);
        if (n < 0) throw new LoadError('INVALID_VALUE', `Option '${key}': Value '${value}' is negative`, c);
      } else if (value !== 'inet' && value !== 'inet6') throw new LoadError('INVALID_FAMILY', value, c);
      if (obj.options[key] === undefined) obj.options[key] = value;
      else warn(ctx, c, 'ALREADY_ENABLED', `Option ${key} already set, ignoring`);
    } else warn(ctx, c, 'PARSE_ERROR', `Unknown XML element '${c.name}'`);
  }
  const entries: string[] = [];
  if (obj.options.timeout && obj.options.timeout !== '0' && raw.length) {
    warn(ctx, root, 'IPSET_WITH_TIMEOUT', `ipset '${name}': timeout option is set, ${raw.length} entries are ignored`);
  } else {
    const seen = new Set<string>();
    for (const { value, el } of raw) {
      if (seen.has(value)) {
        warn(ctx, el, 'ALREADY_ENABLED', `Entry ${value} already set, ignoring`);
        continue;
      }
      const bad = checkIpsetEntry(value, type, obj.options);
      if (bad) {
        warn(ctx, el, 'INVALID_ENTRY', `${bad} Ignoring it.`);
        continue;
      }
      seen.add(value);
      entries.push(value);
    }
  }
  return { obj, entries };
}

function icmptypeFrom(ctx: Ctx, name: string, root: XmlElement): IcmpType {
  const t: IcmpType = { name, ...text, destinations: [] };
  if (root.attrs.version !== undefined) t.version = root.attrs.version;
  for (const c of root.children) {
    checkAttrs(ctx.kind, c);
    if (c.name === 'short') t.short = c.text;
    else if (c.name === 'description') t.description = c.text;
    else if (c.name === 'destination') {
      for (const fam of ['ipv4', 'ipv6'] as const) {
        const v = c.attrs[fam];
        if (v === undefined) continue;
        if (!['yes', 'true'].includes(v.toLowerCase())) continue;
        pushUnique(t.destinations, fam);
      }
    } else warn(ctx, c, 'PARSE_ERROR', `Unknown XML element '${c.name}'`);
  }
  return t;
}

function helperFrom(ctx: Ctx, name: string, root: XmlElement): Helper {
  const h: Helper = { name, ...text, family: root.attrs.family ?? '', module: root.attrs.module!, ports: [] };
  if (root.attrs.version !== undefined) h.version = root.attrs.version;
  if (h.family && h.family !== 'ipv4' && h.family !== 'ipv6') throw new LoadError('INVALID_IPV', `'${h.family}' not in {'ipv4'|'ipv6'}`, root);
  if (!h.module.startsWith('nf_conntrack_')) throw new LoadError('INVALID_MODULE', `'${h.module}' does not start with 'nf_conntrack_'`, root);
  for (const c of root.children) {
    checkAttrs(ctx.kind, c);
    if (c.name === 'short') h.short = c.text;
    else if (c.name === 'description') h.description = c.text;
    else if (c.name === 'port') {
      if (c.attrs.port === undefined || c.attrs.protocol === undefined) throw new LoadError('PARSE_ERROR', 'port: missing attribute port or protocol', c);
      if (!pushUnique(h.ports, { port: port(c, c.attrs.port), protocol: proto(c, c.attrs.protocol) }, samePort)) warn(ctx, c, 'ALREADY_ENABLED', `${describeElement(c)} already set, ignoring`);
    } else warn(ctx, c, 'PARSE_ERROR', `Unknown XML element '${c.name}'`);
  }
  return h;
}

/** firewalld's code for a file that is not valid XML of its kind (zone_reader etc.). */
const INVALID_FILE: Record<ConfigKind, string> = {
  zone: 'INVALID_ZONE', policy: 'INVALID_POLICY', service: 'INVALID_SERVICE', ipset: 'INVALID_IPSET', icmptype: 'INVALID_ICMPTYPE', helper: 'INVALID_HELPER',
};

/**
 * One NAME.xml of a kind: the object, or undefined with an error problem when firewalld would
 * not load it; warnings for what firewalld drops while loading.
 */
export function parseConfigFile(kind: ConfigKind, fileName: string, file: string, xml: string): { parsed?: ParsedObject; problems: ConfigProblem[] } {
  const ctx: Ctx = { kind, file, problems: [] };
  const name = fileName.replace(/\.xml$/, '');
  const error = (code: string, message: string, line?: number, element = `${kind} ${name}`) => {
    ctx.problems.push({ file, line, element, code, message, severity: 'error' });
    return { problems: ctx.problems };
  };
  const badName = checkName(kind as ObjectKind, name);
  if (badName) return error('INVALID_NAME', badName);
  if (kind === 'zone' && name.length > 17) return error('INVALID_NAME', `Zone '${name}': name has ${name.length} chars, max is 17`);
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (e) {
    if (e instanceof XmlError) return error(INVALID_FILE[kind], `not a valid ${kind} file: ${e.message}`, e.line);
    throw e;
  }
  try {
    if (root.name !== kind) throw new LoadError('PARSE_ERROR', `Unexpected element ${root.name} (the root element of a ${kind} file is <${kind}>)`, root);
    checkAttrs(kind, root);
    switch (kind) {
      case 'zone':
        return { parsed: { kind, obj: zoneFrom(ctx, name, root) }, problems: ctx.problems };
      case 'policy':
        return { parsed: { kind, obj: policyFrom(ctx, name, root) }, problems: ctx.problems };
      case 'service':
        return { parsed: { kind, obj: serviceFrom(ctx, name, root) }, problems: ctx.problems };
      case 'ipset':
        return { parsed: { kind, ...ipsetFrom(ctx, name, root) }, problems: ctx.problems };
      case 'icmptype':
        return { parsed: { kind, obj: icmptypeFrom(ctx, name, root) }, problems: ctx.problems };
      case 'helper':
        return { parsed: { kind, obj: helperFrom(ctx, name, root) }, problems: ctx.problems };
    }
  } catch (e) {
    if (e instanceof LoadError) return error(e.code, e.message, e.el?.line ?? root.line, e.el ? describeElement(e.el) : `${kind} ${name}`);
    throw e;
  }
}

/** firewalld.conf keys firewalld 1.3.3 knows (core/io/firewalld_conf.py valid_keys). */
export const FIREWALLD_CONF_KEYS = [
  'DefaultZone', 'MinimalMark', 'CleanupOnExit', 'CleanupModulesOnExit', 'Lockdown', 'IPv6_rpfilter', 'IndividualCalls', 'LogDenied',
  'AutomaticHelpers', 'FirewallBackend', 'FlushAllOnReload', 'RFC3964_IPv4', 'AllowZoneDrifting',
] as const;

/** firewalld.conf's defaults when a key is missing or invalid (config/__init__.py FALLBACK_*). */
export const FIREWALLD_CONF_DEFAULTS: Record<string, string> = {
  DefaultZone: 'public', MinimalMark: '100', CleanupOnExit: 'yes', CleanupModulesOnExit: 'no', Lockdown: 'no', IPv6_rpfilter: 'yes',
  IndividualCalls: 'no', LogDenied: 'off', AutomaticHelpers: 'no', FirewallBackend: 'nftables', FlushAllOnReload: 'yes', RFC3964_IPv4: 'yes',
  AllowZoneDrifting: 'no',
};

const YES_NO = ['yes', 'true', 'no', 'false'];
const CONF_VALUES: Record<string, (v: string) => boolean> = {
  MinimalMark: (v) => pyInt(v) !== undefined,
  LogDenied: (v) => ['all', 'unicast', 'broadcast', 'multicast', 'off'].includes(v),
  AutomaticHelpers: (v) => ['yes', 'no', 'system'].includes(v.toLowerCase()),
  FirewallBackend: (v) => ['nftables', 'iptables'].includes(v.toLowerCase()),
};

/** firewalld.conf as firewalld_conf.read() takes it: KEY=VALUE lines, bad lines logged and skipped, defaults for the rest. */
export function parseFirewalldConf(text: string | undefined, file: string): { settings: Record<string, string>; problems: ConfigProblem[] } {
  const settings: Record<string, string> = {};
  const problems: ConfigProblem[] = [];
  const warn = (line: number, element: string, message: string) => problems.push({ file, line, element, code: 'INVALID_VALUE', message, severity: 'warning' });
  (text ?? '').split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line[0] === '#' || line[0] === ';') return;
    const pair = line.split('=').map((x) => x.trim());
    if (pair.length !== 2) return warn(i + 1, line, `Invalid option definition: '${line}'`);
    const [key, value] = pair as [string, string];
    if (!(FIREWALLD_CONF_KEYS as readonly string[]).includes(key)) return warn(i + 1, key, `Invalid option: '${line}' (not a firewalld.conf key of the version assumed)`);
    if (value === '') return warn(i + 1, key, `Missing value: '${line}'`);
    if (settings[key] !== undefined) return warn(i + 1, key, `Duplicate option definition: '${line}'`);
    const ok = CONF_VALUES[key] ?? (key === 'DefaultZone' ? () => true : (v: string) => YES_NO.includes(v.toLowerCase()));
    if (!ok(value)) return warn(i + 1, key, `${key} '${value}' is not valid, using default value ${FIREWALLD_CONF_DEFAULTS[key]}`);
    settings[key] = value;
  });
  for (const [k, v] of Object.entries(FIREWALLD_CONF_DEFAULTS)) settings[k] ??= v;
  return { settings, problems };
}
