import type { Command } from 'commander';
import type { RegisterCommands } from '../cli/context';
import { installHelperFiles } from './install-files';
import { POLKIT_ACTION_ID } from './source';

/** `hostdeck helper ...`: whether HostDeck can change this host, the manual install, backups, revert timers. */
export const registerHelperCommands: RegisterCommands = (program: Command, cli) => {
  const helper = program.command('helper').description('The privileged helper: status, manual install (AppImage), backups, revert timers');

  helper
    .command('status')
    .description('Whether HostDeck can change this host (root or pkexec) and, if not, what is missing and the commands that fix it')
    .option('--json', 'print JSON')
    .action(cli.action(async (o: { json?: boolean }) => {
      const s = await cli.api().helper.status({});
      cli.print(s, !!o.json, (d) =>
        d.available
          ? `Changes go through ${d.via === 'pkexec' ? `pkexec (polkit action ${d.actionId}, helper ${d.installPath})` : d.via === 'root' ? 'the helper run directly (HostDeck runs as root)' : 'the helper run directly'}.`
          : [`HostDeck cannot change this host yet:`, ...d.missing.map((m) => `  - ${m.what}\n    fix: ${m.fix}`), '', 'Manual install (AppImage or a checkout):', ...d.manualSteps.map((s) => `  ${s}`)].join('\n'),
      );
      if (!s.available) process.exitCode = 1;
    }));

  helper
    .command('install-files')
    .description('Write the helper and its polkit policy for `sudo install` (when no deb/rpm package installed them): into a new private directory it prints, or into DIR, a directory of yours no one else can write')
    .argument('[dir]', 'a directory you own, not writable by group or others, reached without symbolic links (default: a new private one)')
    .action(cli.action((dir: string | undefined) => {
      const r = installHelperFiles(dir);
      process.stdout.write(`Wrote ${r.helper} and ${r.policy} (directory ${r.dir}, private to you). Install them as root:\n${r.commands.map((c) => `  ${c}`).join('\n')}\n`);
    }));

  helper
    .command('backups')
    .description('The backups the helper keeps of a file (/etc/resolv.conf, /etc/sysctl.d/NAME.conf), newest first. They are readable by root only: as a desktop user, polkit asks for authorization to list them')
    .argument('<path>', 'host path of the file')
    .option('--json', 'print JSON')
    .action(cli.action(async (p: string, o: { json?: boolean }) => {
      const api = cli.api();
      // The backup directory is root's (0700): through pkexec even a listing is authorized first. Say so before the prompt.
      if ((await api.helper.status({})).via === 'pkexec') cli.note(`the backups in /var/lib/hostdeck/backups are readable by root only: pkexec asks for authorization (${POLKIT_ACTION_ID}) to list them`);
      const r = await api.helper.backups({ path: p });
      cli.print(r, !!o.json, (d) => (d.backups.length ? [`${d.directory}:`, ...d.backups.map((b) => `  ${b.name}  ${b.size} bytes  sha256 ${b.sha256.slice(0, 12)}`)].join('\n') : `No backups of ${d.path}`));
    }));

  helper
    .command('restore')
    .description('Put a backup back in place (the current content is backed up first)')
    .argument('<path>', 'host path of the file')
    .argument('<backup>', 'backup name from `hostdeck helper backups`')
    .requiredOption('--expected <sha256>', 'sha256 of the current content (`sha256sum PATH`), or "none" when the file does not exist')
    .option('--json', 'print JSON')
    .action(cli.action(async (p: string, backup: string, o: { expected: string; json?: boolean }) => {
      const r = await cli.api().helper.restore({ path: p, backup, expectedSha256: o.expected === 'none' ? null : o.expected });
      cli.print(r, !!o.json, (d) => `Restored ${d.path} from ${backup}${d.backup ? ` (previous content kept as ${d.backup})` : ''}`);
    }));

  for (const [name, desc] of [
    ['confirm', 'Keep a change applied with a revert timer (kernel apply --revert-after): stops the timer'],
    ['revert-status', 'State of a revert timer: pending, reverting, reverted, cancelled or failed'],
  ] as const) {
    helper
      .command(name)
      .description(desc)
      .argument('<id>', 'the revert id')
      .option('--json', 'print JSON')
      .action(cli.action(async (id: string, o: { json?: boolean }) => {
        const api = cli.api();
        const r = name === 'confirm' ? await api.helper.confirm({ id }) : await api.helper.revertStatus({ id });
        cli.print(r, !!o.json, (d) => `${d.id}: ${d.status}${'cancelled' in d ? (d.cancelled ? ' (confirmed: the change stays)' : ' (too late to confirm)') : ''}${d.error ? ` — ${d.error}` : ''}`);
        if (name === 'confirm' && !(r as { cancelled?: boolean }).cancelled) process.exitCode = 1;
      }));
  }
};
