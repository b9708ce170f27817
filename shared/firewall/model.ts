import { z } from 'zod';

/**
 * The firewalld data model as HostDeck sees it: one shape for runtime and permanent objects,
 * camelCase keys, structured ports. electron/firewall/settings.ts converts to and from
 * firewalld's D-Bus dicts/tuples (keys like `rules_str`, `a(ss)` ports).
 */

export const layerSchema = z.enum(['runtime', 'permanent']);
export type Layer = z.infer<typeof layerSchema>;

export const portProtocolSchema = z.enum(['tcp', 'udp', 'sctp', 'dccp']);
export type PortProtocol = z.infer<typeof portProtocolSchema>;

/** A port or range ("8080", "7000-8000") with its protocol. */
export const portSchema = z.object({ port: z.string(), protocol: portProtocolSchema });
export type Port = z.infer<typeof portSchema>;

/** Forwarding of port/protocol to toPort on toAddr (empty toAddr = this host, empty toPort = same port). */
export const forwardPortSchema = z.object({
  port: z.string(),
  protocol: portProtocolSchema,
  toPort: z.string().default(''),
  toAddr: z.string().default(''),
});
export type ForwardPort = z.infer<typeof forwardPortSchema>;

/** What firewalld says about a permanent object's origin (config object properties). */
export const objectMetaSchema = z.object({
  /** Shipped with firewalld (/usr/lib/firewalld). */
  builtin: z.boolean(),
  /** A builtin that has no override in /etc/firewalld (loadDefaults would be a no-op). */
  default: z.boolean(),
  filename: z.string().optional(),
  path: z.string().optional(),
});
export type ObjectMeta = z.infer<typeof objectMetaSchema>;

export const zoneTargetSchema = z.enum(['default', 'ACCEPT', 'DROP', '%%REJECT%%']);
export type ZoneTarget = z.infer<typeof zoneTargetSchema>;

const commonText = {
  name: z.string(),
  version: z.string().default(''),
  short: z.string().default(''),
  description: z.string().default(''),
};

export const zoneSchema = z.object({
  ...commonText,
  target: z.string().default('default'),
  services: z.array(z.string()).default([]),
  ports: z.array(portSchema).default([]),
  protocols: z.array(z.string()).default([]),
  sourcePorts: z.array(portSchema).default([]),
  icmpBlocks: z.array(z.string()).default([]),
  icmpBlockInversion: z.boolean().default(false),
  forward: z.boolean().default(false),
  masquerade: z.boolean().default(false),
  forwardPorts: z.array(forwardPortSchema).default([]),
  richRules: z.array(z.string()).default([]),
  interfaces: z.array(z.string()).default([]),
  /** CIDR, MAC or `ipset:<name>`. */
  sources: z.array(z.string()).default([]),
  /** firewalld 2.0+ only. */
  ingressPriority: z.number().int().optional(),
  egressPriority: z.number().int().optional(),
  meta: objectMetaSchema.optional(),
});
export type Zone = z.infer<typeof zoneSchema>;

export const policyTargetSchema = z.enum(['CONTINUE', 'ACCEPT', 'REJECT', 'DROP']);

export const policySchema = z.object({
  ...commonText,
  target: z.string().default('CONTINUE'),
  /** Negative: before zone rules; positive: after. */
  priority: z.number().int().default(-1),
  /** Zone names, or exactly one of HOST / ANY. */
  ingressZones: z.array(z.string()).default([]),
  egressZones: z.array(z.string()).default([]),
  services: z.array(z.string()).default([]),
  ports: z.array(portSchema).default([]),
  protocols: z.array(z.string()).default([]),
  sourcePorts: z.array(portSchema).default([]),
  icmpBlocks: z.array(z.string()).default([]),
  masquerade: z.boolean().default(false),
  forwardPorts: z.array(forwardPortSchema).default([]),
  richRules: z.array(z.string()).default([]),
  /** firewalld 2.4+ only. */
  disable: z.boolean().optional(),
  meta: objectMetaSchema.optional(),
});
export type Policy = z.infer<typeof policySchema>;

export const serviceSchema = z.object({
  ...commonText,
  ports: z.array(portSchema).default([]),
  protocols: z.array(z.string()).default([]),
  sourcePorts: z.array(portSchema).default([]),
  /** Netfilter helper modules (deprecated form of helpers). */
  modules: z.array(z.string()).default([]),
  helpers: z.array(z.string()).default([]),
  includes: z.array(z.string()).default([]),
  destination: z.object({ ipv4: z.string().optional(), ipv6: z.string().optional() }).default({}),
  meta: objectMetaSchema.optional(),
});
export type Service = z.infer<typeof serviceSchema>;

