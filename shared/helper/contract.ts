import { z } from 'zod';
import { operation, type EventContract, type FeatureContract } from '../api/define';
import { backupName, cancelRevertResultSchema, listBackupsResultSchema, revertStatusSchema, writeFileResultSchema } from './protocol';

const revertId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'a revert id as apply returned it');

export const helperStatusSchema = z.object({
  /** How changes reach the host: as root, directly (an image root HostDeck may write), through pkexec, or not at all. */
  via: z.enum(['root', 'direct', 'pkexec', 'none']),
  available: z.boolean(),
  /** What is missing for `pkexec`, each with the command that fixes it. */
  missing: z.array(z.object({ path: z.string(), what: z.string(), fix: z.string() })),
  installPath: z.string(),
  policyPath: z.string(),
  actionId: z.string(),
  /** The manual install steps (AppImage, checkouts). */
  manualSteps: z.array(z.string()),
});
export type HelperStatus = z.infer<typeof helperStatusSchema>;

/**
 * The privileged helper as the UI and CLI see it: whether changes can be made and what is
 * missing, the backups the helper keeps, restoring one, and the revert timers of "apply unless
 * confirmed" (kernel apply; the firewall's safe apply has its own operations).
 */
export const helperContract = {
  status: operation({
    summary: 'Whether HostDeck can change this host (root, pkexec) and, if not, exactly what is missing and how to fix it',
    input: z.object({}),
    output: helperStatusSchema,
  }),
  backups: operation({
    summary: 'The backups the helper keeps of one file (the last 10, newest first)',
    input: z.object({ path: z.string().min(1) }),
    output: listBackupsResultSchema,
  }),
  restore: operation({
    summary: 'Put a backup back in place (atomic, backs up the current content first, refuses if the file changed since read)',
    input: z.object({ path: z.string().min(1), backup: backupName, expectedSha256: z.string().regex(/^[0-9a-f]{64}$/).nullable() }),
    output: writeFileResultSchema,
    mutates: true,
  }),
  revertStatus: operation({
    summary: 'State of a revert timer: pending, reverting, reverted, cancelled or failed (with per-key results)',
    input: z.object({ id: revertId }),
    output: revertStatusSchema,
  }),
  confirm: operation({
    summary: 'Keep a change made with "revert unless confirmed": stops its revert timer (too late once it has run)',
    input: z.object({ id: revertId }),
    output: cancelRevertResultSchema,
    mutates: true,
  }),
} satisfies FeatureContract;

export const helperEvents = {} satisfies EventContract;
