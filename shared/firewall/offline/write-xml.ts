/**
 * firewalld's configuration files written byte for byte as firewalld 1.3.3 writes them
 * (core/io/{zone,policy,service,ipset,icmptype,helper}.py *_writer through
 * IO_Object_XMLGenerator, a saxutils.XMLGenerator without short empty elements): the same
 * header, element and attribute order, two-space indentation, escaping and quoting, so that
 * firewall-offline-cmd, a daemon and a diff see the file they would have written themselves.
 */
import type { Helper, IcmpType, IpSet, Policy, Service, Zone } from '../model';
import { parseRichRule, type RichRule } from '../rich-rule';

type Attrs = Array<[string, string]>;

/** saxutils.escape: & first, then < and >. */
function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** saxutils.quoteattr: escape plus \n \r \t as character references; quote with ' when the value holds " but no '. */
export function quoteattr(s: string): string {
  let d = escape(s).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
  if (d.includes('"')) {
    if (d.includes("'")) d = `"${d.replace(/"/g, '&quot;')}"`;
    else return `'${d}'`;
    return d;
  }
  return `"${d}"`;
}

class Out {
  private parts: string[] = ['<?xml version="1.0" encoding="utf-8"?>\n'];
  raw(s: string): void {
    this.parts.push(s);
  }
  start(name: string, attrs: Attrs = []): void {
    this.parts.push(`<${name}${attrs.map(([k, v]) => ` ${k}=${quoteattr(v)}`).join('')}>`);
  }
  end(name: string): void {
    this.parts.push(`</${name}>`);
  }
  /** "  <name a="b"/>\n" (simpleElement between the writers' ignorableWhitespace). */
  simple(name: string, attrs: Attrs = [], indent = '  '): void {
    this.parts.push(`${indent}<${name}${attrs.map(([k, v]) => ` ${k}=${quoteattr(v)}`).join('')}/>\n`);
  }
  textElement(name: string, text: string): void {
    this.parts.push(`  <${name}>${escape(text)}</${name}>\n`);
  }
  done(root: string): string {
    this.parts.push(`</${root}>\n`);
    return this.parts.join('');
  }
}

/** functions.uniqify: first occurrence kept. */
function uniq<T>(xs: readonly T[], key: (x: T) => string = (x) => String(x)): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => (seen.has(key(x)) ? false : (seen.add(key(x)), true)));
}

function shortDescription(o: Out, x: { short?: string; description?: string }): void {
  if (x.short) o.textElement('short', x.short);
  if (x.description) o.textElement('description', x.description);
}

function ruleXml(o: Out, rule: RichRule): void {
  const attrs: Attrs = [];
  if (rule.family) attrs.push(['family', rule.family]);
  if (rule.priority) attrs.push(['priority', String(rule.priority)]);
  o.raw('  ');
  o.start('rule', attrs);
  o.raw('\n');
  const side = (name: 'source' | 'destination', s: { kind: string; value: string; invert?: boolean } | undefined) => {
    if (!s) return;
    const a: Attrs = [[s.kind, s.value]];
    if (s.invert) a.push(['invert', 'True']);
    o.simple(name, a, '    ');
  };
  side('source', rule.source);
  side('destination', rule.destination);
  const e = rule.element;
  if (e) {
    let a: Attrs = [];
    switch (e.type) {
      case 'service':
      case 'icmp-block':
      case 'icmp-type':
        a = [['name', e.name]];
        break;
      case 'port':
      case 'source-port':
        a = [['port', e.port], ['protocol', e.protocol]];
        break;
      case 'protocol':
        a = [['value', e.value]];
        break;
      case 'tcp-mss-clamp':
        if (e.value && e.value !== 'pmtu') a = [['value', e.value]];
        break;
      case 'forward-port':
        a = [['port', e.port], ['protocol', e.protocol]];
        if (e.toPort) a.push(['to-port', e.toPort]);
        if (e.toAddr) a.push(['to-addr', e.toAddr]);
        break;
      case 'masquerade':
        break;
    }
    o.simple(e.type, a, '    ');
  }
  const withLimit = (name: string, a: Attrs, limit: string | undefined) => {
    if (limit) {
      o.raw('    ');
      o.start(name, a);
      o.raw('\n      ');
      o.simple('limit', [['value', limit]], '');
      // simple() ends with "\n": firewalld writes "\n    " before the end tag.
      o.raw('    ');
      o.end(name);
      o.raw('\n');
    } else o.simple(name, a, '    ');
  };
  const l = rule.log;
  if (l?.type === 'log') {
    const a: Attrs = [];
    if (l.prefix) a.push(['prefix', l.prefix]);
    if (l.level) a.push(['level', l.level]);
    withLimit('log', a, l.limit);
  } else if (l?.type === 'nflog') {
    const a: Attrs = [];
    if (l.group) a.push(['group', l.group]);
    if (l.prefix) a.push(['prefix', l.prefix]);
    if (l.queueSize) a.push(['queue-size', l.queueSize]);
    withLimit('nflog', a, l.limit);
  }
  if (rule.audit) withLimit('audit', [], rule.audit.limit);
  const act = rule.action;
  if (act) {
    const a: Attrs = act.type === 'reject' && act.rejectType ? [['type', act.rejectType]] : act.type === 'mark' ? [['set', act.set]] : [];
    withLimit(act.type, a, act.limit);
  }
  o.raw('  ');
  o.end('rule');
  o.raw('\n');
}

