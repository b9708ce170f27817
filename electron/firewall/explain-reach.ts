import type { FirewallSnapshot } from '../../shared/compare/snapshot';
import type { Layer } from '../../shared/firewall/model';

/**
 * What an answer from a host's record (a snapshot, an import of `firewall-cmd --list-all-zones`)
 * cannot know, in words: explain adds these to its assumptions, so "accepted" from an import is
 * never read as the live host's answer. A live host has none.
 */
export function recordLimits(fw: FirewallSnapshot | null | undefined, layer: Layer): string[] {
  if (!fw) return [];
  const out = ['This answer comes from a record of the host, not the running firewalld: anything changed since is not in it.'];
  const has = new Set(fw.coverage);
  if (!has.has('policies')) out.push('Policies are not in this record (firewall-cmd --list-all-zones lists zones only): a policy that decides before the zone would not be seen.');
  if (!has.has('services')) out.push('Service definitions are not in this record: a service is known by name only, so whether its ports match is unknown.');
  if (!has.has('ipsets')) out.push('IP sets are not in this record: a rule naming one cannot tell whether the address is in it.');
  else out.push('A record keeps the number of entries of each ipset, not the entries: a rule naming one cannot tell whether the address is in it.');
  if (!fw.defaultZone) out.push('The default zone is not in this record (--list-all-zones does not print it): a packet that no source or interface binding takes is shown as rejected at the end, though the host gives it to its default zone.');
  out.push("The host's interfaces are not in this record: only the ones bound to a zone are known; any other goes to the default zone.");
  if (!fw.logDenied) out.push('LogDenied is not in this record: whether a rejected packet is logged is unknown.');
  const other: Layer = layer === 'runtime' ? 'permanent' : 'runtime';
  if (!fw[layer] && fw[other]) out.push(`This record has the ${other} configuration only: the ${layer} answer is the ${other} one.`);
  return out;
}

/**
 * An image (`--root DIR`): its firewall is the firewalld on the bus given with it; the image's own
 * XML files are not read (HostDeck has no reader of DIR/etc/firewalld yet), and the answer says so.
 */
export function imageLimits(shownRoot: string, layer: Layer): string[] {
  if (shownRoot === '/etc/firewalld') return [];
  return [`The ${layer} configuration comes from the firewalld on the bus given with the image, not from the image's own files (${shownRoot}/*.xml are not read; --offline reads them).`];
}
