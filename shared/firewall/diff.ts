/**
 * Runtime vs permanent differences per zone and policy, and the lock-out guard that decides when
 * a change must go through safe apply (apply, count down, revert unless confirmed).
 */
import type { ForwardPort, LayerState, Policy, PolicyPatch, Port, Service, Zone, ZoneItems, ZonePatch } from './model';
import { parseRichRule, richRuleKey, type RichRule } from './rich-rule';
import { getPortRange, isIPv4, normalizePort } from './validate';

// ---------------------------------------------------------------------------------------------
// Differences

/** One list of an object: what only the runtime has, what only the permanent configuration has. */
export interface ItemDiff {
  key: ListKey;
  /** In runtime, not (yet) in permanent: lost on reload unless saved. */
  runtimeOnly: string[];
  /** In permanent, not in runtime: comes back on reload. */
  permanentOnly: string[];
}
export interface ScalarDiff {
  key: ScalarKey;
  runtime: string | boolean | number | undefined;
  permanent: string | boolean | number | undefined;
}
export interface ObjectDiff {
  kind: 'zone' | 'policy';
  name: string;
  /** 'runtime-only': created at runtime or deleted permanently; 'permanent-only': created permanently, not loaded yet. */
  status: 'same' | 'different' | 'runtime-only' | 'permanent-only';
  items: ItemDiff[];
  scalars: ScalarDiff[];
}

export type ListKey =
  | 'services' | 'ports' | 'protocols' | 'sourcePorts' | 'icmpBlocks' | 'forwardPorts' | 'richRules'
  | 'interfaces' | 'sources' | 'ingressZones' | 'egressZones';
export type ScalarKey = 'target' | 'masquerade' | 'forward' | 'icmpBlockInversion' | 'priority' | 'short' | 'description' | 'disable';

export const portText = (p: Port) => `${p.port}/${p.protocol}`;
export const forwardPortText = (f: ForwardPort) =>
  `port=${f.port}:proto=${f.protocol}:toport=${f.toPort ?? ''}:toaddr=${f.toAddr ?? ''}`;

/** Text of every item of a list, and the key under which equal items match across layers. */
function itemsOf(o: Partial<Zone & Policy>, key: ListKey): Array<{ text: string; id: string }> {
  const v = (o as Record<string, unknown>)[key];
  if (!Array.isArray(v)) return [];
  switch (key) {
    case 'ports':
    case 'sourcePorts':
      return (v as Port[]).map((p) => ({ text: portText(p), id: `${normalizePort(p.port) ?? p.port}/${p.protocol}` }));
    case 'forwardPorts':
      return (v as ForwardPort[]).map((f) => ({
        text: forwardPortText(f),
        id: forwardPortText({ ...f, port: normalizePort(f.port) ?? f.port, toPort: f.toPort ? (normalizePort(f.toPort) ?? f.toPort) : '' }),
      }));
    case 'richRules':
      return (v as string[]).map((r) => ({ text: r, id: richRuleKey(r) }));
    default:
      return (v as string[]).map((s) => ({ text: s, id: s }));
  }
}

function diffList(runtime: Partial<Zone & Policy>, permanent: Partial<Zone & Policy>, key: ListKey): ItemDiff | undefined {
  const r = itemsOf(runtime, key);
  const p = itemsOf(permanent, key);
  const pIds = new Set(p.map((x) => x.id));
  const rIds = new Set(r.map((x) => x.id));
  const runtimeOnly = r.filter((x) => !pIds.has(x.id)).map((x) => x.text);
  const permanentOnly = p.filter((x) => !rIds.has(x.id)).map((x) => x.text);
  return runtimeOnly.length || permanentOnly.length ? { key, runtimeOnly, permanentOnly } : undefined;
}

const ZONE_LISTS: ListKey[] = ['services', 'ports', 'protocols', 'sourcePorts', 'icmpBlocks', 'forwardPorts', 'richRules', 'interfaces', 'sources'];
const POLICY_LISTS: ListKey[] = ['ingressZones', 'egressZones', 'services', 'ports', 'protocols', 'sourcePorts', 'icmpBlocks', 'forwardPorts', 'richRules'];
const ZONE_SCALARS: ScalarKey[] = ['target', 'masquerade', 'forward', 'icmpBlockInversion'];
const POLICY_SCALARS: ScalarKey[] = ['target', 'priority', 'masquerade', 'disable'];

