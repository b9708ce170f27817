import { z } from 'zod';
import { operation, type EventContract, type FeatureContract } from '../api/define';
import { K8S_DEFAULT_VERSION } from './version';
import { DEFAULT_IMAGE, EXPORT_PARTS } from './export-parts';

const nsSchema = z.enum(['net', 'ipc', 'uts', 'user']).nullable();
const statusSchema = z.enum(['safe', 'unsafe', 'node-level']);

export const liveEntrySchema = z.object({
  key: z.string(),
  path: z.string(),
  /** ok: value read; write-only / side-effect: deliberately not read; unreadable: the read failed (error = errno). */
  state: z.enum(['ok', 'write-only', 'side-effect', 'unreadable']),
  value: z.string().optional(),
  error: z.string().optional(),
  writable: z.boolean(),
  mode: z.number(),
});
export type LiveEntry = z.infer<typeof liveEntrySchema>;

export const verdictSchema = z.object({
  status: statusSchema,
  safeSince: z.string().nullable(),
  minKernel: z.string().nullable(),
  podSecurityBaseline: z.enum(['allowed', 'forbidden']),
  podSecurityBaselineSince: z.string().nullable(),
  kubeletNamespace: nsSchema,
  conflictsWithHostNetwork: z.boolean(),
  conflictsWithHostIPC: z.boolean(),
  settableInPod: z.boolean(),
  preRelease: z.boolean(),
  reasons: z.array(z.string()),
  errors: z.object({
    sysctlForbidden: z.string().optional(),
    sysctlForbiddenWhenAllowlisted: z.string().optional(),
    apiValidation: z.string().optional(),
    podSecurity: z.string().optional(),
    runtime: z.string().optional(),
    kubeletStart: z.string().optional(),
  }),
});

export const classificationSchema = z.object({
  name: z.string(),
  input: z.string(),
  path: z.string(),
  namespace: nsSchema,
  namespaceInfo: z.object({
    namespace: nsSchema,
    readOnlyInChild: z.boolean(),
    hostOnly: z.boolean(),
    since: z.string().nullable(),
    note: z.string(),
    verified: z.boolean(),
  }),
  kubernetes: verdictSchema,
});
export type ClassificationOut = z.infer<typeof classificationSchema>;

export const targetSchema = z.object({
  k8s: z.string().default(K8S_DEFAULT_VERSION),
  /** Node kernel version; omitted = this host's kernel. */
  kernel: z.string().optional(),
  podSecurityVersion: z.string().optional(),
  hostNetwork: z.boolean().optional(),
  hostIPC: z.boolean().optional(),
});

export const listRowSchema = liveEntrySchema.extend({
  subsystem: z.string(),
  namespace: nsSchema,
  status: statusSchema,
  podSecurityBaseline: z.enum(['allowed', 'forbidden']),
  configured: z.object({ value: z.string(), file: z.string(), line: z.number() }).nullable(),
  drift: z.boolean(),
  described: z.boolean(),
  /** The default the live value is compared with: a fresh namespace's value (this kernel) or the documented upstream one. */
  default: z.object({ value: z.string(), basis: z.enum(['fresh-namespace', 'documented']) }).nullable(),
  /** Changed from default, and on what basis (null = not changed, or nothing to compare with). */
  changed: z.object({ basis: z.enum(['fresh-namespace', 'documented', 'configured']), default: z.string().nullable() }).nullable(),
  /** The empirical namespace probe for this key (only for this host's own kernel, when it could run). */
  probe: z.object({ kind: z.enum(['net', 'ipc', 'uts', 'read-only-in-child', 'host-only', 'global', 'inconclusive']), agrees: z.boolean() }).nullable(),
});
export type ListRow = z.infer<typeof listRowSchema>;

/**
 * Where the live values compared with the configuration come from. host: the running kernel of
 * the system whose files are read (root "/"); running-kernel: this host's live kernel while the
 * files come from another root (an image, a mounted disk); procsys-copy: a /proc/sys copy.
 * note: a sentence for the UI when the comparison is not the obvious one.
 */