export const ipsetTypes = [
  'hash:ip',
  'hash:ip,mark',
  'hash:ip,port',
  'hash:ip,port,ip',
  'hash:ip,port,net',
  'hash:mac',
  'hash:net',
  'hash:net,iface',
  'hash:net,net',
  'hash:net,port',
  'hash:net,port,net',
] as const;

export const ipsetSchema = z.object({
  ...commonText,
  type: z.string(),
  /** family (inet|inet6), timeout, hashsize, maxelem. */
  options: z.record(z.string(), z.string()).default({}),
  /** Entries are loaded on demand (firewall.ipsetEntries); this is their number. */
  entryCount: z.number().int().nonnegative().default(0),
  /** Order-independent digest of the entries (shared/firewall/ipset-digest.ts): runtime and permanent compare by content. */
  entriesHash: z.string().default(''),
  meta: objectMetaSchema.optional(),
});
export type IpSet = z.infer<typeof ipsetSchema>;

export const icmpTypeSchema = z.object({
  ...commonText,
  /** "ipv4", "ipv6"; empty = both. */
  destinations: z.array(z.string()).default([]),
  meta: objectMetaSchema.optional(),
});
export type IcmpType = z.infer<typeof icmpTypeSchema>;

export const helperSchema = z.object({
  ...commonText,
  family: z.string().default(''),
  module: z.string().default(''),
  ports: z.array(portSchema).default([]),
  meta: objectMetaSchema.optional(),
});
export type Helper = z.infer<typeof helperSchema>;

export const activeBindingSchema = z.object({
  interfaces: z.array(z.string()).default([]),
  sources: z.array(z.string()).default([]),
});
export type ActiveBinding = z.infer<typeof activeBindingSchema>;

/** All objects of one layer, keyed by name. */
export const layerStateSchema = z.object({
  zones: z.record(z.string(), zoneSchema),
  policies: z.record(z.string(), policySchema),
  services: z.record(z.string(), serviceSchema),
  ipsets: z.record(z.string(), ipsetSchema),
  icmptypes: z.record(z.string(), icmpTypeSchema),
  helpers: z.record(z.string(), helperSchema),
});
export type LayerState = z.infer<typeof layerStateSchema>;

export const logDeniedSchema = z.enum(['all', 'unicast', 'broadcast', 'multicast', 'off']);
export type LogDenied = z.infer<typeof logDeniedSchema>;

/** The main object's D-Bus properties (what the daemon is and supports). */
export const daemonInfoSchema = z.object({
  version: z.string(),
  interfaceVersion: z.string().default(''),
  /** INIT, FAILED or RUNNING. */
  state: z.string(),
  ipv4: z.boolean().optional(),
  ipv6: z.boolean().optional(),
  ipv6Rpfilter: z.boolean().optional(),
  bridge: z.boolean().optional(),
  ipset: z.boolean().optional(),
  ipsetTypes: z.array(z.string()).default([]),
  ipv4IcmpTypes: z.array(z.string()).default([]),
  ipv6IcmpTypes: z.array(z.string()).default([]),
});
export type DaemonInfo = z.infer<typeof daemonInfoSchema>;

export const globalStateSchema = z.object({
  defaultZone: z.string(),
  logDenied: z.string(),
  panicMode: z.boolean(),
  /** Lockdown (firewalld <= 2.1): writes from non-whitelisted senders fail with ACCESS_DENIED. */
  lockdown: z.boolean(),
  /** Zones with bound interfaces or sources. */
  activeZones: z.record(z.string(), activeBindingSchema),
  /** Policies in effect and their ingress/egress zones. */
  activePolicies: z.record(z.string(), z.object({ ingressZones: z.array(z.string()), egressZones: z.array(z.string()) })),
});
export type GlobalState = z.infer<typeof globalStateSchema>;

/** firewalld.conf as the daemon reports it (strings "yes"/"no" mostly; MinimalMark is a number). */
export const daemonConfigSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export type DaemonConfig = z.infer<typeof daemonConfigSchema>;

/**
 * A runtime item HostDeck added with a timeout (firewalld --timeout): firewalld removes it by
 * itself but cannot tell when, so the host remembers the moment for the page.
 */
