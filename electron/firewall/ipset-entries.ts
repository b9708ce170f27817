/**
 * Paging and searching ipset entries (100,000+ of them) on the Node side, so the UI only ever
 * receives one page. A filter that is an IP address also finds the networks and ranges that
 * contain it ("is 192.0.2.7 blocked?"); any other filter is a case-insensitive substring.
 */

function ipv4ToInt(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

/** Whether the first part of an entry (before any ",port" etc.) contains the IPv4 address. */
function containsIpv4(entry: string, ip: number): boolean {
  const first = entry.split(',')[0]!;
  const dash = first.indexOf('-');
  if (dash > 0) {
    const lo = ipv4ToInt(first.slice(0, dash));
    const hi = ipv4ToInt(first.slice(dash + 1));
    return lo !== undefined && hi !== undefined && ip >= lo && ip <= hi;
  }
  const slash = first.indexOf('/');
  const base = ipv4ToInt(slash > 0 ? first.slice(0, slash) : first);
  if (base === undefined) return false;
  const bits = slash > 0 ? Number(first.slice(slash + 1)) : 32;
  if (!(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((base & mask) >>> 0) === ((ip & mask) >>> 0);
}

export function filterEntries(
  all: Iterable<string>,
  filter: string,
  offset: number,
  limit: number,
): { matched: number; page: string[] } {
  const f = filter.trim().toLowerCase();
  const page: string[] = [];
  let matched = 0;
  const ip = f ? ipv4ToInt(f) : undefined;
  const match = !f
    ? () => true
    : ip !== undefined
      ? (e: string) => e.toLowerCase().includes(f) || containsIpv4(e, ip)
      : (e: string) => e.toLowerCase().includes(f);
  for (const e of all) {
    if (!match(e)) continue;
    if (matched >= offset && page.length < limit) page.push(e);
    matched++;
  }
  return { matched, page };
}
