import { z } from 'zod';
import { operation } from '../../api/define';
import { nmProfilesCheckSchema } from '../nm-zone/contract';
import { configProblemSchema, policyPatchSchema, portSchema, zonePatchSchema } from '../model';

/**
 * Writes to an offline configuration (an image's --root, a host whose firewalld is stopped,
 * --offline): the changes firewall-offline-cmd can make, as operations applied in order to the
 * configuration as read, checked as firewalld would load the result, then written as firewalld
 * writes its files (/etc/firewalld/<kind>/<name>.xml, firewalld.conf) through the helper.
 * One request is all-or-nothing before the first file is written.
 */

const name = z.string().min(1).max(128);
const text = z.string().max(64 * 1024);

/** Zones and policies: the item lists and scalars of the live API (ZonePatch / PolicyPatch). */
const zoneOps = [
  /** firewall-offline-cmd --new-zone (a new zone has no target, forward on as in firewalld 1.x). */
  z.object({ op: z.literal('zone.create'), name }),
  z.object({ op: z.literal('zone.delete'), name }),
  /**
   * firewalld's config zone rename (D-Bus config.zone.rename; firewall-offline-cmd has none):
   * only a zone of the admin's own (not a builtin, modified or not); its file is written under
   * the new name and the old one removed. Like firewalld it changes no reference (policies'
   * ingress/egress zones, DefaultZone): send those as policy.patch / default-zone in the same
   * request, or the check refuses what firewalld would fail to load.
   */
  z.object({ op: z.literal('zone.rename'), name, to: name }),
  z.object({ op: z.literal('zone.patch'), name, patch: zonePatchSchema }),
  /** --load-zone-defaults: the /etc copy of a builtin is removed (the /usr/lib default applies again). */
  z.object({ op: z.literal('zone.reset'), name }),
  /** --change-interface / --change-source: moved out of any other zone, then added here. */
  z.object({ op: z.literal('zone.change-binding'), name, interface: z.string().min(1).max(64).optional(), source: z.string().min(1).max(128).optional() }),
] as const;

const policyOps = [
  z.object({ op: z.literal('policy.create'), name }),
  z.object({ op: z.literal('policy.delete'), name }),
  z.object({ op: z.literal('policy.patch'), name, patch: policyPatchSchema }),
  z.object({ op: z.literal('policy.reset'), name }),
] as const;

const portList = z.array(portSchema).max(4096);
const strList = z.array(z.string().min(1).max(256)).max(4096);

export const servicePatchSchema = z.object({
  add: z.object({ ports: portList, protocols: strList, sourcePorts: portList, modules: strList, helpers: strList, includes: strList }).partial().optional(),
  remove: z.object({ ports: portList, protocols: strList, sourcePorts: portList, modules: strList, helpers: strList, includes: strList }).partial().optional(),
  short: text.optional(),
  description: text.optional(),
  /** --set-destination ipv:address; null removes the family's destination (--remove-destination). */
  destination: z.object({ ipv4: z.string().max(64).nullable(), ipv6: z.string().max(64).nullable() }).partial().optional(),
});
export type ServicePatch = z.infer<typeof servicePatchSchema>;

const serviceOps = [
  z.object({ op: z.literal('service.create'), name }),
  z.object({ op: z.literal('service.delete'), name }),
  z.object({ op: z.literal('service.patch'), name, patch: servicePatchSchema }),
  z.object({ op: z.literal('service.reset'), name }),
] as const;

export const ipsetPatchSchema = z.object({
  /** Entries added and removed, in order (--add-entry, --add-entries-from-file's lines). */
  addEntries: z.array(z.string().min(1).max(256)).max(1_000_000).optional(),
  removeEntries: z.array(z.string().min(1).max(256)).max(1_000_000).optional(),
  short: text.optional(),
  description: text.optional(),
  /** --set-option name[=value]; null removes the option (--remove-option). */
  options: z.record(z.string().min(1).max(32), z.string().max(64).nullable()).optional(),
});
export type IpsetPatch = z.infer<typeof ipsetPatchSchema>;

const ipsetOps = [
  /** --new-ipset NAME --type TYPE [--option k=v]... */
  z.object({ op: z.literal('ipset.create'), name, type: z.string().min(1).max(32), options: z.record(z.string().min(1).max(32), z.string().max(64)).default({}) }),
  z.object({ op: z.literal('ipset.delete'), name }),
  z.object({ op: z.literal('ipset.patch'), name, patch: ipsetPatchSchema }),
  z.object({ op: z.literal('ipset.reset'), name }),
] as const;

