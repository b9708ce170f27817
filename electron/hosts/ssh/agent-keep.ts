import { envSeconds } from '../../../shared/app/env-seconds';

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
export const agentKeepSeconds = (env: NodeJS.ProcessEnv = process.env): number => envSeconds(env, 'HOSTDECK_AGENT_KEEP', DEFAULT_AGENT_KEEP_S, AGENT_KEEP_MAX_S);
