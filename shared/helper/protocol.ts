import { z } from 'zod';

/**
 * The privileged helper's wire protocol: one JSON request on stdin, one JSON answer on stdout.
 * The helper (electron/helper/hostdeck-helper.py) validates every request itself; these schemas
 * are what HostDeck sends and expects back, so a request is checked on both sides.
 * Paths are host-absolute and must lie in the helper's allow-list.
 */

const sha = z.string().regex(/^[0-9a-f]{64}$/);
const hostPath = z.string().min(1).max(4096);
const kv = z.object({ key: z.string().min(1).max(256), value: z.string().max(4096) });

export const helperRequestSchema = z.discriminatedUnion('verb', [
  z.object({
    verb: z.literal('write-file'),
    path: hostPath,
    /** base64 of the new bytes. */
    content: z.string(),
    /** sha256 of the content the caller read; null: the file must not exist. */
    expectedSha256: sha.nullable(),
    /** Mode for a new file (an existing one keeps owner, mode and SELinux label). */
    mode: z.number().int().min(0).max(0o777).optional(),
  }),
  z.object({ verb: z.literal('delete-file'), path: hostPath, expectedSha256: sha }),
  z.object({ verb: z.literal('list-backups'), path: hostPath }),
  z.object({ verb: z.literal('restore-backup'), path: hostPath, backup: z.string().min(1).max(255), expectedSha256: sha.nullable() }),
  z.object({
    verb: z.literal('sysctl-set'),
    settings: z.array(kv).min(1).max(4096),
    /** When set, the helper schedules a detached revert of this batch unless confirm-revert arrives in time. */
    revertAfterSeconds: z.number().int().min(5).max(3600).optional(),
  }),
  z.object({
    verb: z.literal('schedule-revert'),
    /** Seconds until the revert runs unless cancelled. */
    seconds: z.number().int().min(5).max(3600),
    plan: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('sysctl'), settings: z.array(kv).min(1).max(4096) }),
      /** argv lists run as /usr/bin/firewall-cmd ARGS (never a shell). */
      z.object({ kind: z.literal('firewall-cmd'), commands: z.array(z.array(z.string().max(4096)).min(1).max(64)).min(1).max(1024) }),
    ]),
  }),
  z.object({ verb: z.literal('cancel-revert'), id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/) }),
  z.object({ verb: z.literal('revert-status'), id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/) }),
]);
export type HelperRequest = z.infer<typeof helperRequestSchema>;
export type HelperVerb = HelperRequest['verb'];

export const helperErrorSchema = z.object({ code: z.string(), message: z.string(), detail: z.unknown().optional() });

export const helperResponseSchema = z.union([
  z.object({ ok: z.literal(true), result: z.record(z.string(), z.unknown()) }),
  z.object({ ok: z.literal(false), error: helperErrorSchema }),
]);
export type HelperResponse = z.infer<typeof helperResponseSchema>;
