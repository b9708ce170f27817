import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from './support/sysctl-sandbox';

/**
 * Apply for real: a child process in a fresh network namespace (`unshare -n`) runs
 * `hostdeck kernel apply` against the real /proc/sys of that namespace, so the kernel itself
 * accepts or refuses each value; then `hostdeck kernel undo`. Only net.* keys, which belong to
 * the new namespace; the host's own values are checked unchanged afterwards.
 */
const repo = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(repo, 'node_modules/.bin/tsx');

interface ChildOut {
  before: Record<string, string>;
  apply: { out: string; err: string; code: number };
  after: Record<string, string>;
  undo: { out: string; err: string; code: number };
  restored: Record<string, string>;
}

const PROFILE = [
  'net.core.somaxconn = 1234',
  'net.ipv4.tcp_keepalive_time = 600',
  'net/ipv4/ip_local_port_range = 20000 30000',
  'net.ipv4.tcp_fin_timeout = 17',
  // EINVAL from the kernel: the unprivileged port start must stay below the local port range
  'net.ipv4.ip_unprivileged_port_start = 40000',
  // global data, visible read-only in a child netns on this kernel: EACCES, never written
  'net.core.rmem_max = 4194304',
  // no such interface in a fresh namespace: ENOENT
  'net.ipv4.conf.eth0.rp_filter = 2',
].join('\n');

const hostValue = (rel: string) => readFileSync(path.join('/proc/sys', rel), 'utf8');
const HOST_KEYS = ['net/core/somaxconn', 'net/ipv4/tcp_keepalive_time', 'net/ipv4/ip_local_port_range', 'net/ipv4/tcp_fin_timeout', 'net/ipv4/ip_unprivileged_port_start', 'net/core/rmem_max'];

describe('kernel apply inside a fresh network namespace', () => {
  let work: string;
  let out: ChildOut;
  let hostBefore: string[];

  beforeAll(() => {
    requireTool('/usr/bin/unshare', 'util-linux');
    if (process.getuid?.() !== 0) throw new Error('This test needs root (unshare -n), as CI runs it.');
    // The read-only case is only safe to include where the child really sees rmem_max without a write bit.
    const mode = spawnSync('unshare', ['-n', 'stat', '-c', '%a', '/proc/sys/net/core/rmem_max'], { encoding: 'utf8' });
    if (mode.stdout.trim() !== '444') throw new Error(`net.core.rmem_max in a child netns has mode "${mode.stdout.trim()}" (${mode.stderr.trim()}); this test expects a kernel that shows it read-only (>= ~6.10)`);
    work = mkdtempSync(path.join(tmpdir(), 'hostdeck-netns-apply-'));
    writeFileSync(path.join(work, 'profile.conf'), `${PROFILE}\n`);
    hostBefore = HOST_KEYS.map(hostValue);
    const r = spawnSync('unshare', ['-n', TSX, path.join(repo, 'test/kernel/support/netns-apply-child.ts'), path.join(work, 'profile.conf'), work, readlinkSync('/proc/self/ns/net')], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 90_000,
    });
    if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
    out = JSON.parse(r.stdout) as ChildOut;
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the kernel took the valid values, refused the others, each reported with its errno', () => {
    const apply = JSON.parse(out.apply.out) as {
      results: { key: string; outcome: string; previous: string | null; readBack: string | null; error: { code: string; message: string } | null }[];
      undo: { key: string; previous: string }[];
    };
    const by = new Map(apply.results.map((x) => [x.key, x]));
    expect(apply.results.map((x) => x.key)).toEqual([
      'net.core.somaxconn',
      'net.ipv4.tcp_keepalive_time',
      'net.ipv4.ip_local_port_range',
      'net.ipv4.tcp_fin_timeout',
      'net.ipv4.ip_unprivileged_port_start',
      'net.core.rmem_max',
      'net.ipv4.conf.eth0.rp_filter',
    ]);
    expect(out.after['net.core.somaxconn']).toBe('1234');
    expect(out.after['net.ipv4.tcp_keepalive_time']).toBe('600');
    expect(out.after['net.ipv4.ip_local_port_range']).toBe('20000\t30000');
    expect(out.after['net.ipv4.tcp_fin_timeout']).toBe('17');
    for (const k of ['net.core.somaxconn', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_fin_timeout']) {
      expect(by.get(k)?.outcome, k).toBe('applied');
      expect(by.get(k)?.previous, k).toBe(out.before[k]);
    }
    expect(by.get('net.ipv4.ip_local_port_range')?.readBack).toBe('20000\t30000');
    expect(by.get('net.ipv4.ip_unprivileged_port_start')).toMatchObject({ outcome: 'failed', error: { code: 'EINVAL' } });
    expect(out.after['net.ipv4.ip_unprivileged_port_start']).toBe(out.before['net.ipv4.ip_unprivileged_port_start']);
    expect(by.get('net.core.rmem_max')).toMatchObject({ outcome: 'failed', error: { code: 'EACCES' } });
    expect(by.get('net.core.rmem_max')!.error!.message).toMatch(/read-only in this namespace/);
    expect(by.get('net.ipv4.conf.eth0.rp_filter')).toMatchObject({ outcome: 'failed', error: { code: 'ENOENT' } });
    expect(out.apply.code).toBe(1); // some keys failed
    expect(apply.undo.map((x) => x.key)).toEqual(['net.core.somaxconn', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_fin_timeout']);
  });

  it('undo restored every recorded previous value in the namespace', () => {
    const undo = JSON.parse(out.undo.out) as { results: { key: string; outcome: string }[] };
    expect(undo.results.every((x) => x.outcome === 'restored')).toBe(true);
    expect(out.undo.code).toBe(0);
    expect(out.restored).toEqual(out.before);
  });

  it("never touched the host's own values", () => {
    expect(HOST_KEYS.map(hostValue)).toEqual(hostBefore);
  });
});
