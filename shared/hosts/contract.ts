import { z } from 'zod';
import { operation } from '../api/define';
import type { EventContract, FeatureContract } from '../api/define';
import { becomeSchema, groupNameSchema } from './ssh-options';
import { reservedHostIdReason } from './host-id';

/**
 * Remote hosts over SSH: the saved list ($XDG_CONFIG_HOME/hostdeck/hosts.json), each host's
 * link state, first contact (fingerprint shown, accepted by the user before ssh writes
 * known_hosts) and what the login may do, per route: files and kernel parameters (root, sudo -n
 * of the helper, or the sudoers line to add) and the firewall (root, polkit, or the rule to add).
 * These operations manage HostDeck's own list; they are called without a host (or "local").
 */

export const hostLinkStateSchema = z.enum([
  'idle', // saved, not connected yet
  'connecting',
  'connected',
  'disconnected', // was connected; the link dropped (HostDeck reconnects with backoff)
  'unreachable', // no answer, refused, name unknown
  'host-key-unknown', // first contact: accept the fingerprint
  'host-key-changed', // refused: ssh's warning in plain words
  'auth-failed', // no key/agent login
]);
export type HostLinkState = z.infer<typeof hostLinkStateSchema>;

export const hostNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.@:-]*$/, 'letters, digits and . _ - @ : only');

export { RESERVED_HOST_ID_PREFIXES, reservedHostIdReason } from './host-id';

/** The name of a saved host: a plain name that is not reserved (see reservedHostIdReason). */
export const savedHostIdSchema = hostNameSchema.superRefine((id, ctx) => {
  const why = reservedHostIdReason(id);
  if (why) ctx.addIssue({ code: 'custom', message: `${why}; choose another name` });
});

/**
 * How a login may change the firewall: as root, or through firewalld's own authorization (polkit
 * allows this user firewalld's actions; the bus bridge always runs as the login user, never
 * through sudo). `actions` are firewalld's polkit actions with polkit's answer for this login,
 * asked without interaction; HostDeck's firewalld client asks for org.fedoraproject.FirewallD1.all
 * once per connection (as firewall-cmd does), so that one decides.
 */
export const firewallPrivilegeSchema = z.object({
  route: z.enum(['root', 'polkit', 'none', 'unknown']),
  /** Whether polkit answers on the host's system bus (null: not asked). Without it firewalld serves uid 0 only, even reads. */
  polkit: z.boolean().nullable(),
  actions: z.array(z.object({ id: z.string(), allowed: z.boolean() })),
  /** What is missing, in plain words (null when nothing is). */
  message: z.string().nullable(),
  /** The polkit rule to add on the host when the login may not change the firewall. */
  polkitRule: z.object({ path: z.string(), text: z.string() }).nullable(),
});
export type FirewallPrivilege = z.infer<typeof firewallPrivilegeSchema>;

/** What the login may do, per route: files and kernel parameters (`mode`), and the firewall (`firewall`). */
export const privilegeSchema = z.object({
  /**
   * Files (/etc/resolv.conf, /etc/sysctl.d) and kernel parameters: root login; sudo: `sudo -n` of
   * HostDeck's installed helper (its fixed verbs only); none: reads only.
   */
  mode: z.enum(['root', 'sudo', 'none', 'unknown']),
  user: z.string().nullable(),
  /** What is missing or wrong for files and kernel parameters, in plain words (null when nothing is). */
  message: z.string().nullable(),
  /** The exact line to add with visudo when sudo -n of the helper is refused (it names the helper only). */
  sudoersLine: z.string().nullable(),
  /** Whether HostDeck's helper is installed at its fixed path (needed for sudo writes). */
  helperInstalled: z.boolean().nullable(),
  /** The installed helper is not the one this HostDeck carries (sudo route): what to reinstall; writes wait for it. */
  helperOutdated: z.string().nullable().default(null),
  firewall: firewallPrivilegeSchema,
});
export type HostPrivilege = z.infer<typeof privilegeSchema>;

