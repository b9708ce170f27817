import { z } from 'zod';
import { firewallPlanError } from './revert-grammar';

/**
 * The privileged helper's wire protocol: one JSON request on stdin, one JSON answer on stdout.
 * The helper (electron/helper/hostdeck-helper.py, Python 3 standard library only) validates
 * every request itself; these schemas are what HostDeck sends and expects back, so a request is
 * checked on both sides. Paths are host-absolute and must lie in the helper's allow-list
 * (HELPER_ALLOWED_FILES). Verb names are stable: the SSH and firewall work build on them.
 */

export const HELPER_PROTOCOL = 1;
/** Largest file the helper writes or reads back (bytes). */
export const HELPER_MAX_FILE = 1024 * 1024;
/** Largest request the helper reads (bytes of JSON). */
export const HELPER_MAX_REQUEST = 4 * 1024 * 1024;
/** Revert timers one invoking user may have pending on a host at once (the helper's MAX_PENDING_PER_USER). */
export const HELPER_MAX_PENDING_REVERTS = 8;
/** Backups kept per file, newest first. */
export const HELPER_BACKUPS_KEPT = 10;
/** Where backups live on the host: one directory per file, named by the path with "/" as %2F. */
export const HELPER_BACKUP_DIR = '/var/lib/hostdeck/backups';

/** The files the helper may change (documentation; the helper holds the authoritative copy). */
export const HELPER_ALLOWED_FILES = [
  '/etc/resolv.conf',
  '/etc/sysctl.d/<name>.conf',
  '/etc/firewalld/firewalld.conf',
  '/etc/firewalld/{zones,services,ipsets,icmptypes,helpers,policies}/<name>.xml',
] as const;

const sha = z.string().regex(/^[0-9a-f]{64}$/);
const hostPath = z.string().min(1).max(4096);
const kv = z.object({ key: z.string().min(1).max(256), value: z.string().max(4096) });
/** A setting to restore: `applied` is what HostDeck wrote; a key whose live value differs is left alone (conflict). */
const revertKv = kv.extend({ applied: z.string().max(4096).nullable().optional() });
const revertId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

/** Longest `from` the helper keeps in a journal entry (the caller's machine as it states it). */
export const HELPER_FROM_MAX = 128;
/** Most journal entries a write verb's answer carries (`journalSince`). */
export const HELPER_JOURNAL_ANSWER_MAX = 200;
/**
 * Fields of the verbs the helper journals (write-file, delete-file, restore-backup, sysctl-set):
 * `from`, the caller's machine as it states it (kept in the journal entry, bounded, control
 * characters replaced), and `journalSince`: the answer then carries the journal's entries since
 * that moment (the newest HELPER_JOURNAL_ANSWER_MAX), so a HostDeck that writes through pkexec
 * sees the other configurations' changes without a second authorization.
 */
const journaled = {
  from: z.string().max(HELPER_FROM_MAX * 4).optional(),
  journalSince: z.number().min(0).optional(),
};
export const JOURNALED_VERBS: ReadonlySet<string> = new Set(['write-file', 'delete-file', 'restore-backup', 'sysctl-set']);
/** Keys named by the user as confirmed security-weakening changes (WEAKENING_RULES); NEEDS_CONFIRMATION without them. */
const confirmWeakening = z.array(z.string().min(1).max(256)).max(4096).optional();
export const backupName = z.string().regex(/^\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{12}\.bak$/);

export const revertPlanSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sysctl'), settings: z.array(revertKv).min(1).max(4096) }),
  /** argv lists run as /usr/bin/firewall-cmd ARGS (never a shell), only those of the revert grammar (revert-grammar.ts). */
  z.object({
    kind: z.literal('firewall-cmd'),
    commands: z
      .array(z.array(z.string().max(4096)).min(1).max(64))
      .min(1)
      .max(1024)
      .superRefine((commands, ctx) => {
        const err = firewallPlanError(commands);
        if (err) ctx.addIssue({ code: z.ZodIssueCode.custom, message: err });
      }),
  }),
]);
export type RevertPlan = z.infer<typeof revertPlanSchema>;

