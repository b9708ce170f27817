import { ApiError } from '../../shared/api/errors';
import type { HelperRequest, HelperResponse } from '../../shared/helper/protocol';
import type { HelperOptions } from '../hosts/transport';

/**
 * Runs one helper verb on this machine: directly when HostDeck runs as root, through pkexec
 * (HostDeck's own polkit action) otherwise, and unelevated for verbs that need no root.
 * The helper itself lands with the privileged-helper work; until then every verb is refused.
 */
export async function runLocalHelper(request: HelperRequest, _opts: HelperOptions): Promise<HelperResponse> {
  throw new ApiError('UNSUPPORTED', `The privileged helper is not available in this build (verb ${request.verb})`);
}
