import { spawnSync } from 'node:child_process';

/**
 * firewall-offline-cmd over an image's /etc/firewalld, bound at /etc/firewalld in a private mount
 * namespace (the tool has no --root; this machine's own /etc is never touched). Throws with its
 * stderr when it exits non-zero.
 */
export function foc(etc: string, args: string[]): string {
  const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --make-rprivate / && mount --bind "$0" /etc/firewalld && shift && exec firewall-offline-cmd "$@"', etc, 'x', ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`firewall-offline-cmd ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
