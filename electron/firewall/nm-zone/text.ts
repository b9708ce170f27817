import type { NmProfilesCheck } from '../../../shared/firewall/nm-zone/contract';
import { printable } from '../../../shared/firewall/nm-zone/profiles';

/** The CLI's lines (host data with control characters, C1 included, shown as \\xHH/\\uHHHH) for a rename's or delete's NetworkManager check: one per profile, then what was not checked. */
export function nmProfilesText(nm: NmProfilesCheck | undefined): string[] {
  if (!nm) return [];
  return [
    ...nm.warnings.map((w) => printable(`warning: ${printable(w.file)}:${w.line}: NetworkManager profile ${JSON.stringify(w.id)} binds its interface to zone ${w.zone}${w.to === undefined ? ' (deleted)' : ` (now ${w.to})`}; HostDeck does not change NetworkManager's files; fix: ${w.command}`)),
    ...nm.unchecked.map((u) => `note: ${printable(u.shown)}: ${printable(u.reason)}`),
  ];
}
