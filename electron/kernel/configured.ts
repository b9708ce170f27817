import { realpathSync } from 'node:fs';
import type { EffectiveConfig } from '../../shared/kernel/sysctld';
import { resolveSystemd } from '../../shared/kernel/sysctld';
import { isDrift } from '../../shared/kernel/drift';
import { checkEffective } from '../../shared/kernel/sysctld-check';
import type { LiveEntry, LiveSource } from '../../shared/kernel/contract';
import type { Host } from '../hosts/host';
import { readLive } from './live';
import { readSysctlDirs } from './sysctld-reader';

/**
 * The host's configured sysctl.d values next to the live values of host.procSys: computed here
 * once for `kernel.list` and `kernel.effective`, so both report the same drift for any root.
 * For a --root other than "/", the live values still come from host.procSys (normally the
 * running kernel): liveSource says so, so the UI can label the comparison honestly.
 */
export interface ConfiguredVsLive {
  eff: EffectiveConfig;
  live: LiveEntry[];
  livePaths: Map<string, LiveEntry>;
  /** Paths (of eff.settings) whose configured value differs from the readable live value. */
  drift: Set<string>;
  liveSource: LiveSource;
}

export function liveSourceOf(host: Host): LiveSource {
  let real = host.procSys;
  try {
    real = realpathSync(host.procSys);
  } catch {
    // a missing procSys reads as empty; keep the name as given
  }
  const running = real === '/proc/sys';
  if (!running) {
    return { procSys: host.procSys, kind: 'procsys-copy', note: `Live values are read from ${host.procSys}, not from a running kernel.` };
  }
  if (host.root === '/') return { procSys: host.procSys, kind: 'host', note: null };
  return {
    procSys: host.procSys,
    kind: 'running-kernel',
    note: `Compared with the live kernel of this host (${host.procSys}), not with a kernel booted from ${host.root}.`,
  };
}

export async function configuredVsLive(host: Host): Promise<ConfiguredVsLive> {
  const dirs: string[] = [];
  const live = readLive(host.procSys, dirs);
  const { entries } = await readSysctlDirs(host.root);
  const eff = resolveSystemd(entries, { listing: [...dirs, ...live.map((e) => e.path)] });
  const livePaths = new Map(live.map((e) => [e.path, e]));
  eff.warnings.push(...checkEffective(eff, { files: livePaths, dirs: new Set(dirs) }));
  // One list in reading order: systemd-sysctl's own messages and ours, by file then line.
  const rank = new Map(eff.files.map((f, i) => [f.path, i]));
  eff.warnings.sort((a, b) => (rank.get(a.file) ?? 0) - (rank.get(b.file) ?? 0) || a.line - b.line);
  const drift = new Set(eff.settings.filter((s) => isDrift(s.value, livePaths.get(s.path))).map((s) => s.path));
  return { eff, live, livePaths, drift, liveSource: liveSourceOf(host) };
}
