import type { HelperRequest, HelperResponse } from '../../shared/helper/protocol';
import type { Host } from '../api/context';
import type { HelperOptions } from './local';

/**
 * Runs one helper verb for a host, through its transport: this machine (pkexec, or directly as
 * root; a /proc/sys copy in tests), an image root (--root, as this process) or an SSH host.
 */
export function hostHelper(host: Host, request: HelperRequest, opts: HelperOptions): Promise<HelperResponse> {
  return host.transport.helper(request, opts);
}

/**
 * One user action that makes several helper calls (a history restore, a firewall offline save of
 * several files): through one helper session where the host's transport offers one, so it starts
 * the helper (and asks for authorization) once. Each verb is still judged by the helper alone.
 */
export function withHelperSession<T>(host: Host, fn: () => Promise<T>): Promise<T> {
  return host.transport.helperSession ? host.transport.helperSession(fn) : fn();
}
