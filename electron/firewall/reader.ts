import type { DaemonConfig, DaemonInfo, GlobalState, LayerState, ObjectKind, Zone } from '../../shared/firewall/model';
import type { ConfigKind, FirewalldReads } from './client';
import {
  helperFromTuple,
  icmpTypeFromTuple,
  ipsetFromTuple,
  metaFromProps,
  policyFromDict,
  serviceFromDict,
  zoneFromDict,
} from './settings';
import type { IfaceSuffix } from './signatures';

/**
 * Reads firewalld's state with plain low-level calls, all issued at once and bounded by the
 * client's pool (16 in flight). Entries of ipsets come back with their settings anyway (the
 * D-Bus API has no settings-without-entries call); they are handed to the entries cache and
 * only their number goes into the state.
 */

export interface LayerRead {
  layer: LayerState;
  /** ipset name -> entries (for the on-demand entries cache). */
  ipsetEntries: Map<string, string[]>;
}

const emptyLayer = (): LayerState => ({ zones: {}, policies: {}, services: {}, ipsets: {}, icmptypes: {}, helpers: {} });

async function eachName<T>(names: string[], read: (n: string) => Promise<T>): Promise<Record<string, T>> {
  const values = await Promise.all(names.map(read));
  const out: Record<string, T> = {};
  names.forEach((n, i) => (out[n] = values[i]!));
  return out;
}

/** Runtime objects of each kind: the call listing their names, the call reading one (readRuntime, and bulk-read.ts's plan). */
export const RUNTIME_READS: Record<ObjectKind, { list: string; get: string }> = {
  zone: { list: 'zone.getZones', get: 'zone.getZoneSettings2' },
  policy: { list: 'policy.getPolicies', get: 'policy.getPolicySettings' },
  service: { list: '.listServices', get: '.getServiceSettings2' },
  icmptype: { list: '.listIcmpTypes', get: '.getIcmpTypeSettings' },
  helper: { list: '.getHelpers', get: '.getHelperSettings' },
  ipset: { list: 'ipset.getIPSets', get: 'ipset.getIPSetSettings' },
};

export async function readRuntimeZone(c: FirewalldReads, name: string): Promise<Zone> {
  const [d] = await c.call(RUNTIME_READS.zone.get, [name], { what: `reading runtime zone ${name}` });
  return zoneFromDict(name, d);
}

/** Only the runtime zones (what `firewall-cmd --list-all-zones` shows); used by the bench too. */
export async function readRuntimeZones(c: FirewalldReads): Promise<Record<string, Zone>> {
  const [names] = (await c.call(RUNTIME_READS.zone.list)) as [string[]];
  return eachName(names, (n) => readRuntimeZone(c, n));
}

export async function readRuntimeObject(c: FirewalldReads, kind: ObjectKind, name: string, entriesOut?: Map<string, string[]>) {
  const get = async () => (await c.call(RUNTIME_READS[kind].get, [name]))[0];
  switch (kind) {
    case 'zone':
      return readRuntimeZone(c, name);
    case 'policy':
      return policyFromDict(name, await get());
    case 'service':
      return serviceFromDict(name, await get());
    case 'icmptype':
      return icmpTypeFromTuple(name, await get());
    case 'helper':
      return helperFromTuple(name, await get());
    case 'ipset': {
      const { ipset, entries } = ipsetFromTuple(name, await get());
      entriesOut?.set(name, entries);
      return ipset;
    }
  }
}

export async function readRuntime(c: FirewalldReads): Promise<LayerRead> {
  const ipsetEntries = new Map<string, string[]>();
  const list = async (key: string) => ((await c.call(key))[0] as string[]) ?? [];
  const [zones, policies, services, icmptypes, helpers, ipsets] = await Promise.all([
    list(RUNTIME_READS.zone.list),
    list(RUNTIME_READS.policy.list),
    list(RUNTIME_READS.service.list),
    list(RUNTIME_READS.icmptype.list),
    list(RUNTIME_READS.helper.list),
    list(RUNTIME_READS.ipset.list),
  ]);
  const read = <K extends ObjectKind>(kind: K, names: string[]) => eachName(names, (n) => readRuntimeObject(c, kind, n, ipsetEntries));
  const layer = emptyLayer();
  const [z, p, s, i, h, ip] = await Promise.all([
    read('zone', zones),
    read('policy', policies),
    read('service', services),
    read('icmptype', icmptypes),
    read('helper', helpers),
    read('ipset', ipsets),
  ]);
  layer.zones = z as LayerState['zones'];
  layer.policies = p as LayerState['policies'];
  layer.services = s as LayerState['services'];
  layer.icmptypes = i as LayerState['icmptypes'];
  layer.helpers = h as LayerState['helpers'];
  layer.ipsets = ip as LayerState['ipsets'];
  return { layer, ipsetEntries };
}

export const CONFIG_LIST: Record<ConfigKind, string> = {
  zone: 'config.listZones',
  policy: 'config.listPolicies',
  service: 'config.listServices',
  ipset: 'config.listIPSets',
  icmptype: 'config.listIcmpTypes',
  helper: 'config.listHelpers',
};

export const CONFIG_GET: Record<ConfigKind, string> = {
  zone: 'getSettings2',
  policy: 'getSettings',
  service: 'getSettings2',
  ipset: 'getSettings',
  icmptype: 'getSettings',
  helper: 'getSettings',
};

