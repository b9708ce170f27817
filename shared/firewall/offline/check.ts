/**
 * The checks firewalld makes on a whole configuration (fw_config.full_check_config, what
 * `firewall-offline-cmd --check-config` runs) plus the ones it only makes when it applies the
 * configuration at start or reload: a zone source naming an ipset that does not exist or cannot
 * be a source, a rich rule naming an unknown service, ipset or ICMP type, an ipset type the
 * nftables backend cannot create.
 */
import type { ForwardPort, LayerState, Policy } from '../model';
import { SOURCE_IPSET_TYPES } from '../data/firewalld-constants';
import { parseRichRule } from '../rich-rule';
import { checkInterfaceName } from '../validate';
import type { ConfigProblem } from './parse';

/** Where each object came from, for the problems' file names. */
export type FileOf = (kind: 'zone' | 'policy' | 'service' | 'ipset', name: string) => string;

export function checkConfiguration(layer: LayerState, defaultZone: string, conf: { file: string; backend?: string }, fileOf: FileOf): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const err = (file: string, element: string, code: string, message: string) => out.push({ file, element, code, message, severity: 'error' });
  const services = new Set(Object.keys(layer.services));
  const icmptypes = layer.icmptypes;
  const ipsets = layer.ipsets;

  for (const s of Object.values(layer.services)) {
    for (const inc of s.includes) if (!services.has(inc)) err(fileOf('service', s.name), `<include service="${inc}">`, 'INVALID_SERVICE', `Service '${s.name}': included service '${inc}' not found`);
    for (const h of s.helpers) if (!layer.helpers[h]) err(fileOf('service', s.name), `<helper name="${h}">`, 'INVALID_HELPER', `Service '${s.name}': helper '${h}' not among existing helpers`);
  }
  const bound = new Map<string, string>();
  const checkRules = (kind: 'zone' | 'policy', name: string, rules: string[]) => {
    const what = kind === 'zone' ? 'Zone' : 'Policy';
    for (const text of rules) {
      const r = parseRichRule(text);
      if (!r.ok) continue; // already dropped with a warning while reading
      const e = r.rule.element;
      const at = `<rule> ${text}`;
      if (e?.type === 'service' && !services.has(e.name)) err(fileOf(kind, name), at, 'INVALID_SERVICE', `${what} '${name}': rich rule service '${e.name}' not among existing services (firewalld fails when it applies the rule)`);
      if ((e?.type === 'icmp-block' || e?.type === 'icmp-type') && !icmptypes[e.name]) err(fileOf(kind, name), at, 'INVALID_ICMPTYPE', `${what} '${name}': '${e.name}' not among existing ICMP types`);
      else if ((e?.type === 'icmp-block' || e?.type === 'icmp-type') && r.rule.family) {
        const d = icmptypes[e.name]!.destinations;
        if (d.length && !d.includes(r.rule.family)) err(fileOf(kind, name), at, 'INVALID_ICMPTYPE', `${what} '${name}': rich rule family '${r.rule.family}' conflicts with icmp type '${e.name}'`);
      }
      for (const side of [r.rule.source, r.rule.destination]) {
        if (side?.kind === 'ipset' && !ipsets[side.value]) err(fileOf(kind, name), at, 'INVALID_IPSET', `${what} '${name}': rich rule ipset '${side.value}' does not exist (firewalld fails when it applies the rule)`);
      }
    }
  };
  for (const z of Object.values(layer.zones)) {
    const file = fileOf('zone', z.name);
    if (layer.policies[z.name]) err(file, `zone ${z.name}`, 'NAME_CONFLICT', `Zone '${z.name}': Can't have the same name as a policy.`);
    for (const s of z.services) if (!services.has(s)) err(file, `<service name="${s}">`, 'INVALID_SERVICE', `Zone '${z.name}': '${s}' not among existing services`);
    for (const i of z.icmpBlocks) if (!icmptypes[i]) err(file, `<icmp-block name="${i}">`, 'INVALID_ICMPTYPE', `Zone '${z.name}': '${i}' not among existing ICMP types`);
    for (const f of z.forwardPorts) if (!f.toPort && !f.toAddr) err(file, `<forward-port port="${f.port}" protocol="${f.protocol}">`, 'INVALID_FORWARD', `Zone '${z.name}': forward-port ${f.port}/${f.protocol} is missing to-port AND to-addr`);
    for (const i of z.interfaces) {
      const bad = checkInterfaceName(i);
      if (bad) err(file, `<interface name="${i}">`, 'INVALID_INTERFACE', `Zone '${z.name}': invalid interface '${i}': ${bad}`);
      const other = bound.get(`if:${i}`);
      if (other) err(file, `<interface name="${i}">`, 'INVALID_INTERFACE', `Zone '${z.name}': interface '${i}' already bound to zone '${other}'`);
      else bound.set(`if:${i}`, z.name);
    }
    for (const s of z.sources) {
      const other = bound.get(`src:${s}`);
      if (other) err(file, `<source ${s.startsWith('ipset:') ? `ipset="${s.slice(6)}"` : `address="${s}"`}>`, 'INVALID_ADDR', `Zone '${z.name}': source '${s}' already bound to zone '${other}'`);
      else bound.set(`src:${s}`, z.name);
      if (s.startsWith('ipset:')) {
        const set = ipsets[s.slice(6)];
        if (!set) err(file, `<source ipset="${s.slice(6)}">`, 'INVALID_IPSET', `Zone '${z.name}': ipset '${s.slice(6)}' does not exist (firewalld fails when it applies the zone)`);
        else if (!(SOURCE_IPSET_TYPES as readonly string[]).includes(set.type)) err(file, `<source ipset="${set.name}">`, 'INVALID_IPSET', `Zone '${z.name}': ipset '${set.name}' of type ${set.type} cannot be a zone source`);
      }
    }
    checkRules('zone', z.name, z.richRules);
  }
  for (const p of Object.values(layer.policies)) {
    const file = fileOf('policy', p.name);
    for (const s of p.services) if (!services.has(s)) err(file, `<service name="${s}">`, 'INVALID_SERVICE', `Policy '${p.name}': '${s}' not among existing services`);
    for (const i of p.icmpBlocks) if (!icmptypes[i]) err(file, `<icmp-block name="${i}">`, 'INVALID_ICMPTYPE', `Policy '${p.name}': '${i}' not among existing ICMP types`);
    if (p.priority === 0 || p.priority < -32768 || p.priority > 32767) err(file, `policy ${p.name}`, 'INVALID_PRIORITY', `Policy '${p.name}': ${p.priority} is invalid priority. Must be in range [-32768, 32767]. The following are reserved: [0]`);
    for (const [item, zones] of [['ingress-zone', p.ingressZones], ['egress-zone', p.egressZones]] as const) {
      for (const z of zones) {
        if (z !== 'ANY' && z !== 'HOST' && !layer.zones[z]) err(file, `<${item} name="${z}">`, 'INVALID_ZONE', `Policy '${p.name}': '${z}' not among existing zones`);
        else if ((z === 'ANY' || z === 'HOST') && zones.length > 1) err(file, `<${item} name="${z}">`, 'INVALID_ZONE', `Policy '${p.name}': '${item}s' may only contain one of: many regular zones, ANY, or HOST`);
      }
    }
    if (p.ingressZones.includes('HOST') && p.egressZones.includes('HOST')) err(file, `policy ${p.name}`, 'INVALID_ZONE', `Policy '${p.name}': 'HOST' can only appear in either ingress or egress zones, but not both`);
    checkPolicyForwarding(layer, p, conf.backend ?? 'nftables', (element, code, message) => err(file, element, code, message));
    checkRules('policy', p.name, p.richRules);
  }
  if (!layer.zones[defaultZone]) err(conf.file, `DefaultZone=${defaultZone}`, 'INVALID_ZONE', `Default zone '${defaultZone}' does not exist (firewalld fails to start)`);
  return out;
}

