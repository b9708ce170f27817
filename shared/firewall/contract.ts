import { z } from 'zod';
import { operation } from '../api/define';

export const firewallStatusSchema = z.object({
  running: z.boolean(),
  /** Why it is not reachable, in plain words (bus missing, daemon not on the bus, ...). */
  reason: z.string().optional(),
  errorCode: z.string().optional(),
  version: z.string().optional(),
  state: z.string().optional(),
  defaultZone: z.string().optional(),
  panicMode: z.boolean().optional(),
  busAddress: z.string(),
});
export type FirewallStatus = z.infer<typeof firewallStatusSchema>;

export const firewallContract = {
  status: operation({
    summary: 'Whether firewalld is reachable, its version, state and default zone',
    input: z.object({}),
    output: firewallStatusSchema,
  }),
};

export const firewallEvents = {
  /** firewalld appeared, disappeared or changed state; the UI re-reads its status. */
  'firewall.statusChanged': firewallStatusSchema,
};
