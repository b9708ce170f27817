import { parseRichRule, type RichRule } from '../../../shared/firewall/rich-rule';
import { mulberry32 } from '../../support/seeded-random';

/**
 * Random firewalld configurations for the differential test, as the XML files firewalld
 * reads (zones, services, ipsets), from a seeded PRNG so a failing seed replays exactly.
 * Everything addresses the test's veth links: links k = 0..LINKS-1, firewalld's end
 * 10.9.k.1/24 on eth<k>, the peer's end 10.9.k.2 .. 10.9.k.9.
 */
export const LINKS = 3;
export const PEER_HOSTS = [2, 3, 4, 5, 6, 7, 8, 9];
export const PROBE_PORTS = [22, 80, 443, 5000, 5001, 5002, 8080, 8081, 9000, 9001, 9002, 9100];

/** The shared seeded generator (test/support/seeded-random.ts). */
export const prng = mulberry32;

export interface GenZone {
  name: string;
  target: string;
  interfaces: string[];
  sources: string[];
  services: string[];
  ports: string[];
  icmpBlocks: string[];
  icmpBlockInversion: boolean;
  forwardPorts: Array<{ port: string; protocol: string; toPort: string }>;
  richRules: string[];
  /** forward=yes (traffic between the zone's own interfaces and sources) and masquerade. */
  forward: boolean;
  masquerade: boolean;
}

export interface GenPolicy {
  name: string;
  target: string;
  priority: number;
  ingress: string[];
  /** HOST (input) or zones / ANY (forwarded traffic). */
  egress: string[];
  masquerade: boolean;
  services: string[];
  ports: string[];
  richRules: string[];
}

export interface GenConfig {
  zones: GenZone[];
  policies: GenPolicy[];
  files: Record<string, string>;
}

const SERVICES: Record<string, string[]> = {
  'hd-range': ['5000-5002/tcp', '9100/udp'],
  'hd-mixed': ['8080/tcp', '8081/udp', '9000-9001/udp'],
};
const SERVICE_NAMES = ['ssh', 'http', 'https', ...Object.keys(SERVICES)];
const ZONE_PORTS = ['22/tcp', '80/udp', '443/tcp', '5000-5001/udp', '8080/tcp', '8081/tcp', '9000-9002/tcp', '9100/tcp', '9001/udp'];

export function randomConfig(rand: () => number): GenConfig {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const chance = (p: number) => rand() < p;
  const some = <T>(xs: readonly T[], p: number): T[] => xs.filter(() => chance(p));
  const host = () => pick(PEER_HOSTS);
  const link = () => Math.floor(rand() * LINKS);
  const ipsetHosts = some(PEER_HOSTS.flatMap((h) => [...Array(LINKS).keys()].map((k) => `10.9.${k}.${h}`)), 0.25);
  const sourceCandidate = (): string => {
    const k = link();
    if (chance(0.3)) {
      const h = host();
      return pick([`fd09:${k}::${h}`, `fd09:${k}::${h}/128`, `fd09:${k}::4/126`, `fd09:${k}::/64`]);
    }
    // Mostly narrow sources, so that interfaces, targets and rules get their share of the flows.
    if (chance(0.1)) return pick([`10.9.${k}.0/24`, '10.9.0.0/16']);
    return pick([`10.9.${k}.${host()}`, `10.9.${k}.${host()}/32`, `10.9.${k}.4/30`, `10.9.${k}.0/30`, 'ipset:hd-hosts', 'ipset:hd-net']);
  };
  const names = ['public', 'hd-a', 'hd-b', 'hd-c'];
  const zones: GenZone[] = names.map((name) => ({
    name,
    target: pick(['default', 'default', 'ACCEPT', 'DROP', '%%REJECT%%']),
    interfaces: [],
    sources: [],
    services: some(SERVICE_NAMES, 0.25),
    ports: some(ZONE_PORTS, 0.2),
    icmpBlocks: chance(0.3) ? ['echo-request'] : [],
    icmpBlockInversion: chance(0.15),
    forwardPorts: chance(0.1) ? [{ port: pick(['9100', '9002']), protocol: 'tcp', toPort: '8081' }] : [],
    richRules: [],
    forward: chance(0.3),
    masquerade: chance(0.15),
  }));
  // Interfaces: each link bound to a random zone or to none (the default zone, public, takes it).
  for (let k = 0; k < LINKS; k++) if (chance(0.8)) pick(zones).interfaces.push(`eth${k}`);
  // Sources: an exact source string may be bound to one zone only.
  const used = new Set<string>();
  for (const z of zones) {
    for (let i = 0; i < 2; i++) {
      if (!chance(0.2)) continue;
      const s = sourceCandidate();
      if (used.has(s)) continue;
      used.add(s);
      z.sources.push(s);
    }
  }
  for (const z of zones) {
    const priorities = [-3, -2, -1, 0, 1, 2, 3].sort(() => rand() - 0.5);
    const n = 1 + Math.floor(rand() * 5);
    for (let i = 0; i < n; i++) z.richRules.push(randomRichRule(rand, priorities[i]!, sourceCandidate));
  }
  // Policies to HOST or, for forwarded traffic, to zones or ANY: from ANY or from zones
  // (matched by those zones' interfaces and sources).
  const policies: GenPolicy[] = [];
  const nPolicies = Math.floor(rand() * 4);
  for (let i = 0; i < nPolicies; i++) {
    const priorities = [-3, -2, -1, 0, 1, 2, 3].sort(() => rand() - 0.5);
    const egress = chance(0.5) ? ['HOST'] : chance(0.3) ? ['ANY'] : [...new Set([pick(zones).name, ...(chance(0.3) ? [pick(zones).name] : [])])];
    policies.push({
      egress,
      masquerade: egress[0] !== 'HOST' && chance(0.25),
      name: `hd-p${i}`,
      target: pick(['CONTINUE', 'CONTINUE', 'ACCEPT', 'DROP', 'REJECT']),
      priority: pick([-20, -5, -1, 1, 5, 20]),
      ingress: chance(0.3) ? ['ANY'] : [...new Set([pick(zones).name, ...(chance(0.3) ? [pick(zones).name] : [])])],
      services: some(SERVICE_NAMES, 0.15),
      ports: some(ZONE_PORTS, 0.15),
      richRules: [...Array(Math.floor(rand() * 3)).keys()].map((j) => randomRichRule(rand, priorities[j]!, sourceCandidate)),
    });
  }
  const files: Record<string, string> = {};
  for (const z of zones) files[`zones/${z.name}.xml`] = zoneXml(z);
  for (const p of policies) files[`policies/${p.name}.xml`] = policyXml(p);
  for (const [name, ports] of Object.entries(SERVICES)) files[`services/${name}.xml`] = serviceXml(ports);
  files['ipsets/hd-hosts.xml'] = ipsetXml('hash:ip', ipsetHosts);
  files['ipsets/hd-net.xml'] = ipsetXml('hash:net', [`10.9.${link()}.0/29`, `10.9.${link()}.8/30`]);
  return { zones, policies, files };
}

