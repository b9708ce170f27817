import { z } from 'zod';

/** A NetworkManager profile that binds its interface to a firewalld zone by name. */
export const nmZoneBindingSchema = z.object({
  /** The profile file as people should see it (an image's path on this machine). */
  file: z.string(),
  /** 1-based line of the zone key. */
  line: z.number().int(),
  format: z.enum(['keyfile', 'ifcfg']),
  /** The connection's id (what nmcli names it by). */
  id: z.string(),
  zone: z.string(),
});
export type NmZoneBinding = z.infer<typeof nmZoneBindingSchema>;

export const nmZoneWarningSchema = nmZoneBindingSchema.extend({
  /** The zone it names goes away: renamed to `to`, or deleted (`to` absent). */
  to: z.string().optional(),
  /** What moves it, every word from the data shell-quoted: pasted into a shell it runs only nmcli. */
  command: z.string(),
  message: z.string(),
});
export type NmZoneWarning = z.infer<typeof nmZoneWarningSchema>;

/** What a zone rename or delete means for NetworkManager's profiles (HostDeck writes none of them). */
export const nmProfilesCheckSchema = z.object({
  warnings: z.array(nmZoneWarningSchema),
  /** Profile files or directories that could not be read (a non-root SSH login, a link, too large): not checked. */
  unchecked: z.array(z.object({ shown: z.string(), reason: z.string() })),
});
export type NmProfilesCheck = z.infer<typeof nmProfilesCheckSchema>;
