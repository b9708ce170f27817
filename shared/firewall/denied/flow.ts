import { ICMP_TYPES, ICMPV6_TYPES } from '../data/firewalld-constants';
import type { Flow } from '../explain/flow';
import type { DeniedGroup, DeniedPacket } from './parse';

const PORT_PROTOCOLS = new Set(['tcp', 'udp', 'sctp', 'dccp']);

/** firewalld's name of an ICMP type number ("8" -> echo-request), the first (canonical) one. */
function icmpName(proto: 'icmp' | 'icmpv6', type: number): string | undefined {
  const table = proto === 'icmp' ? ICMP_TYPES : ICMPV6_TYPES;
  return Object.entries(table).find(([, tc]) => tc.startsWith(`${type}/`))?.[0];
}

/**
 * The flow a denied packet (or a group of them) describes, for firewall.explain: "why was this
 * dropped, and what lets it in". Only what the log line says; the rest stays unknown.
 */
export function flowOfDenied(p: DeniedPacket | DeniedGroup): Flow {
  const flow: Flow = {};
  if (p.src) flow.src = p.src;
  if (p.dst) flow.dst = p.dst;
  if (p.inIface) flow.iface = p.inIface;
  if ('outIface' in p && p.outIface) flow.outIface = p.outIface;
  if (p.proto && PORT_PROTOCOLS.has(p.proto)) {
    flow.protocol = p.proto as Flow['protocol'];
    if (p.dport !== undefined) flow.dport = p.dport;
  } else if (p.proto === 'icmp' || p.proto === 'icmpv6') {
    flow.protocol = p.proto;
    const name = p.icmpType !== undefined ? icmpName(p.proto, p.icmpType) : undefined;
    if (name) flow.icmpType = name;
  }
  return flow;
}
