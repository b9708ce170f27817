import { Option } from 'commander';
import type { RegisterCommands } from '../cli/context';
import { MAX_COMPARE_HOSTS } from '../../shared/compare/limits';
import { endEarlyReads, startEarlyReads } from '../hosts/head-start';
import type { CompareOpts, SnapshotOpts } from './cli-options';

/** `hostdeck snapshot` and `hostdeck compare`. */
export const registerCompareCommands: RegisterCommands = (program, cli) => {
  program
    .command('snapshot')
    .description("Print a host's compared facts as a HostDeck snapshot (JSON): hostdeck snapshot [--host H] > host.json")
    .option('--host <host>', 'the host to read: a saved host or any ssh destination (default: this one)')
    .option('--root <dir>', "read files from another system's root (an image)")
    .option('--inventory <file>', 'read the hosts of an Ansible inventory through ansible-playbook (read-only; become only where the inventory sets it); needs --out')
    .option('--limit <pattern>', 'with --inventory: only hosts matching this Ansible pattern')
    .option('--out <dir>', 'with --inventory: write one snapshot file per host here')
    .option('--forks <n>', "with --inventory: Ansible's parallel connections", (v) => Number(v))
    .option('--json', 'with --inventory: print the per-host outcome as JSON')
    .action(cli.action(async (o: SnapshotOpts) => {
      const { snapshotCommand } = await import('./cli-run');
      await snapshotCommand(cli, o);
    }));

  program
    .command('compare')
    .description('Compare 2 to 50 hosts side by side (names, ssh destinations, or files: snapshots, sysctl -a, resolv.conf, firewall-cmd --list-all-zones), or summarize a fleet of any size (--summary)')
    .argument('[hosts...]', 'hosts: NAME, FILE, NAME=FILE, @GROUP (saved hosts of an inventory group) or DIR (its snapshot files)')
    .option('--summary', 'per key the distinct values and how many hosts hold each, and the kinds of host (any number of files; at most 50 live hosts)')
    .option('--limit <pattern>', "only saved hosts matching this Ansible pattern ('web:!web-07'); without hosts, every saved host that matches; with --inventory, the inventory's hosts that match")
    .option('--inventory <file>', 'compare the hosts of an Ansible inventory, read through ansible-playbook (read-only; become only where the inventory sets it)')
    .option('--forks <n>', "with --inventory: Ansible's parallel connections", (v) => Number(v))
    .option('--keep', 'with --inventory: keep the collected snapshots (their directory is printed) instead of removing them')
    .option('--baseline <host>', 'the host the others are compared with (default: the first)')
    .addOption(new Option('--only <section...>', 'only these sections').choices(['sysctl', 'dns', 'firewall']))
    .option('--json', 'print the comparison as JSON (the differing rows; with --all every row)')
    .option('--markdown', 'print the differences as Markdown')
    .option('--csv', 'print the differences as CSV')
    .option('--all', 'include the facts that are the same everywhere')
    .addOption(new Option('--layer <layer>', "firewalld layer; both: each live firewalld's runtime and permanent side by side (the default when an image's files are compared with a live firewalld)").choices(['runtime', 'permanent', 'both']))
    .option('--dns-name <name>', 'name whose DNS query plan is compared', 'example')
    .option('--k8s <version>', 'Kubernetes version for the verdicts', '1.33')
    .addOption(new Option('--fix <format>', 'print what makes the other hosts like the baseline').choices(['ansible', 'sysctl', 'firewall-cmd']))
    .option('--keys <globs>', 'with --fix: only these sysctls (comma-separated, * allowed)')
    .option('--zones <names>', 'with --fix: only these zones, policies and ipsets (names or kind:name, comma-separated, * allowed)')
    .option('--become', 'with --fix ansible: become root through sudo')
    .option('--confirm-weakening <keys>', 'with --fix: include these security-weakening baseline values (comma-separated keys; the fix lists what each weakens)')
    .option('--root <dir>', "the local host reads files from another system's root")
    .action(cli.action(async (given: string[], o: CompareOpts) => {
      // The hosts' first ssh sessions start before the rest of the compare is loaded.
      // (Not for a compare refused before reading: more than 50 hosts, an inventory's, a summary's.)
      // Each host's request is what decides it: the sections and how they are read.
      if (!o.inventory && !o.summary && given.length <= MAX_COMPARE_HOSTS) startEarlyReads(given, JSON.stringify(['compare', o.only ?? null, o.layer ?? null, o.dnsName, o.root ?? null]));
      try {
        const { compareCommand } = await import('./cli-run');
        await compareCommand(cli, given, o);
      } finally {
        await endEarlyReads();
      }
    }));
};
