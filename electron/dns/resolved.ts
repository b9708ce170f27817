import { Message, sessionBus, type MessageBus } from '@jellybrick/dbus-next';
import { promises as fs } from 'node:fs';

/**
 * systemd-resolved's real upstream servers and domains per link, read from
 * org.freedesktop.resolve1 on the system bus. When the bus or the service is not there, the
 * answer says so (available: false, reason) instead of failing.
 */

const DEST = 'org.freedesktop.resolve1';
const MANAGER = '/org/freedesktop/resolve1';

export interface ResolvedLink {
  ifindex: number;
  name: string;
  servers: string[];
  domains: { domain: string; routeOnly: boolean }[];
  defaultRoute: boolean | null;
}
export interface ResolvedState {
  available: boolean;
  reason: string | null;
  global: { servers: string[]; domains: string[] } | null;
  links: ResolvedLink[];
}

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

async function getProp(bus: MessageBus, path: string, iface: string, prop: string): Promise<unknown> {
  const reply = await bus.call(new Message({ destination: DEST, path, interface: 'org.freedesktop.DBus.Properties', member: 'Get', signature: 'ss', body: [iface, prop] }));
  const v = reply?.body?.[0] as { value?: unknown } | undefined;
  return v?.value;
}

function addrToString(family: number, bytes: Buffer | number[]): string {
  const b = [...bytes];
  if (family === 2) return b.join('.');
  const w: string[] = [];
  for (let i = 0; i < 16; i += 2) w.push((((b[i] ?? 0) << 8) | (b[i + 1] ?? 0)).toString(16));
  return w.join(':').replace(/\b(?:0:){2,}0?\b|(^|:)0(:0)+(:|$)/, '::');
}

async function ifName(ifindex: number): Promise<string> {
  try {
    for (const n of await fs.readdir('/sys/class/net')) {
      const idx = Number((await fs.readFile(`/sys/class/net/${n}/ifindex`, 'utf8')).trim());
      if (idx === ifindex) return n;
    }
  } catch {
    /* no sysfs */
  }
  return `if${ifindex}`;
}

export async function readResolved(busAddress: string | undefined, timeoutMs = 3000): Promise<ResolvedState> {
  const address = busAddress ?? 'unix:path=/var/run/dbus/system_bus_socket';
  let bus: MessageBus;
  try {
    bus = await connect(address, timeoutMs);
  } catch (e) {
    return { available: false, reason: `no system bus (${(e as Error).message})`, global: null, links: [] };
  }
  try {
    const dns = (await getProp(bus, MANAGER, 'org.freedesktop.resolve1.Manager', 'DNS')) as [number, number, Buffer][];
    const domains = (await getProp(bus, MANAGER, 'org.freedesktop.resolve1.Manager', 'Domains')) as [number, string, boolean][];
    const byLink = new Map<number, ResolvedLink>();
    const link = async (i: number) => {
      let l = byLink.get(i);
      if (!l) {
        l = { ifindex: i, name: await ifName(i), servers: [], domains: [], defaultRoute: null };
        byLink.set(i, l);
      }
      return l;
    };
    const global = { servers: [] as string[], domains: [] as string[] };
    for (const [i, fam, addr] of dns ?? []) {
      if (i === 0) global.servers.push(addrToString(fam, addr));
      else (await link(i)).servers.push(addrToString(fam, addr));
    }
    for (const [i, domain, routeOnly] of domains ?? []) {
      if (i === 0) global.domains.push(domain);
      else (await link(i)).domains.push({ domain, routeOnly });
    }
    return { available: true, reason: null, global, links: [...byLink.values()].sort((a, b) => a.ifindex - b.ifindex) };
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    return { available: false, reason: /ServiceUnknown|not provided|was not provided/i.test(msg) ? 'systemd-resolved is not running (org.freedesktop.resolve1 is not on the system bus)' : `systemd-resolved did not answer: ${msg}`, global: null, links: [] };
  } finally {
    bus.disconnect();
  }
}
