import { z } from 'zod';
import { hostNameSchema, reservedHostIdReason } from './contract';
import { parseDestination } from './destination';
import { becomeSchema, groupNameSchema, sshArgsToOptions, sshOptionProblem, sshOptionSchema, type Become } from './ssh-options';

/**
 * Hosts from an Ansible inventory: what `ansible-inventory -i FILE --list` prints, mapped onto
 * HostDeck's SSH hosts. Everything in an inventory is hostile (a shared repository, a dynamic
 * plugin answering from a cloud API): names, addresses and above all `ansible_ssh_common_args`,
 * which ssh would run as a local command (ProxyCommand, LocalCommand, KnownHostsCommand, Match
 * exec). Only a short list of ssh options that name a key, a jump host or an alias is kept, each
 * value checked; any other option refuses the host, with the host, the variable and the value.
 * Secrets (passwords, vaulted values) are never read into anything HostDeck keeps.
 */

/** One host as it is imported (and saved in hosts.json). */
export const inventoryHostSchema = z.object({
  id: hostNameSchema,
  destination: z.string().min(1).max(300),
  groups: z.array(groupNameSchema).max(256),
  sshOptions: z.array(sshOptionSchema).max(16),
  become: becomeSchema.nullable(),
});
export type InventoryHost = z.infer<typeof inventoryHostSchema>;

export interface InventorySkip {
  host: string;
  reason: string;
}

/** Connection variables that hold secrets: never read, never stored, never passed on. */
const SECRET_VARS = /^ansible_(ssh_)?(pass|password)$|^ansible_(become|sudo|su)_(pass|password)$|^ansible_ssh_private_key_passphrase$/;

type Vars = Record<string, unknown>;

/** A value an inventory variable holds, or why it is not used (vaulted: never decrypted, never stored). */
function scalar(vars: Vars, name: string): { value?: string; vaulted?: boolean } {
  const v = vars[name];
  if (v === undefined || v === null) return {};
  if (typeof v === 'object' && v !== null && '__ansible_vault' in v) return { vaulted: true };
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return { value: String(v) };
  return {};
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on|y|t)$/i.test(v.trim());
}

/** The groups of each host (every group it is in, directly or through children), without "all" and "ungrouped". */
function groupsOf(list: Record<string, unknown>): Map<string, Set<string>> {
  const byHost = new Map<string, Set<string>>();
  const children = new Map<string, string[]>();
  const direct = new Map<string, string[]>();
  for (const [name, g] of Object.entries(list)) {
    if (name === '_meta' || typeof g !== 'object' || g === null) continue;
    const o = g as { hosts?: unknown; children?: unknown };
    direct.set(name, Array.isArray(o.hosts) ? o.hosts.filter((h): h is string => typeof h === 'string') : []);
    children.set(name, Array.isArray(o.children) ? o.children.filter((h): h is string => typeof h === 'string') : []);
  }
  const visit = (group: string, seen: Set<string>): string[] => {
    if (seen.has(group)) return [];
    seen.add(group);
    return [...(direct.get(group) ?? []), ...(children.get(group) ?? []).flatMap((c) => visit(c, seen))];
  };
  for (const group of direct.keys()) {
    if (group === 'all' || group === 'ungrouped') continue;
    for (const h of visit(group, new Set())) {
      let s = byHost.get(h);
      if (!s) byHost.set(h, (s = new Set()));
      s.add(group);
    }
  }
  return byHost;
}

/**
 * Maps `ansible-inventory --list` JSON onto HostDeck hosts. `only` (host names ansible matched
 * for a --limit pattern) restricts the result. Hosts that cannot be reached the way HostDeck
 * reaches hosts (another connection plugin, a hostile value) are skipped with the reason;
 * secret and vaulted variables are named in `notes` and otherwise ignored.
 */
