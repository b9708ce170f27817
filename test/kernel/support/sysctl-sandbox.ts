import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Runs the real systemd-sysctl and procps `sysctl --system` on a test tree, inside a private
 * mount namespace (unshare -m) where the tree's sysctl.d directories and a *copy* of /proc/sys
 * are bind-mounted over the real ones: nothing touches this machine's sysctls.
 */
export const SENTINEL = 'hostdeck-sentinel';

export function requireTool(file: string, pkg: string): void {
  if (!existsSync(file)) throw new Error(`${file} is missing: apt-get install -y ${pkg}`);
}

/** A copy of the shape of /proc/sys (every file holds SENTINEL), plus extra fake paths. */
export function copyProcSys(dest: string, extra: string[] = []): string[] {
  const listing: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join('/proc/sys', rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      listing.push(p);
      if (e.isDirectory()) {
        mkdirSync(path.join(dest, p), { recursive: true });
        walk(p);
      } else writeFileSync(path.join(dest, p), `${SENTINEL}\n`);
    }
  };
  mkdirSync(dest, { recursive: true });
  walk('');
  for (const p of extra) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!listing.includes(d)) listing.push(d);
      mkdirSync(path.join(dest, d), { recursive: true });
    }
    writeFileSync(path.join(dest, p), `${SENTINEL}\n`);
    listing.push(p);
  }
  return listing;
}

export type Tree = Record<string, string | { symlink: string } | { dir: true }>;

export function writeTree(root: string, tree: Tree): void {
  for (const d of ['etc/sysctl.d', 'run/sysctl.d', 'usr/local/lib/sysctl.d', 'usr/lib/sysctl.d']) mkdirSync(path.join(root, d), { recursive: true });
  // Debian 12 is merged-/usr: /lib -> usr/lib, so /lib/sysctl.d is /usr/lib/sysctl.d
  symlinkSync('usr/lib', path.join(root, 'lib'));
  for (const [rel, v] of Object.entries(tree)) {
    const p = path.join(root, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    if (typeof v === 'string') writeFileSync(p, Buffer.from(v, 'latin1'));
    else if ('symlink' in v) symlinkSync(v.symlink, p);
    else mkdirSync(p, { recursive: true });
  }
}

export interface ToolRun {
  status: number;
  stdout: string;
  stderr: string;
  /** First line of every file of the /proc/sys copy that no longer holds the sentinel. */
  finals: Map<string, string>;
}

export function runInSandbox(root: string, listing: string[], extra: string[], command: 'systemd' | 'procps'): ToolRun {
  const work = mkdtempSync(path.join(tmpdir(), 'hostdeck-sysctl-run-'));
  try {
    const ps = path.join(work, 'procsys');
    copyProcSys(ps, extra);
    const usrLocalLib = path.join(work, 'usr-local-lib');
    mkdirSync(usrLocalLib);
    symlinkSync(path.join(root, 'usr/local/lib/sysctl.d'), path.join(usrLocalLib, 'sysctl.d'));
    const etcConf = path.join(root, 'etc/sysctl.conf');
    const binds = [
      `mount --bind ${q(ps)} /proc/sys`,
      `mount --bind ${q(path.join(root, 'etc/sysctl.d'))} /etc/sysctl.d`,
      `mount -t tmpfs tmpfs /run && mkdir /run/sysctl.d && mount --bind ${q(path.join(root, 'run/sysctl.d'))} /run/sysctl.d`,
      `mount --bind ${q(usrLocalLib)} /usr/local/lib`,
      `mount --bind ${q(path.join(root, 'usr/lib/sysctl.d'))} /usr/lib/sysctl.d`,
      existsSync(etcConf) ? `mount --bind ${q(etcConf)} /etc/sysctl.conf` : `mount --bind /dev/null /etc/sysctl.conf`,
    ];
    const tool = command === 'systemd' ? 'env SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_COLOR=0 /lib/systemd/systemd-sysctl' : '/sbin/sysctl --system';
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-ec', `${binds.join(' && ')} && exec ${tool}`], { encoding: 'latin1' });
    if (r.error) throw r.error;
    if (r.status === 127 || /mount: /.test(r.stderr)) throw new Error(`sandbox setup failed: ${r.stderr}`);
    const finals = new Map<string, string>();
    for (const p of listing) {
      const f = path.join(ps, p);
      if (!existsSync(f) || statSync(f).isDirectory()) continue;
      const first = readFileSync(f, 'latin1').split('\n')[0]!;
      if (first !== SENTINEL) finals.set(p, first);
    }
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, finals };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The writes systemd-sysctl reports at debug level, in order. */
export function systemdWrites(stderr: string): { path: string; value: string }[] {
  const out: { path: string; value: string }[] = [];
  for (const line of stderr.split('\n')) {
    const m = /^Setting '\/proc\/sys\/(.*)' to '(.*)'$/.exec(line);
    if (m) out.push({ path: m[1]!, value: m[2]! });
  }
  return out;
}
