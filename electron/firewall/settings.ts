import { entriesDigest } from '../../shared/firewall/ipset-digest';
import { Variant } from '@jellybrick/dbus-next';
import { ApiError } from '../../shared/api/errors';
import type { ForwardPort, Helper, IcmpType, IpSet, ObjectMeta, Policy, Port, PortProtocol, Service, Zone } from '../../shared/firewall/model';
import { KEY_MIN_VERSION, POLICY_KEYS, SERVICE_KEYS, ZONE_KEYS } from './signatures';

/**
 * Conversions between firewalld's D-Bus settings (a{sv} dicts with snake_case keys, tuples as
 * nested arrays) and HostDeck's model. firewalld omits empty lists and strings from the dicts
 * it exports: a missing key means empty (reference §4).
 */

type Dict = Record<string, unknown>;

/** Unwraps a{sv} replies (dbus-next gives Variant{signature, value}). */
export function unwrapDict(raw: unknown): Dict {
  const out: Dict = {};
  for (const [k, v] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    out[k] = v instanceof Variant || (v && typeof v === 'object' && 'signature' in v && 'value' in v) ? (v as Variant).value : v;
  }
  return out;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const bool = (v: unknown): boolean => v === true;
const ports = (v: unknown): Port[] =>
  Array.isArray(v) ? (v as unknown[][]).map((p) => ({ port: String(p[0]), protocol: String(p[1]) as PortProtocol })) : [];
const fwdPorts = (v: unknown): ForwardPort[] =>
  Array.isArray(v)
    ? (v as unknown[][]).map((p) => ({
        port: String(p[0]),
        protocol: String(p[1]) as PortProtocol,
        toPort: String(p[2] ?? ''),
        toAddr: String(p[3] ?? ''),
      }))
    : [];

export function zoneFromDict(name: string, raw: unknown): Zone {
  const d = unwrapDict(raw);
  const zone: Zone = {
    name,
    version: str(d.version),
    short: str(d.short),
    description: str(d.description),
    target: str(d.target) || 'default',
    services: strs(d.services),
    ports: ports(d.ports),
    protocols: strs(d.protocols),
    sourcePorts: ports(d.source_ports),
    icmpBlocks: strs(d.icmp_blocks),
    icmpBlockInversion: bool(d.icmp_block_inversion),
    forward: bool(d.forward),
    masquerade: bool(d.masquerade),
    forwardPorts: fwdPorts(d.forward_ports),
    richRules: strs(d.rules_str),
    interfaces: strs(d.interfaces),
    sources: strs(d.sources),
  };
  if (typeof d.ingress_priority === 'number') zone.ingressPriority = d.ingress_priority;
  if (typeof d.egress_priority === 'number') zone.egressPriority = d.egress_priority;
  return zone;
}

export function policyFromDict(name: string, raw: unknown): Policy {
  const d = unwrapDict(raw);
  const p: Policy = {
    name,
    version: str(d.version),
    short: str(d.short),
    description: str(d.description),
    target: str(d.target) || 'CONTINUE',
    priority: typeof d.priority === 'number' ? d.priority : -1,
    ingressZones: strs(d.ingress_zones),
    egressZones: strs(d.egress_zones),
    services: strs(d.services),
    ports: ports(d.ports),
    protocols: strs(d.protocols),
    sourcePorts: ports(d.source_ports),
    icmpBlocks: strs(d.icmp_blocks),
    masquerade: bool(d.masquerade),
    forwardPorts: fwdPorts(d.forward_ports),
    richRules: strs(d.rich_rules),
  };
  if (typeof d.disable === 'boolean') p.disable = d.disable;
  return p;
}

export function serviceFromDict(name: string, raw: unknown): Service {
  const d = unwrapDict(raw);
  const dest = (d.destination ?? {}) as Record<string, string>;
  const destination: Service['destination'] = {};
  if (dest.ipv4) destination.ipv4 = dest.ipv4;
  if (dest.ipv6) destination.ipv6 = dest.ipv6;
  return {
    name,
    version: str(d.version),
    short: str(d.short),
    description: str(d.description),
    ports: ports(d.ports),
    protocols: strs(d.protocols),
    sourcePorts: ports(d.source_ports),
    modules: strs(d.modules),
    helpers: strs(d.helpers),
    includes: strs(d.includes),
    destination,
  };
}

/** ipset tuple (ssssa{ss}as); entries are returned separately (they are loaded on demand). */
export function ipsetFromTuple(name: string, raw: unknown): { ipset: IpSet; entries: string[] } {
  const t = (raw ?? []) as unknown[];
  const entries = strs(t[5]);
  return {
    ipset: {
      name,
      version: str(t[0]),
      short: str(t[1]),
      description: str(t[2]),
      type: str(t[3]),
      options: Object.fromEntries(Object.entries((t[4] ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)])),
      entryCount: entries.length,
      entriesHash: entriesDigest(entries),
    },
    entries,
  };
}

