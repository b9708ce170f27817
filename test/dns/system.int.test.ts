import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectOwner } from '../../electron/dns/owner';
import { ImageTransport } from '../../electron/hosts/image';
import { readResolved } from '../../electron/dns/resolved';
import type { DnsLiveResult } from '../../shared/dns/contract';
import { runWithDnsServer } from './support/netns';
import { requireRoot, requireTool, resolvConfTarget, shq, supportDir } from './support/tools';

const repoRoot = join(supportDir, '../../..');

describe('live nameserver check against a real DNS server in a private network namespace', () => {
  it('answers, NXDOMAIN and an unreachable server', () => {
    requireRoot();
    const r = runWithDnsServer('nameserver 127.0.0.1\n', [process.execPath, '--import', join(repoRoot, 'node_modules/tsx/dist/esm/index.mjs'), join(supportDir, 'live-runner.ts'), 'exists.example.', '127.0.0.1', '127.0.0.2', '127.0.0.9', '::1'], {
      exists: ['exists.example.'],
    });
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as DnsLiveResult[];
    expect(res.map((x) => [x.server, x.rcode, x.answers])).toEqual([
      ['127.0.0.1', 'NOERROR', ['192.0.2.1']],
      ['127.0.0.2', 'NOERROR', ['192.0.2.1']],
      ['127.0.0.9', null, []],
      ['::1', 'NOERROR', ['192.0.2.1']],
    ]);
    expect(res[0]!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(res[2]!.error).toBeTruthy();
    expect(r.queries.map((q) => q.server).sort()).toEqual(['127.0.0.1', '127.0.0.2', '::1']);
  });
});

describe('ownership on the live system', () => {
  it('a bind-mounted /etc/resolv.conf is reported as a container mount (private mount namespace)', () => {
    requireRoot();
    const dir = mkdtempSync(join(tmpdir(), 'hostdeck-dns-own-'));
    try {
      writeFileSync(join(dir, 'resolv.conf'), 'nameserver 192.0.2.1\n');
      writeFileSync(
        join(dir, 'owner.ts'),
        `import { detectOwner } from ${JSON.stringify(join(repoRoot, 'electron/dns/owner.ts'))};\nimport { LocalTransport } from ${JSON.stringify(join(repoRoot, 'electron/hosts/local.ts'))};\ndetectOwner(new LocalTransport()).then((o) => console.log(JSON.stringify(o)));\n`,
      );
      const script = `set -e\nmount --bind ${shq(join(dir, 'resolv.conf'))} ${shq(resolvConfTarget())}\ncd ${shq(repoRoot)}\n${shq(process.execPath)} --import tsx ${shq(join(dir, 'owner.ts'))}`;
      const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const o = JSON.parse(r.stdout.trim().split('\n').pop()!);
      if (resolvConfTarget() === '/etc/resolv.conf') {
        expect(o.kind).toBe('container');
        expect(o.mountPoint).toBe(true);
      } else {
        expect(o.symlinkTarget).not.toBeNull();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the immutable attribute is detected with lsattr', async () => {
    requireRoot();
    requireTool('chattr', 'e2fsprogs');
    const root = mkdtempSync(join(tmpdir(), 'hostdeck-dns-imm-'));
    const file = join(root, 'etc/resolv.conf');
    spawnSync('mkdir', ['-p', join(root, 'etc')]);
    writeFileSync(file, 'nameserver 192.0.2.1\n');
    const set = spawnSync('chattr', ['+i', file], { encoding: 'utf8' });
    try {
      expect(set.status, `chattr +i failed (the temp dir's file system must support it): ${set.stderr}`).toBe(0);
      const o = await detectOwner(new ImageTransport({ root }));
      expect(o.kind).toBe('immutable');
      expect(o.immutable).toBe(true);
      expect(o.changeInstead[0]).toContain('chattr -i');
    } finally {
      spawnSync('chattr', ['-i', file]);
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('systemd-resolved over D-Bus', () => {
  // The real daemon is tested in resolved.int.test.ts; this is the "no bus at all" case.
  it('reports "not available" with a reason when there is no system bus', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostdeck-dns-bus-'));
    try {
      const r = await readResolved(`unix:path=${join(dir, 'no-bus-here')}`, 1000);
      expect(r.available).toBe(false);
      expect(r.reason).toMatch(/no system bus/);
      expect(r.links).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
