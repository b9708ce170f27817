import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryPoint } from '../../shared/history/model';

/**
 * History of a live kernel in a private network namespace (net.* keys belong to it) and of a
 * resolv.conf under a scratch root: HostDeck's change, `sysctl -w` and a hand edit are the
 * right kinds of point, and "back to this point" returns them and the sysctl.d profiles, checked
 * with sysctl and cat.
 */
const repo = path.resolve(import.meta.dirname, '../..');
let work: string;
let out: {
  first: string;
  before: { sysctl: string; cat: string; profiles: string };
  changed: { sysctl: string; cat: string; profiles: string };
  after: { sysctl: string; cat: string; profiles: string };
  restore: { results: { ok: boolean; text: string; error: string | null; operation: string }[]; notes: string[] };
  backups: number[];
  points: HistoryPoint[];
  sideEffects: { point: HistoryPoint; changes: HistoryPoint['changes'] };
};

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('This test needs root (unshare -n), as CI runs it.');
  work = mkdtempSync(path.join(tmpdir(), 'hostdeck-history-netns-'));
  mkdirSync(path.join(work, 'root/etc'), { recursive: true });
  writeFileSync(path.join(work, 'root/etc/resolv.conf'), 'nameserver 192.0.2.53\nsearch example.org\n');
  const resolv = path.join(work, 'root/etc/resolv.conf');
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  // Private network and mount namespaces: the kernel values, /etc and the helper's backups (/var/lib) are the test's own.
  // A copy of /etc over /etc (a file bound over /etc/resolv.conf would be, rightly, "managed by a container runtime").
  const etc = path.join(work, 'etc');
  const script = `cp -a /etc ${q(etc)} && cp ${q(resolv)} ${q(etc)}/resolv.conf && mount --bind ${q(etc)} /etc && mount -t tmpfs tmpfs /var/lib && exec ${q(path.join(repo, 'node_modules/.bin/tsx'))} ${q(path.join(repo, 'test/history/support/netns-scenario.ts'))} ${q(path.join(work, 'history'))}`;
  const r = spawnSync('unshare', ['-n', '-m', '--propagation', 'private', 'sh', '-c', script], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 150_000,
    env: { ...process.env, HOSTDECK_HISTORY: 'on' },
  });
  if (r.status !== 0) throw new Error(`the scenario failed (${r.status}): ${r.stderr}`);
  out = JSON.parse(r.stdout) as typeof out;
}, 180_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('history of a kernel in a private network namespace and a hand-edited resolv.conf', () => {
  it('HostDeck\'s change, sysctl -w and the hand edit are the right kinds of point', () => {
    const kernel = out.points.filter((p) => p.features.includes('kernel') && p.kind !== 'first');
    expect(kernel.map((p) => [p.kind, p.operation, p.changes.map((c) => `${c.key}: ${c.from} → ${c.to}`)])).toEqual([
      ['change', 'kernel.apply', [expect.stringMatching(/^net\.core\.somaxconn: \d+ → 1234$/)]],
      ['outside', null, [expect.stringMatching(/^net\.ipv4\.tcp_fin_timeout: \d+ → 17$/)]],
      ['outside', null, ['net.ipv4.tcp_keepalive_time: 600 (etc/sysctl.d/90-hd.conf:2) → 900 (etc/sysctl.d/90-hd.conf:1)', 'net.ipv4.tcp_syn_retries: null → 3 (etc/sysctl.d/91-hd.conf:1)']],
      expect.anything(),
    ]);
    const dns = out.points.find((p) => p.kind === 'outside' && p.features.includes('dns'))!;
    expect(dns.changes.map((c) => c.key)).toEqual(expect.arrayContaining(['nameservers', 'search', 'options edns0']));
    expect(out.changed.sysctl).toContain('net.ipv4.tcp_fin_timeout = 17');
  });

  it('back to the first point: sysctl and cat show exactly the earlier state', () => {
    expect(out.restore.results.every((r) => r.ok), JSON.stringify(out.restore.results)).toBe(true);
    expect(out.changed).not.toEqual(out.before);
    expect(out.after).toEqual(out.before);
    // sysctl.d: the edited profile saved with its text at the point, the new one deleted, both through the profile path (backed up).
    expect(out.before.profiles).toBe('== /etc/sysctl.d/90-hd.conf\n# Written by HostDeck. One "key = value" per line; later files in /etc/sysctl.d override earlier ones.\nnet.ipv4.tcp_keepalive_time = 600\n');
    expect(out.changed.profiles).toContain('91-hd.conf');
    expect(out.restore.results.filter((r) => r.operation.startsWith('kernel.') && r.operation.endsWith('Profile')).map((r) => r.text)).toEqual([
      'Write /etc/sysctl.d/90-hd.conf with its settings at the point (net.ipv4.tcp_keepalive_time = 600)',
      'Delete /etc/sysctl.d/91-hd.conf, which the point did not have (the helper keeps a backup)',
    ]);
    expect(out.restore.notes).toEqual([]);
    expect(out.backups).toEqual([1, 1]);
    expect(out.points.at(-1)).toMatchObject({ kind: 'change', operation: 'history.restore', result: 'applied' });
  });
});

describe('the point after a live sysctl write', () => {
  it('holds what a full read gives, with the entries the kernel changed beside the written ones', () => {
    const { point, changes } = out.sideEffects;
    expect(point).toMatchObject({ kind: 'change', operation: 'kernel.apply', result: 'applied' });
    const keys = point.changes.map((c) => c.key);
    // Written, and carried by the kernel to other entries.
    expect(keys).toEqual(expect.arrayContaining(['net.ipv4.ip_forward', 'net.ipv4.conf.hd0.forwarding', 'net.ipv4.conf.all.accept_redirects', 'net.ipv6.conf.hd0.forwarding', 'net.ipv4.conf.hd0.rp_filter', 'net.ipv6.conf.hd1.forwarding', 'net.ipv4.neigh.hd0.retrans_time_ms']));
    expect(changes).toEqual([]);
  });
});
