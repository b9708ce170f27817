import type { Flow } from '../explain/flow';

/**
 * The one packet a trace sends, from explain's flow: trace needs every field explain may leave
 * unknown, so it fills them in (and says so) or, where no choice would be honest, refuses with
 * the field named.
 */

export interface ConcreteFlow {
  flow: Flow & { family: 'ipv4' | 'ipv6'; protocol: 'tcp' | 'udp' | 'icmp' | 'icmpv6'; src: string; dst: string; iface: string; outIface?: string };
  notes: string[];
}

export class TraceFlowError extends Error {}

/** The interface a packet arrives on when none is given: a name no zone is likely to bind, so the default zone's case. */
export const UNNAMED_IFACE = 'hdtrace0';

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const V6 = /^[0-9a-f:.]+$/i;

function familyOf(addr: string): 'ipv4' | 'ipv6' | undefined {
  if (V4.test(addr)) return 'ipv4';
  if (addr.includes(':') && V6.test(addr) && (addr.match(/::/g) ?? []).length <= 1) return 'ipv6';
  return undefined;
}

/** Addresses a packet from the outside cannot honestly carry (loopback, unspecified, multicast, broadcast). */
function unusable(addr: string, family: 'ipv4' | 'ipv6'): string | undefined {
  if (family === 'ipv4') {
    const [a, , , d] = addr.split('.').map(Number) as [number, number, number, number];
    if (a === 127) return 'a loopback address';
    if (a === 0) return 'an unspecified address';
    if (a >= 224) return a === 255 && d === 255 ? 'the broadcast address' : 'a multicast or reserved address';
    return undefined;
  }
  const x = addr.toLowerCase();
  if (x === '::1') return 'the loopback address';
  if (x === '::') return 'the unspecified address';
  if (x.startsWith('ff')) return 'a multicast address';
  if (x.startsWith('fe80:')) return 'a link-local address';
  return undefined;
}

/** Interface names a trace can create: 1-15 printable ASCII characters, no slash or colon, not "." or "..". */
export function validIfaceName(name: string): boolean {
  return /^[!-.0-9;-~]{1,15}$/.test(name) && name !== '.' && name !== '..';
}

export function concreteFlow(flow: Flow, randomPort: () => number): ConcreteFlow {
  const notes: string[] = [];
  const bad = (field: string, why: string) => new TraceFlowError(`${field}: ${why}`);
  const protocol = flow.protocol;
  if (!protocol) throw bad('protocol', 'trace sends one real packet and needs its protocol (tcp, udp, icmp or icmpv6)');
  if (protocol === 'sctp' || protocol === 'dccp') throw bad('protocol', `"${protocol}": trace sends TCP, UDP or ICMP echo packets only`);
  if ((protocol === 'icmp' || protocol === 'icmpv6') && flow.icmpType && flow.icmpType !== 'echo-request') {
    throw bad('icmpType', `"${flow.icmpType}": trace sends ICMP echo requests only`);
  }
  for (const [field, v] of [['src', flow.src], ['dst', flow.dst]] as const) {
    if (v !== undefined && !familyOf(v)) throw bad(field, `"${v}" is not one IPv4 or IPv6 address (a trace sends one packet from one address)`);
  }
  const fams = new Set([flow.family, flow.src && familyOf(flow.src), flow.dst && familyOf(flow.dst), protocol === 'icmp' ? 'ipv4' : protocol === 'icmpv6' ? 'ipv6' : undefined].filter(Boolean));
  if (fams.size > 1) throw bad('family', `the flow mixes ${[...fams].join(' and ')}`);
  const family = ([...fams][0] as 'ipv4' | 'ipv6' | undefined) ?? 'ipv4';
  const v6 = family === 'ipv6';
  let src = flow.src;
  if (!src) {
    src = v6 ? '2001:db8::7' : '192.0.2.7';
    notes.push(`No source given: the packet comes from ${src} (a documentation address no zone is likely to bind).`);
  }
  const forwarded = flow.outIface !== undefined;
  let dst = flow.dst;
  if (!dst && forwarded) {
    dst = v6 ? '2001:db8:1::9' : '198.51.100.9';
    notes.push(`No destination given: the packet goes to ${dst}, behind ${flow.outIface}.`);
  } else if (!dst) {
    dst = v6 ? (src === '2001:db8::1' ? '2001:db8::2' : '2001:db8::1') : src === '192.0.2.1' ? '192.0.2.2' : '192.0.2.1';
    notes.push(`No destination given: the host's end carries ${dst}.`);
  }
  for (const [field, v] of [['src', src], ['dst', dst]] as const) {
    const why = unusable(v, family);
    if (why) throw bad(field, `"${v}" is ${why}: a packet from the network cannot be traced with it`);
  }
  if (src.toLowerCase() === dst.toLowerCase()) throw bad('src', `"${src}" is also the destination: such a packet never crosses an interface`);
  let iface = flow.iface;
  if (iface === undefined) {
    iface = UNNAMED_IFACE;
    notes.push(`No interface given: the packet arrives on ${iface}, an interface no zone binds (the default zone's case, unless a zone binds its source).`);
  } else if (!validIfaceName(iface)) {
    throw bad('iface', `"${iface}" is not a Linux interface name (1-15 printable ASCII characters, no slash, colon or space)`);
  } else if (iface === 'lo') {
    throw bad('iface', 'traffic on lo is always accepted by firewalld and cannot come from another namespace');
  }
  if (forwarded) {
    const out = flow.outIface!;
    if (!validIfaceName(out)) throw bad('outIface', `"${out}" is not a Linux interface name (1-15 printable ASCII characters, no slash, colon or space)`);
    if (out === 'lo') throw bad('outIface', 'a forwarded packet never leaves by lo');
    if (out === iface) throw bad('outIface', `"${out}" is also the ingress interface: a trace forwards between two interfaces`);
  }
  if (flow.srcMac !== undefined && !/^[0-9a-f]{1}[02468ace](:[0-9a-f]{2}){5}$/i.test(flow.srcMac)) {
    throw bad('srcMac', `"${flow.srcMac}" is not a unicast MAC address (aa:bb:cc:dd:ee:ff with an even first byte)`);
  }
  const out: ConcreteFlow['flow'] = { family, protocol, src, dst, iface, ...(forwarded ? { outIface: flow.outIface } : {}) };
  if (flow.srcMac) out.srcMac = flow.srcMac;
  if (protocol === 'tcp' || protocol === 'udp') {
    if (!flow.dport) throw bad('dport', `a ${protocol} packet needs a destination port (1-65535)`);
    out.dport = flow.dport;
    out.sport = flow.sport || randomPort();
    if (!flow.sport) notes.push(`No source port given: the packet leaves from port ${out.sport}.`);
  } else {
    out.icmpType = 'echo-request';
  }
  return { flow: out, notes };
}
