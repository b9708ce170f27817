/**
 * Export a zone, policy or service as firewalld XML (the file firewalld itself would write under
 * /etc/firewalld) and as a `firewall-cmd` shell script. Element order and attribute rules follow
 * firewalld 1.3.3's writers (core/io/zone.py zone_writer, core/io/policy.py common_writer and
 * policy_writer, core/io/service.py service_writer), so the XML loads back into the same object.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { Policy, Service, Zone } from './model';
import { parseRichRule, type RichRule } from './rich-rule';

type XmlNode = Record<string, unknown>;

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
});

const XML_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n';

const attrs = (o: Record<string, string | undefined>): XmlNode => {
  const out: XmlNode = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== '') out[`@_${k}`] = v;
  return out;
};
const list = <T>(items: readonly T[] | undefined, f: (x: T) => XmlNode): XmlNode[] | undefined =>
  items && items.length ? unique(items).map(f) : undefined;
const unique = <T>(items: readonly T[]): T[] => {
  const seen = new Set<string>();
  return items.filter((x) => {
    const k = JSON.stringify(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
};
const text = (s: string | undefined) => (s ? s : undefined);
const flag = (b: boolean | undefined) => (b ? '' : undefined);

/** A node with only the keys that have values (the builder writes undefined keys otherwise). */
function node(entries: Array<[string, unknown]>): XmlNode {
  const out: XmlNode = {};
  for (const [k, v] of entries) if (v !== undefined) out[k] = v;
  return out;
}

function ruleXml(rule: RichRule): XmlNode {
  const limit = (l: string | undefined) => (l ? { limit: attrs({ value: l }) } : {});
  const e = rule.element;
  const entries: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries(attrs({ family: rule.family, priority: rule.priority ? String(rule.priority) : undefined }))) entries.push([k, v]);
  if (rule.source) {
    entries.push(['source', attrs({ [rule.source.kind]: rule.source.value, invert: rule.source.invert ? 'True' : undefined })]);
  }
  if (rule.destination) {
    entries.push(['destination', attrs({ [rule.destination.kind]: rule.destination.value, invert: rule.destination.invert ? 'True' : undefined })]);
  }
  if (e) {
    switch (e.type) {
      case 'service': entries.push(['service', attrs({ name: e.name })]); break;
      case 'port':
      case 'source-port': entries.push([e.type, attrs({ port: e.port, protocol: e.protocol })]); break;
      case 'protocol': entries.push(['protocol', attrs({ value: e.value })]); break;
      case 'icmp-block':
      case 'icmp-type': entries.push([e.type, attrs({ name: e.name })]); break;
      case 'masquerade': entries.push(['masquerade', '']); break;
      case 'forward-port': entries.push(['forward-port', attrs({ port: e.port, protocol: e.protocol, 'to-port': e.toPort, 'to-addr': e.toAddr })]); break;
      case 'tcp-mss-clamp': entries.push(['tcp-mss-clamp', e.value && e.value !== 'pmtu' ? attrs({ value: e.value }) : '']); break;
    }
  }
  const l = rule.log;
  if (l?.type === 'log') entries.push(['log', { ...attrs({ prefix: l.prefix, level: l.level }), ...limit(l.limit) }]);
  if (l?.type === 'nflog') entries.push(['nflog', { ...attrs({ group: l.group, prefix: l.prefix, 'queue-size': l.queueSize }), ...limit(l.limit) }]);
  if (rule.audit) entries.push(['audit', { ...limit(rule.audit.limit) }]);
  const a = rule.action;
  if (a) {
    const extra = a.type === 'reject' ? attrs({ type: a.rejectType }) : a.type === 'mark' ? attrs({ set: a.set }) : {};
    entries.push([a.type, { ...extra, ...limit(a.limit) }]);
  }
  return node(entries);
}

function rulesXml(rules: readonly string[]): XmlNode[] | undefined {
  const parsed: XmlNode[] = [];
  for (const text of unique(rules)) {
    const r = parseRichRule(text);
    if (!r.ok) throw new ExportError(`The rich rule ${JSON.stringify(text)} cannot be exported: ${r.error.message}`);
    parsed.push(ruleXml(r.rule));
  }
  return parsed.length ? parsed : undefined;
}

export class ExportError extends Error {}