export const liveSourceSchema = z.object({
  procSys: z.string(),
  kind: z.enum(['host', 'running-kernel', 'procsys-copy']),
  note: z.string().nullable(),
});
export type LiveSource = z.infer<typeof liveSourceSchema>;

export const warningSchema = z.object({ file: z.string(), line: z.number(), severity: z.enum(['error', 'warning', 'info']), message: z.string() });
export const settingSchema = z.object({
  key: z.string(),
  path: z.string(),
  value: z.string(),
  file: z.string(),
  line: z.number(),
  ignoreFailure: z.boolean(),
  glob: z.string().optional(),
  overrides: z.array(z.object({ file: z.string(), line: z.number(), value: z.string().nullable() })),
});
export const effectiveSchema = z.object({
  root: z.string(),
  files: z.array(
    z.object({
      path: z.string(),
      name: z.string(),
      dir: z.string(),
      status: z.enum(['applied', 'masked', 'overridden', 'unreadable']),
      by: z.string().optional(),
      error: z.string().optional(),
    }),
  ),
  settings: z.array(settingSchema),
  globs: z.array(z.object({ key: z.string(), value: z.string().nullable(), file: z.string(), line: z.number() })),
  exclusions: z.array(z.object({ key: z.string(), file: z.string(), line: z.number() })),
  warnings: z.array(warningSchema),
  failed: z.boolean(),
  /** Configured values that differ from the readable live value of host.procSys (the same rule as list rows' `drift`). */
  drift: z.array(z.object({ key: z.string(), configured: z.string(), live: z.string().nullable(), file: z.string(), line: z.number() })),
  liveSource: liveSourceSchema,
});
export type EffectiveOut = z.infer<typeof effectiveSchema>;

export const kvSchema = z.object({ key: z.string().min(1), value: z.string() });
export type KeyValue = z.infer<typeof kvSchema>;

export const placementSchema = z.object({
  key: z.string(),
  value: z.string(),
  target: z.enum(['pod', 'kubelet+pod', 'node', 'sandbox']),
  status: statusSchema,
  reason: z.string(),
});
export const exportKindSchema = z.enum(['pod', 'kubelet', 'node', 'sandbox']);
export { DEFAULT_IMAGE, EXPORT_PARTS };
export const exportSchema = z.object({
  kind: exportKindSchema,
  /** Each artefact: `part` names it (`kernel export --part`), `cluster` says whether it is objects for `kubectl apply`. */
  documents: z.array(z.object({ title: z.string(), part: z.enum(EXPORT_PARTS), language: z.enum(['yaml', 'ini', 'sysctl', 'shell']), cluster: z.boolean(), text: z.string() })),
  placements: z.array(placementSchema),
  /** Settings left out or changed before export (unknown key, invalid value, set twice), each with its reason. */
  problems: z.array(z.object({ index: z.number().nullable(), key: z.string(), severity: z.enum(['error', 'warning']), message: z.string() })),
  /** Clean settings this export does not hold because another export does (an unsafe key in the Pod export, ...). */
  omitted: z.array(z.object({ key: z.string(), value: z.string(), goesTo: z.enum(['pod', 'kubelet', 'node']), reason: z.string() })),
});
export type ExportOut = z.infer<typeof exportSchema>;

export const probeSchema = z.object({
  available: z.boolean(),
  reason: z.string().optional(),
  kernel: z.string(),
  rows: z.array(
    z.object({
      key: z.string(),
      probe: z.enum(['net', 'ipc', 'uts', 'read-only-in-child', 'host-only', 'global', 'inconclusive']),
      table: z.enum(['net', 'ipc', 'uts', 'user', 'read-only-in-child', 'host-only', 'global']),
      agree: z.boolean(),
    }),
  ),
});
export type ProbeOut = z.infer<typeof probeSchema>;

