import { z } from 'zod';
import { activeBindingSchema, ipsetSchema, policySchema, serviceSchema, zoneSchema } from '../firewall/model';

/**
 * A HostDeck snapshot: one host's compared facts as a versioned JSON document. Written by
 * `hostdeck snapshot` and "Export snapshot", read back as a read-only host. A section is null
 * when it is not known for this host (an import of `sysctl -a` only knows sysctls); a known
 * section that could not be read carries `error` instead of silently looking empty.
 */

export const SNAPSHOT_FORMAT = 'hostdeck-snapshot';
/** Bump on any incompatible change; readers refuse newer versions with a clear message. */
export const SNAPSHOT_VERSION = 1;

export const identitySchema = z.object({
  hostname: z.string(),
  os: z.string(),
  kernel: z.string(),
  /** The host's clock when the snapshot was taken, ms since epoch (import time for imports). */
  time: z.number(),
});
export type SnapshotIdentity = z.infer<typeof identitySchema>;

export const sysctlEntrySchema = z.object({
  key: z.string().min(1),
  /** Only `ok` entries carry a value; the others say why there is none. */
  state: z.enum(['ok', 'write-only', 'side-effect', 'unreadable']),
  value: z.string().optional(),
  /** Whether the kernel lets root write it (unknown for imported `sysctl -a` text). */
  writable: z.boolean().optional(),
});
export type SnapshotSysctl = z.infer<typeof sysctlEntrySchema>;

export const sysctldSchema = z.object({
  /** Effective settings as systemd-sysctl applies them, with the winning file and line. */
  settings: z.array(z.object({ key: z.string(), value: z.string(), file: z.string(), line: z.number().int() })),
  files: z.array(z.object({ path: z.string(), status: z.string() })),
  /** Raw text of the applied files (so a snapshot host can show them again). */
  texts: z.array(z.object({ path: z.string(), text: z.string() })).default([]),
});

export const dnsSnapshotSchema = z.object({
  path: z.string(),
  exists: z.boolean(),
  /** The file's text exactly as read. */
  text: z.string(),
  owner: z.object({ kind: z.string(), name: z.string(), managed: z.boolean(), symlinkTarget: z.string().nullable() }).nullable(),
  /** How glibc reads it. */
  glibc: z.object({
    nameservers: z.array(z.string()),
    ignoredNameservers: z.array(z.string()),
    search: z.array(z.string()),
    options: z.record(z.string(), z.union([z.number(), z.boolean()])),
  }),
});
export type DnsSnapshot = z.infer<typeof dnsSnapshotSchema>;

export const snapshotIpsetSchema = ipsetSchema.extend({
  /** sha256 of the entries, sorted and joined by "\n" (null when the entries could not be read). */
  entriesSha256: z.string().nullable().default(null),
});

export const snapshotLayerSchema = z.object({
  zones: z.record(z.string(), zoneSchema),
  policies: z.record(z.string(), policySchema),
  services: z.record(z.string(), serviceSchema),
  ipsets: z.record(z.string(), snapshotIpsetSchema),
});
export type SnapshotLayer = z.infer<typeof snapshotLayerSchema>;

export const firewallObjectKinds = ['zones', 'policies', 'services', 'ipsets'] as const;
export type FirewallObjectKind = (typeof firewallObjectKinds)[number];

export const firewallSnapshotSchema = z.object({
  running: z.boolean(),
  /** Why firewalld could not be read (when running is false). */
  reason: z.string().optional(),
  /** Set when the host did not answer (firewalld stalled, D-Bus failed): the section was not read, which says nothing about the firewall. */
  error: z.string().optional(),
  version: z.string().default(''),
  /** No daemon: read from the configuration files (an image, a stopped firewalld); both layers are those files. */
  offline: z.boolean().optional(),
  defaultZone: z.string().nullable(),
  logDenied: z.string().nullable().default(null),
  activeZones: z.record(z.string(), activeBindingSchema).default({}),
  /** Which object kinds this snapshot knows (an import of --list-all-zones knows zones only). */
  coverage: z.array(z.enum(firewallObjectKinds)),
  runtime: snapshotLayerSchema.nullable(),
  permanent: snapshotLayerSchema.nullable(),
});
export type FirewallSnapshot = z.infer<typeof firewallSnapshotSchema>;

const section = <T extends z.ZodType>(s: T) => s.nullable();

export const snapshotSchema = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  version: z.literal(SNAPSHOT_VERSION),
  /** How the facts were obtained: a live read through a host transport, or imported text. */
  source: z.object({ kind: z.enum(['live', 'import']), detail: z.string() }),
  identity: identitySchema,
  sysctl: section(
    z.object({
      entries: z.array(sysctlEntrySchema),
      /** "sysctl -a" when imported from procps output, which hides deprecated keys (see diff.ts). */
      from: z.enum(['procsys', 'sysctl -a']).default('procsys'),
      error: z.string().optional(),
    }),
  ),
  sysctld: section(sysctldSchema.extend({ error: z.string().optional() })),
  dns: section(dnsSnapshotSchema.extend({ error: z.string().optional() })),
  firewall: section(firewallSnapshotSchema),
});
export type Snapshot = z.infer<typeof snapshotSchema>;
export type SnapshotInput = z.input<typeof snapshotSchema>;

export function emptyLayer(): SnapshotLayer {
  return { zones: {}, policies: {}, services: {}, ipsets: {} };
}
