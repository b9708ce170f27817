import { hostname } from 'node:os';
import { JOURNALED_VERBS, type HelperRequest, type HelperResponse } from '../../shared/helper/protocol';
import type { Host } from '../api/context';
import { journalTapFor } from './journal-tap';
import type { HelperOptions } from './local';

/**
 * Runs one helper verb for a host, through its transport: this machine (pkexec, or directly as
 * root; a /proc/sys copy in tests), an image root (--root, as this process) or an SSH host.
 * A journaled verb (a write) says which machine asks (`from`, kept in the helper's journal) and,
 * during a change the history records, asks for the journal since the position last seen.
 */
export async function hostHelper(host: Host, request: HelperRequest, opts: HelperOptions): Promise<HelperResponse> {
  if (!JOURNALED_VERBS.has(request.verb)) return host.transport.helper(request, opts);
  const tap = journalTapFor(host.id);
  const asked = { ...request, from: hostname(), ...(tap ? { journalSince: tap.since } : {}) } as HelperRequest;
  const answer = await host.transport.helper(asked, opts);
  if (tap && answer.ok && answer.journal !== undefined) tap.seen(answer.journal);
  return answer;
}

/**
 * One user action that makes several helper calls (a history restore, a firewall offline save of
 * several files): through one helper session where the host's transport offers one, so it starts
 * the helper (and asks for authorization) once. Each verb is still judged by the helper alone.
 */
export function withHelperSession<T>(host: Host, fn: () => Promise<T>): Promise<T> {
  return host.transport.helperSession ? host.transport.helperSession(fn) : fn();
}