export const helperRequestSchema = z.discriminatedUnion('verb', [
  z.object({
    verb: z.literal('write-file'),
    path: hostPath,
    /** base64 of the new bytes. */
    content: z.string().max(Math.ceil(HELPER_MAX_FILE / 3) * 4),
    /** sha256 of the content the caller read; null: the file must not exist. */
    expectedSha256: sha.nullable(),
    /** Sysctl.d files: the keys whose security-weakening values the user confirmed (exactly those). A new file is always 0644 root:root (an existing one keeps owner, mode and SELinux label); the helper refuses any other `mode`. */
    confirmWeakening,
    ...journaled,
  }),
  z.object({ verb: z.literal('delete-file'), path: hostPath, expectedSha256: sha, ...journaled }),
  z.object({ verb: z.literal('list-backups'), path: hostPath }),
  z.object({ verb: z.literal('restore-backup'), path: hostPath, backup: backupName, expectedSha256: sha.nullable(), ...journaled }),
  z.object({
    verb: z.literal('sysctl-set'),
    /** Written in order; a setting with `applied` is written only while the live value still equals it (else outcome "conflict"). */
    settings: z.array(revertKv).min(1).max(4096),
    /** When set, the helper schedules a detached revert of this batch unless cancel-revert arrives in time. */
    revertAfterSeconds: z.number().int().min(5).max(3600).optional(),
    /** The keys whose security-weakening values the user confirmed (exactly those; see shared/helper/weakening.ts). */
    confirmWeakening,
    ...journaled,
  }),
  z.object({
    verb: z.literal('schedule-revert'),
    /** Seconds until the revert runs unless cancelled. */
    seconds: z.number().int().min(5).max(3600),
    plan: revertPlanSchema,
    /** A sysctl plan: the keys whose security-weakening values the user confirmed. */
    confirmWeakening,
  }),
  z.object({ verb: z.literal('cancel-revert'), id: revertId }),
  z.object({ verb: z.literal('revert-status'), id: revertId }),
  /** The helper's protocol and the sha256 of its own file: is the installed helper the one this HostDeck carries? */
  z.object({ verb: z.literal('version') }),
  /** Read-only: `nft -j list ruleset`, of the network namespace of the firewalld with this pid when given (a process whose comm is firewalld). */
  z.object({ verb: z.literal('nft-ruleset'), pid: z.number().int().min(1).max(2 ** 22).optional() }),
  /** The helper's journal of the changes it made, entries at or after `since` (ms since epoch). */
  z.object({ verb: z.literal('journal'), since: z.number().min(0) }),
]);
export type HelperRequest = z.infer<typeof helperRequestSchema>;
export type HelperVerb = HelperRequest['verb'];

/**
 * Error codes the helper answers with: CONFLICT (changed since read; detail.currentBase64 holds
 * the other change), NOT_ALLOWED (outside the allow-list, "..", options under pkexec/sudo),
 * SYMLINK, NOT_REGULAR, NOT_FOUND, TOO_LARGE, REQUEST_TOO_LARGE, INVALID_INPUT, INVALID_VALUE,
 * NEEDS_CONFIRMATION (security-weakening sysctl values not named in confirmWeakening; detail.weakening
 * lists {key, value, weakens}), UNKNOWN_VERB, BUSY (another save of the same file holds the lock), UNSAFE_STATE_DIR,
 * TOO_MANY_REVERTS (the invoking user already has HELPER_MAX_PENDING_REVERTS timers pending),
 * NOT_AUTHORIZED (EACCES/EPERM), IO_ERROR, TIMEOUT, INTERNAL.
 */
export const helperErrorSchema = z.object({ code: z.string(), message: z.string(), detail: z.unknown().optional() });
export type HelperError = z.infer<typeof helperErrorSchema>;

export const helperResponseSchema = z.union([
  z.object({
    ok: z.literal(true),
    result: z.record(z.string(), z.unknown()),
    protocol: z.number().optional(),
    /** A journaled verb asked with `journalSince`: the journal's entries since then (checked by the caller: helperJournalResultSchema). */
    journal: z.unknown().optional(),
  }),
  z.object({ ok: z.literal(false), error: helperErrorSchema, protocol: z.number().optional() }),
]);
export type HelperResponse = z.infer<typeof helperResponseSchema>;

// --- results per verb ---------------------------------------------------------------------------

