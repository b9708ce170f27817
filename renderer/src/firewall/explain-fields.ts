import type { Flow, FlowProtocol } from '../../../shared/firewall/explain/flow';
import type { Layer } from '../../../shared/firewall/model';

/** The protocols with ports. */
export const PORT_PROTOCOLS = new Set(['tcp', 'udp', 'sctp', 'dccp']);

/** The "Will this connection pass?" form's fields, as typed (empty = unknown). */
export interface Fields {
  src: string;
  dst: string;
  protocol: '' | FlowProtocol;
  icmpType: string;
  dport: string;
  sport: string;
  iface: string;
  outIface: string;
  layer: Layer;
}
export const EMPTY: Fields = { src: '', dst: '', protocol: 'tcp', icmpType: 'echo-request', dport: '', sport: '', iface: '', outIface: '', layer: 'runtime' };

/** The flow the fields describe: empty fields are unknown, and the answer says what they decide. */
export function flowOf(f: Fields): Flow {
  const flow: Flow = {};
  if (f.src.trim()) flow.src = f.src.trim();
  if (f.dst.trim()) flow.dst = f.dst.trim();
  if (f.protocol) flow.protocol = f.protocol;
  if (f.protocol && PORT_PROTOCOLS.has(f.protocol)) {
    if (f.dport.trim()) flow.dport = Number(f.dport.trim());
    if (f.sport.trim()) flow.sport = Number(f.sport.trim());
  }
  if ((f.protocol === 'icmp' || f.protocol === 'icmpv6') && f.icmpType.trim()) flow.icmpType = f.icmpType.trim();
  if (f.iface.trim()) flow.iface = f.iface.trim();
  if (f.outIface.trim()) flow.outIface = f.outIface.trim();
  return flow;
}

/** The fields that ask about `flow` (the inverse of flowOf): what the flow leaves out stays unknown. */
export function fieldsOf(flow: Flow, layer: Layer = 'runtime'): Fields {
  const port = (n: number | undefined) => (n === undefined ? '' : String(n));
  return {
    ...EMPTY,
    src: flow.src ?? '',
    dst: flow.dst ?? '',
    protocol: flow.protocol ?? '',
    icmpType: flow.icmpType ?? EMPTY.icmpType,
    dport: port(flow.dport),
    sport: port(flow.sport),
    iface: flow.iface ?? '',
    outIface: flow.outIface ?? '',
    layer,
  };
}

