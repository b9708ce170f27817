import type { EffectiveConfig } from '../../shared/kernel/sysctld';
import { resolveSystemd } from '../../shared/kernel/sysctld';
import { isDrift } from '../../shared/kernel/drift';
import { checkEffective } from '../../shared/kernel/sysctld-check';
import type { LiveEntry, LiveSource } from '../../shared/kernel/contract';
import type { Host } from '../hosts/host';
import { readSysctlDirs } from './sysctld-reader';

/**
 * The host's configured sysctl.d values next to its live values, both read through the host's
 * transport: computed here once for `kernel.list` and `kernel.effective`, so both report the
 * same drift for any host. An image's live values come from a running kernel that is not the
 * image's (or a copy): the transport's liveSource says so, so the UI can label it honestly.
 */
export interface ConfiguredVsLive {
  eff: EffectiveConfig;
  live: LiveEntry[];
  livePaths: Map<string, LiveEntry>;
  /** Paths (of eff.settings) whose configured value differs from the readable live value. */
  drift: Set<string>;
  liveSource: LiveSource;
}

/** The live snapshot of the host with where it comes from (a transport that does not say reads its own kernel). */
export async function liveSnapshot(host: Host): Promise<{ live: LiveEntry[]; dirs: string[]; source: LiveSource }> {
  const s = await host.transport.procSys();
  return { live: s.entries, dirs: s.dirs, source: s.source ?? { procSys: '/proc/sys', kind: 'host', note: null } };
}

/** The host's kernel release (kernel/osrelease of its live /proc/sys), or "". */
export async function hostKernel(host: Host): Promise<string> {
  const s = await host.transport.procSys(['kernel/osrelease']);
  return osreleaseOf(s.entries);
}

export function osreleaseOf(live: LiveEntry[]): string {
  const e = live.find((x) => x.path === 'kernel/osrelease');
  return e?.state === 'ok' ? (e.value ?? '').trim() : '';
}

export async function configuredVsLive(host: Host): Promise<ConfiguredVsLive> {
  // The two reads are independent. The files go out first: a local snapshot is one synchronous
  // pass, during which the file system's threads already answer the first steps of the file reads.
  // Promise.all: when the host is unreachable both reads fail, and neither rejection may go unhandled.
  const files = readSysctlDirs(host.transport);
  const [{ entries }, { live, dirs, source }] = await Promise.all([files, liveSnapshot(host)]);
  const eff = resolveSystemd(entries, { listing: [...dirs, ...live.map((e) => e.path)] });
  const livePaths = new Map(live.map((e) => [e.path, e]));
  eff.warnings.push(...checkEffective(eff, { files: livePaths, dirs: new Set(dirs) }));
  // One list in reading order: systemd-sysctl's own messages and ours, by file then line.
  const rank = new Map(eff.files.map((f, i) => [f.path, i]));
  eff.warnings.sort((a, b) => (rank.get(a.file) ?? 0) - (rank.get(b.file) ?? 0) || a.line - b.line);
  const drift = new Set(eff.settings.filter((s) => isDrift(s.value, livePaths.get(s.path))).map((s) => s.path));
  return { eff, live, livePaths, drift, liveSource: source };
}
