import { z } from 'zod';
import { operation } from '../api/define';
import { hostCapabilitiesSchema } from '../hosts/capabilities';

export const hostSummarySchema = z.object({
  id: z.string(),
  label: z.string(),
  /** For display only (a label in the host list): nothing branches on it; features and pages ask `capabilities`. */
  kind: z.enum(['local', 'snapshot', 'remote']),
  readOnly: z.boolean(),
  /** Root directory files are read from ("/" for the real system). */
  root: z.string(),
  /** What the host offers (shared/hosts/capabilities.ts); the UI disables and explains from it. */
  capabilities: hostCapabilitiesSchema,
});
export type HostSummary = z.infer<typeof hostSummarySchema>;

export const appContract = {
  info: operation({
    summary: 'HostDeck version, the process mode and whether it runs as root',
    input: z.object({}),
    output: z.object({
      version: z.string(),
      mode: z.enum(['electron', 'browser', 'cli']),
      privileged: z.boolean(),
      platform: z.string(),
    }),
  }),
  hosts: operation({
    summary: 'The hosts HostDeck can read (local, snapshots)',
    input: z.object({}),
    output: z.object({ hosts: z.array(hostSummarySchema) }),
  }),
};

export const appEvents = {
  'app.hostsChanged': z.object({}),
};
