import { z } from 'zod';
import { operation, type EventContract, type FeatureContract } from '../api/define';
import { hostSummarySchema } from '../app/contract';
import { compareLayerSchema, compareResultSchema, MAX_COMPARE_HOSTS } from './diff';
import { IMPORT_MAX_BYTES, IMPORT_REQUEST_MAX_BYTES } from './imports';
import { snapshotSchema } from './snapshot';
import { fleetSummarySchema } from './summary';
import { collectEvents, collectOperations } from './collect';

const hostIds = z.array(z.string().min(1)).min(2, 'compare needs at least 2 hosts').max(MAX_COMPARE_HOSTS, `compare takes at most ${MAX_COMPARE_HOSTS} hosts`);
const sections = z.array(z.enum(['sysctl', 'dns', 'firewall'])).min(1);

export const captureSummarySchema = z.object({
  host: z.string(),
  status: z.enum(['ok', 'unreachable']),
  error: z.string().nullable(),
  /** When the facts were read (ms since epoch). */
  takenAt: z.number().nullable(),
  hostname: z.string(),
  sysctlCount: z.number().int(),
  /** Per-section problems that did not stop the read (firewalld not running, ...). */
  notes: z.array(z.string()),
});
export type CaptureSummary = z.infer<typeof captureSummarySchema>;

const textLength = (fs: { text?: string }[]) => fs.reduce((n, f) => n + (f.text?.length ?? 0), 0);

/** Longest base64 of a gzip-compressed file: gzip adds at most ~0.1% plus 18 bytes to what does not compress. */
const IMPORT_GZIP_MAX_CHARS = Math.ceil((IMPORT_MAX_BYTES + 64 * 1024) / 3) * 4;

/** One host's files for an import (several only for "files are one host"). */
const importHostInput = z.object({
  files: z
    .array(
      z
        .object({
          name: z.string().min(1).max(255),
          text: z.string().max(IMPORT_MAX_BYTES, `a file to import is limited to ${IMPORT_MAX_BYTES / 1024 / 1024} MiB`).optional(),
          /**
           * The file gzip-compressed, in base64 (the Compare page sends it so: a tenth of the bytes
           * through an ssh -L tunnel). Inflated on the HostDeck side to at most the import limit;
           * past it, refused naming the file.
           */
          gzip: z
            .string()
            .max(IMPORT_GZIP_MAX_CHARS, `a compressed file to import is limited to ${IMPORT_MAX_BYTES / 1024 / 1024} MiB`)
            .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'gzip must be base64')
            .optional(),
          layer: z.enum(['runtime', 'permanent']).optional(),
        })
        .refine((f) => (f.text === undefined) !== (f.gzip === undefined), { message: 'a file to import has its text or its gzip, one of them' }),
    )
    .min(1)
    .max(8)
    .refine((fs) => textLength(fs) <= IMPORT_MAX_BYTES, {
      message: `the files of one import are limited to ${IMPORT_MAX_BYTES / 1024 / 1024} MiB together: import them one by one`,
    }),
  /** Host name shown in HostDeck; defaults to the snapshot's hostname or the file name. */
  label: z.string().min(1).max(100).optional(),
});

const runInput = z.object({
  hosts: hostIds,
  /** Host id the others are compared with; the first host when omitted. */
  baseline: z.string().optional(),
  /**
   * The firewall layer. Omitted: "both" (three-way) when an image's or stopped firewalld's files
   * are compared with a live firewalld, "runtime" otherwise.
   */
  layer: compareLayerSchema.optional(),
  dnsName: z.string().min(1).max(253).default('example'),
  k8s: z.string().default('1.33'),
  only: sections.optional(),
  /** Re-read live hosts first (otherwise the last read is used, reading hosts never read). */
  refresh: z.boolean().default(false),
});

export const fixSelectionSchema = z.object({
  sysctl: z.array(z.string().min(1)).default([]),
  /** "zone:NAME", "policy:NAME" or "ipset:NAME" (its entries, read from the live hosts when the fix is made). */
  firewall: z.array(z.string().regex(/^(zone|policy|ipset):.+$/)).default([]),
});

