import { z } from 'zod';
import { operation, type EventContract, type FeatureContract } from '../api/define';
import { compareResultSchema } from '../compare/diff';
import { historyChangeSchema, historyFeatureSchema, historyNoticeSchema, pointKindSchema, pointSchema } from './model';
import { restorePlanSchema } from './restore';

const pointId = z.string().min(4, 'a point id has at least 4 characters').max(64).regex(/^[0-9a-f]+$/, 'a point id is hexadecimal (hostdeck history lists them)');

export const historyContract = {
  list: operation({
    summary: "The host's timeline, oldest first: points recorded around HostDeck's changes and where a read found a change made outside HostDeck",
    input: z.object({
      /** Only points at or after this moment (ms since epoch). */
      since: z.number().optional(),
      feature: historyFeatureSchema.optional(),
      kind: pointKindSchema.optional(),
      /** Words that must appear in what was asked, who asked, or a change. */
      text: z.string().max(200).optional(),
    }),
    output: z.object({
      host: z.string(),
      /** Where the points are kept. */
      store: z.string(),
      points: z.array(pointSchema),
      /** Points dropped by retention or lost in a crash, and problems recording. */
      notices: z.array(historyNoticeSchema),
    }),
  }),
  diff: operation({
    summary: 'What differs between two points of the host (or a point and the host now), in the Compare view\'s terms',
    input: z.object({ from: pointId, to: z.union([pointId, z.literal('now')]) }),
    output: z.object({
      from: pointSchema,
      /** Null for "now". */
      to: pointSchema.nullable(),
      changes: z.array(historyChangeSchema),
      /** The two points as Compare shows two hosts (differing rows only): the runtime layer with sysctls and DNS, and the permanent layer's firewall. */
      runtime: compareResultSchema,
      permanent: compareResultSchema,
    }),
  }),
  restorePreview: operation({
    summary: 'The changes that would return the host to a point (nothing is changed)',
    input: z.object({ point: pointId }),
    output: restorePlanSchema,
  }),
  restore: operation({
    summary: 'Return the host to a point: the previewed changes, applied (recorded as a point of their own)',
    input: z.object({ point: pointId, confirm: z.literal(true, { message: 'restore changes the host: preview it (restorePreview), then confirm' }) }),
    output: restorePlanSchema.extend({
      results: z.array(z.object({ operation: z.string(), text: z.string(), ok: z.boolean(), error: z.string().nullable() })),
    }),
    mutates: true,
  }),
  readJournal: operation({
    summary: "Read the helper's journal on the host (as any helper call: through pkexec where writes go through it, one authorization) and merge it into the timeline",
    input: z.object({}),
    output: z.object({
      /** Entries read, and how many this HostDeck had not seen before. */
      read: z.number(),
      fresh: z.number(),
      truncated: z.boolean(),
    }),
  }),
} satisfies FeatureContract;

export const historyEvents = {} satisfies EventContract;
