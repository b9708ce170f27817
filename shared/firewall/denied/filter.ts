import { describeGroup, type DeniedGroup } from './parse';

/**
 * The feed's filter box: every word must occur in the group (source, destination, port/protocol,
 * interface, zone or policy, action, the sentence shown), case-insensitively. "8080" finds the
 * port, "public reject" the zone's rejects, "192.0.2." a subnet.
 */
export function deniedGroupMatches(g: DeniedGroup, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const hay = [describeGroup(g), g.dst ?? '', g.kind, g.proto ?? '', g.dport !== undefined ? `${g.dport}/${g.proto}` : ''].join(' ').toLowerCase();
  return words.every((w) => hay.includes(w));
}
