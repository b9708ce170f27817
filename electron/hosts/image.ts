import { ApiError } from '../../shared/api/errors';
import type { HelperRequest, HelperResponse } from '../../shared/helper/protocol';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLocalHelper } from '../helper/local';
import { TreeTransport, type TreeTransportOptions } from './tree-transport';
import type { HelperOptions } from './transport';

/**
 * Another system's root on this machine (`--root DIR`: an image, a mounted disk). Every path is
 * resolved inside DIR as if chrooted and a file that turns out to lie outside is refused
 * (file-reader.ts). An image has no running kernel or bus of its own: live values come from
 * `procSys` (this machine's running kernel unless told otherwise, and liveSource says so) and
 * the bus is the one given explicitly (or this machine's).
 */
export class ImageTransport extends TreeTransport {
  readonly kind = 'image' as const;

  constructor(opts: TreeTransportOptions) {
    if (!opts.root.startsWith('/') || opts.root === '/') throw new ApiError('INVALID_VALUE', `An image root must be an absolute directory other than "/", not "${opts.root}"`);
    super({ ...opts, root: opts.root.replace(/\/+$/, '') });
  }

  helper(request: HelperRequest, opts: HelperOptions): Promise<HelperResponse> {
    // A firewall-cmd revert timer acts on the bus given with the image (its firewalld), not on the
    // image; its state lives under the image's run/hostdeck. Everything else changes a running
    // system (its /etc through pkexec, its live kernel); an image is neither running nor reachable by it.
    const revertTimer = (request.verb === 'schedule-revert' && request.plan.kind === 'firewall-cmd') || request.verb === 'cancel-revert' || request.verb === 'revert-status';
    if (revertTimer) {
      // The timer's bookkeeping is HostDeck's, not the image's: it stays on this machine, private.
      const runDir = join(tmpdir(), `hostdeck-reverts-${process.getuid?.() ?? 'user'}`);
      mkdirSync(runDir, { recursive: true, mode: 0o700 });
      return this.busAddress().then((busAddress) => runLocalHelper(request, { ...opts, elevate: false }, { root: this.root, runDir, busAddress }));
    }
    return Promise.reject(new ApiError('UNSUPPORTED', `The privileged helper runs on live systems; ${this.root} is an image (verb ${request.verb})`));
  }
}
