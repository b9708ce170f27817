import { Message, sessionBus, type MessageBus } from '@jellybrick/dbus-next';
import type { ResolvedLink, ResolvedState } from '../../shared/dns/contract';
import { ipv4ToString, ipv6ToString } from '../../shared/dns/inet';
import type { HostLink } from './interfaces';

/**
 * systemd-resolved's real upstream servers and domains, global and per link, read from
 * org.freedesktop.resolve1 on the system bus the way `resolvectl status` reads them: the
 * Manager's global properties, then every link object (found by introspecting
 * /org/freedesktop/resolve1/link) with its own DNSEx/Domains/DefaultRoute/ScopesMask.
 * Checked against the real systemd-resolved and resolvectl by test/dns/resolved.int.test.ts.
 * When the bus or the service is not there, the answer says so (available: false, reason).
 */

export type { ResolvedLink, ResolvedState };

const DEST = 'org.freedesktop.resolve1';
const MANAGER_PATH = '/org/freedesktop/resolve1';
const MANAGER = 'org.freedesktop.resolve1.Manager';
const LINK = 'org.freedesktop.resolve1.Link';
const LINKS_PATH = '/org/freedesktop/resolve1/link';

/** ScopesMask bits (src/resolve/resolved-def.h) with resolvectl's names for them. */
const SCOPES: [number, string][] = [
  [1, 'DNS'],
  [2, 'LLMNR/IPv4'],
  [4, 'LLMNR/IPv6'],
  [8, 'mDNS/IPv4'],
  [16, 'mDNS/IPv6'],
];

