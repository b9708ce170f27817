import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { applySettings } from '../../electron/kernel/apply';
import { createHost } from '../../electron/hosts/host';
import { ApiError } from '../../shared/api/errors';
import { copyProcSysWithValues } from './support/procsys-copy';

/** Apply and undo against a copy of /proc/sys (procSys pointed at it): nothing reaches the kernel. */
describe('kernel.apply / kernel.undo on a /proc/sys copy', () => {
  let dir: string;
  let ps: string;
  let rt: Runtime;
  const read = (rel: string) => readFileSync(path.join(ps, rel), 'utf8');
  const seed = (rel: string, value: string) => writeFileSync(path.join(ps, rel), `${value}\n`);

  beforeEach(() => {
    if (process.getuid?.() !== 0) throw new Error('These tests run as root (as CI does): HostDeck applies only when privileged.');
    dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-apply-'));
    ps = path.join(dir, 'proc-sys');
    copyProcSysWithValues(ps, /^(net\/core|net\/ipv4\/(tcp_|ip_)|vm\/|kernel\/(msg|shm))/);
    seed('net/core/somaxconn', '4096');
    seed('vm/swappiness', '60');
    seed('net/ipv4/ip_local_port_range', '32768\t60999');
    seed('net/ipv4/tcp_keepalive_time', '7200');
    rt = new Runtime({ mode: 'cli', local: { root: dir, procSys: ps } });
  });
  afterEach(async () => {
    await rt.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a dry run says what would change, with previous values, and writes nothing', async () => {
    const before = read('net/core/somaxconn');
    const r = await rt.api.kernel.apply({
      settings: [
        { key: 'net.core.somaxconn', value: '1024' },
        { key: 'vm.swappiness', value: '60' },
        { key: 'net/ipv4/ip_local_port_range', value: '32768   60999' },
      ],
      dryRun: true,
    });
    expect(r.dryRun).toBe(true);
    expect(r.results.map((x) => [x.key, x.outcome, x.previous])).toEqual([
      ['net.core.somaxconn', 'planned', '4096'],
      ['vm.swappiness', 'unchanged', '60'],
      ['net.ipv4.ip_local_port_range', 'unchanged', '32768\t60999'],
    ]);
    expect(r.summary).toEqual({ planned: 1, applied: 0, unchanged: 2, failed: 0 });
    expect(r.undo).toEqual([]);
    expect(read('net/core/somaxconn')).toBe(before);
  });

  it('writes in order, records previous values and reports each key; undo restores them', async () => {
    const r = await rt.api.kernel.apply({
      settings: [
        { key: 'net.core.somaxconn', value: '1024' },
        { key: 'vm.swappiness', value: ' 10 ' },
        { key: 'net.ipv4.ip_local_port_range', value: '20000\t30000' },
        { key: 'net.ipv4.tcp_keepalive_time', value: '7200' },
      ],
    });
    expect(r.results.map((x) => [x.key, x.outcome, x.previous, x.readBack])).toEqual([
      ['net.core.somaxconn', 'applied', '4096', '1024'],
      ['vm.swappiness', 'applied', '60', '10'],
      ['net.ipv4.ip_local_port_range', 'applied', '32768\t60999', '20000 30000'],
      ['net.ipv4.tcp_keepalive_time', 'unchanged', '7200', '7200'],
    ]);
    // the validated value + "\n", blanks of a vector collapsed as the catalog normalises them
    expect(read('net/core/somaxconn')).toBe('1024\n');
    expect(read('vm/swappiness')).toBe('10\n');
    expect(read('net/ipv4/ip_local_port_range')).toBe('20000 30000\n');
    expect(r.undo).toEqual([
      { key: 'net.core.somaxconn', previous: '4096', applied: '1024' },
      { key: 'vm.swappiness', previous: '60', applied: '10' },
      { key: 'net.ipv4.ip_local_port_range', previous: '32768\t60999', applied: '20000 30000' },
    ]);
    const u = await rt.api.kernel.undo({ entries: r.undo });
    // last change first
    expect(u.results.map((x) => [x.key, x.outcome])).toEqual([
      ['net.ipv4.ip_local_port_range', 'restored'],
      ['vm.swappiness', 'restored'],
      ['net.core.somaxconn', 'restored'],
    ]);
    expect(read('net/core/somaxconn')).toBe('4096\n');
    expect(read('vm/swappiness')).toBe('60\n');
    expect(read('net/ipv4/ip_local_port_range')).toBe('32768\t60999\n');
  });

  it('a key read-only in this namespace (no write bit) fails with EACCES and is not written; a missing key is ENOENT; the others apply', async () => {
    chmodSync(path.join(ps, 'net/core/somaxconn'), 0o444);
    const r = await rt.api.kernel.apply({
      settings: [
        { key: 'net.core.somaxconn', value: '1024' },
        { key: 'net.ipv4.conf.nosuchif0.rp_filter', value: '1' },
        { key: 'vm.swappiness', value: '5' },
      ],
    });
    expect(r.results.map((x) => [x.key, x.outcome, x.error?.code ?? null])).toEqual([
      ['net.core.somaxconn', 'failed', 'EACCES'],
      ['net.ipv4.conf.nosuchif0.rp_filter', 'failed', 'ENOENT'],
      ['vm.swappiness', 'applied', null],
    ]);
    expect(r.results[0]!.error!.message).toMatch(/read-only in this namespace/);
    expect(read('net/core/somaxconn')).toBe('4096\n');
    expect(read('vm/swappiness')).toBe('5\n');
    expect(r.summary.failed).toBe(2);
    expect(r.undo.map((x) => x.key)).toEqual(['vm.swappiness']);
  });

  it('validates every value with the catalog first: one bad value and nothing is written', async () => {
    const err = await rt.api.kernel
      .apply({
        settings: [
          { key: 'net.core.somaxconn', value: '1024' },
          { key: 'net.ipv4.ip_local_port_range', value: '50000 40000' },
          { key: 'vm.swappiness', value: 'lots' },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('INVALID_VALUE');
    expect((err as ApiError).message).toMatch(/ip_local_port_range.*first port/);
    expect((err as ApiError).message).toMatch(/vm\.swappiness needs an integer, not "lots"/);
    expect(read('net/core/somaxconn')).toBe('4096\n');
  });

  it('refuses globs, duplicates and names that would leave /proc/sys', async () => {
    for (const settings of [
      [{ key: 'net.ipv4.conf.*.rp_filter', value: '1' }],
      [{ key: 'vm.swappiness', value: '1' }, { key: 'vm/swappiness', value: '2' }],
      [{ key: 'net/../../../etc/passwd', value: 'x' }],
      [{ key: '../../etc/passwd', value: 'x' }],
    ]) {
      const err = await rt.api.kernel.apply({ settings }).catch((e: unknown) => e);
      expect((err as ApiError).code, JSON.stringify(settings)).toBe('INVALID_VALUE');
    }
    expect(read('vm/swappiness')).toBe('60\n');
  });

  it('undo leaves alone a key someone changed after the apply, unless forced', async () => {
    const r = await rt.api.kernel.apply({ settings: [{ key: 'net.core.somaxconn', value: '1024' }, { key: 'vm.swappiness', value: '10' }] });
    seed('net/core/somaxconn', '2048'); // another admin, after us
    const u = await rt.api.kernel.undo({ entries: r.undo });
    expect(u.results.map((x) => [x.key, x.outcome, x.live])).toEqual([
      ['vm.swappiness', 'restored', '60'],
      ['net.core.somaxconn', 'conflict', '2048'],
    ]);
    expect(read('net/core/somaxconn')).toBe('2048\n');
    const f = await rt.api.kernel.undo({ entries: r.undo, force: true });
    expect(f.results.map((x) => [x.key, x.outcome])).toEqual([
      ['vm.swappiness', 'unchanged'],
      ['net.core.somaxconn', 'restored'],
    ]);
    expect(read('net/core/somaxconn')).toBe('4096\n');
  });

  it('a dry run needs no helper and writes nothing (the pkexec path is test/helper/pkexec.int.test.ts)', async () => {
    const host = createHost({ id: 'h', label: 'h', kind: 'local', root: dir, procSys: ps, privileged: false });
    expect((await applySettings(host, [{ key: 'vm.swappiness', value: '1' }], true)).results[0]!.outcome).toBe('planned');
    expect(read('vm/swappiness')).toBe('60\n');
  });

  it('refuses keys that make the kernel run a program as root, before anything is written', async () => {
    for (const settings of [[{ key: 'kernel.modprobe', value: '/tmp/x' }], [{ key: 'kernel.core_pattern', value: '|/tmp/x %p' }]]) {
      const err = await rt.api.kernel.apply({ settings }).catch((e: unknown) => e);
      expect((err as ApiError).code, JSON.stringify(settings)).toBe('INVALID_VALUE');
      expect((err as ApiError).message).toMatch(/run a program as root/);
    }
  });

  it('issue #20: a core_pattern path is refused on its line, and a weakening profile is not saved without its confirmation', async () => {
    const check = await rt.api.kernel.checkProfile({ settings: [{ key: 'kernel.core_pattern', value: '/etc/ld.so.preload' }, { key: 'fs.suid_dumpable', value: '0x2' }] });
    expect(check.entries.map((e) => e.error)).toEqual([expect.stringMatching(/is a path: a crashing set-uid program/), expect.stringMatching(/^fs\.suid_dumpable = 2/)]);
    seed('vm/mmap_min_addr', '65536');
    const settings = [{ key: 'vm.mmap_min_addr', value: '0' }];
    const dry = await rt.api.kernel.apply({ settings, dryRun: true });
    expect(dry.weakening).toEqual([{ key: 'vm.mmap_min_addr', value: '0', weakens: expect.stringContaining('address 0') }]);
    for (const call of [() => rt.api.kernel.apply({ settings }), () => rt.api.kernel.saveProfile({ name: '90-x', settings, expectedSha256: null })]) {
      const err = (await call().catch((e: unknown) => e)) as ApiError;
      expect(err.code).toBe('NEEDS_CONFIRMATION');
      expect(err.detail).toMatchObject({ weakening: [{ key: 'vm.mmap_min_addr' }], missing: ['vm.mmap_min_addr'] });
    }
    expect(read('vm/mmap_min_addr')).toBe('65536\n');
    mkdirSync(path.join(dir, 'etc/sysctl.d'), { recursive: true });
    const saved = await rt.api.kernel.saveProfile({ name: '90-x', settings, expectedSha256: null, confirmWeakening: ['vm.mmap_min_addr'] });
    expect(readFileSync(path.join(dir, 'etc/sysctl.d/90-x.conf'), 'utf8')).toContain('vm.mmap_min_addr = 0\n');
    expect(saved.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