export const profileCheckSchema = z.object({
  entries: z.array(
    z.object({
      key: z.string(),
      value: z.string(),
      error: z.string().nullable(),
      /** Not an error, but worth knowing: the key is set again later (this line has no effect) or earlier. */
      warning: z.string().nullable(),
      live: z.string().nullable(),
      /** overridden: the same key is set again later, and the last assignment wins (sysctl.d). */
      change: z.enum(['unchanged', 'change', 'unknown-key', 'not-readable', 'overridden']),
    }),
  ),
  text: z.string(),
});

const errnoSchema = z.object({ code: z.string(), message: z.string() });
/** A security-weakening setting of a change (shared/helper/weakening.ts): what it weakens, in words. */
export const weakeningSchema = z.object({ key: z.string(), value: z.string(), weakens: z.string() });
export type WeakeningOut = z.infer<typeof weakeningSchema>;
/**
 * The keys whose security-weakening values the user confirmed: exactly the weakening keys of the
 * change (NEEDS_CONFIRMATION, detail.weakening, when one is missing; INVALID_VALUE for a key the
 * change does not weaken).
 */
const confirmWeakeningSchema = z.array(z.string().min(1).max(256)).max(4096).optional();
export const undoEntrySchema = z.object({ key: z.string().min(1), previous: z.string(), applied: z.string().nullable() });
export type UndoEntry = z.infer<typeof undoEntrySchema>;
export const applyOutSchema = z.object({
  dryRun: z.boolean(),
  results: z.array(
    z.object({
      key: z.string(),
      path: z.string(),
      value: z.string(),
      previous: z.string().nullable(),
      /** planned: would change (dry run); failed: error holds the errno (EINVAL, EPERM, EACCES = read-only here, ENOENT). */
      outcome: z.enum(['planned', 'applied', 'unchanged', 'failed']),
      error: errnoSchema.nullable(),
      /** What the kernel shows after the write (it may differ: tcp_rmem with two values keeps the third). */
      readBack: z.string().nullable(),
      undoable: z.boolean(),
    }),
  ),
  /** The recorded previous values, in apply order: hand them to `undo`. */
  undo: z.array(undoEntrySchema),
  summary: z.object({ planned: z.number(), applied: z.number(), unchanged: z.number(), failed: z.number() }),
  /** "Revert unless confirmed": the detached timer restoring the applied keys (confirm with helper.confirm). */
  revert: z.object({ id: z.string(), deadlineMs: z.number(), status: z.literal('pending'), pid: z.number().nullable() }).nullable().default(null),
  /** Settings that switch a kernel protection off: the apply needs them in confirmWeakening. */
  weakening: z.array(weakeningSchema).default([]),
});
export type ApplyOut = z.infer<typeof applyOutSchema>;
export const undoOutSchema = z.object({
  results: z.array(
    z.object({
      key: z.string(),
      outcome: z.enum(['restored', 'unchanged', 'conflict', 'failed']),
      live: z.string().nullable(),
      error: errnoSchema.nullable(),
    }),
  ),
});
export type UndoOut = z.infer<typeof undoOutSchema>;

