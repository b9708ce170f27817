import { ApiError } from '../../../shared/api/errors';
import type { Host } from '../../hosts/transport';
import { readNftRuleset } from '../rules';

/**
 * The host's running nftables ruleset (`nft -j list ruleset`), read, never written, the way the
 * rules view reads it (the helper's read-only verb, in the network namespace firewalld runs in):
 * as root directly, as a desktop user through pkexec, over SSH through a root login or sudo -n.
 */
export async function readHostRuleset(host: Host): Promise<{ ruleset: unknown }> {
  const caps = host.transport.capabilities();
  if (caps.firewall !== 'live') throw new ApiError('UNSUPPORTED', `A trace needs the host's running firewall: ${caps.missing.firewall ?? 'this host has only a record of it'}. Explain answers from the record.`);
  const ruleset = await readNftRuleset(host);
  if (!Array.isArray((ruleset as { nftables?: unknown })?.nftables)) throw new ApiError('PARSE_ERROR', 'nft -j list ruleset: no "nftables" array');
  return { ruleset };
}