export function ipsetToTuple(s: Pick<IpSet, 'version' | 'short' | 'description' | 'type' | 'options'>, entries: string[]): unknown[] {
  return [s.version, s.short, s.description, s.type, s.options, entries];
}

export function icmpTypeFromTuple(name: string, raw: unknown): IcmpType {
  const t = (raw ?? []) as unknown[];
  return { name, version: str(t[0]), short: str(t[1]), description: str(t[2]), destinations: strs(t[3]) };
}

export function helperFromTuple(name: string, raw: unknown): Helper {
  const t = (raw ?? []) as unknown[];
  return { name, version: str(t[0]), short: str(t[1]), description: str(t[2]), family: str(t[3]), module: str(t[4]), ports: ports(t[5]) };
}

export function metaFromProps(p: Record<string, unknown>): ObjectMeta {
  const meta: ObjectMeta = { builtin: p.builtin === true, default: p.default === true };
  if (typeof p.filename === 'string') meta.filename = p.filename;
  if (typeof p.path === 'string') meta.path = p.path;
  return meta;
}

/** Compares dotted versions: negative if a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/**
 * Builds an a{sv} dict from snake_case values with signatures from `table`; keys the server is
 * too old for are dropped when they hold their default and refused otherwise (never send a key
 * the server lacks: it fails INVALID_OPTION, reference §11).
 */
export function toDict(values: Dict, table: Record<string, string>, serverVersion: string): Record<string, Variant> {
  const out: Record<string, Variant> = {};
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    const sig = table[k];
    if (!sig) throw new ApiError('INTERNAL', `Unknown firewalld settings key "${k}"`);
    const min = KEY_MIN_VERSION[k];
    if (min && compareVersions(serverVersion, min) < 0) {
      const isDefault = v === 0 || v === false;
      if (isDefault) continue;
      throw new ApiError('UNSUPPORTED', `"${k}" needs firewalld ${min} or later; this host runs ${serverVersion}`);
    }
    out[k] = new Variant(sig, v);
  }
  return out;
}

const portsOut = (p: Port[] | undefined) => p?.map((x) => [x.port, x.protocol]);
const fwdOut = (p: ForwardPort[] | undefined) => p?.map((x) => [x.port, x.protocol, x.toPort ?? '', x.toAddr ?? '']);

/** Model zone (partial) -> firewalld zone dict values (snake_case, unwrapped). */
export function zoneToValues(z: Partial<Zone>): Dict {
  return {
    version: z.version,
    short: z.short,
    description: z.description,
    target: z.target,
    services: z.services,
    ports: portsOut(z.ports),
    protocols: z.protocols,
    source_ports: portsOut(z.sourcePorts),
    icmp_blocks: z.icmpBlocks,
    icmp_block_inversion: z.icmpBlockInversion,
    forward: z.forward,
    masquerade: z.masquerade,
    forward_ports: fwdOut(z.forwardPorts),
    rules_str: z.richRules,
    interfaces: z.interfaces,
    sources: z.sources,
    ingress_priority: z.ingressPriority,
    egress_priority: z.egressPriority,
  };
}

export function zoneDict(z: Partial<Zone>, serverVersion: string): Record<string, Variant> {
  return toDict(zoneToValues(z), ZONE_KEYS, serverVersion);
}

export function policyDict(p: Partial<Policy>, serverVersion: string): Record<string, Variant> {
  return toDict(
    {
      version: p.version,
      short: p.short,
      description: p.description,
      target: p.target,
      priority: p.priority,
      ingress_zones: p.ingressZones,
      egress_zones: p.egressZones,
      services: p.services,
      ports: portsOut(p.ports),
      protocols: p.protocols,
      source_ports: portsOut(p.sourcePorts),
      icmp_blocks: p.icmpBlocks,
      masquerade: p.masquerade,
      forward_ports: fwdOut(p.forwardPorts),
      rich_rules: p.richRules,
      disable: p.disable,
    },
    POLICY_KEYS,
    serverVersion,
  );
}

export function serviceDict(s: Partial<Service>, serverVersion: string): Record<string, Variant> {
  const dest = s.destination ? Object.fromEntries(Object.entries(s.destination).filter(([, v]) => !!v)) : undefined;
  return toDict(
    {
      version: s.version,
      short: s.short,
      description: s.description,
      ports: portsOut(s.ports),
      protocols: s.protocols,
      source_ports: portsOut(s.sourcePorts),
      modules: s.modules,
      helpers: s.helpers,
      includes: s.includes,
      destination: dest,
    },
    SERVICE_KEYS,
    serverVersion,
  );
}
