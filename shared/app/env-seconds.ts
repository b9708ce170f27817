import { ApiError } from '../api/errors';

/**
 * A time setting from the environment (HOSTDECK_SSH_PERSIST, HOSTDECK_HELPER_KEEP,
 * HOSTDECK_AGENT_KEEP): whole seconds from 0 to `max`, or "no"/"off" for 0; `fallback` when
 * unset or empty. Anything else is refused, naming the variable and what it takes.
 */
export function envSeconds(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number, max: number): number {
  const v = (env[name] ?? '').trim().toLowerCase();
  if (v === '') return fallback;
  if (v === 'no' || v === 'off') return 0;
  if (!/^\d{1,6}$/.test(v) || Number(v) > max) throw new ApiError('INVALID_VALUE', `${name}=${JSON.stringify(env[name])}: give whole seconds from 0 to ${max}, or "no"`);
  return Number(v);
}