function randomRichRule(rand: () => number, priority: number, source: () => string): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const parts = ['rule'];
  if (priority) parts.push(`priority="${priority}"`);
  const withSource = rand() < 0.5;
  const s = withSource ? source() : '';
  const v6 = (!s.startsWith('ipset:') && s.includes(':')) || (!withSource && rand() < 0.3);
  const family = v6 ? 'ipv6' : 'ipv4';
  parts.push(`family="${family}"`);
  if (withSource) {
    const invert = rand() < 0.15 ? ' invert="True"' : '';
    parts.push(s.startsWith('ipset:') ? `source ipset="${s.slice(6)}"${invert}` : `source address="${s}"${invert}`);
  }
  // firewalld refuses a rule that matches everything (no element, no source, no destination).
  const el = pick([...(withSource ? ['none'] : []), 'port', 'port', 'service', 'protocol', 'icmp-type', 'icmp-block']);
  let tcpPort = false;
  if (el === 'port') {
    const proto = pick(['tcp', 'udp']);
    tcpPort = proto === 'tcp';
    parts.push(`port port="${pick(['22', '80', '5000-5002', '8080', '9000-9001', '9100'])}" protocol="${proto}"`);
  } else if (el === 'service') parts.push(`service name="${pick(SERVICE_NAMES)}"`);
  else if (el === 'protocol') parts.push(`protocol value="${pick(['tcp', 'udp', v6 ? 'ipv6-icmp' : 'icmp'])}"`);
  else if (el === 'icmp-type') parts.push('icmp-type name="echo-request"');
  else if (el === 'icmp-block') parts.push('icmp-block name="echo-request"');
  if (rand() < 0.15) parts.push('log prefix="hd"');
  if (el !== 'icmp-block') {
    const action = pick(['accept', 'accept', 'drop', 'reject']);
    if (action === 'reject') {
      const types = v6
        ? ['', 'icmp6-adm-prohibited', 'icmp6-port-unreachable', 'icmp6-addr-unreachable', 'icmp6-no-route', ...(tcpPort ? ['tcp-reset'] : [])]
        : ['', 'icmp-host-prohibited', 'icmp-port-unreachable', 'icmp-net-unreachable', ...(tcpPort ? ['tcp-reset'] : [])];
      const t = pick(types);
      parts.push(t ? `reject type="${t}"` : 'reject');
    } else parts.push(action);
  }
  return parts.join(' ');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

