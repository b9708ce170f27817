import { z } from 'zod';
import { operation } from '../api/define';
import {
  fullStateSchema,
  globalStateSchema,
  helperSchema,
  icmpTypeSchema,
  ipsetSchema,
  layerSchema,
  logDeniedSchema,
  policyPatchSchema,
  policySchema,
  serviceSchema,
  daemonConfigSchema,
  zonePatchSchema,
  zoneSchema,
} from './model';
import { explanationSchema, flowSchema } from './explain/flow';
import { deniedEvents, deniedOperations } from './denied/contract';
import { traceOperation } from './trace/contract';
import { rulesContract } from './rules/contract';
import { offlineCheckSchema } from './offline/contract';
import { offlineWriteContract } from './offline/write-contract';
import { previewContract } from './preview/contract';

export const firewallStatusSchema = z.object({
  running: z.boolean(),
  /** Why it is not reachable, in plain words (bus missing, daemon not on the bus, ...). */
  reason: z.string().optional(),
  errorCode: z.string().optional(),
  /**
   * What is missing when not running: `noBus` (no system D-Bus at busAddress: starting firewalld
   * cannot help), `notRunning` (the bus is there, firewalld is not on it), `notAuthorized`, `failed`.
   */
  problem: z.enum(['noBus', 'notRunning', 'notAuthorized', 'failed']).optional(),
  /** The bus socket HostDeck tried (from busAddress). */
  busSocket: z.string().optional(),
  version: z.string().optional(),
  state: z.string().optional(),
  defaultZone: z.string().optional(),
  panicMode: z.boolean().optional(),
  busAddress: z.string(),
  /** No daemon: the answers come from the configuration files (an image, a stopped firewalld, --offline). */
  offline: z.boolean().optional(),
  /** Offline: where `version` comes from (the image's package database, ..., or "assumed: ..."). */
  versionFrom: z.string().optional(),
  /** firewalld is not running (problem notRunning): what its configuration files would load, shown offline. */
  configuration: z.object({ version: z.string(), versionFrom: z.string(), defaultZone: z.string() }).optional(),
});
export type FirewallStatus = z.infer<typeof firewallStatusSchema>;

const name = z.string().min(1).max(64);
/** ipset imports: 100,000+ entries (an IPv6 CIDR is up to 43 characters, plus JSON quoting). */
const BULK_INPUT_BYTES = 16 * 1024 * 1024;
const empty = z.object({});
const ok = z.object({ revision: z.number().int() });
/** Answer from the configuration files even where firewalld runs (hostdeck firewall --offline). */
const offline = z.boolean().optional();

/** A change that may cut the admin off, as the safe-apply machinery understands it. */
export const safeChangeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('zone'), name, patch: zonePatchSchema }),
  z.object({ type: z.literal('policy'), name, patch: policyPatchSchema }),
  z.object({ type: z.literal('panic'), enabled: z.boolean() }),
  /** firewalld sets the default zone in runtime and firewalld.conf at once; the revert restores both. */
  z.object({ type: z.literal('defaultZone'), name }),
]);
export type SafeChange = z.infer<typeof safeChangeSchema>;

/** A change that would let one explained flow in (firewall.explain), offered, never applied. */
export const fixOfferSchema = z.object({ summary: z.string(), scope: z.string(), change: safeChangeSchema });

export const safeApplyDecisionSchema = z.object({
  /** True when the change could lock out the current admin: apply it with safe apply. */
  required: z.boolean(),
  reasons: z.array(z.string()),
  /** SSH ports HostDeck considers in use (sshd_config Port lines, the current SSH connection). */
  sshPorts: z.array(z.number().int()),
});
export type SafeApplyDecision = z.infer<typeof safeApplyDecisionSchema>;

