import type { Command } from 'commander';
import { ApiError } from '../../shared/api/errors';
import type { CliContext } from '../cli/context';

/** "--expect-sha256" as given: 64 hex digits, "none" (must not exist), or undefined (the file as it is now). */
function expectedSha(v: string | undefined): string | null | undefined {
  if (v === undefined) return undefined;
  if (v === 'none') return null;
  if (/^[0-9a-fA-F]{64}$/.test(v)) return v.toLowerCase();
  throw new ApiError('INVALID_INPUT', `--expect-sha256 takes the 64 hex digits sha256sum prints, or none, not "${v}"`);
}

/**
 * `hostdeck kernel profile show|save|delete NAME`: the Profile tab's reads and writes of
 * /etc/sysctl.d/NAME.conf, through the same API (the helper, backups, "changed since read").
 */
export function registerProfileCommands(kernel: Command, cli: CliContext, settingsFromFile: (file: string) => { key: string; value: string }[]): void {
  const profile = kernel.command('profile').description('sysctl.d profiles in /etc/sysctl.d: show, save, delete (through the helper, backed up)');

  profile
    .command('show')
    .description('print /etc/sysctl.d/NAME.conf as HostDeck reads it, with its sha256 (for --expect-sha256)')
    .argument('<name>', 'profile name, e.g. 90-app (".conf" optional)')
    .option('--root <dir>', "another system's root directory (an image)")
    .option('--json', 'print JSON')
    .action(cli.action(async (name: string, o: { root?: string; json?: boolean }) => {
      const r = await cli.api({ root: o.root }).kernel.readProfile({ name });
      cli.print(r, !!o.json, (d) =>
        [`# ${d.path}${d.exists ? ` sha256 ${d.sha256}` : ' (does not exist)'}`, ...d.settings.map((s) => `${s.key} = ${s.value}`), ...d.warnings.map((w) => `# ${w.severity}: ${w.file}:${w.line}: ${w.message}`)].join('\n'),
      );
    }));

  profile
    .command('save')
    .description('write the settings of a sysctl.d file or TuneD profile (FILE) to /etc/sysctl.d/NAME.conf; refused if it changed since you read it')
    .argument('<name>', 'profile name, e.g. 90-app (".conf" optional)')
    .requiredOption('--from <file>', 'sysctl.d file or TuneD profile with the settings')
    .option('--expect-sha256 <hex>', 'sha256 of the profile as you read it (`kernel profile show`); "none" when it must not exist. Without it, the file as it is now')
    .option('--root <dir>', "another system's root directory (an image)")
    .option('--json', 'print JSON')
    .action(cli.action(async (name: string, o: { from: string; expectSha256?: string; root?: string; json?: boolean }) => {
      const settings = settingsFromFile(o.from);
      if (!settings.length) throw new ApiError('INVALID_INPUT', `${o.from} sets no sysctl`);
      const api = cli.api({ root: o.root });
      let expectedSha256 = expectedSha(o.expectSha256);
      if (expectedSha256 === undefined) {
        const now = await api.kernel.readProfile({ name });
        expectedSha256 = now.sha256;
        cli.warnPiped(`no --expect-sha256: saving over ${now.path} as it is now (${now.sha256 ?? 'absent'}), without checking that it is the version you read`);
      }
      const r = await api.kernel.saveProfile({ name, settings, expectedSha256 });
      cli.print(r, !!o.json, (d) => [`saved ${d.path} (sha256 ${d.sha256})`, ...(d.backupPath ? [`previous version: ${d.backupPath} (hostdeck helper restore)`] : []), 'The live kernel is unchanged: `hostdeck kernel apply --from FILE` applies it now, systemd-sysctl at the next boot.'].join('\n'));
    }));

  profile
    .command('delete')
    .description('delete /etc/sysctl.d/NAME.conf (backed up first); refused if it changed since you read it')
    .argument('<name>', 'profile name, e.g. 90-app (".conf" optional)')
    .option('--expect-sha256 <hex>', 'sha256 of the profile as you read it (`kernel profile show`). Without it, the file as it is now')
    .option('--root <dir>', "another system's root directory (an image)")
    .option('--json', 'print JSON')
    .action(cli.action(async (name: string, o: { expectSha256?: string; root?: string; json?: boolean }) => {
      const api = cli.api({ root: o.root });
      let expectedSha256 = expectedSha(o.expectSha256);
      if (expectedSha256 === null) throw new ApiError('INVALID_INPUT', '--expect-sha256 none: a profile that must not exist cannot be deleted');
      if (expectedSha256 === undefined) {
        const now = await api.kernel.readProfile({ name });
        if (!now.exists || !now.sha256) throw new ApiError('NOT_FOUND', `${now.path} does not exist`);
        expectedSha256 = now.sha256;
      }
      const r = await api.kernel.deleteProfile({ name, expectedSha256 });
      cli.print(r, !!o.json, (d) => `deleted ${d.path}; previous version: ${d.backupPath} (hostdeck helper restore)`);
    }));
}
