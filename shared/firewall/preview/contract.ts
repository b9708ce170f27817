import { z } from 'zod';
import { operation } from '../../api/define';
import { rulesReportSchema } from '../rules/contract';

/**
 * "Preview the rules": the nftables ruleset firewalld would make from a configuration, read from
 * a throwaway firewalld loaded with it (electron/firewall/preview), in the rules view's shape.
 */
export const previewReportSchema = rulesReportSchema.extend({
  /** The firewalld that made the ruleset (this machine's, run in the throwaway namespaces). */
  firewalldVersion: z.string(),
  /** What was loaded, in words ("the configuration files of web1: /usr/lib/firewalld + /etc/firewalld"). */
  source: z.string(),
});
export type PreviewReport = z.infer<typeof previewReportSchema>;

export const previewContract = {
  preview: operation({
    summary:
      'The nftables rules a configuration would make (the host\'s permanent configuration files, or an image\'s), from a firewalld started in a throwaway network and mount namespace on a private bus; nothing on the host changes',
    input: z.object({
      zone: z.string().min(1).max(64).optional(),
      policy: z.string().min(1).max(64).optional(),
    }),
    output: previewReportSchema,
  }),
};
