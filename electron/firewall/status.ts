import type { MessageBus, Variant } from '@jellybrick/dbus-next';
import type { FirewallStatus } from '../../shared/firewall/contract';
import { ApiError } from '../../shared/api/errors';
import { callWithTimeout, connectBus, DEFAULT_SYSTEM_BUS } from './bus';

export const FIREWALLD = 'org.fedoraproject.FirewallD1';
export const FIREWALLD_PATH = '/org/fedoraproject/FirewallD1';

/** Reads whether firewalld is reachable and its basic facts, without keeping a connection. */
export async function readFirewallStatus(busAddress: string | undefined): Promise<FirewallStatus> {
  const address = busAddress ?? DEFAULT_SYSTEM_BUS;
  let bus: MessageBus;
  try {
    bus = await connectBus(address);
  } catch (e) {
    return notRunning(address, e instanceof Error ? e.message : String(e), 'FIREWALLD_NOT_RUNNING');
  }
  try {
    const [hasOwner] = await callWithTimeout(
      bus,
      {
        destination: 'org.freedesktop.DBus',
        path: '/org/freedesktop/DBus',
        interface: 'org.freedesktop.DBus',
        member: 'NameHasOwner',
        signature: 's',
        body: [FIREWALLD],
      },
      5000,
    );
    if (!hasOwner) return notRunning(address, 'firewalld is not running: nobody owns its name on the system bus', 'FIREWALLD_NOT_RUNNING');
    const call = (member: string, iface = FIREWALLD, signature?: string, body?: unknown[]) =>
      callWithTimeout(bus, { destination: FIREWALLD, path: FIREWALLD_PATH, interface: iface, member, signature, body }, 90_000);
    // Properties need the .config polkit action: authorize once first, like firewall-cmd does.
    await call('authorizeAll');
    const [props] = (await call('GetAll', 'org.freedesktop.DBus.Properties', 's', [FIREWALLD])) as [Record<string, Variant>];
    const [defaultZone] = (await call('getDefaultZone')) as [string];
    const [panic] = (await call('queryPanicMode')) as [boolean];
    return {
      running: true,
      busAddress: address,
      version: String(props.version?.value ?? ''),
      state: String(props.state?.value ?? ''),
      defaultZone,
      panicMode: panic,
    };
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    const type = (e as { type?: string }).type ?? '';
    if (type.includes('NotAuthorizedException') || text.includes('Not Authorized')) {
      return notRunning(address, `firewalld refused access: ${text}`, 'NOT_AUTHORIZED');
    }
    if (type.endsWith('ServiceUnknown')) return notRunning(address, 'firewalld is not running', 'FIREWALLD_NOT_RUNNING');
    if (e instanceof ApiError) return notRunning(address, e.message, e.code);
    return notRunning(address, text, 'FIREWALLD_ERROR');
  } finally {
    bus.disconnect();
  }
}

function notRunning(busAddress: string, reason: string, errorCode: string): FirewallStatus {
  return { running: false, busAddress, reason, errorCode };
}
