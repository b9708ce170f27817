import type { HelperRequest, HelperResponse } from '../../shared/helper/protocol';
import type { Host } from '../hosts/host';
import type { HelperOptions } from '../hosts/transport';

/**
 * Runs one helper verb for a host, through its transport: this machine (pkexec, or directly as
 * root; a /proc/sys copy in tests), an image root (--root, as this process) or an SSH host.
 */
export function hostHelper(host: Host, request: HelperRequest, opts: HelperOptions): Promise<HelperResponse> {
  return host.transport.helper(request, opts);
}

/** Whether the helper for this host runs as this process (images, /proc/sys copies) rather than through pkexec. */
export function helperRunsDirect(host: Host): boolean {
  return host.transport.kind === 'image' || host.procSys !== '/proc/sys';
}
