import path from 'node:path';
import { ApiError } from '../../shared/api/errors';
import type { HelperRequest, HelperResponse } from '../../shared/helper/protocol';
import { TreeTransport, type TreeTransportOptions } from './tree-transport';
import type { HelperOptions } from './transport';
import type { HostCapabilities } from '../../shared/hosts/capabilities';

/**
 * Another system's root on this machine (`--root DIR`: an image, a mounted disk). Every path is
 * resolved inside DIR as if chrooted and a file that turns out to lie outside is refused
 * (file-reader.ts). An image has no running kernel or bus of its own: live values come from
 * `procSys` (this machine's running kernel unless told otherwise, and liveSource says so) and
 * the bus is the one given explicitly (or this machine's).
 */
export class ImageTransport extends TreeTransport {
  protected readonly ownMachine = false;
  /** A bus given with the image (tests' sandboxes, --bus): its firewalld is the image's. Without one the firewall is the image's files. */
  private readonly busGiven: boolean;

  constructor(opts: TreeTransportOptions) {
    if (!opts.root.startsWith('/') || opts.root === '/') throw new ApiError('INVALID_VALUE', `An image root must be an absolute directory other than "/", not "${opts.root}"`);
    super({ ...opts, root: opts.root.replace(/\/+$/, '') });
    this.busGiven = opts.busAddress !== undefined;
  }

  capabilities(): HostCapabilities {
    // procSys() of an image reads this machine's running kernel unless a copy was given (liveSource says so).
    const running = this.readsRunningKernelNow();
    const image = `${this.root} is an image`;
    return {
      liveKernel: running,
      // The probe runs on the kernel procSys() reads: this machine's, when that is what the image is compared with.
      freshNamespaceProbe: running,
      // The bus given with the image, or this machine's.
      systemBus: true,
      // The firewalld on a bus given with the image; else the image's configuration files, read as firewalld would load them.
      firewall: this.busGiven ? 'live' : 'offline',
      // The helper runs as this process and writes the image's files; never pkexec (see helper()).
      writes: process.getuid?.() === 0 ? 'root' : 'direct',
      firewallWrites: !this.busGiven ? 'none' : process.getuid?.() === 0 ? 'root' : 'polkit',
      interfaces: false,
      journal: false,
      userNamespaces: false,
      // The ruleset of the firewalld on the bus given with the image (its network namespace), listed as root.
      nftRuleset: this.busGiven && process.getuid?.() === 0 ? 'root' : 'none',
      readOnly: false,
      localBus: true,
      missing: {
        ...(running ? {} : { liveKernel: `${image}: kernel values are read from ${this.procSysDir}, a copy.`, freshNamespaceProbe: `${image}: kernel values come from a copy (${this.procSysDir}), not a kernel a probe could start on.` }),
        interfaces: `${image}: it has no network interfaces of its own.`,
        ...(this.busGiven ? {} : { firewallWrites: `${image}: its firewall is its configuration files (offline configuration), with no firewalld to change.` }),
        journal: `${image}: it has no running journal.`,
        userNamespaces: `${image}: it has no running kernel of its own.`,
        ...(this.busGiven && process.getuid?.() === 0
          ? {}
          : { nftRuleset: this.busGiven ? `${image}: listing the ruleset of the firewalld on its bus needs root.` : `${image}: it has no running nftables ruleset (explain works from its configuration).` }),
      },
    };
  }

  override displayPath(hostPath: string): string {
    return path.join(this.root, hostPath);
  }

  /**
   * The helper writes the image's own files (--root: same allow-list, same atomic replace and
   * backups under the image's /var/lib/hostdeck), run as this process, never through pkexec: an
   * image HostDeck cannot write as itself is not one pkexec should write as root. Live kernel
   * verbs need a /proc/sys copy given with the image (tests); never this machine's kernel. A
   * firewall-cmd revert timer acts on the bus given with the image (its firewalld). Timer state
   * never lives in the image (its owner could swap IMG/run under a root HostDeck): it is this
   * machine's own (/run/hostdeck as root, the user's runtime dir otherwise; HOSTDECK_RUN_DIR,
   * the tests' scratch dir, since the helper always runs as this process here).
   */
  helper(request: HelperRequest, opts: HelperOptions): Promise<HelperResponse> {
    const firewallTimer = (request.verb === 'schedule-revert' && request.plan.kind === 'firewall-cmd') || request.verb === 'cancel-revert' || request.verb === 'revert-status';
    const live = !firewallTimer && (request.verb === 'sysctl-set' || request.verb === 'schedule-revert');
    if (live && this.procSysDir === '/proc/sys') {
      return Promise.reject(new ApiError('UNSUPPORTED', `${this.root} is an image: it has no running kernel to change (verb ${request.verb})`));
    }
    return this.helperSessions.call(request, firewallTimer ? { ...opts, elevate: false } : opts, {
      root: this.root,
      procSys: this.procSysDir !== '/proc/sys' ? this.procSysDir : undefined,
      runDir: process.env.HOSTDECK_RUN_DIR || undefined,
      busAddress: this.bus,
    });
  }
}
