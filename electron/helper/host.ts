import path from 'node:path';
import type { HelperRequest, HelperResponse } from '../../shared/helper/protocol';
import type { Host } from '../hosts/host';
import type { HelperOptions } from '../hosts/transport';
import { runLocalHelper, type LocalHelperPlace } from './local';

/**
 * Where the helper acts for a host. The real system: its own /etc, /proc/sys and /run. A host
 * with another root (an image, a test's scratch root) or a copy of /proc/sys: the helper runs as
 * this process with --root/--proc-sys (never through pkexec), and revert timers keep their state
 * in that root's run/hostdeck.
 */
export function helperPlace(host: Host): LocalHelperPlace {
  const place: LocalHelperPlace = { busAddress: host.systemBusAddress };
  if (host.root !== '/') {
    place.root = host.root;
    place.runDir = path.join(host.root, 'run/hostdeck');
  }
  if (host.procSys !== '/proc/sys') place.procSys = host.procSys;
  return place;
}

/** Runs one helper verb for a host. */
export function hostHelper(host: Host, request: HelperRequest, opts: HelperOptions): Promise<HelperResponse> {
  return runLocalHelper(request, opts, helperPlace(host));
}
