import { ApiError } from '../../shared/api/errors';
import type { CliContext } from '../cli/context';
import { snapshotInventory } from './ansible-snapshot';

/** `hostdeck snapshot --inventory FILE [--limit PATTERN] --out DIR [--forks N] [--json]`: per-host progress on stderr, exit 2 when a host failed. */
export async function snapshotInventoryCommand(cli: CliContext, o: { root?: string; inventory?: string; limit?: string; out?: string; forks?: number; json?: boolean }): Promise<void> {
  if (!o.inventory || !o.out) throw new ApiError('INVALID_INPUT', 'snapshot through Ansible needs --inventory FILE and --out DIR');
  if (o.root || cli.host) throw new ApiError('INVALID_INPUT', '--inventory reads the inventory\'s hosts: it takes no --host or --root');
  const rt = await cli.runtime();
  try {
    let n = 0;
    const outcomes = await snapshotInventory({
      rt,
      inventory: o.inventory,
      limit: o.limit,
      out: o.out,
      forks: o.forks,
      onHost: (h) => cli.note(`[${++n}] ${h.host}: ${h.ok ? `${h.file} (${h.sysctls} sysctls)` : h.error}`),
    });
    const failed = outcomes.filter((h) => !h.ok);
    cli.print({ hosts: outcomes }, !!o.json, () => `${outcomes.length - failed.length} of ${outcomes.length} hosts written to ${o.out}${failed.length ? `; failed: ${failed.map((h) => h.host).join(', ')}` : ''}`);
    if (failed.length) process.exitCode = 2;
  } finally {
    await rt.dispose();
  }
}