function fromConfigSettings(kind: ConfigKind, name: string, raw: unknown, entriesOut?: Map<string, string[]>) {
  switch (kind) {
    case 'zone':
      return zoneFromDict(name, raw);
    case 'policy':
      return policyFromDict(name, raw);
    case 'service':
      return serviceFromDict(name, raw);
    case 'icmptype':
      return icmpTypeFromTuple(name, raw);
    case 'helper':
      return helperFromTuple(name, raw);
    case 'ipset': {
      const { ipset, entries } = ipsetFromTuple(name, raw);
      entriesOut?.set(name, entries);
      return ipset;
    }
  }
}

/** One permanent object at a known path: settings plus its name/builtin/default properties. */
async function readConfigAt(c: FirewalldReads, kind: ConfigKind, path: string, entriesOut?: Map<string, string[]>) {
  const [props, settings] = await Promise.all([
    c.getAllProperties(`config.${kind}` as IfaceSuffix, path),
    c.call(`config.${kind}.${CONFIG_GET[kind]}`, [], { path, what: `reading permanent ${kind} at ${path}` }),
  ]);
  const name = String(props.name ?? '');
  c.rememberPath(kind, name, path);
  const obj = fromConfigSettings(kind, name, settings[0], entriesOut);
  return { ...obj, meta: metaFromProps(props) };
}

export async function readPermanentObject(c: FirewalldReads, kind: ConfigKind, name: string, entriesOut?: Map<string, string[]>) {
  const path = await c.configPath(kind, name);
  return readConfigAt(c, kind, path, entriesOut);
}

export async function readPermanent(c: FirewalldReads): Promise<LayerRead> {
  const ipsetEntries = new Map<string, string[]>();
  const kinds = Object.keys(CONFIG_LIST) as ConfigKind[];
  const pathLists = await Promise.all(kinds.map(async (k) => ((await c.call(CONFIG_LIST[k]))[0] as string[]) ?? []));
  const layer = emptyLayer();
  const target: Record<ConfigKind, Record<string, unknown>> = {
    zone: layer.zones,
    policy: layer.policies,
    service: layer.services,
    ipset: layer.ipsets,
    icmptype: layer.icmptypes,
    helper: layer.helpers,
  };
  await Promise.all(
    kinds.flatMap((kind, i) =>
      pathLists[i]!.map(async (path) => {
        const obj = await readConfigAt(c, kind, path, ipsetEntries);
        target[kind][obj.name] = obj;
      }),
    ),
  );
  // Keep keys in name order (config paths are not): UIs list them as they come.
  for (const kind of kinds) {
    const rec = target[kind];
    const sorted = Object.keys(rec).sort();
    const copy = Object.fromEntries(sorted.map((k) => [k, rec[k]]));
    for (const k of Object.keys(rec)) delete rec[k];
    Object.assign(rec, copy);
  }
  return { layer, ipsetEntries };
}

export async function readGlobal(c: FirewalldReads): Promise<GlobalState> {
  const [[defaultZone], [logDenied], [panic], [active], [activePolicies], lockdown] = await Promise.all([
    c.call('.getDefaultZone'),
    c.call('.getLogDenied'),
    c.call('.queryPanicMode'),
    c.call('zone.getActiveZones'),
    c.call('policy.getActivePolicies'),
    c.call('policies.queryLockdown').then(
      (b) => b[0] === true,
      () => false, // removed/no-op in 2.2+
    ),
  ]);
  const activeZones: GlobalState['activeZones'] = {};
  for (const [zone, b] of Object.entries((active ?? {}) as Record<string, Record<string, string[]>>)) {
    activeZones[zone] = { interfaces: b.interfaces ?? [], sources: b.sources ?? [] };
  }
  const ap: GlobalState['activePolicies'] = {};
  for (const [policy, b] of Object.entries((activePolicies ?? {}) as Record<string, Record<string, string[]>>)) {
    ap[policy] = { ingressZones: b.ingress_zones ?? [], egressZones: b.egress_zones ?? [] };
  }
  return {
    defaultZone: String(defaultZone),
    logDenied: String(logDenied),
    panicMode: panic === true,
    lockdown,
    activeZones,
    activePolicies: ap,
  };
}

export async function readDaemonInfo(c: FirewalldReads): Promise<DaemonInfo> {
  const p = await c.getAllProperties('');
  const b = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
  const info: DaemonInfo = {
    version: String(p.version ?? ''),
    interfaceVersion: String(p.interface_version ?? ''),
    state: String(p.state ?? ''),
    ipsetTypes: Array.isArray(p.IPSetTypes) ? p.IPSetTypes.map(String) : [],
    ipv4IcmpTypes: Array.isArray(p.IPv4ICMPTypes) ? p.IPv4ICMPTypes.map(String) : [],
    ipv6IcmpTypes: Array.isArray(p.IPv6ICMPTypes) ? p.IPv6ICMPTypes.map(String) : [],
  };
  const opt = { ipv4: b(p.IPv4), ipv6: b(p.IPv6), ipv6Rpfilter: b(p.IPv6_rpfilter), bridge: b(p.BRIDGE), ipset: b(p.IPSet) };
  for (const [k, v] of Object.entries(opt)) if (v !== undefined) (info as Record<string, unknown>)[k] = v;
  return info;
}

/** firewalld.conf as the daemon reports it (Properties of /config). */
export async function readDaemonConfig(c: FirewalldReads): Promise<DaemonConfig> {
  const p = await c.getAllProperties('config');
  const out: DaemonConfig = {};
  for (const [k, v] of Object.entries(p)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else if (typeof v === 'bigint') out[k] = Number(v);
  }
  return out;
}