export function hostsFromInventory(list: unknown, only?: ReadonlySet<string>): { hosts: InventoryHost[]; skipped: InventorySkip[]; notes: string[] } {
  if (typeof list !== 'object' || list === null || Array.isArray(list)) throw new Error('ansible-inventory --list did not print a JSON object');
  const l = list as Record<string, unknown>;
  const meta = (l._meta as { hostvars?: Record<string, Vars> } | undefined)?.hostvars ?? {};
  const groups = groupsOf(l);
  const names = new Set<string>([...groups.keys(), ...Object.keys(meta)]);
  for (const g of Object.values(l)) {
    const hs = (g as { hosts?: unknown } | null)?.hosts;
    if (Array.isArray(hs)) for (const h of hs) if (typeof h === 'string') names.add(h);
  }
  const hosts: InventoryHost[] = [];
  const skipped: InventorySkip[] = [];
  const notes: string[] = [];
  for (const name of [...names].sort()) {
    if (only && !only.has(name)) continue;
    const vars: Vars = Object.prototype.hasOwnProperty.call(meta, name) && typeof meta[name] === 'object' && meta[name] !== null ? meta[name] : {};
    const skip = (reason: string) => skipped.push({ host: name.slice(0, 200), reason });
    const idOk = hostNameSchema.safeParse(name);
    if (!idOk.success) {
      skip(`the name is not one HostDeck uses for a host (${idOk.error.issues[0]?.message ?? 'invalid'})`);
      continue;
    }
    const reserved = reservedHostIdReason(name);
    if (reserved) {
      skip(`${reserved}: rename the host in the inventory`);
      continue;
    }
    const vaulted = Object.keys(vars).filter((k) => typeof vars[k] === 'object' && vars[k] !== null && '__ansible_vault' in (vars[k] as object));
    const secrets = Object.keys(vars).filter((k) => SECRET_VARS.test(k) && !vaulted.includes(k));
    if (vaulted.length) notes.push(`${name}: vaulted ${vaulted.sort().join(', ')} not read and not stored`);
    if (secrets.length) notes.push(`${name}: ${secrets.sort().join(', ')} not stored (HostDeck keeps no secret; use keys and ssh-agent)`);
    const connection = scalar(vars, 'ansible_connection').value;
    if (connection !== undefined && !['ssh', 'smart', 'paramiko'].includes(connection)) {
      skip(`ansible_connection=${JSON.stringify(connection.slice(0, 40))}: HostDeck reaches hosts over ssh only`);
      continue;
    }
    const conn: Record<string, { value?: string; vaulted?: boolean }> = {};
    for (const v of ['ansible_host', 'ansible_ssh_host', 'ansible_port', 'ansible_ssh_port', 'ansible_user', 'ansible_ssh_user', 'ansible_ssh_common_args', 'ansible_ssh_extra_args', 'ansible_ssh_private_key_file', 'ansible_private_key_file', 'ansible_become', 'ansible_become_method', 'ansible_become_user']) {
      conn[v] = scalar(vars, v);
    }
    const vaultedConn = Object.entries(conn).filter(([, v]) => v.vaulted).map(([k]) => k);
    if (vaultedConn.length) {
      skip(`${vaultedConn.join(', ')} ${vaultedConn.length > 1 ? 'are' : 'is'} vaulted: HostDeck does not decrypt vaulted values nor store them; put connection variables in plain text`);
      continue;
    }
    const address = conn.ansible_host!.value ?? conn.ansible_ssh_host!.value ?? name;
    const port = conn.ansible_port!.value ?? conn.ansible_ssh_port!.value;
    const user = conn.ansible_user!.value ?? conn.ansible_ssh_user!.value;
    if (port !== undefined && !/^\d{1,5}$/.test(port.trim())) {
      skip(`ansible_port ${JSON.stringify(port.slice(0, 40))} is not a port number`);
      continue;
    }
    const hostPart = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
    const text = `${user !== undefined ? `${user}@` : ''}${hostPart}${port !== undefined ? `:${port.trim()}` : ''}`;
    let destination: string;
    try {
      const d = parseDestination(text);
      destination = d.text;
    } catch (e) {
      skip(`ansible_host/ansible_user/ansible_port do not make an ssh destination: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    const sshOptions: string[] = [];
    let refused: string | null = null;
    for (const v of ['ansible_ssh_common_args', 'ansible_ssh_extra_args'] as const) {
      const a = conn[v]!.value;
      if (a === undefined || !a.trim()) continue;
      const r = sshArgsToOptions(a);
      if ('problem' in r) {
        refused = `${v} ${JSON.stringify(a.slice(0, 120))} refused: ${r.problem}`;
        break;
      }
      sshOptions.push(...r.options);
    }
    const key = conn.ansible_ssh_private_key_file!.value ?? conn.ansible_private_key_file!.value;
    if (!refused && key !== undefined) {
      const why = sshOptionProblem(`IdentityFile=${key}`);
      if (why) refused = `ansible_ssh_private_key_file refused: ${why}`;
      else sshOptions.unshift(`IdentityFile=${key}`);
    }
    if (refused) {
      skip(refused);
      continue;
    }
    let become: Become | null = null;
    if (truthy(conn.ansible_become!.value)) {
      const b = becomeSchema.safeParse({ method: conn.ansible_become_method!.value ?? 'sudo', user: conn.ansible_become_user!.value ?? 'root' });
      if (!b.success) {
        skip(`ansible_become_method/ansible_become_user refused: ${b.error.issues[0]?.message ?? 'invalid'}`);
        continue;
      }
      become = b.data;
    }
    const hostGroups = [...(groups.get(name) ?? [])].filter((g) => groupNameSchema.safeParse(g).success).sort();
    hosts.push({ id: name, destination, groups: hostGroups, sshOptions: [...new Set(sshOptions)], become });
  }
  return { hosts, skipped, notes };
}