/**
 * firewalld's Policy._check_config for masquerade and forward ports (core/io/policy.py), run on
 * every policy write and at load: what the policy's ingress and egress zones allow of
 * masquerade, forward-port (plain and in rich rules) and the mark action.
 */
function checkPolicyForwarding(layer: LayerState, p: Policy, backend: string, err: (element: string, code: string, message: string) => void): void {
  const P = `Policy '${p.name}'`;
  const masquerade = (element: string) => {
    if (p.egressZones.includes('HOST')) return err(element, 'INVALID_ZONE', `${P}: 'masquerade' is invalid for egress zone 'HOST'`);
    if (p.ingressZones.includes('HOST')) return err(element, 'INVALID_ZONE', `${P}: 'masquerade' is invalid for ingress zone 'HOST'`);
    for (const z of p.ingressZones) {
      if (z === 'ANY' || !layer.zones[z]) continue; // a missing zone is reported with the ingress zones
      if (backend !== 'nftables' && layer.zones[z]!.interfaces.length) err(element, 'INVALID_ZONE', `${P}: 'masquerade' cannot be used because ingress zone '${z}' has assigned interfaces.`);
    }
  };
  const egressIfaces = (element: string, what: string) => {
    for (const z of p.egressZones) {
      if (z === 'ANY' || z === 'HOST' || !layer.zones[z]) continue;
      if (layer.zones[z]!.interfaces.length) err(element, 'INVALID_ZONE', `${P}: '${what}' cannot be used because egress zone '${z}' has assigned interfaces`);
    }
  };
  const forward = (element: string, toAddr: string | undefined) => {
    if (p.egressZones.includes('HOST')) {
      if (toAddr) err(element, 'INVALID_FORWARD', `${P}: A 'forward-port' with 'to-addr' is invalid for egress zone 'HOST'`);
    } else if (p.egressZones.length) {
      if (!toAddr) err(element, 'INVALID_FORWARD', `${P}: 'forward-port' requires 'to-addr' if egress zone is 'ANY' or a zone`);
      if (!p.egressZones.includes('ANY')) egressIfaces(element, 'forward-port');
    }
  };
  const fp = (f: ForwardPort) => `<forward-port port="${f.port}" protocol="${f.protocol}"${f.toPort ? ` to-port="${f.toPort}"` : ''}${f.toAddr ? ` to-addr="${f.toAddr}"` : ''}>`;
  if (p.masquerade) masquerade('<masquerade>');
  for (const text of p.richRules) {
    const r = parseRichRule(text);
    if (!r.ok) continue;
    const e = r.rule.element;
    if (e?.type === 'masquerade') masquerade(`<rule> ${text}`);
    else if (e?.type === 'forward-port') forward(`<rule> ${text}`, e.toAddr);
    else if (r.rule.action?.type === 'mark') egressIfaces(`<rule> ${text}`, 'mark');
  }
  for (const f of p.forwardPorts) forward(fp(f), f.toAddr);
}
