import type { Command } from 'commander';
import type { PreviewReport } from '../../../shared/firewall/preview/contract';
import type { CliContext } from '../../cli/context';
import { rulesText } from '../rules-cli';

interface PreviewOpts {
  root?: string;
  offline?: boolean;
  bus?: string;
  zone?: string;
  policy?: string;
  json?: boolean;
}

export const previewText = (r: PreviewReport, all: boolean): string => rulesText(r, all);

/**
 * `hostdeck firewall preview [--root DIR | --offline] [--zone Z | --policy P] [--json]` (with the
 * global --host): the rules a configuration would make. It always reads the configuration files
 * (the permanent configuration), so --offline only says so.
 */
export function registerPreviewCommand(fw: Command, cli: CliContext): void {
  fw.command('preview')
    .description('Preview the rules: the nftables ruleset firewalld would make from the configuration files (an image with --root, this or an SSH host\'s permanent configuration), from a throwaway firewalld in its own namespaces; nothing on the host changes; needs root on this machine')
    .option('--root <dir>', "another system's root directory (an image)")
    .option('--offline', 'the configuration files of the host (the default: preview always reads the files)')
    .option('--zone <zone>', "only this zone's chains")
    .option('--policy <policy>', "only this policy's chains")
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o: PreviewOpts) => {
        const r = await cli.api({ root: o.root, systemBusAddress: o.bus }).firewall.preview({ zone: o.zone, policy: o.policy });
        cli.print(r, !!o.json, (x) => previewText(x, !!(o.zone || o.policy)));
      }),
    );
}
