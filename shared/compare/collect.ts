import { z } from 'zod';
import { operation } from '../api/define';
import { MAX_COMPARE_HOSTS } from './diff';
import { fleetSummarySchema } from './summary';

/**
 * compare.collect (issue #17, "Collect with Ansible" on the Compare page): Ansible reaches the
 * hosts of an inventory the saved hosts were imported from (a pattern: a group, `web:!web-07`),
 * each host's answer is announced as it comes (`compare.collectProgress`), compare.collectCancel
 * ends the run (ansible-playbook and its ssh processes), a deadline ends it too. Up to
 * MAX_COMPARE_HOSTS hosts the result is the grid's hosts; past that the fleet summary.
 */

/** A collect request is a few short strings: far below the default 1 MiB. */
export const COLLECT_MAX_INPUT_BYTES = 16 * 1024;
/** The run's deadline when none is given, and the longest one may ask (seconds). */
export const COLLECT_DEFAULT_TIMEOUT_S = 900;
export const COLLECT_MAX_TIMEOUT_S = 4 * 3600;

/** Chosen by the page: names the run in progress events and in collectCancel. */
const runId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a run id is 1 to 64 letters, digits, "-" or "_"');

export const collectedHostSchema = z.object({
  /** The host's name in the inventory (hostile text: shown, never interpreted). */
  host: z.string(),
  ok: z.boolean(),
  /** Why it was not read (Ansible's reason, cancelled, past the deadline). */
  error: z.string().nullable(),
  /** The compared host it became (grid only): a snapshot host, or an unread host holding the reason. */
  id: z.string().nullable(),
});
export type CollectedHostResult = z.infer<typeof collectedHostSchema>;

export const collectResultSchema = z.object({
  run: z.string(),
  inventory: z.string(),
  limit: z.string().nullable(),
  /** 'grid': `ids` are the compared hosts (2 to 50); 'summary': `summary` of every host, its files in `dir`; 'none': nothing to compare (fewer than 2 hosts, or cancelled before any answer). */
  view: z.enum(['grid', 'summary', 'none']),
  ids: z.array(z.string()),
  summary: fleetSummarySchema.nullable(),
  /** The run directory the summary's kinds open from (summary only; removed by the next collect). */
  dir: z.string().nullable(),
  hosts: z.array(collectedHostSchema),
  cancelled: z.boolean(),
  timedOut: z.boolean(),
});
export type CollectResult = z.infer<typeof collectResultSchema>;

export const collectOperations = {
  collect: operation({
    summary: `Collect the hosts of an inventory the saved hosts came from through Ansible (per-host progress events, cancel, deadline): up to ${MAX_COMPARE_HOSTS} hosts side by side, more as the fleet summary`,
    maxBytes: COLLECT_MAX_INPUT_BYTES,
    input: z.object({
      run: runId,
      /** An inventory saved hosts were imported from (absolute path, as RemoteHost.inventory holds it): the page cannot make HostDeck run any file as an inventory. */
      inventory: z.string().min(1).max(4096),
      /** An Ansible host pattern (a group, `web:!web-07`); every host of the inventory without one. */
      limit: z.string().min(1).max(1000).optional(),
      forks: z.number().int().min(1).max(500).optional(),
      timeoutSeconds: z.number().int().min(1).max(COLLECT_MAX_TIMEOUT_S).default(COLLECT_DEFAULT_TIMEOUT_S),
      only: z.array(z.enum(['sysctl', 'dns', 'firewall'])).min(1).optional(),
      layer: z.enum(['runtime', 'permanent']).default('runtime'),
      dnsName: z.string().min(1).max(253).default('example'),
    }),
    output: collectResultSchema,
  }),
  collectCancel: operation({
    summary: 'Cancel a collect run: ansible-playbook and every process it started end; hosts answered so far stay in its result',
    maxBytes: COLLECT_MAX_INPUT_BYTES,
    input: z.object({ run: runId }),
    output: z.object({ cancelled: z.boolean() }),
  }),
};

export const collectEvents = {
  /** One host of a collect run answered or failed; `done` of `total` so far. */
  'compare.collectProgress': z.object({
    run: z.string(),
    host: z.string(),
    ok: z.boolean(),
    error: z.string().nullable(),
    done: z.number().int(),
    total: z.number().int(),
  }),
};
