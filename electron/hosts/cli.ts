import { createInterface } from 'node:readline/promises';
import type { RemoteHost } from '../../shared/hosts/contract';
import type { RegisterCommands } from '../cli/context';

/** `hostdeck hosts list|add|remove|check|replace-key|install-helper`: the saved remote hosts (hosts.json). */
export const registerHostsCommands: RegisterCommands = (program, cli) => {
  const hosts = program.command('hosts').description('remote hosts over SSH: saved in $XDG_CONFIG_HOME/hostdeck/hosts.json; use one with --host NAME');
  // These manage HostDeck's own list: never routed to a remote host.
  const api = () => cli.api(undefined, { local: true }).hosts;

  hosts
    .command('list')
    .description('saved hosts and their state')
    .option('--json', 'print JSON')
    .action(cli.action(async (o: { json?: boolean }) => {
      const r = await api().list({});
      cli.print(r, !!o.json, (d) => (d.hosts.length ? d.hosts.map((h) => `${h.id}\t${h.destination}\t${h.state}${h.groups.length ? `\t@${h.groups.join(' @')}` : ''}`).join('\n') : 'No saved hosts. Add one: hostdeck hosts add user@host'));
    }));

  hosts
    .command('add <destination>')
    .description('save a host by ssh destination (an ssh_config alias or user@host[:port]) and connect')
    .option('--name <name>', 'name to use with --host (default: the destination)')
    .option('--accept <fingerprint>', "accept this SHA256 host key fingerprint (compare it with the host's first)")
    .option('--json', 'print JSON')
    .action(cli.action(async (destination: string, o: { name?: string; accept?: string; json?: boolean }) => {
      let { host } = await api().add({ destination, name: o.name });
      if (host.state === 'host-key-unknown' && host.fingerprint) {
        let accept = o.accept;
        if (!accept && process.stdin.isTTY && !o.json) {
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          const a = await rl.question(`${host.message}\nAccept ${host.fingerprint}? [y/N] `);
          rl.close();
          if (/^y(es)?$/i.test(a.trim())) accept = host.fingerprint;
        }
        if (accept) host = (await api().acceptHostKey({ id: host.id, fingerprint: accept })).host;
      }
      cli.print({ host }, !!o.json, (d) => describeHost(d.host));
      if (host.state !== 'connected') process.exitCode = 1;
    }));

  hosts
    .command('import')
    .description('save the hosts of an Ansible inventory (read by ansible-inventory --list: INI, YAML, plugins, scripts), with their groups, key, jump host and become settings; never a password or a vaulted value. Use a group as @NAME (hostdeck compare @web)')
    .requiredOption('--inventory <file>', 'the inventory (any source ansible -i takes)')
    .option('--limit <pattern>', "only hosts matching this Ansible pattern (ansible's own matching: 'web:!web-07', 'web:&eu', 'db*')")
    .option('--json', 'print JSON')
    .action(cli.action(async (o: { inventory: string; limit?: string; json?: boolean }) => {
      const r = await api().importInventory({ inventory: o.inventory, limit: o.limit });
      cli.print(r, !!o.json, (d) =>
        [
          `${d.added.length} added, ${d.updated.length} updated, ${d.skipped.length} skipped`,
          ...d.added.map((h) => `  + ${h}`),
          ...d.updated.map((h) => `  ~ ${h}`),
          ...d.skipped.map((s) => `  ! ${s.host}: ${s.reason}`),
          ...d.notes.map((n) => `  note: ${n}`),
          d.added.length || d.updated.length ? 'Check each host (host key, login, privilege): hostdeck hosts check NAME' : '',
        ].filter(Boolean).join('\n'),
      );
      if (r.skipped.length) process.exitCode = 2;
    }));

  hosts
    .command('remove <name>')
    .description('forget a saved host (known_hosts is left as it is)')
    .action(cli.action(async (name: string) => {
      const r = await api().remove({ id: name });
      cli.print(r, false, (d) => (d.removed ? `Removed ${name}` : `No saved host called ${name}`));
      if (!r.removed) process.exitCode = 1;
    }));

  hosts
    .command('check <name>')
    .description('connect and report: host key, login, what the login may change per route (files and kernel: root, sudo -n of the helper, or the sudoers line to add; firewall: root, polkit, or the rule to add), firewalld')
    .option('--json', 'print JSON')
    .action(cli.action(async (name: string, o: { json?: boolean }) => {
      const r = await api().check({ id: name });
      cli.print(r, !!o.json, (d) => describeHost(d.host));
      if (r.host.state !== 'connected') process.exitCode = 1;
    }));

  hosts
    .command('replace-key <name>')
    .description("after a host's key changed (or was removed from known_hosts): check it presents exactly the reviewed fingerprint, drop the old key from the known_hosts files ssh uses, write the new one, connect")
    .requiredOption('--accept <fingerprint>', "the SHA256 fingerprint you compared with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub there)")
    .option('--json', 'print JSON')
    .action(cli.action(async (name: string, o: { accept: string; json?: boolean }) => {
      const r = await api().replaceHostKey({ id: name, fingerprint: o.accept });
      cli.print(r, !!o.json, (d) => [d.knownHostsEdited.length ? `Removed the old key of ${name} from ${d.knownHostsEdited.join(', ')}` : `No old key of ${name} was on file`, describeHost(d.host)].join('\n'));
      if (r.host.state !== 'connected') process.exitCode = 1;
    }));

  hosts
    .command('install-helper <name>')
    .description("install HostDeck's helper on a host you log in to as root (sudo users: prints the steps)")
    .action(cli.action(async (name: string) => {
      const r = await api().installHelper({ id: name });
      cli.print(r, false, (d) => (d.installed ? `Installed ${d.path} on ${name}` : `Log in as root or run these steps:\n  ${d.steps.join('\n  ')}`));
    }));
};