export const writeFileResultSchema = z.object({
  path: z.string(),
  sha256: z.string(),
  /** False when the file already held exactly these bytes (nothing written, no backup). */
  changed: z.boolean(),
  /** Name of the backup of the previous content (in HELPER_BACKUP_DIR/<path-encoded>/), null for a new file. */
  backup: z.string().nullable(),
  /** rename() failed with EBUSY (bind-mounted file) and the file was rewritten in place after the backup. */
  inPlace: z.boolean(),
  staleTempsRemoved: z.number(),
  notes: z.array(z.string()).optional(),
  restoredFrom: z.string().optional(),
});
export type WriteFileResult = z.infer<typeof writeFileResultSchema>;

export const deleteFileResultSchema = z.object({ path: z.string(), deleted: z.boolean(), backup: z.string() });

export const listBackupsResultSchema = z.object({
  path: z.string(),
  directory: z.string(),
  backups: z.array(z.object({ name: z.string(), size: z.number(), sha256: z.string(), mtimeMs: z.number() })),
});
export type ListBackupsResult = z.infer<typeof listBackupsResultSchema>;

const errnoSchema = z.object({ code: z.string(), message: z.string() });
export const sysctlOutcomeSchema = z.object({
  key: z.string(),
  value: z.string(),
  previous: z.string().nullable(),
  outcome: z.enum(['applied', 'unchanged', 'failed', 'conflict']),
  error: errnoSchema.nullable(),
  readBack: z.string().nullable(),
});
export type SysctlOutcome = z.infer<typeof sysctlOutcomeSchema>;

export const scheduledRevertSchema = z.object({ id: z.string(), deadlineMs: z.number(), status: z.literal('pending'), pid: z.number().nullable() });
export type ScheduledRevert = z.infer<typeof scheduledRevertSchema>;

export const sysctlSetResultSchema = z.object({ results: z.array(sysctlOutcomeSchema), revert: scheduledRevertSchema.nullable() });
export type SysctlSetResult = z.infer<typeof sysctlSetResultSchema>;

export const revertStatusSchema = z.object({
  id: z.string(),
  status: z.enum(['pending', 'reverting', 'reverted', 'cancelled', 'failed']),
  kind: z.enum(['sysctl', 'firewall-cmd']),
  deadlineMs: z.number(),
  createdMs: z.number(),
  finishedMs: z.number().nullable(),
  /**
   * sysctl: SysctlOutcome[]; firewall-cmd: {argv, exitCode, ok, message}[] where message is a
   * fixed word for the exit code (firewalld's error name), never the command's own output.
   */
  results: z.array(z.record(z.string(), z.unknown())).nullable(),
  error: z.string().nullable(),
});
export type RevertStatus = z.infer<typeof revertStatusSchema>;
export const firewallStepResultSchema = z.object({ argv: z.array(z.string()), exitCode: z.number().int(), ok: z.boolean(), message: z.string() });
export type FirewallStepResult = z.infer<typeof firewallStepResultSchema>;
export const helperVersionResultSchema = z.object({ protocol: z.number().int(), sha256: z.string().nullable(), verbs: z.array(z.string()) });
export type HelperVersionResult = z.infer<typeof helperVersionResultSchema>;
/** One change the helper made, as its journal keeps it (next to the backups; no content, no values). */
export const helperJournalEntrySchema = z.object({
  time: z.number(),
  verb: z.string(),
  /** Who asked: the invoking uid (PKEXEC_UID, SUDO_UID or the helper's own) and its login, null when it has no passwd entry. */
  uid: z.number().int(),
  login: z.string().nullable(),
  /** changed, deleted, applied, failed. */
  result: z.string(),
  path: z.string().optional(),
  keys: z.array(z.string()).optional(),
  backup: z.string().optional(),
  /** The machine that asked, as the caller stated it, and over SSH the client address the helper saw ("ada-laptop via 192.0.2.7"): hostile text, shown escaped. */
  from: z.string().optional(),
});
export type HelperJournalEntry = z.infer<typeof helperJournalEntrySchema>;
export const helperJournalResultSchema = z.object({ entries: z.array(helperJournalEntrySchema.passthrough()), truncated: z.boolean() });
export const cancelRevertResultSchema = revertStatusSchema.extend({ cancelled: z.boolean() });
export type CancelRevertResult = z.infer<typeof cancelRevertResultSchema>;

/** The directory holding the backups of one file on its host ("/" -> "%2F", "%" -> "%25"). */
export function helperBackupDir(path: string): string {
  return `${HELPER_BACKUP_DIR}/${path.replace(/^\/+/, '').replace(/%/g, '%25').replace(/\//g, '%2F')}`;
}
