import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type Snapshot, type SnapshotLayer } from '../../shared/compare/snapshot';
import { zoneSchema } from '../../shared/firewall/model';

/**
 * A host as big as a real node: `sysctls` keys (names and values shaped like /proc/sys's),
 * `zones` zones in both layers with services, ports and rich rules, a resolv.conf and a
 * sysctl.d file. Deterministic: the same arguments give the same snapshot.
 */
export function syntheticSnapshot(o: { sysctls?: number; zones?: number; time?: number } = {}): Snapshot {
  const n = o.sysctls ?? 1400;
  const entries = Array.from({ length: n }, (_, i) => ({
    key: i % 3 === 0 ? `net.ipv4.conf.eth${i % 40}.opt_${i}` : i % 3 === 1 ? `vm.param_${i}` : `kernel.knob_${i}`,
    state: 'ok' as const,
    value: i % 5 === 0 ? `${i}\t${i * 2}\t${i * 3}` : String(i % 7),
    writable: true,
  }));
  entries.push({ key: 'fs.file-nr', state: 'ok', value: `${Math.floor(Math.random() * 5000)}\t0\t9223372036854775807`, writable: false });
  const layer = (): SnapshotLayer => {
    const zones: SnapshotLayer['zones'] = {};
    for (let z = 0; z < (o.zones ?? 20); z++) {
      zones[`zone${z}`] = zoneSchema.parse({
        name: `zone${z}`,
        services: ['ssh', 'dhcpv6-client', `svc${z}`],
        ports: [{ port: String(8000 + z), protocol: 'tcp' }],
        richRules: [`rule family="ipv4" source address="10.${z}.0.0/16" accept`],
        interfaces: [`eth${z}`],
      });
    }
    return { zones, policies: {}, services: {}, ipsets: {} };
  };
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    source: { kind: 'live', detail: 'synthetic' },
    identity: { hostname: 'node-7', os: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-28-amd64', time: o.time ?? Date.now() },
    sysctl: { entries, from: 'procsys' },
    sysctld: { settings: [{ key: 'vm.param_1', value: '1', file: '/etc/sysctl.d/90-node.conf', line: 1 }], files: [{ path: '/etc/sysctl.d/90-node.conf', status: 'applied' }], texts: [{ path: '/etc/sysctl.d/90-node.conf', text: 'vm.param_1 = 1\n' }] },
    dns: {
      path: '/etc/resolv.conf',
      exists: true,
      text: 'nameserver 192.0.2.53\nsearch example.org\n',
      owner: null,
      glibc: { nameservers: ['192.0.2.53'], ignoredNameservers: [], search: ['example.org'], options: {} },
    },
    firewall: { running: true, version: '1.3.3', defaultZone: 'zone0', logDenied: 'off', activeZones: {}, coverage: ['zones', 'policies', 'services', 'ipsets'], runtime: layer(), permanent: layer() },
  };
}

/** The same snapshot with one sysctl's value changed. */
export function withSysctl(s: Snapshot, key: string, value: string): Snapshot {
  return { ...s, sysctl: { ...s.sysctl!, entries: s.sysctl!.entries.map((e) => (e.key === key ? { ...e, value } : e)) } };
}
