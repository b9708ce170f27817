import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** True for addresses only this machine can reach. */
export function isLoopback(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '');
  if (a === 'localhost') return true;
  if (isIP(a) === 4) return a.startsWith('127.');
  if (isIP(a) === 6) return a === '::1';
  return false;
}

/**
 * Host headers we answer to. Anything else is a DNS-rebinding attempt (evil.example resolving
 * to 127.0.0.1) or a misconfiguration, and is refused.
 */
export function allowedHosts(bind: string, port: number): Set<string> {
  const hosts = new Set<string>();
  const add = (h: string) => hosts.add(`${h}:${port}`.toLowerCase());
  if (isLoopback(bind)) {
    add('127.0.0.1');
    add('localhost');
    add('[::1]');
    if (bind !== '127.0.0.1' && bind !== 'localhost' && bind !== '::1') add(bind);
  } else {
    add(isIP(bind) === 6 ? `[${bind}]` : bind);
  }
  return hosts;
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
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = header && /^Bearer\s+(\S+)$/i.exec(header);
  return m ? m[1] : undefined;
}