/** The common_writer part shared by zones and policies, in firewalld's order. */
function commonXml(o: Zone | Policy): Array<[string, unknown]> {
  return [
    ['short', text(o.short)],
    ['description', text(o.description)],
    ['service', list(o.services, (s) => attrs({ name: s }))],
    ['port', list(o.ports, (p) => attrs({ port: p.port, protocol: p.protocol }))],
    ['protocol', list(o.protocols, (p) => attrs({ value: p }))],
    ['icmp-block', list(o.icmpBlocks, (n) => attrs({ name: n }))],
    ['masquerade', flag(o.masquerade)],
    ['forward-port', list(o.forwardPorts, (f) => attrs({ port: f.port, protocol: f.protocol, 'to-port': f.toPort, 'to-addr': f.toAddr }))],
    ['source-port', list(o.sourcePorts, (p) => attrs({ port: p.port, protocol: p.protocol }))],
    ['rule', rulesXml(o.richRules)],
  ];
}

/** The zone as /etc/firewalld/zones/<name>.xml. */
export function zoneToXml(zone: Zone): string {
  const root = node([
    ...Object.entries(attrs({
      version: zone.version,
      target: zone.target && zone.target !== 'default' ? zone.target : undefined,
      'ingress-priority': zone.ingressPriority ? String(zone.ingressPriority) : undefined,
      'egress-priority': zone.egressPriority ? String(zone.egressPriority) : undefined,
    })),
    ...commonXml(zone),
    ['interface', list(zone.interfaces, (i) => attrs({ name: i }))],
    ['source', list(zone.sources, (s) => (s.startsWith('ipset:') ? attrs({ ipset: s.slice(6) }) : attrs({ address: s })))],
    ['icmp-block-inversion', flag(zone.icmpBlockInversion)],
    ['forward', flag(zone.forward)],
  ]);
  return XML_HEAD + builder.build({ zone: root });
}

/** The policy as /etc/firewalld/policies/<name>.xml. */
export function policyToXml(policy: Policy): string {
  const root = node([
    ...Object.entries(attrs({
      version: policy.version,
      priority: policy.priority !== -1 ? String(policy.priority) : undefined,
      target: policy.target || 'CONTINUE',
    })),
    ...commonXml(policy),
    ['ingress-zone', list(policy.ingressZones, (z) => attrs({ name: z }))],
    ['egress-zone', list(policy.egressZones, (z) => attrs({ name: z }))],
  ]);
  return XML_HEAD + builder.build({ policy: root });
}

/** The service as /etc/firewalld/services/<name>.xml. */
export function serviceToXml(service: Service): string {
  const dest = service.destination ?? {};
  const root = node([
    ...Object.entries(attrs({ version: service.version })),
    ['short', text(service.short)],
    ['description', text(service.description)],
    ['port', list(service.ports, (p) => attrs({ port: p.port, protocol: p.protocol }))],
    ['protocol', list(service.protocols, (p) => attrs({ value: p }))],
    ['source-port', list(service.sourcePorts, (p) => attrs({ port: p.port, protocol: p.protocol }))],
    ['module', list(service.modules, (m) => attrs({ name: m }))],
    ['destination', dest.ipv4 || dest.ipv6 ? attrs({ ipv4: dest.ipv4, ipv6: dest.ipv6 }) : undefined],
    ['include', list(service.includes, (s) => attrs({ service: s }))],
    ['helper', list(service.helpers, (h) => attrs({ name: h }))],
  ]);
  return XML_HEAD + builder.build({ service: root });
}

// ---------------------------------------------------------------------------------------------
// firewall-cmd scripts

