import type { NmProfilesCheck } from '../../../shared/firewall/nm-zone/contract';
import { printable } from '../../../shared/firewall/nm-zone/profiles';

/** What the save review says about NetworkManager profiles (NmZoneWarnings renders it). */
export interface NmZoneText {
  title: string;
  profiles: Array<{ key: string; where: string; text: string; command: string }>;
  unchecked: Array<{ where: string; text: string }>;
}

export function nmZoneText(nm: NmProfilesCheck | undefined): NmZoneText | undefined {
  if (!nm || (!nm.warnings.length && !nm.unchecked.length)) return undefined;
  return {
    title: nm.warnings.length ? `NetworkManager profiles name this zone (${nm.warnings.length}): HostDeck does not change them` : 'NetworkManager profiles were not all checked',
    profiles: nm.warnings.map((w) => ({
      key: `${w.file}:${w.line}`,
      // A file name from the host may hold a newline or an escape sequence: shown as \xHH.
      where: `${printable(w.file)}:${w.line}`,
      text: `profile ${printable(JSON.stringify(w.id))} binds its interface to ${w.zone}${w.to === undefined
        ? ', which is deleted: NetworkManager would ask firewalld for a zone that does not exist. Point it at the default zone:'
        : `, renamed to ${w.to}: NetworkManager would still ask firewalld for ${w.zone}. Move it:`}`,
      command: w.command,
    })),
    unchecked: nm.unchecked.map((u) => ({ where: printable(u.shown), text: printable(u.reason) })),
  };
}
