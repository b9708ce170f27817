import type { MessageBus } from '@jellybrick/dbus-next';
import { ApiError } from '../../shared/api/errors';
import type { HelperRequest, HelperResponse } from '../../shared/helper/protocol';
import type { HostCapabilities } from '../../shared/hosts/capabilities';
import { createHost, type Host } from './host';
import type { FileFacts, HostIdentity, HostTransport, ProcSysSnapshot } from './transport';

/**
 * A host that could not be read by someone else (Ansible reported it unreachable or failed, see
 * electron/compare/ansible-compare.ts): it stays in the comparison as an unreachable column with
 * Ansible's reason, never dropped, and every read answers that reason.
 */
export class UnreadTransport implements HostTransport {
  constructor(
    private readonly name: string,
    private readonly reason: string,
  ) {}

  private fail<T>(): Promise<T> {
    return Promise.reject(new ApiError('HOST_UNREACHABLE', `${this.name} could not be read through Ansible: ${this.reason}`));
  }

  read(): Promise<FileFacts[]> {
    return this.fail();
  }

  procSys(): Promise<ProcSysSnapshot> {
    return this.fail();
  }

  describe(): Promise<HostIdentity> {
    return this.fail();
  }

  capabilities(): HostCapabilities {
    const why = `${this.name} could not be read through Ansible: ${this.reason}`;
    return {
      liveKernel: false,
      freshNamespaceProbe: false,
      systemBus: false,
      firewall: 'none',
      writes: 'none',
      firewallWrites: 'none',
      interfaces: false,
      journal: false,
      userNamespaces: false,
      readOnly: true,
      localBus: false,
      nftRuleset: 'none',
      missing: { liveKernel: why, freshNamespaceProbe: why, systemBus: why, firewall: why, writes: why, firewallWrites: why, interfaces: why, journal: why, userNamespaces: why, nftRuleset: why },
    };
  }

  helper(request: HelperRequest): Promise<HelperResponse> {
    return Promise.reject(new ApiError('READ_ONLY_HOST', `${this.name} was not read: it cannot run ${request.verb}`));
  }

  busAddress(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  systemBus(): Promise<MessageBus> {
    return this.fail();
  }

  displayPath(hostPath: string): string {
    return hostPath;
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

export function createUnreadHost(id: string, label: string, reason: string): Host {
  return createHost({ id, label, kind: 'remote', readOnly: true, root: '/', procSys: '/proc/sys', privileged: false, transport: new UnreadTransport(label, reason) });
}
