import { z } from 'zod';

/**
 * History: a host compared with itself over time. A point is what HostDeck knew of a host at
 * one moment (the compared facts of shared/compare/snapshot.ts, minus counters), with why it
 * was recorded: a change HostDeck made (before and after), a difference found on a read that
 * HostDeck did not make ("changed outside HostDeck"), or the first read of a host.
 */

/** change: HostDeck made it; outside: a read found what HostDeck did not make; first: the first read of the host. */
export const pointKindSchema = z.enum(['change', 'outside', 'first']);
export type PointKind = z.infer<typeof pointKindSchema>;

export const historySectionSchema = z.enum(['sysctl', 'sysctl.d', 'dns', 'firewall']);
export type HistorySection = z.infer<typeof historySectionSchema>;

export const historyFeatureSchema = z.enum(['firewall', 'dns', 'kernel']);
export type HistoryFeature = z.infer<typeof historyFeatureSchema>;

export const featureOfSection: Record<HistorySection, HistoryFeature> = { sysctl: 'kernel', 'sysctl.d': 'kernel', dns: 'dns', firewall: 'firewall' };

export const whoSchema = z.object({
  /** The user HostDeck ran as on the machine it ran on. */
  user: z.string(),
  /** That machine's hostname. */
  machine: z.string(),
  /** For an SSH host: the login (`root@node-7`); null for this machine. */
  login: z.string().nullable(),
  /** For an SSH host: the login's own name as the host reports it (the account behind an alias or ~/.ssh/config); null for this machine. */
  hostUser: z.string().nullable().default(null),
  /** A change from the helper's journal: the machine that asked, as the journal says it (escaped: hostile text). */
  from: z.string().nullable().optional(),
});
export type Who = z.infer<typeof whoSchema>;

/** One difference, in the Compare view's terms (a sysctl key, a sysctl.d key, a DNS field, a firewall element). */
export const historyChangeSchema = z.object({
  section: historySectionSchema,
  /** firewall: runtime or permanent; null for the other sections. */
  layer: z.enum(['runtime', 'permanent']).nullable(),
  /** The row as Compare names it: `net.ipv4.ip_forward`, `nameservers`, `zone public ports 8080/tcp`. */
  key: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
});
export type HistoryChange = z.infer<typeof historyChangeSchema>;

/** At most this many changes are kept in a point's summary (`changesTotal` says how many there were). */
export const MAX_POINT_CHANGES = 200;

export const pointSchema = z.object({
  id: z.string(),
  /** ms since epoch on the machine HostDeck runs on. */
  time: z.number(),
  kind: pointKindSchema,
  /** What was asked, in people's words ("Add 8080/tcp to zone public (runtime)"), or what was read. */
  what: z.string(),
  /** The operation (`firewall.updateZone`), null for reads. */
  operation: z.string().nullable(),
  /** Who asked (change points); null for reads. */
  who: whoSchema.nullable(),
  /** change points: before (the state HostDeck found), applied, reverted (by safe apply, or undo), failed. */
  result: z.enum(['before', 'applied', 'reverted', 'failed']).nullable(),
  error: z.string().nullable(),
  /** outside points: the difference appeared after this moment (the previous point). */
  since: z.number().nullable(),
  /** The sections this point read; the others are carried over from the point before. */
  sections: z.array(historySectionSchema),
  features: z.array(historyFeatureSchema),
  changes: z.array(historyChangeSchema),
  changesTotal: z.number().int(),
});
export type HistoryPoint = z.infer<typeof pointSchema>;

/** Points the retention dropped (or a damaged store lost), said once in every listing until newer points push it out. */
export const historyNoticeSchema = z.object({
  time: z.number(),
  message: z.string(),
});
export type HistoryNotice = z.infer<typeof historyNoticeSchema>;

export const retentionSchema = z.object({
  maxAgeDays: z.number().positive().default(90),
  maxBytes: z.number().int().positive().default(200 * 1024 * 1024),
});
export type Retention = z.infer<typeof retentionSchema>;
