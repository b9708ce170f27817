import type { HelperRequest, HelperResponse } from '../../shared/helper/protocol';
import { runLocalHelper } from '../helper/local';
import { TreeTransport, type TreeTransportOptions } from './tree-transport';
import type { HelperOptions } from './transport';

/** This machine: its files from "/", its /proc/sys, its system bus, the helper through pkexec. */
export class LocalTransport extends TreeTransport {
  readonly kind = 'local' as const;

  constructor(opts: Omit<TreeTransportOptions, 'root'> = {}) {
    super({ ...opts, root: '/' });
  }

  helper(request: HelperRequest, opts: HelperOptions): Promise<HelperResponse> {
    // A copy of /proc/sys (tests) is passed on; the helper then runs as this process, never pkexec.
    // A firewall-cmd revert plan reaches the firewalld this host's client talks to.
    // HOSTDECK_RUN_DIR moves revert-timer state out of /run/hostdeck (the test suite's scratch dir);
    // honoured only where the helper runs as this process anyway, never to steer a pkexec run.
    const direct = process.getuid?.() === 0 || !opts.elevate;
    const runDir = direct ? process.env.HOSTDECK_RUN_DIR || undefined : undefined;
    return runLocalHelper(request, opts, { procSys: this.procSysDir !== '/proc/sys' ? this.procSysDir : undefined, busAddress: this.bus, runDir });
  }
}