export const kernelContract = {
  list: operation({
    summary: 'Live kernel parameters of the host, with namespace, Kubernetes verdict and configured value',
    input: targetSchema,
    output: z.object({ kernel: z.string(), k8s: z.string(), entries: z.array(listRowSchema), liveSource: liveSourceSchema }),
  }),
  classify: operation({
    summary: 'Namespace and Kubernetes verdict of sysctls for a Kubernetes version and node kernel',
    input: targetSchema.extend({ keys: z.array(z.string().min(1)).min(1) }),
    output: z.array(classificationSchema),
  }),
  describe: operation({
    summary: 'Catalog entry of one sysctl: type, range, unit, documentation, description',
    input: z.object({ key: z.string().min(1) }),
    output: z.object({
      key: z.string(),
      type: z.record(z.string(), z.unknown()),
      unit: z.string().nullable(),
      description: z.string().nullable(),
      doc: z.object({ page: z.string(), section: z.string() }).nullable(),
      typeSource: z.string(),
    }),
  }),
  effective: operation({
    summary: 'Effective sysctl.d configuration (as systemd-sysctl applies it) with provenance and drift',
    input: z.object({}),
    output: effectiveSchema,
  }),
  probe: operation({
    summary: 'Which sysctls a fresh network/IPC/UTS namespace owns on this host (needs root), compared with the table',
    input: z.object({}),
    output: probeSchema,
  }),
  checkProfile: operation({
    summary: 'Validate a profile by the catalog and show what would change against the live values',
    input: z.object({ settings: z.array(kvSchema) }),
    output: profileCheckSchema,
  }),
  saveProfile: operation({
    summary: 'Write a sysctl.d profile to /etc/sysctl.d/<name>.conf (atomic, refuses if it changed since read)',
    input: z.object({
      name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]*$/, 'a file name without slashes'),
      settings: z.array(kvSchema),
      expectedSha256: z.string().nullable(),
      confirmWeakening: confirmWeakeningSchema,
    }),
    output: z.object({ path: z.string(), sha256: z.string().nullable(), backupPath: z.string().nullable() }),
    mutates: true,
  }),
  deleteProfile: operation({
    summary: 'Delete one /etc/sysctl.d profile (backed up first; refuses if it changed since read)',
    input: z.object({ name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]*$/, 'a file name without slashes'), expectedSha256: z.string().regex(/^[0-9a-f]{64}$/) }),
    output: z.object({ path: z.string(), backupPath: z.string() }),
    mutates: true,
  }),
  apply: operation({
    summary: 'Write sysctl values to the live kernel (validated first, in order, previous values recorded for undo); dryRun shows what would change',
    input: z.object({
      settings: z.array(kvSchema).min(1),
      dryRun: z.boolean().default(false),
      /** Revert the applied keys after this many seconds unless confirmed (helper.confirm); survives HostDeck exiting. */
      revertAfterSeconds: z.number().int().min(5).max(3600).optional(),
      confirmWeakening: confirmWeakeningSchema,
    }),
    output: applyOutSchema,
    mutates: true,
  }),
  undo: operation({
    summary: 'Restore the previous values recorded by apply (last first); keys changed since by someone else are left alone unless force',
    input: z.object({ entries: z.array(undoEntrySchema).min(1), force: z.boolean().default(false), confirmWeakening: confirmWeakeningSchema }),
    output: undoOutSchema,
    mutates: true,
  }),
  readProfile: operation({
    summary: 'Read one /etc/sysctl.d profile with its version (for a later save)',
    input: z.object({ name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]*$/) }),
    output: z.object({ path: z.string(), exists: z.boolean(), sha256: z.string().nullable(), settings: z.array(kvSchema), warnings: z.array(warningSchema) }),
  }),
  export: operation({
    summary: 'Pod / kubelet / node / ACK secure-sandbox snippets for a selection of sysctls, checked first, with the reason for each placement',
    input: targetSchema.extend({
      kind: exportKindSchema,
      settings: z.array(kvSchema).min(1),
      name: z.string().optional(),
      /** Namespace, name and container image of the Pod and Deployment (checked: DNS-1123 labels, an image reference). */
      namespace: z.string().optional(),
      podName: z.string().optional(),
      image: z.string().optional(),
    }),
    output: exportSchema,
  }),
  importTuned: operation({
    summary: "Read the [sysctl] section of a TuneD profile's text",
    input: z.object({ text: z.string() }),
    output: z.object({ settings: z.array(kvSchema), warnings: z.array(z.object({ line: z.number(), message: z.string() })) }),
  }),
  exportTuned: operation({
    summary: 'A TuneD profile (tuned.conf) whose [sysctl] section holds the settings',
    input: z.object({ settings: z.array(kvSchema), summary: z.string().optional(), include: z.string().optional() }),
    output: z.object({ text: z.string() }),
  }),
} satisfies FeatureContract;

export const kernelEvents = {} satisfies EventContract;