export const timedItemSchema = z.object({
  kind: z.enum(['zone']),
  name: z.string(),
  /** List field ("ports", "richRules", ...) or "masquerade". */
  field: z.string(),
  /** The item as displayed ("8080/tcp"). */
  item: z.string(),
  addedAt: z.number(),
  /** When firewalld removes it (ms since epoch). */
  expiresAt: z.number(),
});
export type TimedItem = z.infer<typeof timedItemSchema>;

/** One problem firewalld would have loading a configuration (file:line, element, firewalld's code). */
export const configProblemSchema = z.object({
  file: z.string(),
  line: z.number().int().optional(),
  element: z.string(),
  code: z.string(),
  message: z.string(),
  severity: z.enum(['error', 'warning']),
});

/** Where an offline configuration came from and which firewalld it was read as. */
export const offlineSourceSchema = z.object({
  /** "offline configuration": the masthead's words. */
  label: z.string(),
  /** The directories read (/usr/lib/firewalld, /etc/firewalld as shown to people). */
  dirs: z.array(z.string()),
  /** The firewalld version whose rules were applied, and where it was learned ("assumed" when nowhere). */
  version: z.string(),
  versionFrom: z.string(),
  problems: z.array(configProblemSchema),
  /** Digest of the files as read: the `basis` of a later firewall.offlineWrite (CONFLICT when they changed since). */
  digest: z.string().optional(),
});
export type OfflineSource = z.infer<typeof offlineSourceSchema>;

export const fullStateSchema = z.object({
  /** Increases on every change HostDeck learns of; events carry the revision they lead to. */
  revision: z.number().int(),
  busAddress: z.string(),
  daemon: daemonInfoSchema,
  config: daemonConfigSchema,
  global: globalStateSchema,
  runtime: layerStateSchema,
  permanent: layerStateSchema,
  /** When this state was read from firewalld (ms since epoch). */
  loadedAt: z.number(),
  /** Runtime items added with a timeout that are still there. */
  timed: z.array(timedItemSchema).default([]),
  /** Set when the state was read from the configuration files, with no firewalld running (shared/firewall/offline/). */
  offline: offlineSourceSchema.optional(),
});
export type FullState = z.infer<typeof fullStateSchema>;

export const objectKindSchema = z.enum(['zone', 'policy', 'service', 'ipset', 'icmptype', 'helper']);
export type ObjectKind = z.infer<typeof objectKindSchema>;

/** Lists zones and policies share, added to / removed from item by item. */
const itemListsSchema = z.object({
  services: z.array(z.string()).optional(),
  ports: z.array(portSchema).optional(),
  protocols: z.array(z.string()).optional(),
  sourcePorts: z.array(portSchema).optional(),
  icmpBlocks: z.array(z.string()).optional(),
  forwardPorts: z.array(forwardPortSchema).optional(),
  richRules: z.array(z.string()).optional(),
});

/** Lists of a zone: the shared ones plus its bindings. */
export const zoneItemsSchema = itemListsSchema.extend({
  interfaces: z.array(z.string()).optional(),
  sources: z.array(z.string()).optional(),
});
export type ZoneItems = z.infer<typeof zoneItemsSchema>;

/** One edit of a zone: items to add and remove, scalars to set. Applies to runtime or permanent. */
export const zonePatchSchema = z.object({
  add: zoneItemsSchema.optional(),
  remove: zoneItemsSchema.optional(),
  target: zoneTargetSchema.optional(),
  short: z.string().optional(),
  description: z.string().optional(),
  masquerade: z.boolean().optional(),
  forward: z.boolean().optional(),
  icmpBlockInversion: z.boolean().optional(),
  ingressPriority: z.number().int().optional(),
  egressPriority: z.number().int().optional(),
});
export type ZonePatch = z.infer<typeof zonePatchSchema>;

/** Lists of a policy: the shared ones plus its ingress and egress zones. */
export const policyItemsSchema = itemListsSchema.extend({
  ingressZones: z.array(z.string()).optional(),
  egressZones: z.array(z.string()).optional(),
});
export type PolicyItems = z.infer<typeof policyItemsSchema>;

export const policyPatchSchema = z.object({
  add: policyItemsSchema.optional(),
  remove: policyItemsSchema.optional(),
  target: policyTargetSchema.optional(),
  priority: z.number().int().optional(),
  short: z.string().optional(),
  description: z.string().optional(),
  masquerade: z.boolean().optional(),
  disable: z.boolean().optional(),
});
export type PolicyPatch = z.infer<typeof policyPatchSchema>;