const icmptypeOps = [
  z.object({ op: z.literal('icmptype.create'), name }),
  z.object({ op: z.literal('icmptype.delete'), name }),
  z.object({
    op: z.literal('icmptype.patch'),
    name,
    patch: z.object({ short: text.optional(), description: text.optional(), addDestinations: z.array(z.enum(['ipv4', 'ipv6'])).optional(), removeDestinations: z.array(z.enum(['ipv4', 'ipv6'])).optional() }),
  }),
  z.object({ op: z.literal('icmptype.reset'), name }),
] as const;

const helperOps = [
  /** --new-helper NAME --module nf_conntrack_X [--family ipv4|ipv6]. */
  z.object({ op: z.literal('helper.create'), name, module: z.string().min(1).max(64), family: z.enum(['', 'ipv4', 'ipv6']).default('') }),
  z.object({ op: z.literal('helper.delete'), name }),
  z.object({
    op: z.literal('helper.patch'),
    name,
    patch: z.object({
      short: text.optional(),
      description: text.optional(),
      module: z.string().min(1).max(64).optional(),
      family: z.enum(['', 'ipv4', 'ipv6']).optional(),
      add: z.object({ ports: portList }).partial().optional(),
      remove: z.object({ ports: portList }).partial().optional(),
    }),
  }),
  z.object({ op: z.literal('helper.reset'), name }),
] as const;

export const offlineWriteOpSchema = z.discriminatedUnion('op', [
  ...zoneOps,
  ...policyOps,
  ...serviceOps,
  ...ipsetOps,
  ...icmptypeOps,
  ...helperOps,
  /** --set-default-zone (firewalld.conf DefaultZone). */
  z.object({ op: z.literal('default-zone'), name }),
  /** A firewalld.conf setting (--set-log-denied, --set-automatic-helpers, and the other keys of the version). */
  z.object({ op: z.literal('conf.set'), key: z.string().min(1).max(64), value: z.string().min(1).max(256) }),
]);
export type OfflineWriteOp = z.infer<typeof offlineWriteOpSchema>;

/** One file the request changes. */
export const offlineFileChangeSchema = z.object({
  /** Host path (/etc/firewalld/zones/public.xml). */
  path: z.string(),
  /** As people should see it (an image's path on this machine). */
  shown: z.string(),
  action: z.enum(['write', 'delete']),
  /** What it is: "zone public", "firewalld.conf". */
  object: z.string(),
  /** One line per change made to it, in firewall-cmd's words ("add-port 8080/tcp"). */
  changes: z.array(z.string()),
  /** The new content (for a write), so a preview can show it. */
  content: z.string().optional(),
  /** Name of the helper's backup of the previous content (after a real write). */
  backup: z.string().nullable().optional(),
});
export type OfflineFileChange = z.infer<typeof offlineFileChangeSchema>;

/** An object the request named whose file was left alone: as firewalld would read it, it already is so. */
export const offlineUnchangedSchema = z.object({ shown: z.string(), object: z.string() });
export type OfflineUnchanged = z.infer<typeof offlineUnchangedSchema>;

export const offlineWriteResultSchema = z.object({
  /** False for dryRun, or when nothing changed. */
  written: z.boolean(),
  files: z.array(offlineFileChangeSchema),
  /** Objects changed by no operation in effect: their files are not written (bytes, inode, mtime kept, no backup). */
  unchanged: z.array(offlineUnchangedSchema).optional(),
  /** Warnings about the result (firewalld would load it, dropping or noting these). */
  problems: z.array(configProblemSchema),
  /** A zone renamed or deleted: the NetworkManager profiles still naming it, with the nmcli command that moves each. */
  nmProfiles: nmProfilesCheckSchema.optional(),
  /** Digest of the configuration files after the request: pass it as `basis` of the next one. */
  digest: z.string(),
});
export type OfflineWriteResult = z.infer<typeof offlineWriteResultSchema>;

export const offlineWriteContract = {
  offlineWrite: operation({
    summary: "Change the offline configuration (an image, a stopped firewalld, --offline) as firewall-offline-cmd does: checked as firewalld would load it, written as firewalld writes it",
    mutates: true,
    // ipset imports of 100,000+ entries.
    maxBytes: 16 * 1024 * 1024,
    input: z.object({
      ops: z.array(offlineWriteOpSchema).min(1).max(10_000),
      /** Only check and show the files that would change. */
      dryRun: z.boolean().optional(),
      /** The digest of the configuration the change was made against (CONFLICT when the files changed since). */
      basis: z.string().optional(),
    }),
    output: offlineWriteResultSchema,
  }),
  offlineDigest: operation({
    summary: 'The digest of the offline configuration files as they are now (the basis of a later offlineWrite)',
    input: z.object({}),
    output: z.object({ digest: z.string() }),
  }),
};
