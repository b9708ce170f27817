import type { Host } from '../hosts/host';

export interface HostLink {
  name: string;
  loopback: boolean;
}

const ARPHRD_LOOPBACK = '772';
/** More interfaces than any host has; a bound on what one listing may cost. */
const MAX_LINKS = 4096;

/**
 * The host's network interfaces by ifindex, from its /sys/class/net (read through the
 * transport: this machine, or an SSH host). A host without interfaces of its own (an image, a
 * snapshot: capabilities.interfaces) has none: undefined.
 */
export async function hostLinks(host: Host, opts: { withType?: boolean } = {}): Promise<Map<number, HostLink> | undefined> {
  const t = host.transport;
  if (!t.capabilities().interfaces) return undefined;
  const [dir] = await t.read([{ path: '/sys/class/net', list: true, follow: true }]);
  if (!dir?.entries) return undefined;
  const names = dir.entries.map((e) => e.name).slice(0, MAX_LINKS);
  // A node with hundreds of veths: one read per interface, plus its type only when asked.
  const attrs = opts.withType ? ['ifindex', 'type'] : ['ifindex'];
  const facts = await t.read(names.flatMap((n) => attrs.map((a) => ({ path: `/sys/class/net/${n}/${a}`, content: true, follow: true, maxBytes: 4096 }))));
  const out = new Map<number, HostLink>();
  names.forEach((name, i) => {
    const idx = Number(facts[attrs.length * i]?.bytes?.toString().trim() ?? '');
    if (!Number.isInteger(idx) || idx <= 0) return; // the link went away while we looked
    out.set(idx, { name, loopback: opts.withType === true && facts[attrs.length * i + 1]?.bytes?.toString().trim() === ARPHRD_LOOPBACK });
  });
  return out;
}

/**
 * Interface names -> ifindex, for musl's `%name` nameserver scopes. Only for a live host:
 * another system's root has other interfaces, and then the musl reading assumes a named scope exists.
 */
export async function hostInterfaces(host: Host): Promise<Record<string, number> | undefined> {
  const links = await hostLinks(host);
  if (!links) return undefined;
  return Object.fromEntries([...links].map(([idx, l]) => [l.name, idx]));
}
