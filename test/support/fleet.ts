import { mulberry32 } from './seeded-random';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseListAllZones } from '../../shared/compare/imports';
import type { Snapshot } from '../../shared/compare/snapshot';

/**
 * A synthetic fleet for the fleet summary: N snapshot files made from one real snapshot (this
 * machine's, taken by the test), with outliers placed deterministically by a seed. The generator
 * keeps its own record of who got which outlier (`truth`), so tests check the summary against
 * what was planted, never against the summary's own code.
 */

/** A stock firewalld public zone as `firewall-cmd --list-all-zones` prints it (this machine runs no firewalld of its own). */
const PUBLIC_ZONE = `public (active)
  target: default
  icmp-block-inversion: no
  interfaces: eth0
  sources: 
  services: dhcpv6-client ssh
  ports: 
  protocols: 
  forward: yes
  masquerade: no
  forward-ports: 
  source-ports: 
  icmp-blocks: 
  rich rules: 
`;

export type Tag = 'swappiness' | 'forward' | 'nosomaxconn' | 'dns' | 'pidmax';

export interface Planted {
  /** Host names (file names without .json), in order. */
  names: string[];
  /** Per outlier tag, the host indices that got it. */
  truth: Record<Tag, number[]>;
  /** The values planted, per tag. */
  planted: Record<Tag, { section: string; key: string; value: string | null; majority: string | null }>;
  dir: string;
  files: string[];
}

/** The explain differential's seeded generator (mulberry32), so every run plants the same outliers. */
export const seeded = mulberry32;

function pick(rand: () => number, n: number, wanted: number, avoid: Set<number>): number[] {
  const out = new Set<number>();
  // A small fleet gets fewer outliers (as many as there are hosts to take them).
  const count = Math.min(wanted, n - [...avoid].filter((i) => i < n).length);
  while (out.size < count) {
    const i = Math.floor(rand() * n);
    if (!avoid.has(i)) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

export function fleetBase(real: Snapshot): Snapshot {
  return { ...real, firewall: real.firewall?.running ? real.firewall : parseListAllZones('public.txt', PUBLIC_ZONE) };
}

/**
 * Writes `n` snapshots of hosts `web-0001`... into `dir`. Outliers: `swappiness` on the
 * contiguous hosts 17 to 46 (1-based), `forward` on 5 seeded hosts (ip_forward flipped and
 * telnet opened in zone public), `nosomaxconn` on 1 host (the key absent), `dns` on 3 hosts (another
 * nameserver), `pidmax` on 2 hosts (a sysctl.d value). Counters and identities vary on every host.
 */
export function writeFleet(real: Snapshot, dir: string, n: number, seed: number): Planted {
  const base = fleetBase(real);
  const rand = seeded(seed);
  const names = Array.from({ length: n }, (_, i) => `web-${String(i + 1).padStart(4, '0')}`);
  const value = (k: string) => base.sysctl!.entries.find((e) => e.key === k)?.value ?? null;
  const taken = new Set<number>();
  const swappiness = Array.from({ length: 30 }, (_, i) => 16 + i).filter((i) => i < n);
  const forward = pick(rand, n, 5, new Set(swappiness));
  const nosomaxconn = pick(rand, n, 1, taken);
  const dns = pick(rand, n, 3, taken);
  const pidmax = pick(rand, n, 2, taken);
  const truth = { swappiness, forward, nosomaxconn, dns, pidmax };
  const swapValue = value('vm.swappiness') === '10' ? '11' : '10';
  const fwdValue = value('net.ipv4.ip_forward') === '1' ? '0' : '1';
  const pid = base.sysctld!.settings[0]!;
  const planted = {
    swappiness: { section: 'sysctl', key: 'vm.swappiness', value: swapValue, majority: value('vm.swappiness') },
    forward: { section: 'sysctl', key: 'net.ipv4.ip_forward', value: fwdValue, majority: value('net.ipv4.ip_forward') },
    nosomaxconn: { section: 'sysctl', key: 'net.core.somaxconn', value: null, majority: value('net.core.somaxconn') },
    dns: { section: 'dns', key: 'nameservers', value: '192.0.2.53', majority: base.dns!.glibc.nameservers.join(' ') },
    pidmax: { section: 'sysctl.d', key: pid.key, value: `${pid.value}1`, majority: pid.value },
  };
  const has = (tag: keyof typeof truth, i: number) => truth[tag].includes(i);
  mkdirSync(dir, { recursive: true });
  const files = names.map((name, i) => {
    const entries = base.sysctl!.entries.flatMap((e) => {
      if (e.key === 'net.core.somaxconn' && has('nosomaxconn', i)) return [];
      if (e.key === 'vm.swappiness' && has('swappiness', i)) return [{ ...e, value: swapValue }];
      if (e.key === 'net.ipv4.ip_forward' && has('forward', i)) return [{ ...e, value: fwdValue }];
      // Counters and identities: different on every host, never a difference.
      if (e.key === 'kernel.random.uuid' || e.key === 'kernel.random.boot_id') return [{ ...e, value: `${(rand() * 1e16).toString(16)}-${i}` }];
      if (e.key === 'fs.file-nr') return [{ ...e, value: `${Math.floor(rand() * 9000)}\t0\t9223372036854775807` }];
      if (e.key === 'kernel.hostname') return [{ ...e, value: name }];
      return [e];
    });
    const zones = structuredClone(base.firewall!.runtime!.zones);
    if (has('forward', i)) zones.public!.services = [...zones.public!.services, 'telnet'];
    const snap: Snapshot = {
      ...base,
      identity: { ...base.identity, hostname: name, time: base.identity.time + i },
      sysctl: { ...base.sysctl!, entries },
      sysctld: { ...base.sysctld!, settings: base.sysctld!.settings.map((s, j) => (j === 0 && has('pidmax', i) ? { ...s, value: planted.pidmax.value } : s)) },
      dns: has('dns', i) ? { ...base.dns!, glibc: { ...base.dns!.glibc, nameservers: ['192.0.2.53'] } } : base.dns,
      firewall: { ...base.firewall!, runtime: { ...base.firewall!.runtime!, zones } },
    };
    const file = path.join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(snap));
    return file;
  });
  return { names, truth, planted, dir, files };
}

/** The kinds the planted outliers make: hosts with the same set of tags, largest first (forward also opens telnet). */
export function expectedKinds(p: Planted): number[] {
  const sig = p.names.map((_, i) => (Object.keys(p.truth) as Tag[]).filter((t) => p.truth[t].includes(i)).join(','));
  const counts = new Map<string, number>();
  for (const s of sig) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts.values()].sort((a, b) => b - a);
}
