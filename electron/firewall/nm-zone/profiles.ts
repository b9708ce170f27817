import type { NmProfilesCheck, NmZoneBinding } from '../../../shared/firewall/nm-zone/contract';
import { nmZoneWarnings, parseIfcfg, parseKeyfile } from '../../../shared/firewall/nm-zone/profiles';
import type { OfflineWriteOp } from '../../../shared/firewall/offline/write-contract';
import type { HostTransport } from '../../hosts/transport';

/**
 * NetworkManager's profiles read through the host's transport (an image's root, this machine, an
 * SSH host's agent), only to warn: HostDeck writes no NetworkManager file. Hostile data: each
 * file bounded, links refused (a profile that is a link is named as not checked), at most
 * MAX_FILES per directory. Keyfiles are root's (0600): a login that cannot read them gets "not
 * checked", never a failed write.
 */

// NetworkManager's keyfile plugin reads all three keyfile directories (nm-settings-keyfile(5)):
// /run holds in-memory profiles (an initrd's, `nmcli --temporary`), /usr/lib read-only ones an image ships.
const keyfile = (dir: string) => ({ dir, format: 'keyfile' as const, take: (n: string) => n.endsWith('.nmconnection') });
const DIRS = [
  keyfile('/etc/NetworkManager/system-connections'),
  keyfile('/run/NetworkManager/system-connections'),
  keyfile('/usr/lib/NetworkManager/system-connections'),
  { dir: '/etc/sysconfig/network-scripts', format: 'ifcfg' as const, take: (n: string) => /^ifcfg-[^.~]+$/.test(n) },
];
/** A profile is a few KiB; more than this is not one. */
const MAX_BYTES = 256 * 1024;
const MAX_FILES = 2000;

/** The zones a request renames (old → new) or deletes (old → undefined), following a chain of renames. */
export function zonesGone(ops: OfflineWriteOp[]): Map<string, string | undefined> {
  const gone = new Map<string, string | undefined>();
  for (const op of ops) {
    if (op.op !== 'zone.rename' && op.op !== 'zone.delete') continue;
    const to = op.op === 'zone.rename' ? op.to : undefined;
    for (const [from, now] of gone) if (now === op.name) gone.set(from, to);
    if (!gone.has(op.name)) gone.set(op.name, to);
  }
  // A zone renamed back to its own name is not gone.
  for (const [from, now] of gone) if (from === now) gone.delete(from);
  return gone;
}

export async function readNmZoneBindings(t: HostTransport): Promise<{ bindings: NmZoneBinding[]; unchecked: NmProfilesCheck['unchecked'] }> {
  const unchecked: NmProfilesCheck['unchecked'] = [];
  const why = (code: string, message: string) => `${code === 'EACCES' || code === 'EPERM' ? 'this login may not read it (NetworkManager keeps profiles readable by root only)' : message}; its profiles were not checked`;
  const listings = await t.read(DIRS.map(({ dir }) => ({ path: dir, list: true, follow: true })));
  const wanted: Array<{ path: string; name: string; format: 'keyfile' | 'ifcfg' }> = [];
  DIRS.forEach(({ dir, format, take }, i) => {
    const l = listings[i]!;
    if (l.error) {
      if (l.error.code !== 'ENOENT') unchecked.push({ shown: t.displayPath(dir), reason: why(l.error.code, l.error.message) });
      return;
    }
    const names = (l.entries ?? []).filter((e) => !e.name.startsWith('.') && take(e.name));
    if (names.length > MAX_FILES) unchecked.push({ shown: t.displayPath(dir), reason: `${names.length} profiles; only the first ${MAX_FILES} were checked` });
    for (const e of names.slice(0, MAX_FILES)) wanted.push({ path: `${dir}/${e.name}`, name: e.name, format });
  });
  const files = wanted.length ? await t.read(wanted.map((w) => ({ path: w.path, content: true, follow: false, maxBytes: MAX_BYTES }))) : [];
  const bindings: NmZoneBinding[] = [];
  wanted.forEach((w, i) => {
    const f = files[i]!;
    const shown = t.displayPath(w.path);
    if (!f.bytes) return void unchecked.push({ shown, reason: why(f.error?.code ?? 'IO_ERROR', f.error?.message ?? 'unreadable') });
    const b = (w.format === 'keyfile' ? parseKeyfile : parseIfcfg)(shown, w.name, f.bytes.toString('utf8'));
    if (b) bindings.push(b);
  });
  return { bindings, unchecked };
}

/** The check a zone rename or delete answers with; undefined when the request renames or deletes no zone. */
export async function nmProfilesCheck(t: HostTransport, ops: OfflineWriteOp[]): Promise<NmProfilesCheck | undefined> {
  const gone = zonesGone(ops);
  if (!gone.size) return undefined;
  try {
    const { bindings, unchecked } = await readNmZoneBindings(t);
    return { warnings: nmZoneWarnings(bindings, gone), unchecked };
  } catch (e) {
    // A warning only: a transport that cannot read files does not stop the rename.
    return { warnings: [], unchecked: [{ shown: 'NetworkManager profiles', reason: `${(e as Error).message}; they were not checked` }] };
  }
}