export const compareContract = {
  snapshot: operation({
    summary: "The host's compared facts as a versioned snapshot document (identity, sysctls, sysctl.d, resolv.conf, firewalld)",
    input: z.object({}),
    output: snapshotSchema,
  }),
  capture: operation({
    summary: "Read the host's compared facts now and keep them for compare.run (one call per host gives per-host progress)",
    input: z.object({}),
    output: captureSummarySchema,
  }),
  import: operation({
    summary: 'Load a snapshot, sysctl -a output, a resolv.conf or firewall-cmd --list-all-zones output as a read-only host (format detected)',
    // The files travel as JSON strings: room for 32 MiB of text even when every character is escaped.
    maxBytes: IMPORT_REQUEST_MAX_BYTES,
    input: importHostInput,
    output: z.object({ host: hostSummarySchema, formats: z.array(z.string()) }),
  }),
  importMany: operation({
    summary: 'Load several hosts from files in one call (each as compare.import loads one), in order, stopping at the first that cannot be loaded; one hostsChanged event',
    maxBytes: IMPORT_REQUEST_MAX_BYTES,
    input: z.object({
      hosts: z
        .array(importHostInput)
        .min(1)
        .max(MAX_COMPARE_HOSTS, `at most ${MAX_COMPARE_HOSTS} hosts side by side`)
        .refine((hs) => hs.reduce((n, h) => n + textLength(h.files), 0) <= IMPORT_MAX_BYTES, {
          message: `the files of one import are limited to ${IMPORT_MAX_BYTES / 1024 / 1024} MiB together: import them in several calls`,
        }),
      /**
       * Compare at once, as compare.run would, the hosts already compared (`hosts`, in column
       * order) followed by the ones loaded (up to 50 in all): the answer's `compare` then is what
       * the Compare page shows, with no second round trip (issue #22).
       */
      compare: runInput.omit({ hosts: true, refresh: true, only: true }).extend({ hosts: z.array(z.string().min(1)).max(MAX_COMPARE_HOSTS) }).optional(),
    }),
    output: z.object({
      /** The hosts loaded, in order, with what compare.capture would say of each (no second round trip). */
      hosts: z.array(z.object({ host: hostSummarySchema, formats: z.array(z.string()), capture: captureSummarySchema })),
      /** The first host that could not be loaded (index into the input) and why; the ones after it were not tried. */
      error: z.object({ index: z.number().int(), code: z.string(), message: z.string() }).nullable(),
      /** With `compare` asked: the comparison of the compared hosts and the loaded ones; null when fewer than 2 or it failed (compare.run then says why). */
      compare: compareResultSchema.nullable(),
    }),
  }),
  forget: operation({
    summary: 'Remove an imported or snapshot host from this HostDeck session',
    input: z.object({ id: z.string().min(1) }),
    output: z.object({ removed: z.boolean() }),
  }),
  run: operation({
    summary: 'Compare 2 to 50 hosts: sysctls, sysctl.d, DNS and firewall, one value per host, against a baseline',
    input: runInput,
    output: compareResultSchema,
  }),
  fix: operation({
    summary: 'What makes the differing hosts like the baseline for the chosen keys and zones: Ansible playbook, sysctl profile or firewall-cmd script',
    input: runInput.extend({
      /** A fix is planned on one layer (the Ansible plays set both: permanent and immediate). */
      layer: z.enum(['runtime', 'permanent']).default('runtime'),
      selection: fixSelectionSchema,
      format: z.enum(['ansible', 'sysctl', 'firewall-cmd']),
      /**
       * The Ansible inventory the hosts come from and the pattern that chose them (--limit, @group):
       * the playbook then runs as `ansible-playbook -i FILE --limit PATTERN`. Without `file`, the
       * inventory the differing hosts were imported from, when they share one.
       */
      inventory: z.object({ file: z.string().min(1).max(4096).optional(), limit: z.string().min(1).max(1000).optional() }).optional(),
      /** Fleet names of the hosts (inventory names, ssh destinations) by host id; the labels otherwise. */
      names: z.record(z.string(), z.string().min(1)).optional(),
      become: z.boolean().default(false),
      /** Keys whose security-weakening baseline values go into the fix anyway (the user confirmed what they weaken). */
      confirmWeakening: z.array(z.string().min(1).max(256)).max(4096).optional(),
    }),
    output: z.object({
      format: z.enum(['ansible', 'sysctl', 'firewall-cmd']),
      text: z.string(),
      /** The Ansible inventory of the differing hosts (ansible only; null when the fix runs against the hosts' own inventory). */
      inventory: z.string().nullable(),
      /** How to run it against the hosts' own inventory (`ansible-playbook -i ... --limit ...`), shell-quoted; null otherwise. */
      command: z.string().nullable().default(null),
      filename: z.string(),
      settings: z.array(z.object({ key: z.string(), value: z.string() })),
      /** The sysctl.d file the playbook and the profile write: it sorts after the differing hosts' own files. */
      sysctlFile: z.string(),
      differing: z.array(z.string()),
      notes: z.array(z.string()),
      /** Chosen settings that switch a kernel protection off; unconfirmed ones are not in the fix. */
      weakening: z.array(z.object({ key: z.string(), value: z.string(), weakens: z.string(), confirmed: z.boolean() })),
    }),
  }),
  summary: operation({
    summary: 'The fleet summary of any number of hosts: per key the distinct values and how many hosts hold each, the kinds of host, the majority as baseline',
    input: z
      .object({
        /** Host ids (at most 50 of them live hosts), or a directory of snapshot files on the HostDeck machine. */
        hosts: z.array(z.string().min(1)).min(2, 'a summary needs at least 2 hosts').max(100_000).optional(),
        dir: z.string().min(1).max(4096).optional(),
        only: sections.optional(),
        layer: z.enum(['runtime', 'permanent']).default('runtime'),
        dnsName: z.string().min(1).max(253).default('example'),
      })
      .refine((i) => (i.hosts ? 1 : 0) + (i.dir ? 1 : 0) === 1, { message: 'give either hosts or dir' }),
    output: fleetSummarySchema,
  }),
  open: operation({
    summary: 'Loads snapshot files of a summarized directory as read-only hosts (a kind opened side by side)',
    input: z.object({ files: z.array(z.string().min(1).max(4096)).min(1).max(MAX_COMPARE_HOSTS, `at most ${MAX_COMPARE_HOSTS} hosts side by side`) }),
    output: z.object({ hosts: z.array(z.string()) }),
  }),
  ...collectOperations,
} satisfies FeatureContract;

export const compareEvents = { ...collectEvents } satisfies EventContract;
