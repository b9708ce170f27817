// Host names HostDeck keeps for itself (no zod: the CLI's head start checks them before zod is loaded).

/** Prefixes of the hosts HostDeck makes itself (compare imports are "snapshot:NAME"). */
export const RESERVED_HOST_ID_PREFIXES = ['snapshot:', 'local:'] as const;

/**
 * Why a saved host may not be called `id` (null when it may): "local" is this machine, the
 * built-in prefixes are HostDeck's own hosts, and names that JavaScript objects treat specially
 * ("__proto__", "constructor", "toString", ...) would shadow or pollute id-keyed maps.
 */
export function reservedHostIdReason(id: string): string | null {
  const lower = id.toLowerCase();
  if (lower === 'local') return '"local" is this machine';
  const prefix = RESERVED_HOST_ID_PREFIXES.find((p) => lower.startsWith(p));
  if (prefix) return `"${prefix}" names HostDeck's own hosts (${prefix === 'snapshot:' ? 'imported snapshots' : 'this machine'})`;
  if (id === 'prototype' || Object.prototype.hasOwnProperty.call(Object.prototype, id)) return `"${id}" is a reserved word`;
  return null;
}
