import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lchownSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The file tree and /proc/sys copy the conformance suite reads (transport.conformance.ts), built
 * on this machine with the system's own tools (mkfifo, mknod, chattr). A host kind places it
 * where its host sees it: an image's root, a tmp dir that local and a fake SSH host see as
 * themselves. Every name is the same on every host; `base` is the host path of the tree.
 */

export const SMALL = 'hello from the conformance tree\n';
export const BIG_BYTES = 70_000;
export const OWNER = { uid: 1234, gid: 2345, mode: 0o640 };
/** A climb far past any root: clamped at the host's root, as in a chroot (and on "/" itself). */
export const CLIMB = '../'.repeat(40);

export interface BuiltTree {
  /** Host path of the tree. */
  base: string;
  /** Whether this file system keeps the immutable attribute (chattr +i worked); else the suite expects "unknown". */
  immutableSupported: boolean;
  /** Undoes what rm cannot (chattr -i). */
  cleanup(): void;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error?.message || `exit ${r.status}`}`);
}

/** Builds the tree at `machineDir`, which the host sees as `base`. */
export function buildTree(machineDir: string, base: string): BuiltTree {
  const d = (p: string) => path.join(machineDir, p);
  mkdirSync(d('data/dir/sub'), { recursive: true });
  writeFileSync(d('data/small.txt'), SMALL);
  writeFileSync(d('data/empty'), '');
  writeFileSync(d('data/big.bin'), Buffer.alloc(BIG_BYTES, 0x42));
  writeFileSync(d('data/dir/a'), 'a\n');
  writeFileSync(d('data/dir/b'), 'b\n');
  symlinkSync('../small.txt', d('data/dir/up-link'));
  writeFileSync(d('data/owned'), 'owned\n');
  chownSync(d('data/owned'), OWNER.uid, OWNER.gid);
  chmodSync(d('data/owned'), OWNER.mode);
  symlinkSync('small.txt', d('data/link-rel'));
  symlinkSync(`${base}/data/small.txt`, d('data/link-abs'));
  symlinkSync(`${CLIMB}${base.slice(1)}/data/small.txt`, d('data/link-climb'));
  symlinkSync('no-such-file', d('data/dangling'));
  symlinkSync('loop-b', d('data/loop-a'));
  symlinkSync('loop-a', d('data/loop-b'));
  lchownSync(d('data/link-rel'), OWNER.uid, OWNER.gid);
  run('mkfifo', [d('data/fifo')]);
  symlinkSync('fifo', d('data/link-to-fifo'));
  run('mknod', [d('data/null'), 'c', '1', '3']);
  // A socket file that outlives its listener (python leaves the name; node would unlink it).
  run('/usr/bin/python3', ['-c', 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])', d('data/sock')]);
  writeFileSync(d('data/immutable'), 'cannot change\n');
  writeFileSync(d('data/plain'), 'can change\n');
  writeFileSync(d('data/bound'), 'the file seen through a bind mount\n');
  writeFileSync(d('data/bound-source'), 'the file bind-mounted over data/bound\n');
  const immutableSupported = spawnSync('chattr', ['+i', d('data/immutable')]).status === 0;
  return {
    base,
    immutableSupported,
    cleanup: () => {
      if (immutableSupported) spawnSync('chattr', ['-i', d('data/immutable')]);
      rmSync(machineDir, { recursive: true, force: true });
    },
  };
}

/** A /proc/sys entry as the suite expects procSys() to report it. */
export interface ExpectedEntry {
  state: 'ok' | 'write-only' | 'side-effect' | 'unreadable';
  value?: string;
}

/** The entries the suite checks, as relative /proc/sys paths (real on a live host, planted in a copy). */
export const PROC_SYS_PATHS = ['kernel/osrelease', 'net/ipv4/ip_forward', 'net/ipv4/route/flush', 'vm/stat_refresh'] as const;

/** A /proc/sys copy with the suite's entries: a value, a write-only entry (0200) and one whose read has a side effect. */
export function buildProcSysCopy(dir: string, kernel: string): Record<string, ExpectedEntry> {
  mkdirSync(path.join(dir, 'kernel'), { recursive: true });
  mkdirSync(path.join(dir, 'net/ipv4/route'), { recursive: true });
  mkdirSync(path.join(dir, 'vm'), { recursive: true });
  writeFileSync(path.join(dir, 'kernel/osrelease'), `${kernel}\n`);
  writeFileSync(path.join(dir, 'net/ipv4/ip_forward'), '1\n');
  writeFileSync(path.join(dir, 'net/ipv4/route/flush'), '');
  chmodSync(path.join(dir, 'net/ipv4/route/flush'), 0o200);
  // Its content would show if it were read: it must only be listed.
  writeFileSync(path.join(dir, 'vm/stat_refresh'), 'READ\n');
  chmodSync(path.join(dir, 'vm/stat_refresh'), 0o600);
  return {
    'kernel/osrelease': { state: 'ok', value: kernel },
    'net/ipv4/ip_forward': { state: 'ok', value: '1' },
    'net/ipv4/route/flush': { state: 'write-only' },
    'vm/stat_refresh': { state: 'side-effect' },
  };
}

/** PRETTY_NAME as the system's shell reads os-release (sourcing it): the oracle for describe(). */
export function prettyNameBySh(osRelease: string): string {
  const r = spawnSync('/bin/sh', ['-c', '. "$1" && printf %s "$PRETTY_NAME"', 'sh', osRelease], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : '';
}

/** Whether findmnt (util-linux) calls `machinePath` a mount point of this machine's mount namespace. */
export function findmntSaysMountPoint(machinePath: string): boolean {
  return spawnSync('findmnt', ['--mountpoint', machinePath], { stdio: 'ignore' }).status === 0;
}

export const readText = (p: string) => readFileSync(p, 'utf8');
