import type { Host } from '../hosts/host';

/** More interfaces than any host has; a bound on what one listing may cost. */
const MAX_LINKS = 4096;
/** What the kernel accepts as an interface name (IFNAMSIZ - 1, no slash or white space). */
const IFNAME = /^[^\s/]{1,15}$/;

/**
 * The host's network interface names from its /sys/class/net, through the transport (this
 * machine or an SSH host). A host without interfaces of its own (an image, a snapshot:
 * capabilities.interfaces) has none: the explain panel then takes a name as free text.
 */
export async function hostInterfaceNames(host: Host): Promise<{ interfaces: string[] }> {
  const t = host.transport;
  if (!t.capabilities().interfaces) return { interfaces: [] };
  const [dir] = await t.read([{ path: '/sys/class/net', list: true, follow: true }]);
  // Names come from the host: only what could be an interface name is passed on.
  const names = (dir?.entries ?? []).map((e) => e.name).filter((n) => IFNAME.test(n));
  return { interfaces: names.sort().slice(0, MAX_LINKS) };
}
