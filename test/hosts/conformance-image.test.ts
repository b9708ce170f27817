import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImageTransport } from '../../electron/hosts/image';
import { buildProcSysCopy, buildTree, findmntSaysMountPoint, prettyNameBySh } from './conformance-tree';
import { transportConformance } from './transport.conformance';
import { stallThreadPool } from './conformance-stall';

// Another system's root on this machine (--root DIR): the suite's tree inside it at
// /srv/conformance, its own /etc, a /proc/sys copy given with it, and a file of this machine
// just outside its root that no link may reach. The helper writes the image's own files.
const OS_RELEASE = 'NAME="Conformance"\nPRETTY_NAME="Conformance \\"Image\\" 1 (\\$test)"\n';

transportConformance('image', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-conformance-image-'));
  const root = path.join(dir, 'root');
  mkdirSync(path.join(root, 'etc/sysctl.d'), { recursive: true });
  writeFileSync(path.join(root, 'etc/hostname'), '# set by the image\nimage-host  \n');
  writeFileSync(path.join(root, 'etc/os-release'), OS_RELEASE);
  writeFileSync(path.join(root, 'etc/resolv.conf'), 'nameserver 192.0.2.1\n');
  const tree = buildTree(path.join(root, 'srv/conformance'), '/srv/conformance');
  const outside = path.join(dir, 'outside-secret');
  writeFileSync(outside, 'this machine, outside the image\n');
  const procSysDir = path.join(dir, 'proc-sys');
  const procSys = buildProcSysCopy(procSysDir, '6.1.0-image');
  const transport = new ImageTransport({ root, procSys: procSysDir });
  const mounts = ['/srv/conformance/data/plain', '/srv/conformance/data/dir', '/'].map((p) => ({ path: p, mountPoint: findmntSaysMountPoint(path.join(root, p)) }));
  return {
    transport,
    tree: { base: tree.base, immutableSupported: tree.immutableSupported, outside },
    mounts,
    files: [{ path: '/etc/os-release', text: OS_RELEASE }],
    procSys,
    identity: { hostname: 'image-host', os: prettyNameBySh(path.join(root, 'etc/os-release')), kernel: '6.1.0-image' },
    stall: () => stallThreadPool(dir, (deadlineMs) => new ImageTransport({ root, procSys: procSysDir, deadlineMs })),
    helperWrite: { path: '/etc/resolv.conf', hostText: () => readFileSync(path.join(root, 'etc/resolv.conf'), 'utf8') },
    stop: async () => {
      await transport.dispose();
      tree.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}, { roundTrips: 'reads this machine directly, no round trips' });