export const remoteHostSchema = z.object({
  id: hostNameSchema,
  destination: z.string(),
  state: hostLinkStateSchema,
  message: z.string(),
  /** SHA256 fingerprint to compare and accept (host-key-unknown), or the new one (host-key-changed). */
  fingerprint: z.string().nullable(),
  keyType: z.string().nullable(),
  /** ssh's own words for the last failure (the changed-key warning, "Permission denied"). */
  sshSays: z.string().nullable(),
  since: z.number(),
  /** When the host last answered (ms since the epoch; null: not since HostDeck started). */
  lastSeen: z.number().nullable(),
  /** When HostDeck tries to reconnect next while the link is down (null: not scheduled). */
  nextReconnect: z.number().nullable(),
  /** identity, privilege and firewalld are what the host said when it was last seen, not now. */
  stale: z.boolean(),
  identity: z
    .object({ hostname: z.string(), os: z.string(), kernel: z.string(), user: z.string(), uid: z.number() })
    .nullable(),
  privilege: privilegeSchema,
  /** Whether firewalld answers on the host's system bus (null: not checked yet). */
  firewalld: z.enum(['running', 'not-running', 'no-access']).nullable(),
  firewalldMessage: z.string().nullable(),
  /** Groups from the Ansible inventory the host was imported from (`@web` names them on the command line). */
  groups: z.array(groupNameSchema).default([]),
  /** What the inventory says about privilege (ansible_become*): shown; HostDeck's own writes still go through sudo -n of its helper. */
  become: becomeSchema.nullable().default(null),
  /** ssh options the host carries beyond its destination (IdentityFile, ProxyJump, ...: see ssh-options.ts). */
  sshOptions: z.array(z.string()).default([]),
  /** The Ansible inventory the host was imported from (absolute path): compare's fix playbooks run against it. */
  inventory: z.string().nullable().default(null),
});
export type RemoteHost = z.infer<typeof remoteHostSchema>;

const idInput = z.object({ id: hostNameSchema });

export const hostsContract = {
  list: operation({
    summary: 'Saved remote hosts with their connection state',
    input: z.object({}),
    output: z.object({ hosts: z.array(remoteHostSchema) }),
  }),
  add: operation({
    summary: 'Save a remote host by ssh destination (an ssh_config alias or user@host[:port]) and make first contact',
    input: z.object({ destination: z.string().min(1).max(300), name: savedHostIdSchema.optional() }),
    output: z.object({ host: remoteHostSchema }),
  }),
  remove: operation({
    summary: 'Forget a saved remote host (ends its connection; known_hosts is left as it is)',
    input: idInput,
    output: z.object({ removed: z.boolean() }),
  }),
  check: operation({
    summary: 'Connect (or reconnect) to a host and report its state: host key, login, privilege, firewalld',
    input: idInput,
    output: z.object({ host: remoteHostSchema }),
  }),
  acceptHostKey: operation({
    summary: "Accept a host's key after comparing its fingerprint: ssh writes it to known_hosts, then HostDeck connects",
    input: idInput.extend({ fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'a SHA256:... fingerprint as ssh prints it') }),
    output: z.object({ host: remoteHostSchema }),
  }),
  replaceHostKey: operation({
    summary:
      "Review and replace a host's key: only when the host presents exactly this fingerprint, the old key is removed from the known_hosts files ssh uses (ssh-keygen -R) and ssh writes the new one",
    input: idInput.extend({ fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'a SHA256:... fingerprint as ssh prints it') }),
    output: z.object({ host: remoteHostSchema, knownHostsEdited: z.array(z.string()) }),
  }),
  installHelper: operation({
    summary: "Install HostDeck's helper at its fixed path on a host you log in to as root (sudo users: see the printed steps)",
    input: idInput,
    output: z.object({ installed: z.boolean(), path: z.string(), steps: z.array(z.string()) }),
  }),
  importInventory: operation({
    summary:
      'Save the hosts of an Ansible inventory (read with ansible-inventory --list; --limit matched by ansible itself): destination, groups, key, jump host and become settings; never a password or a vaulted value',
    input: z.object({ inventory: z.string().min(1).max(4096), limit: z.string().min(1).max(1000).optional() }),
    output: z.object({
      added: z.array(z.string()),
      updated: z.array(z.string()),
      skipped: z.array(z.object({ host: z.string(), reason: z.string() })),
      notes: z.array(z.string()),
    }),
  }),
} satisfies FeatureContract;

export const hostsEvents = {
  /** A saved host's state changed (connected, lost, key unknown, ...), or the list changed (host: null). */
  'hosts.changed': z.object({ host: remoteHostSchema.nullable(), removed: z.string().nullable() }),
} satisfies EventContract;