function connect(address: string, timeoutMs: number): Promise<MessageBus> {
  return new Promise((resolve, reject) => {
    let bus: MessageBus | undefined;
    const timer = setTimeout(() => {
      try {
        bus?.disconnect();
      } catch {
        /* gone */
      }
      reject(new Error(`the system bus at ${address} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    try {
      bus = sessionBus({ busAddress: address });
    } catch (e) {
      clearTimeout(timer);
      reject(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    (bus as unknown as NodeJS.EventEmitter).once('error', (e: unknown) => {
      clearTimeout(timer);
      reject(e instanceof Error ? e : new Error(String(e)));
    });
    bus.once('connect', () => {
      clearTimeout(timer);
      resolve(bus!);
    });
  });
}

type Props = Record<string, unknown>;

async function getAll(bus: MessageBus, path: string, iface: string): Promise<Props> {
  const reply = await bus.call(new Message({ destination: DEST, path, interface: 'org.freedesktop.DBus.Properties', member: 'GetAll', signature: 's', body: [iface] }));
  const dict = (reply?.body?.[0] ?? {}) as Record<string, { value?: unknown }>;
  return Object.fromEntries(Object.entries(dict).map(([k, v]) => [k, v?.value]));
}

async function introspectChildren(bus: MessageBus, path: string): Promise<string[]> {
  const reply = await bus.call(new Message({ destination: DEST, path, interface: 'org.freedesktop.DBus.Introspectable', member: 'Introspect' }));
  const xml = String(reply?.body?.[0] ?? '');
  // Only the direct <node name="..."/> children matter; a full XML parser buys nothing here.
  return [...xml.matchAll(/<node\s+name="([^"]+)"/g)].map((m) => m[1]!);
}

/** sd_bus_path_decode: "_31" -> "1" (systemd escapes every non-alphanumeric and a leading digit as _xx). */
function decodeLabel(label: string): string {
  return label.replace(/_([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function addressText(family: number, bytes: Buffer | number[]): string {
  const b = [...bytes];
  if (family === 2 && b.length === 4) return ipv4ToString(((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!);
  if (family === 10 && b.length === 16) return ipv6ToString(b);
  return `(family ${family}: ${b.join('.')})`;
}

/** Formats a server like systemd's in_addr_port_ifindex_name_to_string (what resolvectl prints). */
export function serverText(family: number, bytes: Buffer | number[], port = 0, serverName = ''): string {
  const a = addressText(family, bytes);
  let s = port > 0 ? (family === 10 ? `[${a}]:${port}` : `${a}:${port}`) : a;
  if (serverName) s += `#${serverName}`;
  return s;
}

/** DNSEx a(iayqs) / a(iiayqs) when the daemon has it (systemd 246+), else DNS a(iay) / a(iiay). */
function servers(p: Props, withIfindex: boolean): { ifindex: number; text: string }[] {
  const ex = p.DNSEx as unknown[][] | undefined;
  if (Array.isArray(ex)) {
    return ex.map((e) => {
      const [ifindex, fam, addr, port, name] = withIfindex ? e : [0, ...e];
      return { ifindex: ifindex as number, text: serverText(fam as number, addr as Buffer, port as number, name as string) };
    });
  }
  const plain = (p.DNS as unknown[][] | undefined) ?? [];
  return plain.map((e) => {
    const [ifindex, fam, addr] = withIfindex ? e : [0, ...e];
    return { ifindex: ifindex as number, text: serverText(fam as number, addr as Buffer) };
  });
}

function current(v: unknown): string | null {
  // CurrentDNSServerEx (iayqs) or CurrentDNSServer (iay); an empty address means "none yet".
  if (!Array.isArray(v)) return null;
  const [fam, addr, port, name] = v as [number, Buffer, number?, string?];
  if (!addr || [...addr].length === 0) return null;
  return serverText(fam, addr, port ?? 0, name ?? '');
}

/**
 * `links`: the host's interfaces by ifindex (names, and loopback ones to leave out as
 * resolvectl does), read by the caller through the host's transport; unknown ones show as ifN.
 */
export async function readResolved(
  /** The host's shared bus (HostTransport.systemBus(), left open), or an address to connect to for this read alone (tests, diagnostics). */
  busOrAddress: (() => Promise<MessageBus>) | string | undefined,
  timeoutMs = 3000,
  ifaces: ReadonlyMap<number, HostLink> = new Map(),
): Promise<ResolvedState> {
  const shared = typeof busOrAddress === 'function';
  let bus: MessageBus;
  try {
    bus = shared ? await withinMs(busOrAddress(), timeoutMs) : await connect(busOrAddress ?? 'unix:path=/var/run/dbus/system_bus_socket', timeoutMs);
  } catch (e) {
    return { available: false, reason: `no system bus (${(e as Error).message})`, global: null, links: [] };
  }
  try {
    const m = await getAll(bus, MANAGER_PATH, MANAGER);
    const domainsOf = (list: unknown) => ((list as [number, string, boolean][] | undefined) ?? []).map(([ifindex, domain, routeOnly]) => ({ ifindex, domain, routeOnly }));
    const global = {
      servers: servers(m, true)
        .filter((s) => s.ifindex === 0)
        .map((s) => s.text),
      domains: domainsOf(m.Domains)
        .filter((d) => d.ifindex === 0)
        .map(({ domain, routeOnly }) => ({ domain, routeOnly })),
      fallbackServers: servers({ DNSEx: m.FallbackDNSEx, DNS: m.FallbackDNS }, true).map((s) => s.text),
      currentServer: current(m.CurrentDNSServerEx ?? m.CurrentDNSServer),
      resolvConfMode: typeof m.ResolvConfMode === 'string' ? m.ResolvConfMode : null,
    };
    const names = ifaces;
    const children = (await introspectChildren(bus, LINKS_PATH))
      .map((label) => ({ label, ifindex: Number(decodeLabel(label)) }))
      .filter((c) => Number.isInteger(c.ifindex) && c.ifindex > 0)
      .sort((a, b) => a.ifindex - b.ifindex);
    const links: ResolvedLink[] = [];
    for (const { label, ifindex } of children) {
      const sys = names.get(ifindex);
      // resolved never sends DNS over loopback links and resolvectl does not show them.
      if (sys?.loopback) continue;
      let p: Props;
      try {
        p = await getAll(bus, `${LINKS_PATH}/${label}`, LINK);
      } catch {
        continue; // the link disappeared between the listing and the read
      }
      const mask = Number(p.ScopesMask ?? 0);
      links.push({
        ifindex,
        name: sys?.name ?? `if${ifindex}`,
        servers: servers(p, false).map((s) => s.text),
        domains: domainsOf((p.Domains as [string, boolean][] | undefined)?.map(([d, r]) => [ifindex, d, r])).map(({ domain, routeOnly }) => ({ domain, routeOnly })),
        defaultRoute: typeof p.DefaultRoute === 'boolean' ? p.DefaultRoute : null,
        currentServer: current(p.CurrentDNSServerEx ?? p.CurrentDNSServer),
        scopes: SCOPES.filter(([bit]) => (mask & bit) !== 0).map(([, n]) => n),
        dnssec: typeof p.DNSSEC === 'string' ? p.DNSSEC : null,
        dnsOverTls: typeof p.DNSOverTLS === 'string' ? p.DNSOverTLS : null,
      });
    }
    return { available: true, reason: null, global, links };
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    return {
      available: false,
      reason: /ServiceUnknown|not provided|was not provided/i.test(msg) ? 'systemd-resolved is not running (org.freedesktop.resolve1 is not on the system bus)' : `systemd-resolved did not answer: ${msg}`,
      global: null,
      links: [],
    };
  } finally {
    if (!shared) bus.disconnect();
  }
}

/** The host's bus within the read's deadline (a connection still being made keeps going for the next reader). */
function withinMs<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the system bus did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
