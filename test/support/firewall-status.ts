import type { FirewallStatus } from '../../shared/firewall/contract';
import { FirewallService } from '../../electron/firewall/service';
import { createHost } from '../../electron/hosts/host';
import { loadDbus } from '../../electron/hosts/bus';

/**
 * Whether firewalld is reachable and its basic facts, with a one-off connection (no state kept):
 * for a probe process a test starts (test/firewall/client.int.test.ts runs it as nobody).
 */
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

/**
 * Loads what a first connection loads on demand (dbus-next), for a probe that drops to an
 * unprivileged user afterwards: the checkout may be readable by root only.
 */
export async function preloadBus(): Promise<void> {
  await loadDbus();
}
