import { SnapshotTransport } from '../../electron/hosts/snapshot';
import { snapshotSchema, SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from '../../shared/compare/snapshot';
import { transportConformance } from './transport.conformance';

// A read-only host made of a snapshot: its files are the record's texts, /proc/sys its entries,
// and nothing can be changed. Its capabilities say it is a record (readOnly, no live kernel), so
// the file-tree cases check that the tree's paths are simply not there.
const RESOLV = '# recorded\nnameserver 192.0.2.10\nsearch example.test\n';
const SYSCTLD = 'net.ipv4.ip_forward = 1\n';

const snapshot = snapshotSchema.parse({
  format: SNAPSHOT_FORMAT,
  version: SNAPSHOT_VERSION,
  source: { kind: 'live', detail: 'conformance-node' },
  identity: { hostname: 'recorded-host', os: 'Recorded Linux 12', kernel: '6.1.0-recorded', time: Date.UTC(2026, 11, 1) },
  sysctl: {
    entries: [
      { key: 'kernel.osrelease', state: 'ok', value: '6.1.0-recorded', writable: false },
      { key: 'net.ipv4.ip_forward', state: 'ok', value: '1', writable: true },
      { key: 'net.ipv4.route.flush', state: 'write-only', writable: true },
      { key: 'vm.stat_refresh', state: 'side-effect', writable: true },
    ],
  },
  sysctld: { settings: [{ key: 'net.ipv4.ip_forward', value: '1', file: '/etc/sysctl.d/90-fwd.conf', line: 1 }], files: [{ path: '/etc/sysctl.d/90-fwd.conf', status: 'applied' }], texts: [{ path: '/etc/sysctl.d/90-fwd.conf', text: SYSCTLD }] },
  dns: { path: '/etc/resolv.conf', exists: true, text: RESOLV, owner: null, glibc: { nameservers: ['192.0.2.10'], ignoredNameservers: [], search: ['example.test'], options: {} } },
  firewall: null,
});

transportConformance(
  'snapshot',
  () =>
    Promise.resolve({
      transport: new SnapshotTransport(snapshot),
      mounts: [],
      files: [
        { path: '/etc/resolv.conf', text: RESOLV },
        { path: '/etc/sysctl.d/90-fwd.conf', text: SYSCTLD },
      ],
      procSys: {
        'kernel/osrelease': { state: 'ok', value: '6.1.0-recorded' },
        'net/ipv4/ip_forward': { state: 'ok', value: '1' },
        'net/ipv4/route/flush': { state: 'write-only' },
        'vm/stat_refresh': { state: 'side-effect' },
      },
      identity: { hostname: 'recorded-host', os: 'Recorded Linux 12', kernel: '6.1.0-recorded' },
      stop: () => Promise.resolve(),
    }),
  {
    tree: 'a record of a host keeps file texts, not a file tree (capabilities: readOnly, no live kernel)',
    stall: 'answers from memory: nothing to wait for',
    roundTrips: 'answers from memory, no round trips',
    helperWrite: 'writes "none": the helper is refused (READ_ONLY_HOST)',
  },
);
