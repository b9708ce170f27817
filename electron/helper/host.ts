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
