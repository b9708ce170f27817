import { ApiError } from '../../../shared/api/errors';

/**
 * How long the app and `serve` keep each SSH host's read agent after its last read (kept-agent.ts):
 * a minute covers a user refreshing a page or a compare; the one-shot CLI keeps none (it passes
 * nothing: RemoteHostsOptions.keepAgents defaults to 0). Its own small module: the app and serve
 * read the setting at start without loading the SSH transport.
 */
export const DEFAULT_AGENT_KEEP_S = 60;
/** Upper bound of HOSTDECK_AGENT_KEEP: an idle python3 per host should not outlive a working session by much. */
export const AGENT_KEEP_MAX_S = 600;

/** HOSTDECK_AGENT_KEEP: whole seconds from 0 (off: one agent run per read, as the CLI) to 600, or "no"; DEFAULT_AGENT_KEEP_S when unset. */
export function agentKeepSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const v = (env.HOSTDECK_AGENT_KEEP ?? '').trim().toLowerCase();
  if (v === '') return DEFAULT_AGENT_KEEP_S;
  if (v === 'no' || v === 'off') return 0;
  if (!/^\d{1,3}$/.test(v) || Number(v) > AGENT_KEEP_MAX_S) {
    throw new ApiError('INVALID_VALUE', `HOSTDECK_AGENT_KEEP=${JSON.stringify(env.HOSTDECK_AGENT_KEEP)}: give whole seconds from 0 to ${AGENT_KEEP_MAX_S}, or "no"`);
  }
  return Number(v);
}
