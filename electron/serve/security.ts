import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';

/** True for addresses only this machine can reach. */
export function isLoopback(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '');
  if (a === 'localhost') return true;
  if (isIP(a) === 4) return a.startsWith('127.');
  if (isIP(a) === 6) return a === '::1';
  return false;
}

/** What the machine is called and which addresses it has (os.hostname(), os.networkInterfaces()); a seam for tests. */
export interface MachineNames {
  hostname: string;
  /** Every address of every interface, IPv4 and IPv6. */
  addresses: { address: string; family: 'IPv4' | 'IPv6'; internal: boolean }[];
}

export function machineNames(): MachineNames {
  const addresses: MachineNames['addresses'] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) addresses.push({ address: a.address, family: a.family, internal: a.internal });
  }
  return { hostname: hostname(), addresses };
}

export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '';
}

/** An address as it appears in a URL or Host header: IPv6 in brackets, without a zone id. */
export function urlHost(address: string): string {
  const a = address.replace(/^\[|\]$/g, '');
  return isIP(a) === 6 ? `[${a.replace(/%.*$/, '')}]` : a;
}

/**
 * The names this server is reachable by, as they appear in a Host header (without port):
 * the address it listens on; localhost when that is 127.0.0.1 or ::1; for a wildcard bind
 * (0.0.0.0, ::) every address of the machine (IPv4 only for 0.0.0.0) plus its hostname(s)
 * and localhost. A name given to --bind is kept too (the user typed it, it resolves here).
 */
export function reachableNames(bind: string, address: string, machine: MachineNames = machineNames()): string[] {
  const names = new Set<string>();
  const add = (n: string) => names.add(urlHost(n).toLowerCase());
  if (isWildcard(address)) {
    const v6 = address === '::';
    for (const a of machine.addresses) if (a.family === 'IPv4' || v6) add(a.address);
    add('localhost');
    const host = machine.hostname.toLowerCase();
    if (host) {
      add(host);
      const short = host.split('.')[0];
      if (short) add(short);
    }
  } else {
    add(address);
    if (address === '127.0.0.1' || address === '::1') add('localhost');
  }
  if (!isIP(bind.replace(/^\[|\]$/g, '')) && bind && !isWildcard(bind)) add(bind);
  return [...names];
}

/**
 * Host headers we answer to: each reachable name with the port, and without it on port 80
 * (browsers leave the default port out). Anything else is a DNS-rebinding attempt
 * (evil.example resolving to 127.0.0.1) or a misconfiguration, and is refused.
 */
export function allowedHosts(bind: string, port: number, address = bind, machine?: MachineNames): Set<string> {
  const hosts = new Set<string>();
  for (const n of reachableNames(bind, address, machine)) {
    hosts.add(`${n}:${port}`);
    if (port === 80) hosts.add(n);
  }
  return hosts;
}

/**
 * The address to print in the URL: the one we listen on, or for a wildcard bind the machine's
 * first outside address (127.0.0.1 when it has none).
 */
export function shownAddress(address: string, machine: MachineNames = machineNames()): string {
  if (!isWildcard(address)) return address;
  const v6 = address === '::';
  const outside = machine.addresses.filter((a) => !a.internal && !a.address.startsWith('fe80:'));
  const pick = outside.find((a) => a.family === 'IPv4') ?? (v6 ? outside.find((a) => a.family === 'IPv6') : undefined);
  return pick?.address ?? '127.0.0.1';
}

export function hostAllowed(hostHeader: string | undefined, allowed: Set<string>): boolean {
  return !!hostHeader && allowed.has(hostHeader.toLowerCase());
}

/** A request's Origin, when present, must be this server itself (CSRF from other sites). */
export function originAllowed(origin: string | undefined, allowed: Set<string>): boolean {
  if (origin === undefined) return true;
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  return u.protocol === 'http:' && allowed.has(u.host.toLowerCase()) && u.pathname === '/' && origin === u.origin;
}

export function tokensEqual(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function cookieName(port: number): string {
  // Cookies are shared across ports of one host: name them per port so two servers don't clash.
  return `hostdeck_token_${port}`;
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return safeDecode(part.slice(i + 1).trim());
  }
  return undefined;
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = header && /^Bearer\s+(\S+)$/i.exec(header);
  return m ? m[1] : undefined;
}

/** decodeURIComponent that answers undefined for malformed escapes (%E0%A4%A) instead of throwing. */
export function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
