import type { FirewallStatus } from '../../shared/firewall/contract';
import { FirewallService } from './service';
import { createHost } from '../hosts/host';

/** Reads whether firewalld is reachable and its basic facts with a one-off connection (no state kept). */
export async function readFirewallStatus(busAddress: string | undefined): Promise<FirewallStatus> {
  const host = createHost({ id: 'probe', label: 'probe', kind: 'local', systemBusAddress: busAddress });
  const svc = new FirewallService(host, { emit() {} });
  try {
    return await svc.status();
  } finally {
    await svc.dispose();
    // The host owns the bus connection the service used.
    await host.dispose();
  }
}