function zoneXml(z: GenZone): string {
  const lines = [`<?xml version="1.0" encoding="utf-8"?>`, `<zone${z.target === 'default' ? '' : ` target="${esc(z.target)}"`}>`, `  <short>${esc(z.name)}</short>`];
  for (const i of z.interfaces) lines.push(`  <interface name="${esc(i)}"/>`);
  if (z.forward) lines.push('  <forward/>');
  if (z.masquerade) lines.push('  <masquerade/>');
  for (const s of z.sources) lines.push(s.startsWith('ipset:') ? `  <source ipset="${esc(s.slice(6))}"/>` : `  <source address="${esc(s)}"/>`);
  for (const s of z.services) lines.push(`  <service name="${esc(s)}"/>`);
  for (const p of z.ports) {
    const [port, protocol] = p.split('/');
    lines.push(`  <port port="${esc(port!)}" protocol="${esc(protocol!)}"/>`);
  }
  for (const b of z.icmpBlocks) lines.push(`  <icmp-block name="${esc(b)}"/>`);
  if (z.icmpBlockInversion) lines.push('  <icmp-block-inversion/>');
  for (const f of z.forwardPorts) lines.push(`  <forward-port port="${f.port}" protocol="${f.protocol}" to-port="${f.toPort}"/>`);
  for (const r of z.richRules) lines.push(richXml(r));
  lines.push('</zone>', '');
  return lines.join('\n');
}

function policyXml(p: GenPolicy): string {
  const lines = [`<?xml version="1.0" encoding="utf-8"?>`, `<policy target="${esc(p.target)}" priority="${p.priority}">`, `  <short>${esc(p.name)}</short>`];
  for (const z of p.ingress) lines.push(`  <ingress-zone name="${esc(z)}"/>`);
  for (const z of p.egress) lines.push(`  <egress-zone name="${esc(z)}"/>`);
  if (p.masquerade) lines.push('  <masquerade/>');
  for (const s of p.services) lines.push(`  <service name="${esc(s)}"/>`);
  for (const x of p.ports) {
    const [port, protocol] = x.split('/');
    lines.push(`  <port port="${esc(port!)}" protocol="${esc(protocol!)}"/>`);
  }
  for (const r of p.richRules) lines.push(richXml(r));
  lines.push('</policy>', '');
  return lines.join('\n');
}

/** A rich rule as firewalld's zone XML writes it (core/io/zone.py). */
export function richXml(text: string): string {
  const p = parseRichRule(text);
  if (!p.ok) throw new Error(`generated an invalid rich rule: ${text}: ${p.error.message}`);
  const r: RichRule = p.rule;
  const attrs = [r.family ? ` family="${r.family}"` : '', r.priority ? ` priority="${r.priority}"` : ''].join('');
  const out = [`  <rule${attrs}>`];
  const inv = (b: boolean) => (b ? ' invert="True"' : '');
  if (r.source) out.push(`    <source ${r.source.kind === 'ipset' ? 'ipset' : r.source.kind === 'mac' ? 'mac' : 'address'}="${esc(r.source.value)}"${inv(r.source.invert)}/>`);
  if (r.destination) out.push(`    <destination ${r.destination.kind === 'ipset' ? 'ipset' : 'address'}="${esc(r.destination.value)}"${inv(r.destination.invert)}/>`);
  const e = r.element;
  if (e?.type === 'port') out.push(`    <port port="${esc(e.port)}" protocol="${esc(e.protocol)}"/>`);
  if (e?.type === 'service') out.push(`    <service name="${esc(e.name)}"/>`);
  if (e?.type === 'protocol') out.push(`    <protocol value="${esc(e.value)}"/>`);
  if (e?.type === 'icmp-type') out.push(`    <icmp-type name="${esc(e.name)}"/>`);
  if (e?.type === 'icmp-block') out.push(`    <icmp-block name="${esc(e.name)}"/>`);
  if (r.log?.type === 'log') out.push(`    <log${r.log.prefix ? ` prefix="${esc(r.log.prefix)}"` : ''}/>`);
  const a = r.action;
  if (a?.type === 'accept') out.push('    <accept/>');
  if (a?.type === 'drop') out.push('    <drop/>');
  if (a?.type === 'reject') out.push(a.rejectType ? `    <reject type="${esc(a.rejectType)}"/>` : '    <reject/>');
  out.push('  </rule>');
  return out.join('\n');
}

function serviceXml(ports: string[]): string {
  const lines = ['<?xml version="1.0" encoding="utf-8"?>', '<service>'];
  for (const p of ports) {
    const [port, protocol] = p.split('/');
    lines.push(`  <port protocol="${protocol}" port="${port}"/>`);
  }
  lines.push('</service>', '');
  return lines.join('\n');
}

function ipsetXml(type: string, entries: string[]): string {
  return ['<?xml version="1.0" encoding="utf-8"?>', `<ipset type="${type}">`, ...entries.map((e) => `  <entry>${e}</entry>`), '</ipset>', ''].join('\n');
}