export function describeHost(h: RemoteHost): string {
  const lines = [`${h.id} (${h.destination}): ${h.state}`, `  ${h.message}`];
  if (h.groups.length) lines.push(`  groups: ${h.groups.join(', ')}`);
  if (h.sshOptions.length) lines.push(`  ssh options: ${h.sshOptions.join(' ')}`);
  if (h.become) lines.push(`  inventory become: ${h.become.method} to ${h.become.user} (HostDeck's own writes use sudo -n of its helper)`);
  if (h.identity) lines.push(`  ${h.identity.hostname}: ${h.identity.os}, kernel ${h.identity.kernel}, logged in as ${h.identity.user}`);
  if (h.state === 'host-key-unknown' && h.fingerprint) lines.push(`  accept with: hostdeck hosts replace-key ${h.id} --accept ${h.fingerprint}`);
  if (h.sshSays && h.state === 'host-key-changed') lines.push(`  ssh says:\n    ${h.sshSays.split('\n').join('\n    ')}`);
  lines.push(...describePrivilege(h));
  if (h.firewalld) lines.push(`  firewalld: ${h.firewalld}${h.firewalldMessage ? ` - ${h.firewalldMessage}` : ''}`);
  return lines.join('\n');
}

/** Per route: what this login may change, and what to add on the host when it may not. */
function describePrivilege(h: RemoteHost): string[] {
  const p = h.privilege;
  const lines: string[] = [];
  const who = p.user ?? 'this login';
  const files = {
    root: 'yes (root login)',
    sudo: `yes, through "sudo -n" of HostDeck's helper (its fixed verbs on /etc/resolv.conf, /etc/sysctl.d and sysctl only)`,
    none: 'no, read-only',
    unknown: null,
  }[p.mode];
  if (files) lines.push(`  files and kernel parameters: ${files}${p.message ? ` - ${p.message}` : ''}`);
  if (p.sudoersLine) lines.push(`  sudoers line (visudo -f /etc/sudoers.d/hostdeck): ${p.sudoersLine}`);
  const fw = p.firewall;
  const firewall = {
    root: 'yes (root login)',
    polkit: `yes, polkit allows ${who} firewalld's actions (its D-Bus API only)`,
    none: 'no',
    unknown: fw.message ? 'unknown' : null,
  }[fw.route];
  if (firewall) lines.push(`  firewall: ${firewall}${fw.message ? ` - ${fw.message}` : ''}`);
  if (fw.actions.length) lines.push(`  polkit for ${who}: ${fw.actions.map((a) => `${a.id.replace('org.fedoraproject.FirewallD1.', '')}=${a.allowed ? 'yes' : 'no'}`).join(' ')}`);
  if (fw.polkitRule) lines.push(`  polkit rule (${fw.polkitRule.path}):\n    ${fw.polkitRule.text.trimEnd().split('\n').join('\n    ')}`);
  return lines;
}
