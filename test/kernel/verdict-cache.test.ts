import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachedVerdicts, readVerdicts, verdictCodeId, verdictKey, type Verdict, type VerdictKey } from '../../electron/kernel/verdict-cache';
import { classifySysctl } from '../../shared/kernel/k8s';
import { isDescribed } from '../../shared/kernel/catalog';
import { expectForeignCachesIgnored } from './support/foreign-cache';

/**
 * The classification verdicts `kernel list` keeps between runs (issue #22): reused only for the
 * same code, target, kernel and boot; a corrupt, foreign or planted file is never believed, and
 * the verdicts are the classifier's own.
 */
let work: string;
let dir: string;
let calls: number;

const names = ['kernel.sem', 'net.ipv4.ip_forward', 'net.ipv4.tcp_keepalive_time', 'vm.swappiness', 'kernel.shmmax'];
const opts = { k8s: '1.33', kernel: '6.1.0-28-amd64' };
const classify = (n: string): Verdict => {
  calls++;
  const c = classifySysctl(n, opts);
  return [c.namespace, c.kubernetes.status, c.kubernetes.podSecurityBaseline, isDescribed(n)];
};
const key = (over: Partial<VerdictKey> = {}): VerdictKey => ({
  code: '0.1.0:handlers-AbCdEf12.js',
  release: '6.1.0-28-amd64',
  bootId: '0d6a8d8e-1111-4c3e-9e0b-8a1f4e3b2c11',
  k8s: '1.33',
  kernel: '6.1.0-28-amd64',
  podSecurityVersion: null,
  hostNetwork: false,
  hostIPC: false,
  ...over,
});
const file = () => path.join(dir, 'verdicts.json');
const fresh = () => new Map(names.map((n) => [n, classify(n)]));

beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'hostdeck-verdict-cache-'));
  dir = path.join(work, 'cache', 'hostdeck');
  calls = 0;
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe('classification verdict cache', () => {
  it('the second run takes the verdicts from the file, equal to the classifier\'s', () => {
    const first = cachedVerdicts(dir, key(), names, classify);
    expect(calls).toBe(names.length);
    const second = cachedVerdicts(dir, key(), names, classify);
    expect(calls).toBe(names.length);
    expect(second).toEqual(first);
    expect(first).toEqual(fresh());
    // a key the file lacks (a new interface) is classified and added, the rest still read
    calls = 0;
    cachedVerdicts(dir, key(), [...names, 'net.ipv4.conf.veth1.rp_filter'], classify);
    expect(calls).toBe(1);
    expect(readVerdicts(dir, key())?.has('net.ipv4.conf.veth1.rp_filter')).toBe(true);
    // a hostile name (from a snapshot file) the reader would refuse is not stored, so the file stays usable
    const long = `net.${'x'.repeat(600)}`;
    cachedVerdicts(dir, key(), [...names, long, '__proto__'], classify);
    calls = 0;
    const again = cachedVerdicts(dir, key(), [...names, '__proto__'], classify);
    expect(calls).toBe(0);
    expect(again.get('__proto__')).toEqual(classify('__proto__'));
  });

  it('another kernel, boot, code or target classifies again and replaces the file', () => {
    cachedVerdicts(dir, key(), names, classify);
    const others: Partial<VerdictKey>[] = [
      { release: '6.12.0-1-amd64' },
      { bootId: 'ffffffff-2222-4c3e-9e0b-8a1f4e3b2c11' },
      { code: '0.1.0:handlers-ZzZzZz99.js' },
      { k8s: '1.29' },
      { kernel: '5.4.0' },
      { kernel: null },
      { podSecurityVersion: 'v1.30' },
      { hostNetwork: true },
      { hostIPC: true },
    ];
    for (const other of others) {
      calls = 0;
      cachedVerdicts(dir, key(other), names, classify);
      expect(calls, JSON.stringify(other)).toBe(names.length);
      expect(readVerdicts(dir, key())).toBeNull();
      expect(readVerdicts(dir, key(other))).not.toBeNull();
      cachedVerdicts(dir, key(), names, classify);
    }
  });

  it('a target that changes a verdict gets that target\'s verdict, not the stored one', () => {
    // kernel.shm_rmid_forced is safe from 1.4; net.ipv4.ip_local_reserved_ports only on kernels >= 3.16 from 1.27.
    const n = 'net.ipv4.ip_local_reserved_ports';
    const on = (o: { k8s: string; kernel: string }) => cachedVerdicts(dir, key({ k8s: o.k8s, kernel: o.kernel }), [n], (x) => {
      const c = classifySysctl(x, o);
      return [c.namespace, c.kubernetes.status, c.kubernetes.podSecurityBaseline, isDescribed(x)];
    }).get(n)![1];
    expect(on({ k8s: '1.33', kernel: '6.1.0' })).toBe(classifySysctl(n, { k8s: '1.33', kernel: '6.1.0' }).kubernetes.status);
    expect(on({ k8s: '1.26', kernel: '6.1.0' })).toBe(classifySysctl(n, { k8s: '1.26', kernel: '6.1.0' }).kubernetes.status);
    expect(classifySysctl(n, { k8s: '1.33', kernel: '6.1.0' }).kubernetes.status).not.toBe(classifySysctl(n, { k8s: '1.26', kernel: '6.1.0' }).kubernetes.status);
  });

  it('a corrupt or malformed file is ignored and rebuilt with the classifier\'s verdicts', () => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const good = JSON.stringify({ version: 1, key: key(), verdicts: { 'kernel.sem': ['ipc', 'safe', 'allowed', true] } });
    const bads = [
      '',
      '{',
      'null',
      '[]',
      good.slice(0, -3),
      good.replace('"version":1', '"version":2'),
      good.replace('"ipc"', '"pid"'),
      good.replace('"safe"', '"trusted"'),
      good.replace('"allowed"', '"yes"'),
      good.replace('true]', '"true"]'),
      good.replace(',true]', ']'),
      good.replace('"hostIPC":false', '"hostIPC":false,"extra":1'),
      good.replace('"hostIPC":false', '"hostIPC":0'),
      JSON.stringify({ version: 1, key: key(), verdicts: { 'kernel.sem': { 0: 'ipc', 1: 'safe', 2: 'allowed', 3: true, length: 4 } } }),
    ];
    for (const bad of bads) {
      writeFileSync(file(), bad, { mode: 0o600 });
      calls = 0;
      expect(cachedVerdicts(dir, key(), names, classify), bad).toEqual(fresh());
      expect(calls).toBe(names.length * 2);
      expect(readVerdicts(dir, key())).toEqual(fresh());
    }
  });

  it('a file it cannot own is never read: another owner, writable by others, a symlink, a foreign directory', () => {
    if (process.getuid?.() !== 0) throw new Error('This test needs root (chown), as CI runs it.');
    cachedVerdicts(dir, key(), names, classify);
    // A planted verdict that would make a node-level key look settable in a pod.
    const planted = JSON.stringify({ version: 1, key: key(), verdicts: Object.fromEntries(names.map((n) => [n, ['net', 'safe', 'allowed', true]])) });
    expectForeignCachesIgnored({
      dir,
      file: file(),
      work,
      planted,
      read: () => readVerdicts(dir, key()),
      each: () => expect(cachedVerdicts(path.join(work, 'nowhere'), null, names, classify)).toEqual(fresh()),
    });
    // ...and a run then classifies itself, leaving the foreign directory alone
    expect(cachedVerdicts(dir, key(), names, classify)).toEqual(fresh());
    expect(readFileSync(file(), 'utf8')).toBe(planted);
  });

  it('the key follows the running kernel and boot; code from sources (no content hash) gets no disk cache', () => {
    const procSys = path.join(work, 'procsys');
    mkdirSync(path.join(procSys, 'kernel/random'), { recursive: true });
    writeFileSync(path.join(procSys, 'kernel/osrelease'), '6.1.0-28-amd64\n');
    writeFileSync(path.join(procSys, 'kernel/random/boot_id'), 'boot-1\n');
    const k = verdictKey('c', opts, procSys);
    expect(k).toEqual({ code: 'c', release: '6.1.0-28-amd64', bootId: 'boot-1', k8s: '1.33', kernel: '6.1.0-28-amd64', podSecurityVersion: null, hostNetwork: false, hostIPC: false });
    writeFileSync(path.join(procSys, 'kernel/random/boot_id'), 'boot-2\n');
    expect(verdictKey('c', opts, procSys).bootId).toBe('boot-2');
    expect(verdictCodeId('file:///opt/hostdeck/out/main/handlers-CR-WOFH2.js')).toMatch(/:handlers-CR-WOFH2\.js$/);
    expect(verdictCodeId('file:///src/electron/kernel/verdict-cache.ts')).toBeNull();
    // the classifier's module as the tests load it: sources, so no cache at all
    expect(verdictCodeId()).toBeNull();
  });
});
