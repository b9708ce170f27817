import { mkdtempSync, promises as fs, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { LocalTransport } from '../../electron/hosts/local';
import { buildProcSysCopy, buildTree, findmntSaysMountPoint, prettyNameBySh, SMALL } from './conformance-tree';
import { transportConformance } from './transport.conformance';
import { stallThreadPool } from './conformance-stall';

// This machine (LocalTransport reads "/"): the suite's tree lies in a tmp dir, which is a host
// path like any other here; /proc/sys is a copy (the suite never reads the running kernel's
// values as its expectations). Its helper runs as root: the suite asks it its version only and
// never writes this machine's own /etc.
transportConformance(
  'local',
  async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-conformance-local-'));
    const tree = buildTree(path.join(dir, 'tree'), path.join(dir, 'tree'));
    const procSys = buildProcSysCopy(path.join(dir, 'proc-sys'), '6.1.0-conformance');
    const transport = new LocalTransport({ procSys: path.join(dir, 'proc-sys') });
    const mounts = ['/proc', '/dev/shm', '/', path.join(tree.base, 'data/plain'), path.join(tree.base, 'data/dir')].map((p) => ({ path: p, mountPoint: findmntSaysMountPoint(p) }));
    return {
      transport,
      tree: { base: tree.base, immutableSupported: tree.immutableSupported },
      mounts,
      files: [{ path: path.join(tree.base, 'data/small.txt'), text: SMALL }],
      procSys,
      identity: { hostname: hostname(), os: prettyNameBySh(await fs.access('/etc/os-release').then(() => '/etc/os-release', () => '/usr/lib/os-release')), kernel: '6.1.0-conformance' },
      stall: () => stallThreadPool(dir, (deadlineMs) => new LocalTransport({ procSys: path.join(dir, 'proc-sys'), deadlineMs })),
      stop: async () => {
        await transport.dispose();
        tree.cleanup();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  { roundTrips: 'reads this machine directly, no round trips', helperWrite: "the suite never changes this machine's own /etc" },
);