export const safeApplySessionSchema = z.object({
  id: z.string(),
  change: safeChangeSchema,
  /** One line for the countdown banner. */
  summary: z.string(),
  reasons: z.array(z.string()),
  seconds: z.number().int(),
  startedAt: z.number(),
  /** When it reverts by itself (ms since epoch). */
  deadline: z.number(),
  saveToPermanent: z.boolean(),
  status: z.enum(['pending', 'confirmed', 'reverted', 'failed']),
  /** Set when applying, reverting or saving failed. */
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type SafeApplySession = z.infer<typeof safeApplySessionSchema>;

/** One field that differs between runtime and permanent. Items are printed ("8080/tcp", rich rule text). */
export const fieldDiffSchema = z.object({
  field: z.string(),
  runtimeOnly: z.array(z.string()).default([]),
  permanentOnly: z.array(z.string()).default([]),
  /** For scalar fields: both values as text. */
  runtime: z.string().optional(),
  permanent: z.string().optional(),
  /**
   * Totals when the lists above are only a sample (ipset entries: the first ones, the rest are
   * read page by page with firewall.ipsetEntriesDiff).
   */
  runtimeOnlyCount: z.number().int().optional(),
  permanentOnlyCount: z.number().int().optional(),
});
export const objectDiffSchema = z.object({
  kind: z.enum(['zone', 'policy', 'service', 'ipset']),
  name: z.string(),
  status: z.enum(['changed', 'runtimeOnly', 'permanentOnly']),
  fields: z.array(fieldDiffSchema),
});
export type ObjectDiff = z.infer<typeof objectDiffSchema>;

const entriesInput = z.object({
  name,
  layer: layerSchema,
  /** Entries as typed or read from a file, one per item (comments and blank lines already removed). */
  entries: z.array(z.string()).max(1_000_000),
});
const entriesResult = z.object({
  revision: z.number().int(),
  entryCount: z.number().int(),
  /** How many entries the call actually added / removed (duplicates and absent ones do not count). */
  added: z.number().int(),
  removed: z.number().int(),
});

const updateResult = <T extends z.ZodType>(obj: T) =>
  z.object({
    revision: z.number().int(),
    object: obj,
    /** Things that happened besides the change ("interface eth0 moved from home"). */
    notes: z.array(z.string()).default([]),
  });

export const firewallContract = {
  status: operation({
    summary: 'Whether firewalld is reachable, its version, state and default zone',
    input: z.object({
      /**
       * When firewalld is not running, also say what its configuration files would load (two more
       * reads of the host: the masthead and `firewall status` ask; compare's capture does not, so
       * a host stays one agent round trip).
       */
      configuration: z.boolean().optional(),
    }),
    output: firewallStatusSchema,
  }),
  state: operation({
    summary: 'The full runtime and permanent state (zones, policies, services, ipsets, icmptypes, helpers, globals)',
    input: z.object({ refresh: z.boolean().default(false), offline }),
    output: fullStateSchema,
  }),
  zone: operation({
    summary: 'One zone in the runtime or permanent layer',
    input: z.object({ name, layer: layerSchema, offline }),
    output: zoneSchema,
  }),
  ipsetEntries: operation({
    summary: 'A page of ipset entries, optionally filtered (substring, or addresses contained in a network)',
    input: z.object({
      name,
      layer: layerSchema,
      offset: z.number().int().nonnegative().default(0),
      limit: z.number().int().positive().max(10_000).default(500),
      filter: z.string().max(200).default(''),
      offline,
    }),
    output: z.object({
      name: z.string(),
      layer: layerSchema,
      total: z.number().int(),
      matched: z.number().int(),
      offset: z.number().int(),
      entries: z.array(z.string()),
    }),
  }),
  ipsetEntriesDiff: operation({
    summary: 'A page of the entries only the runtime (or only the permanent) ipset has, compared by content',
    input: z.object({
      name,
      side: z.enum(['runtimeOnly', 'permanentOnly']),
      offset: z.number().int().nonnegative().default(0),
      limit: z.number().int().positive().max(10_000).default(500),
      filter: z.string().max(200).default(''),
    }),
    output: z.object({
      name: z.string(),
      side: z.enum(['runtimeOnly', 'permanentOnly']),
      /** How many entries only runtime / only permanent has. */
      runtimeOnly: z.number().int(),
      permanentOnly: z.number().int(),
      /** Entries of `side` matching the filter. */
      matched: z.number().int(),
      offset: z.number().int(),
      entries: z.array(z.string()),
    }),
  }),
  differences: operation({
    summary: 'Objects whose runtime and permanent settings differ, field by field',
    input: z.object({ kind: z.enum(['zone', 'policy', 'service', 'ipset']).optional(), name: z.string().optional() }),
    output: z.object({ revision: z.number().int(), differences: z.array(objectDiffSchema) }),
  }),
  export: operation({
    summary: 'A zone or policy as firewalld XML or as a firewall-cmd script',
    input: z.object({
      kind: z.enum(['zone', 'policy']),
      name,
      layer: layerSchema.default('permanent'),
      format: z.enum(['xml', 'script']),
      offline,
    }),
    output: z.object({ filename: z.string(), mediaType: z.string(), text: z.string() }),
  }),
  explain: operation({
    summary: 'Whether a packet would pass (accept, reject or drop), the firewalld element that decides, the path in firewalld\'s order, and the smallest fixes',
    input: z.object({ flow: flowSchema, layer: layerSchema.default('runtime'), offline }),
    output: explanationSchema.extend({ layer: layerSchema, fixes: z.array(fixOfferSchema) }),
  }),
  /** #15 part 2: explain's input, one real packet through a copy of the host's ruleset (shared/firewall/trace). */
  trace: traceOperation(explanationSchema.extend({ layer: layerSchema, fixes: z.array(fixOfferSchema) })),
  interfaces: operation({
    summary: "The host's network interfaces by name (the explain panel's picker); none on a host without its own (image, snapshot)",
    input: empty,
    output: z.object({ interfaces: z.array(z.string()) }),
  }),
  /** The nft rules behind each zone and policy (shared/firewall/rules). */
  ...rulesContract,
  /** Writes to the offline configuration (shared/firewall/offline/write-contract.ts). */
  ...offlineWriteContract,
  /** "Preview the rules" (#16): the ruleset a configuration would make, from a throwaway firewalld. */
  ...previewContract,
  check: operation({
    summary: 'The permanent configuration checked as firewalld would load it (firewall-offline-cmd --check-config and the load-time checks), from the files',
    input: empty,
    output: offlineCheckSchema,
  }),
  safeApplyCheck: operation({
    summary: 'Whether a change could cut the admin off (and so should go through safe apply)',
    input: z.object({ change: safeChangeSchema }),
    output: safeApplyDecisionSchema,
  }),
  safeApplyStatus: operation({
    summary: 'Safe-apply sessions of this host (pending ones count down to an automatic revert)',
    input: empty,
    output: z.object({ sessions: z.array(safeApplySessionSchema) }),
  }),

  // --- writes ---
  updateZone: operation({
    summary: 'Add/remove zone items and set zone properties in the runtime (optionally timed) or permanent layer',
    input: z.object({
      name,
      layer: layerSchema,
      patch: zonePatchSchema,
      /** Runtime only: the added items expire after this many seconds (firewalld --timeout). */
      timeout: z.number().int().positive().max(31_536_000).optional(),
      /** Apply a change that could lock the admin out without safe apply. */
      acknowledgeRisk: z.boolean().default(false),
    }),
    output: updateResult(zoneSchema),
    mutates: true,
  }),
  createZone: operation({
    summary: 'Create a permanent zone',
    input: z.object({ name, settings: zoneSchema.partial().omit({ name: true, meta: true }).default({}) }),
    output: updateResult(zoneSchema),
    mutates: true,
  }),
  renameZone: operation({
    summary: 'Rename a permanent zone',
    input: z.object({ name, newName: name }),
    output: ok,
    mutates: true,
  }),
  deleteZone: operation({
    summary: 'Delete a permanent zone (built-in zones cannot be deleted)',
    input: z.object({ name }),
    output: ok,
    mutates: true,
  }),
  loadZoneDefaults: operation({
    summary: 'Drop the /etc override of a built-in zone',
    input: z.object({ name }),
    output: ok,
    mutates: true,
  }),
  setDefaultZone: operation({
    summary: 'Set the default zone (runtime and permanent); a risky one goes through safeApply with change type defaultZone',
    input: z.object({
      name,
      /** Needed when the new default zone does not let SSH in (interfaces without a zone would lose it). */
      acknowledgeRisk: z.boolean().default(false),
    }),
    output: ok,
    mutates: true,
  }),
  updatePolicy: operation({
    summary: 'Change a policy in the runtime or permanent layer',
    input: z.object({ name, layer: layerSchema, patch: policyPatchSchema, acknowledgeRisk: z.boolean().default(false) }),
    output: updateResult(policySchema),
    mutates: true,
  }),
  createPolicy: operation({
    summary: 'Create a permanent policy',
    input: z.object({ name, settings: policySchema.partial().omit({ name: true, meta: true }).default({}) }),
    output: updateResult(policySchema),
    mutates: true,
  }),
  renamePolicy: operation({
    summary: 'Rename a permanent policy',
    input: z.object({ name, newName: name }),
    output: ok,
    mutates: true,
  }),
  deletePolicy: operation({
    summary: 'Delete a permanent policy',
    input: z.object({ name }),
    output: ok,
    mutates: true,
  }),
  createService: operation({
    summary: 'Create a permanent custom service',
    input: z.object({ name, settings: serviceSchema.partial().omit({ name: true, meta: true }).default({}) }),
    output: updateResult(serviceSchema),
    mutates: true,
  }),
  updateService: operation({
    summary: 'Replace the permanent settings of a service (a built-in one gets an /etc override)',
    input: z.object({ name, settings: serviceSchema.partial().omit({ name: true, meta: true }) }),
    output: updateResult(serviceSchema),
    mutates: true,
  }),
  renameService: operation({
    summary: 'Rename a permanent custom service',
    input: z.object({ name, newName: name }),
    output: ok,
    mutates: true,
  }),
  deleteService: operation({
    summary: 'Delete a permanent custom service',
    input: z.object({ name }),
    output: ok,
    mutates: true,
  }),
  loadServiceDefaults: operation({
    summary: 'Drop the /etc override of a built-in service',
    input: z.object({ name }),
    output: ok,
    mutates: true,
  }),
  createIpset: operation({
    summary: 'Create a permanent ipset (it reaches runtime on reload)',
    input: z.object({
      name,
      type: z.string(),
      options: z.record(z.string(), z.string()).default({}),
      short: z.string().default(''),
      description: z.string().default(''),
      entries: z.array(z.string()).default([]),
    }),
    output: updateResult(ipsetSchema),
    mutates: true,
    maxBytes: BULK_INPUT_BYTES,
  }),
  deleteIpset: operation({
    summary: 'Delete a permanent ipset',
    input: z.object({ name }),
    output: ok,
    mutates: true,
  }),
  ipsetAddEntries: operation({
    summary: 'Add entries to an ipset in one bulk call (validated per ipset type first)',
    input: entriesInput,
    output: entriesResult,
    mutates: true,
    maxBytes: BULK_INPUT_BYTES,
  }),
  ipsetRemoveEntries: operation({
    summary: 'Remove entries from an ipset in one bulk call',
    input: entriesInput,
    output: entriesResult,
    mutates: true,
    maxBytes: BULK_INPUT_BYTES,
  }),
  ipsetSetEntries: operation({
    summary: 'Replace all entries of an ipset (import) in one bulk call',
    input: entriesInput,
    output: entriesResult,
    mutates: true,
    maxBytes: BULK_INPUT_BYTES,
  }),
  reload: operation({
    summary: 'Reload: permanent becomes runtime and runtime-only changes are discarded',
    input: z.object({
      complete: z.boolean().default(false),
      /** Needed when runtime differs from permanent (those changes are lost). */
      confirm: z.boolean().default(false),
    }),
    output: ok,
    mutates: true,
  }),
  runtimeToPermanent: operation({
    summary: 'Save the whole runtime configuration as permanent',
    input: empty,
    output: ok,
    mutates: true,
  }),
  setLogDenied: operation({
    summary: 'Set LogDenied (firewalld reloads: runtime-only changes are lost)',
    input: z.object({ value: logDeniedSchema, confirm: z.boolean().default(false) }),
    output: ok,
    mutates: true,
  }),
  setPanicMode: operation({
    summary: 'Turn panic mode on (drops ALL traffic; needs confirm) or off',
    input: z.object({ enabled: z.boolean(), confirm: z.boolean().default(false) }),
    output: ok,
    mutates: true,
  }),
  startFirewalld: operation({
    summary: "Start firewalld.service through systemd's D-Bus API (polkit decides)",
    input: empty,
    output: z.object({ job: z.string() }),
    mutates: true,
  }),
  safeApply: operation({
    summary: 'Apply a change to runtime, revert it automatically after `seconds` unless confirmed, then save it',
    input: z.object({
      change: safeChangeSchema,
      seconds: z.number().int().min(5).max(3600).default(60),
      saveToPermanent: z.boolean().default(true),
      /** Needed when applying reloads firewalld (a zone target) and runtime-only changes would be lost. */
      confirm: z.boolean().default(false),
    }),
    output: safeApplySessionSchema,
    mutates: true,
  }),
  safeApplyConfirm: operation({
    summary: 'Keep a safe-applied change (and save it to permanent if asked)',
    input: z.object({ id: z.string() }),
    output: safeApplySessionSchema,
    mutates: true,
  }),
  safeApplyRevert: operation({
    summary: 'Revert a safe-applied change now',
    input: z.object({ id: z.string() }),
    output: safeApplySessionSchema,
    mutates: true,
  }),
  ...deniedOperations,
};

/** What changed in one object; `object` is null when it was removed. */
export const objectChangeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('zone'), name: z.string(), object: zoneSchema.nullable() }),
  z.object({ kind: z.literal('policy'), name: z.string(), object: policySchema.nullable() }),
  z.object({ kind: z.literal('service'), name: z.string(), object: serviceSchema.nullable() }),
  z.object({ kind: z.literal('ipset'), name: z.string(), object: ipsetSchema.nullable() }),
  z.object({ kind: z.literal('icmptype'), name: z.string(), object: icmpTypeSchema.nullable() }),
  z.object({ kind: z.literal('helper'), name: z.string(), object: helperSchema.nullable() }),
]);
export type ObjectChange = z.infer<typeof objectChangeSchema>;

export const firewallEvents = {
  /** firewalld appeared, disappeared or changed state; the UI re-reads its status. */
  'firewall.statusChanged': firewallStatusSchema,
  /** firewalld reloaded or restarted: everything may have changed, re-read `state`. */
  'firewall.reloaded': z.object({ revision: z.number().int() }),
  /** One object changed in one layer (from firewalld's signals, whoever made the change). */
  'firewall.objectChanged': z.object({ revision: z.number().int(), layer: layerSchema, change: objectChangeSchema }),
  'firewall.globalChanged': z.object({ revision: z.number().int(), global: globalStateSchema }),
  'firewall.configChanged': z.object({ revision: z.number().int(), config: daemonConfigSchema }),
  /** Entries were added/removed (signals are debounced; re-read the page you show). */
  'firewall.ipsetEntriesChanged': z.object({
    revision: z.number().int(),
    layer: layerSchema,
    name: z.string(),
    entryCount: z.number().int(),
    /** The new digest of the entries (runtime vs permanent are compared by it). */
    entriesHash: z.string().optional(),
  }),
  'firewall.safeApplyChanged': safeApplySessionSchema,
  ...deniedEvents,
};
