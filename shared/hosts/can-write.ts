/**
 * Whether a host takes changes, decided from its capabilities without zod: the UI shell asks
 * this on every page, and loading zod for it put the schema library in front of the cold Kernel
 * page's first row (issue #22). capabilities.ts re-exports both functions beside the schema.
 */

/** Which route a page's changes take: files and kernel parameters (the helper) or the firewall (firewalld). */
export type ChangeRoute = 'files' | 'firewall';

/** The capabilities the decision reads (a HostCapabilities is one; named here so this file needs no schema). */
export interface WriteFacts {
  readOnly: boolean;
  firewall: string;
  writes: string;
  firewallWrites: string;
}

/**
 * Whether the host can take changes by this route (the UI disables write controls otherwise).
 * A firewall that is its configuration files (offline) is changed through the helper, as files.
 */
export function canWrite(c: WriteFacts, route: ChangeRoute = 'files'): boolean {
  if (c.readOnly) return false;
  if (route === 'firewall' && c.firewall === 'offline') return c.writes !== 'none';
  return route === 'firewall' ? c.firewall === 'live' && c.firewallWrites !== 'none' : c.writes !== 'none';
}

/** The capability whose reason explains why changes by this route are off. */
export function writeCapability(route: ChangeRoute, c?: WriteFacts): 'writes' | 'firewallWrites' {
  return route === 'firewall' && c?.firewall !== 'offline' ? 'firewallWrites' : 'writes';
}
