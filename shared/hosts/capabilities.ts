import { z } from 'zod';

/**
 * What a host offers: the host's contract with the features and the UI. Features ask these,
 * never what kind of host it is (Host.kind is a display label only), so a new host kind is one
 * transport that declares its capabilities and passes the conformance suite.
 */

/** How changes reach the host: as this process (root or an image it owns), pkexec, sudo -n over SSH, or not at all. */
export const writeRouteSchema = z.enum(['root', 'direct', 'pkexec', 'sudo', 'none']);
export type WriteRoute = z.infer<typeof writeRouteSchema>;

export const capabilityNames = [
  'liveKernel',
  'freshNamespaceProbe',
  'systemBus',
  'firewall',
  'writes',
  'firewallWrites',
  'interfaces',
  'journal',
  'userNamespaces',
  'nftRuleset',
] as const;
export type CapabilityName = (typeof capabilityNames)[number];

export const hostCapabilitiesSchema = z.object({
  /** procSys() reads a running kernel (false: a copy of /proc/sys or a snapshot's values). */
  liveKernel: z.boolean(),
  /** A process can be started on the host's kernel in fresh namespaces, to learn what a pod starts with. */
  freshNamespaceProbe: z.boolean(),
  /** The host's system bus is reachable (firewalld, systemd-resolved, NetworkManager). */
  systemBus: z.boolean(),
  /**
   * Where the firewall's state comes from: the running firewalld, a snapshot's record of it, the
   * configuration files with no daemon (an image, --offline: read as firewalld would load them), or nowhere.
   */
  firewall: z.enum(['live', 'snapshot', 'offline', 'none']),
  /** The route file and kernel-parameter changes take (HostDeck's helper); "none" for a host where they may not be made. */
  writes: writeRouteSchema,
  /**
   * The route firewall changes take: firewalld's own authorization, not the helper's. A login
   * that may not run the helper can still change the firewall through polkit, and the reverse.
   */
  firewallWrites: z.enum(['root', 'polkit', 'none']),
  /** The host's own network interfaces can be listed (not an image's or a snapshot's). */
  interfaces: z.boolean(),
  /** The host's journal can be read (kernel log, unit logs). */
  journal: z.boolean(),
  /** Unprivileged user namespaces are available on the host (throwaway network namespaces without privilege). */
  userNamespaces: z.boolean(),
  /**
   * How the host's nftables ruleset (`nft -j list ruleset`, the rules behind each zone) is read:
   * as root by this process or the login, through the helper (pkexec, sudo -n), or not at all.
   */
  nftRuleset: z.enum(['root', 'helper', 'none']),
  /** Nothing on the host may be changed through HostDeck (every mutating operation is refused). */
  readOnly: z.boolean(),
  /**
   * The host's system bus is one on this machine, not tunnelled from another: polkit can ask
   * through this desktop's agent (firewalld's authorization for all its actions is asked once),
   * and the admin's own SSH session into this machine (SSH_CONNECTION) is a session the firewall
   * being changed could cut. False over SSH (no prompt there: each call is authorized alone).
   */
  localBus: z.boolean(),
  /**
   * Why each capability the host lacks is missing, in words a user can act on, keyed by
   * capability name ("web1 (snapshot) is a record of a host: it cannot be changed").
   */
  missing: z.partialRecord(z.enum(capabilityNames), z.string()),
});
export type HostCapabilities = z.infer<typeof hostCapabilitiesSchema>;

// Which route a page's changes take and whether it is open, zod-free: the UI shell decides
// without loading the schema library (issue #22).
export { canWrite, writeCapability, type ChangeRoute } from './can-write';