function diffObject(kind: 'zone' | 'policy', name: string, runtime: Zone | Policy | undefined, permanent: Zone | Policy | undefined): ObjectDiff {
  if (!runtime || !permanent) {
    return { kind, name, status: runtime ? 'runtime-only' : 'permanent-only', items: [], scalars: [] };
  }
  const lists = kind === 'zone' ? ZONE_LISTS : POLICY_LISTS;
  const scalarKeys = kind === 'zone' ? ZONE_SCALARS : POLICY_SCALARS;
  const items = lists.map((k) => diffList(runtime, permanent, k)).filter((d): d is ItemDiff => !!d);
  const scalars: ScalarDiff[] = [];
  for (const key of scalarKeys) {
    const r = (runtime as Record<string, unknown>)[key] as ScalarDiff['runtime'];
    const p = (permanent as Record<string, unknown>)[key] as ScalarDiff['permanent'];
    if (r !== p && !(r === undefined && p === false) && !(p === undefined && r === false)) scalars.push({ key, runtime: r, permanent: p });
  }
  return { kind, name, status: items.length || scalars.length ? 'different' : 'same', items, scalars };
}

export function diffZone(name: string, runtime: Zone | undefined, permanent: Zone | undefined): ObjectDiff {
  return diffObject('zone', name, runtime, permanent);
}
export function diffPolicy(name: string, runtime: Policy | undefined, permanent: Policy | undefined): ObjectDiff {
  return diffObject('policy', name, runtime, permanent);
}

