import { z } from 'zod';
import { configProblemSchema } from '../model';

/** firewall.check: whether firewalld would load the configuration, and every problem on the way. */
export const offlineCheckSchema = z.object({
  /** No error (warnings are items firewalld drops while loading and loads the rest). */
  ok: z.boolean(),
  problems: z.array(configProblemSchema),
  version: z.string(),
  versionFrom: z.string(),
  dirs: z.array(z.string()),
});
export type OfflineCheck = z.infer<typeof offlineCheckSchema>;