/** policy.py common_writer: what zones and policies share, in its order. */
function common(o: Out, x: Zone | Policy): void {
  shortDescription(o, x);
  for (const s of uniq(x.services)) o.simple('service', [['name', s]]);
  for (const p of uniq(x.ports, (p) => `${p.port}/${p.protocol}`)) o.simple('port', [['port', p.port], ['protocol', p.protocol]]);
  for (const p of uniq(x.protocols)) o.simple('protocol', [['value', p]]);
  for (const i of uniq(x.icmpBlocks)) o.simple('icmp-block', [['name', i]]);
  if (x.masquerade) o.simple('masquerade');
  for (const f of uniq(x.forwardPorts, (f) => JSON.stringify([f.port, f.protocol, f.toPort, f.toAddr]))) {
    const a: Attrs = [['port', f.port], ['protocol', f.protocol]];
    if (f.toPort) a.push(['to-port', f.toPort]);
    if (f.toAddr) a.push(['to-addr', f.toAddr]);
    o.simple('forward-port', a);
  }
  for (const p of uniq(x.sourcePorts, (p) => `${p.port}/${p.protocol}`)) o.simple('source-port', [['port', p.port], ['protocol', p.protocol]]);
  for (const text of x.richRules) {
    const r = parseRichRule(text);
    if (!r.ok) throw new Error(`rich rule ${JSON.stringify(text)}: ${r.error.message}`);
    ruleXml(o, r.rule);
  }
}

export function zoneXml(z: Zone): string {
  const o = new Out();
  const a: Attrs = [];
  if (z.version) a.push(['version', z.version]);
  if (z.target !== 'default') a.push(['target', z.target]);
  o.start('zone', a);
  o.raw('\n');
  common(o, z);
  for (const i of uniq(z.interfaces)) o.simple('interface', [['name', i]]);
  for (const s of uniq(z.sources)) o.simple('source', s.includes('ipset:') ? [['ipset', s.slice(6)]] : [['address', s]]);
  if (z.icmpBlockInversion) o.simple('icmp-block-inversion');
  if (z.forward) o.simple('forward');
  return o.done('zone');
}

export function policyXml(p: Policy): string {
  const o = new Out();
  const a: Attrs = [];
  if (p.version) a.push(['version', p.version]);
  if (p.priority !== -1) a.push(['priority', String(p.priority)]);
  a.push(['target', p.target]);
  o.start('policy', a);
  o.raw('\n');
  common(o, p);
  for (const z of uniq(p.ingressZones)) o.simple('ingress-zone', [['name', z]]);
  for (const z of uniq(p.egressZones)) o.simple('egress-zone', [['name', z]]);
  return o.done('policy');
}

export function serviceXml(s: Service): string {
  const o = new Out();
  o.start('service', s.version ? [['version', s.version]] : []);
  o.raw('\n');
  shortDescription(o, s);
  for (const p of s.ports) o.simple('port', [['port', p.port], ['protocol', p.protocol]]);
  for (const p of s.protocols) o.simple('protocol', [['value', p]]);
  for (const p of s.sourcePorts) o.simple('source-port', [['port', p.port], ['protocol', p.protocol]]);
  for (const m of s.modules) o.simple('module', [['name', m]]);
  const d: Attrs = [];
  if (s.destination.ipv4 !== undefined) d.push(['ipv4', s.destination.ipv4]);
  if (s.destination.ipv6 !== undefined) d.push(['ipv6', s.destination.ipv6]);
  if (d.length) o.simple('destination', d);
  for (const i of s.includes) o.simple('include', [['service', i]]);
  for (const h of s.helpers) o.simple('helper', [['name', h]]);
  return o.done('service');
}

export function ipsetXml(i: IpSet, entries: readonly string[]): string {
  const o = new Out();
  const a: Attrs = [['type', i.type]];
  if (i.version) a.push(['version', i.version]);
  o.start('ipset', a);
  o.raw('\n');
  shortDescription(o, i);
  for (const [k, v] of Object.entries(i.options)) o.simple('option', v !== '' ? [['name', k], ['value', v]] : [['name', k]]);
  for (const e of entries) o.textElement('entry', e);
  return o.done('ipset');
}

export function icmptypeXml(t: IcmpType): string {
  const o = new Out();
  o.start('icmptype', t.version ? [['version', t.version]] : []);
  o.raw('\n');
  shortDescription(o, t);
  if (t.destinations.length) o.simple('destination', t.destinations.map((d) => [d, 'yes']));
  return o.done('icmptype');
}

export function helperXml(h: Helper): string {
  const o = new Out();
  const a: Attrs = [['module', h.module]];
  if (h.version) a.push(['version', h.version]);
  if (h.family) a.push(['family', h.family]);
  o.start('helper', a);
  o.raw('\n');
  shortDescription(o, h);
  for (const p of h.ports) o.simple('port', [['port', p.port], ['protocol', p.protocol]]);
  return o.done('helper');
}