/** POSIX shell quoting: plain words stay bare, everything else goes in single quotes. */
export function shellQuote(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface ScriptOptions {
  /** Write --permanent commands (default) or runtime ones. */
  permanent?: boolean;
  /** Start with --new-zone/--new-policy/--new-service (for objects that do not exist yet). */
  create?: boolean;
  /** Comment lines at the top (host, firewalld version, date); written as "# ...". */
  header?: string[];
  /** Reload at the end so permanent changes take effect. */
  reload?: boolean;
}

class Script {
  private readonly lines: string[] = [];
  constructor(private readonly base: string[], header: string[] | undefined) {
    this.lines.push('#!/bin/sh', ...(header ?? []).map((h) => `# ${h.replace(/\n/g, ' ')}`), 'set -e');
  }
  cmd(...args: string[]) {
    this.lines.push(['firewall-cmd', ...args].map(shellQuote).join(' '));
  }
  /** One command with the same option repeated for every value. */
  each(option: string, values: readonly string[] | undefined, scope: string[]) {
    if (!values?.length) return;
    this.cmd(...this.base, ...scope, ...unique(values).map((v) => `--${option}=${v}`));
  }
  comment(c: string) {
    this.lines.push(`# ${c}`);
  }
  toString() {
    return this.lines.join('\n') + '\n';
  }
}

const portArg = (p: { port: string; protocol: string }) => `${p.port}/${p.protocol}`;
const forwardArg = (f: { port: string; protocol: string; toPort?: string; toAddr?: string }) =>
  [`port=${f.port}`, `proto=${f.protocol}`, f.toPort ? `toport=${f.toPort}` : '', f.toAddr ? `toaddr=${f.toAddr}` : ''].filter(Boolean).join(':');

function commonScript(s: Script, o: Zone | Policy, scope: string[], permanent: boolean) {
  if (permanent) {
    if (o.short) s.cmd('--permanent', ...scope, `--set-short=${o.short}`);
    if (o.description) s.cmd('--permanent', ...scope, `--set-description=${o.description}`);
  }
  s.each('add-service', o.services, scope);
  s.each('add-port', o.ports.map(portArg), scope);
  s.each('add-protocol', o.protocols, scope);
  s.each('add-source-port', o.sourcePorts.map(portArg), scope);
  s.each('add-icmp-block', o.icmpBlocks, scope);
  s.each('add-forward-port', o.forwardPorts.map(forwardArg), scope);
  s.each('add-rich-rule', o.richRules, scope);
}

/** The zone as a firewall-cmd script that sets it up on another host. */
export function zoneToScript(zone: Zone, opts: ScriptOptions = {}): string {
  const permanent = opts.permanent ?? true;
  const base = permanent ? ['--permanent'] : [];
  const s = new Script(base, opts.header ?? [`firewalld zone "${zone.name}" exported by HostDeck`]);
  const scope = [`--zone=${zone.name}`];
  if (opts.create) s.cmd(...base, `--new-zone=${zone.name}`);
  if (permanent && zone.target && zone.target !== 'default') s.cmd(...base, ...scope, `--set-target=${zone.target}`);
  commonScript(s, zone, scope, permanent);
  if (zone.masquerade) s.cmd(...base, ...scope, '--add-masquerade');
  if (zone.icmpBlockInversion) s.cmd(...base, ...scope, '--add-icmp-block-inversion');
  // New zones start with forward on (firewalld >= 1.0): say so either way.
  s.cmd(...base, ...scope, zone.forward ? '--add-forward' : '--remove-forward');
  s.each('add-interface', zone.interfaces, scope);
  s.each('add-source', zone.sources, scope);
  if (permanent && zone.ingressPriority) s.cmd(...base, ...scope, `--set-ingress-priority=${zone.ingressPriority}`);
  if (permanent && zone.egressPriority) s.cmd(...base, ...scope, `--set-egress-priority=${zone.egressPriority}`);
  if (opts.reload) s.cmd('--reload');
  return s.toString();
}

/** The policy as a firewall-cmd script. Policies have no per-item runtime commands before 2.5, so the script is permanent. */
export function policyToScript(policy: Policy, opts: ScriptOptions = {}): string {
  const base = ['--permanent'];
  const s = new Script(base, opts.header ?? [`firewalld policy "${policy.name}" exported by HostDeck`]);
  const scope = [`--policy=${policy.name}`];
  if (opts.create) s.cmd(...base, `--new-policy=${policy.name}`);
  if (policy.target && policy.target !== 'CONTINUE') s.cmd(...base, ...scope, `--set-target=${policy.target}`);
  if (policy.priority !== -1) s.cmd(...base, ...scope, `--set-priority=${policy.priority}`);
  // firewall-cmd refuses --add-ingress-zone together with --add-egress-zone in one call.
  s.each('add-ingress-zone', policy.ingressZones, scope);
  s.each('add-egress-zone', policy.egressZones, scope);
  commonScript(s, policy, scope, true);
  if (policy.masquerade) s.cmd(...base, ...scope, '--add-masquerade');
  if (opts.reload) s.cmd('--reload');
  return s.toString();
}

/** The service as a firewall-cmd script (services exist only in the permanent configuration). */
export function serviceToScript(service: Service, opts: ScriptOptions = {}): string {
  const base = ['--permanent'];
  const s = new Script(base, opts.header ?? [`firewalld service "${service.name}" exported by HostDeck`]);
  const scope = [`--service=${service.name}`];
  if (opts.create) s.cmd(...base, `--new-service=${service.name}`);
  if (service.short) s.cmd(...base, ...scope, `--set-short=${service.short}`);
  if (service.description) s.cmd(...base, ...scope, `--set-description=${service.description}`);
  s.each('add-port', service.ports.map(portArg), scope);
  s.each('add-protocol', service.protocols, scope);
  s.each('add-source-port', service.sourcePorts.map(portArg), scope);
  s.each('add-module', service.modules, scope);
  s.each('add-helper', service.helpers, scope);
  s.each('add-include', service.includes, scope);
  const d = service.destination ?? {};
  const dests = [d.ipv4 ? `ipv4:${d.ipv4}` : '', d.ipv6 ? `ipv6:${d.ipv6}` : ''].filter(Boolean);
  s.each('set-destination', dests, scope);
  if (opts.reload) s.cmd('--reload');
  return s.toString();
}
