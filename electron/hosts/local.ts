import type { HelperRequest, HelperResponse } from '../../shared/helper/protocol';
import { TreeTransport, type TreeTransportOptions } from './tree-transport';
import type { HelperOptions } from './transport';
import type { HostCapabilities } from '../../shared/hosts/capabilities';
import { journalPresent, userNamespacesAllowed } from './machine-facts';
import { readLocalKernelLog, type KernelLogOptions, type KernelLogReader } from './kernel-log';

/** This machine: its files from "/", its /proc/sys, its system bus, the helper through pkexec. */
export class LocalTransport extends TreeTransport {
  protected readonly ownMachine = true;

  constructor(opts: Omit<TreeTransportOptions, 'root'> = {}) {
    super({ ...opts, root: '/' });
  }

  capabilities(): HostCapabilities {
    const live = this.readsRunningKernelNow();
    const userns = userNamespacesAllowed();
    // The helper runs as this process for a /proc/sys copy (tests), as for the helper() below.
    const writes = process.getuid?.() === 0 ? 'root' : this.procSysDir === '/proc/sys' ? 'pkexec' : 'direct';
    return {
      liveKernel: live,
      freshNamespaceProbe: live,
      systemBus: true,
      firewall: 'live',
      writes,
      // firewalld authorizes a non-root caller through polkit (this desktop's agent asks).
      firewallWrites: process.getuid?.() === 0 ? 'root' : 'polkit',
      interfaces: true,
      journal: journalPresent(),
      userNamespaces: userns,
      // nft needs CAP_NET_ADMIN: the helper reads it as this process when root, else through pkexec.
      nftRuleset: process.getuid?.() === 0 ? 'root' : 'helper',
      readOnly: false,
      // This machine's bus: polkit asks through this desktop's agent, and an SSH session into this machine reaches its firewall.
      localBus: true,
      missing: {
        ...(live ? {} : { liveKernel: `Kernel values are read from ${this.procSysDir}, a copy, not from the running kernel.`, freshNamespaceProbe: `Kernel values come from a copy (${this.procSysDir}): no kernel to start a probe on.` }),
        ...(journalPresent() ? {} : { journal: 'This machine has no systemd journal (/run/systemd/journal).' }),
        ...(userns ? {} : { userNamespaces: 'Unprivileged user namespaces are off on this machine (user.max_user_namespaces or kernel.unprivileged_userns_clone).' }),
      },
    };
  }

  kernelLog(opts: KernelLogOptions): KernelLogReader {
    return readLocalKernelLog(opts);
  }

  helper(request: HelperRequest, opts: HelperOptions): Promise<HelperResponse> {
    // A copy of /proc/sys (tests) is passed on; the helper then runs as this process, never pkexec.
    // A firewall-cmd revert plan reaches the firewalld this host's client talks to.
    // HOSTDECK_RUN_DIR moves revert-timer state out of /run/hostdeck (the test suite's scratch dir);
    // honoured only where the helper runs as this process anyway, never to steer a pkexec run.
    const direct = process.getuid?.() === 0 || !opts.elevate;
    const runDir = direct ? process.env.HOSTDECK_RUN_DIR || undefined : undefined;
    return this.helperSessions.call(request, opts, { procSys: this.procSysDir !== '/proc/sys' ? this.procSysDir : undefined, busAddress: this.bus, runDir });
  }
}