/** Every zone and policy of both layers, sorted by name. */
export function diffLayers(runtime: Pick<LayerState, 'zones' | 'policies'>, permanent: Pick<LayerState, 'zones' | 'policies'>): { zones: ObjectDiff[]; policies: ObjectDiff[] } {
  const names = (a: Record<string, unknown>, b: Record<string, unknown>) => [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return {
    zones: names(runtime.zones, permanent.zones).map((n) => diffZone(n, runtime.zones[n], permanent.zones[n])),
    policies: names(runtime.policies, permanent.policies).map((n) => diffPolicy(n, runtime.policies[n], permanent.policies[n])),
  };
}

/** Number of differing items and settings: the badge next to a zone or policy. */
export function diffCount(d: ObjectDiff): number {
  if (d.status === 'runtime-only' || d.status === 'permanent-only') return 1;
  return d.items.reduce((n, i) => n + i.runtimeOnly.length + i.permanentOnly.length, 0) + d.scalars.length;
}

// ---------------------------------------------------------------------------------------------
// Patches applied to plain objects (previews, and the lock-out guard)

const keyOfItem = (key: keyof ZoneItems, x: unknown) =>
  key === 'ports' || key === 'sourcePorts' ? `${normalizePort((x as Port).port) ?? (x as Port).port}/${(x as Port).protocol}`
    : key === 'forwardPorts' ? forwardPortText(x as ForwardPort)
      : key === 'richRules' ? richRuleKey(x as string)
        : String(x);

function applyItems<T extends Record<string, unknown>>(obj: T, add: Record<string, unknown[] | undefined> | undefined, remove: Record<string, unknown[] | undefined> | undefined): T {
  const out: Record<string, unknown> = { ...obj };
  for (const [k, items] of Object.entries(remove ?? {})) {
    if (!items?.length) continue;
    const gone = new Set(items.map((x) => keyOfItem(k as keyof ZoneItems, x)));
    out[k] = ((out[k] as unknown[]) ?? []).filter((x) => !gone.has(keyOfItem(k as keyof ZoneItems, x)));
  }
  for (const [k, items] of Object.entries(add ?? {})) {
    if (!items?.length) continue;
    const list = [...((out[k] as unknown[]) ?? [])];
    const have = new Set(list.map((x) => keyOfItem(k as keyof ZoneItems, x)));
    for (const x of items) if (!have.has(keyOfItem(k as keyof ZoneItems, x))) list.push(x);
    out[k] = list;
  }
  return out as T;
}

/** The zone after a patch (items removed first, then added; scalars set). */
export function applyZonePatch(zone: Zone, patch: ZonePatch): Zone {
  const z = applyItems(zone as unknown as Record<string, unknown>, patch.add as Record<string, unknown[]>, patch.remove as Record<string, unknown[]>) as unknown as Zone;
  const scalars: Partial<Zone> = {};
  for (const k of ['target', 'short', 'description', 'masquerade', 'forward', 'icmpBlockInversion', 'ingressPriority', 'egressPriority'] as const) {
    if (patch[k] !== undefined) (scalars as Record<string, unknown>)[k] = patch[k];
  }
  return { ...z, ...scalars };
}

export function applyPolicyPatch(policy: Policy, patch: PolicyPatch): Policy {
  const p = applyItems(policy as unknown as Record<string, unknown>, patch.add as Record<string, unknown[]>, patch.remove as Record<string, unknown[]>) as unknown as Policy;
  const scalars: Partial<Policy> = {};
  for (const k of ['target', 'priority', 'short', 'description', 'masquerade', 'disable'] as const) {
    if (patch[k] !== undefined) (scalars as Record<string, unknown>)[k] = patch[k];
  }
  return { ...p, ...scalars };
}

/** The patch that turns `from` into `to` (lists by item, scalars when they differ). */
export function zonePatchBetween(from: Zone, to: Zone): ZonePatch {
  const add: ZoneItems = {};
  const remove: ZoneItems = {};
  for (const key of ['services', 'ports', 'protocols', 'sourcePorts', 'icmpBlocks', 'forwardPorts', 'richRules', 'interfaces', 'sources'] as const) {
    const a = (from[key] ?? []) as unknown[];
    const b = (to[key] ?? []) as unknown[];
    const ak = new Set(a.map((x) => keyOfItem(key, x)));
    const bk = new Set(b.map((x) => keyOfItem(key, x)));
    const added = b.filter((x) => !ak.has(keyOfItem(key, x)));
    const removed = a.filter((x) => !bk.has(keyOfItem(key, x)));
    if (added.length) (add as Record<string, unknown[]>)[key] = added;
    if (removed.length) (remove as Record<string, unknown[]>)[key] = removed;
  }
  const patch: ZonePatch = {};
  if (Object.keys(add).length) patch.add = add;
  if (Object.keys(remove).length) patch.remove = remove;
  if (from.target !== to.target) patch.target = to.target as ZonePatch['target'];
  if (from.masquerade !== to.masquerade) patch.masquerade = to.masquerade;
  if (from.forward !== to.forward) patch.forward = to.forward;
  if (from.icmpBlockInversion !== to.icmpBlockInversion) patch.icmpBlockInversion = to.icmpBlockInversion;
  if (from.short !== to.short) patch.short = to.short;
  if (from.description !== to.description) patch.description = to.description;
  return patch;
}

// ---------------------------------------------------------------------------------------------
// Lock-out guard

export type FirewallChange =
  | { kind: 'zone'; zone: string; patch: ZonePatch }
  | { kind: 'policy'; policy: string; patch: PolicyPatch }
  | { kind: 'defaultZone'; zone: string }
  | { kind: 'panic'; enable: boolean };

export interface SafeApplyContext {
  /** Runtime zones (the change is judged against what is live). */
  zones: Record<string, Zone>;
  policies?: Record<string, Policy>;
  services?: Record<string, Pick<Service, 'ports'>>;
  defaultZone: string;
  /** Zones with bound interfaces or sources (runtime). */
  activeZones: Record<string, { interfaces: string[]; sources: string[] }>;
  /** The port sshd listens on for the admin's session; 22 when unknown. */
  sshPort?: number;
  /** The admin's address as the host sees it (SSH_CLIENT), to find the zone its source binds to. */
  clientAddress?: string;
}

export interface SafeApplyVerdict {
  /** True when safe apply should be the default for this change. */
  required: boolean;
  /** Plain sentences, one per risk found. */
  reasons: string[];
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}
/** Whether an IPv4 address falls in a zone source ("a.b.c.d", "a.b.c.d/len"). IPv6, MAC and ipset sources never match. */
function sourceMatches(source: string, addr: string): boolean {
  if (!isIPv4(addr)) return false;
  const [net, lenText] = source.split('/');
  if (!net || !isIPv4(net)) return false;
  const len = lenText === undefined ? 32 : Number(lenText);
  if (!Number.isInteger(len) || len < 0 || len > 32) return false;
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return ((ipv4ToInt(net) & mask) >>> 0) === ((ipv4ToInt(addr) & mask) >>> 0);
}

/**
 * The zones the admin's SSH session passes through: the zone whose source matches the client
 * address if there is one (sources win over interfaces in firewalld), else every zone with an
 * active interface plus the default zone (which takes interfaces bound to no zone).
 */
export function sessionZones(ctx: SafeApplyContext): string[] {
  if (ctx.clientAddress) {
    const bySource = Object.entries(ctx.activeZones).find(([, b]) => b.sources.some((s) => sourceMatches(s, ctx.clientAddress!)));
    if (bySource) return [bySource[0]];
  }
  const zones = new Set(Object.entries(ctx.activeZones).filter(([, b]) => b.interfaces.length > 0).map(([z]) => z));
  zones.add(ctx.defaultZone);
  return [...zones];
}

const portCovers = (p: Port, port: number, protocol: string) => {
  if (p.protocol !== protocol) return false;
  const r = getPortRange(p.port);
  if (!Array.isArray(r)) return false;
  return r.length === 1 ? r[0] === port : port >= r[0] && port <= r[1]!;
};

function ruleMatchesPort(rule: RichRule, port: number, services: SafeApplyContext['services']): boolean {
  const e = rule.element;
  if (!e) return true; // a rule without element matches all traffic (of its source)
  if (e.type === 'port') return portCovers({ port: e.port, protocol: e.protocol as Port['protocol'] }, port, 'tcp');
  if (e.type === 'service') return e.name === 'ssh' || !!services?.[e.name]?.ports.some((p) => portCovers(p, port, 'tcp'));
  if (e.type === 'protocol') return e.value === 'tcp' || e.value === '6';
  return false;
}

/** Whether a zone lets new TCP connections to `port` in (by target, services, ports or accept rules). */
export function zoneAllowsPort(zone: Zone, port: number, services: SafeApplyContext['services']): boolean {
  if (zone.target === 'ACCEPT') return true;
  if (zone.ports.some((p) => portCovers(p, port, 'tcp'))) return true;
  if (zone.services.some((s) => (s === 'ssh' && port === 22) || services?.[s]?.ports.some((p) => portCovers(p, port, 'tcp')))) return true;
  for (const text of zone.richRules) {
    const r = parseRichRule(text);
    if (r.ok && r.rule.action?.type === 'accept' && !r.rule.source && !r.rule.destination && ruleMatchesPort(r.rule, port, services)) return true;
  }
  return false;
}

/** Rich rules in `added` that drop or reject the SSH port (for every source, or the admin's). */
function blockingRules(added: readonly string[], port: number, ctx: SafeApplyContext): string[] {
  return added.filter((text) => {
    const r = parseRichRule(text);
    if (!r.ok) return false;
    const { action, source } = r.rule;
    if (action?.type !== 'drop' && action?.type !== 'reject') return false;
    if (source && !source.invert && !(source.kind === 'address' && ctx.clientAddress && sourceMatches(source.value, ctx.clientAddress))) return false;
    return ruleMatchesPort(r.rule, port, ctx.services);
  });
}

/**
 * Whether a change could cut the admin off, so that safe apply (apply, count down, revert unless
 * confirmed) should be the default: removing SSH access from a zone the session goes through,
 * a DROP or REJECT target there, a rule that drops SSH, moving the session's interface or the
 * default zone to a zone without SSH, a policy that drops traffic to the host, and panic mode.
 */
export function needsSafeApply(change: FirewallChange, ctx: SafeApplyContext): SafeApplyVerdict {
  const port = ctx.sshPort ?? 22;
  const reasons: string[] = [];
  const session = sessionZones(ctx);
  const sshWord = port === 22 ? 'SSH (port 22)' : `SSH on port ${port}`;

  if (change.kind === 'panic') {
    if (change.enable) reasons.push('Panic mode drops all traffic, including your SSH session.');
    return { required: reasons.length > 0, reasons };
  }

  if (change.kind === 'defaultZone') {
    const z = ctx.zones[change.zone];
    if (z && !zoneAllowsPort(z, port, ctx.services) && session.includes(ctx.defaultZone)) {
      reasons.push(`The new default zone ${change.zone} does not allow ${sshWord}; interfaces without a zone would lose SSH.`);
    }
    return { required: reasons.length > 0, reasons };
  }

  if (change.kind === 'policy') {
    const pol = ctx.policies?.[change.policy];
    if (!pol) return { required: false, reasons };
    const after = applyPolicyPatch(pol, change.patch);
    const toHost = after.egressZones.includes('HOST');
    const fromSession = after.ingressZones.includes('ANY') || after.ingressZones.some((z) => session.includes(z));
    if (toHost && fromSession && (after.target === 'DROP' || after.target === 'REJECT') && after.target !== pol.target) {
      reasons.push(`Policy ${pol.name} would ${after.target === 'DROP' ? 'drop' : 'reject'} traffic to this host from zones your session uses.`);
    }
    const added = change.patch.add?.richRules ?? [];
    if (toHost && fromSession && blockingRules(added, port, ctx).length) {
      reasons.push(`A new rule in policy ${pol.name} drops or rejects ${sshWord} to this host.`);
    }
    return { required: reasons.length > 0, reasons };
  }

  const zone = ctx.zones[change.zone];
  if (!zone) return { required: false, reasons };
  const after = applyZonePatch(zone, change.patch);
  const inSession = session.includes(change.zone);

  if (inSession) {
    if ((after.target === 'DROP' || after.target === '%%REJECT%%') && after.target !== zone.target) {
      reasons.push(`Zone ${zone.name} carries your SSH session and its target would become ${after.target === 'DROP' ? 'DROP' : 'REJECT'}.`);
    }
    if (zoneAllowsPort(zone, port, ctx.services) && !zoneAllowsPort(after, port, ctx.services)) {
      const removed = [
        ...(change.patch.remove?.services ?? []).filter((s) => s === 'ssh' || ctx.services?.[s]?.ports.some((p) => portCovers(p, port, 'tcp'))),
        ...(change.patch.remove?.ports ?? []).filter((p) => portCovers(p, port, 'tcp')).map(portText),
      ];
      reasons.push(`Zone ${zone.name} carries your SSH session and would no longer allow ${sshWord}${removed.length ? ` (removing ${removed.join(', ')})` : ''}.`);
    }
    const blocking = blockingRules(change.patch.add?.richRules ?? [], port, ctx);
    if (blocking.length) reasons.push(`A new rule in zone ${zone.name} drops or rejects ${sshWord}: ${blocking[0]}`);
  }
  // Binding a session interface or the admin's address to this zone moves the session here.
  const movedIfaces = (change.patch.add?.interfaces ?? []).filter((i) => Object.entries(ctx.activeZones).some(([z, b]) => z !== change.zone && session.includes(z) && b.interfaces.includes(i)));
  const movedSource = (change.patch.add?.sources ?? []).some((s) => ctx.clientAddress && sourceMatches(s, ctx.clientAddress));
  if ((movedIfaces.length || movedSource) && !zoneAllowsPort(after, port, ctx.services)) {
    reasons.push(`Moving ${movedIfaces.length ? `interface ${movedIfaces.join(', ')}` : 'your address'} into zone ${zone.name}, which does not allow ${sshWord}.`);
  }
  return { required: reasons.length > 0, reasons };
}
