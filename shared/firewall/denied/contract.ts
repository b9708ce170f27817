import { z } from 'zod';
import { operation } from '../../api/define';
import { deniedPacketSchema, type DeniedGroup } from './parse';

/**
 * The denied-packet feed (issue #15 part 4): firewall.denied reads the host's kernel log back
 * to `sinceSeconds` and, with `follow`, keeps following it; new packets are pushed as
 * `firewall.deniedPackets` events. Memory is bounded on both sides (DENIED_LIMITS).
 */

export const DENIED_LIMITS = {
  /** Packets kept per host (the newest); older ones live on only in their group's count. */
  packets: 2000,
  /** Groups kept per host; the least recently seen go first. */
  groups: 500,
  /** Packets per pushed event (a flood is summarised by the groups it updates). */
  batch: 200,
  /** A follower nobody renews (firewall.denied with follow) stops after this long. */
  leaseMs: 120_000,
} as const;

export const deniedGroupSchema = z.object({
  key: z.string(),
  src: z.string().optional(),
  dst: z.string().optional(),
  proto: z.string().optional(),
  dport: z.number().int().optional(),
  icmpType: z.number().int().optional(),
  inIface: z.string().optional(),
  zone: z.string().optional(),
  policy: z.string().optional(),
  kind: deniedPacketSchema.shape.kind,
  action: deniedPacketSchema.shape.action,
  count: z.number().int(),
  first: z.number(),
  last: z.number(),
}) satisfies z.ZodType<DeniedGroup>;

export const deniedSourceSchema = z.object({
  /** The journal (journalctl -k) or the kernel ring buffer (dmesg). */
  kind: z.enum(['journal', 'kmsg']),
  command: z.string(),
});

export const deniedFeedSchema = z.object({
  source: deniedSourceSchema,
  /** True while the host's log is followed (events arrive). */
  following: z.boolean(),
  /** Oldest first, at most `limit` (the newest). */
  packets: z.array(deniedPacketSchema),
  /** Most frequent first. */
  groups: z.array(deniedGroupSchema),
  /** Packets seen but no longer listed (over the caps); their groups still count them. */
  dropped: z.number().int(),
  limits: z.object({ packets: z.number().int(), groups: z.number().int() }),
  /** Why the follower stopped, when it did by itself (the log reader failed). */
  error: z.string().optional(),
});
export type DeniedFeed = z.infer<typeof deniedFeedSchema>;

export const deniedOperations = {
  denied: operation({
    summary: 'Packets firewalld denied (LogDenied), from the kernel log: each packet and grouped; with follow, new ones are pushed as they come',
    input: z.object({
      /** How far back to read, in seconds (default 10 min, at most 7 days). */
      sinceSeconds: z.number().int().min(0).max(7 * 24 * 3600).default(600),
      follow: z.boolean().default(false),
      limit: z.number().int().min(0).max(DENIED_LIMITS.packets).default(500),
    }),
    output: deniedFeedSchema,
  }),
  deniedStop: operation({
    summary: 'Stop following the kernel log for denied packets',
    input: z.object({}),
    output: z.object({ following: z.boolean() }),
  }),
};

export const deniedEvents = {
  /** New denied packets (oldest first) and the groups they updated. */
  'firewall.deniedPackets': z.object({ packets: z.array(deniedPacketSchema), groups: z.array(deniedGroupSchema), dropped: z.number().int() }),
  /** The follower stopped by itself (its reader failed or its lease ran out). */
  'firewall.deniedStopped': z.object({ error: z.string().optional() }),
};
