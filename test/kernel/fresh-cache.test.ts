import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachedFreshNamespace, freshKey, readFreshCache, type FreshKey } from '../../electron/kernel/fresh-cache';
import type { FreshNamespace } from '../../shared/kernel/defaults';
import { expectForeignCachesIgnored } from './support/foreign-cache';

/**
 * The fresh-namespace listing kept between runs (issue #22): used again on the next run with
 * the same kernel, boot and sysctl set; anything else (another boot or kernel, a module's new
 * keys, a corrupt, foreign or planted file) means a new probe, never a trusted answer.
 */
let work: string;
let dir: string;
let probes: number;

const listing = (v = '0'): FreshNamespace => ({ modes: new Map([['net/ipv4/ip_forward', 0o644], ['kernel/shmmax', 0o644]]), values: new Map([['net/ipv4/ip_forward', v]]) });
const probe = (v = '0') => () => {
  probes++;
  return listing(v);
};
const key = (over: Partial<FreshKey> = {}): FreshKey => ({ release: '6.1.0-28-amd64', bootId: '0d6a8d8e-1111-4c3e-9e0b-8a1f4e3b2c11', paths: 'a'.repeat(64), devconfInherit: '0', ...over });
const file = () => path.join(dir, 'fresh-namespace.json');

beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'hostdeck-fresh-cache-'));
  dir = path.join(work, 'cache', 'hostdeck');
  probes = 0;
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe('fresh-namespace cache', () => {
  it('the second run reads the first run\'s listing instead of probing again', () => {
    const first = cachedFreshNamespace(dir, key(), probe());
    const second = cachedFreshNamespace(dir, key(), probe('1'));
    expect(probes).toBe(1);
    expect(second).toEqual(first);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('another boot, kernel, sysctl set or devconf_inherit_init_net probes again and replaces it', () => {
    cachedFreshNamespace(dir, key(), probe());
    for (const other of [{ bootId: 'ffffffff-2222-4c3e-9e0b-8a1f4e3b2c11' }, { release: '6.12.0-1-amd64' }, { paths: 'b'.repeat(64) }, { devconfInherit: '2' }]) {
      const before = probes;
      const got = cachedFreshNamespace(dir, key(other), probe('1'));
      expect(probes).toBe(before + 1);
      expect(got).toEqual(listing('1'));
      expect(readFreshCache(dir, key(other))).toEqual(listing('1'));
      expect(readFreshCache(dir, key())).toBeNull();
      cachedFreshNamespace(dir, key(), probe());
    }
  });

  it('a corrupt or malformed cache is ignored and rebuilt', () => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const good = JSON.stringify({ version: 1, key: key(), modes: { 'net/ipv4/ip_forward': 420 }, values: { 'net/ipv4/ip_forward': '1' } });
    for (const bad of ['', '{', 'null', '[]', good.slice(0, -3), good.replace('"version":1', '"version":2'), good.replace('420', '"420"'), good.replace('420', '-1'), good.replace('"devconfInherit":"0"', '"devconfInherit":"0","extra":1')]) {
      writeFileSync(file(), bad, { mode: 0o600 });
      const before = probes;
      expect(cachedFreshNamespace(dir, key(), probe())).toEqual(listing());
      expect(probes).toBe(before + 1);
      expect(readFreshCache(dir, key())).toEqual(listing());
    }
  });

  it('a cache it cannot own is never read: another owner, writable by others, a symlink, a foreign directory', () => {
    if (process.getuid?.() !== 0) throw new Error('This test needs root (chown), as CI runs it.');
    cachedFreshNamespace(dir, key(), probe());
    const planted = JSON.stringify({ version: 1, key: key(), modes: { 'net/ipv4/ip_forward': 420 }, values: { 'net/ipv4/ip_forward': 'PLANTED' } });
    expectForeignCachesIgnored({ dir, file: file(), work, planted, read: () => readFreshCache(dir, key()) });
    // ...and a run then probes itself, leaving the foreign directory alone
    const before = probes;
    expect(cachedFreshNamespace(dir, key(), probe())).toEqual(listing());
    expect(probes).toBe(before + 1);
    expect(readFileSync(file(), 'utf8')).toBe(planted);
  });

  it('the key follows the kernel, the boot and the sysctls the host has, not its interfaces', () => {
    const procSys = path.join(work, 'procsys');
    const put = (rel: string, v: string) => {
      mkdirSync(path.dirname(path.join(procSys, rel)), { recursive: true });
      writeFileSync(path.join(procSys, rel), `${v}\n`);
    };
    put('kernel/osrelease', '6.1.0-28-amd64');
    put('kernel/random/boot_id', 'boot-1');
    put('net/core/devconf_inherit_init_net', '0');
    const paths = ['kernel/osrelease', 'net/ipv4/ip_forward', 'net/ipv4/conf/all/rp_filter', 'net/ipv4/conf/eth0/rp_filter'];
    const k = freshKey(paths, procSys);
    expect(k).toMatchObject({ release: '6.1.0-28-amd64', bootId: 'boot-1', devconfInherit: '0' });
    // A new interface (a pod's veth) changes nothing; a module's new keys do.
    expect(freshKey([...paths, 'net/ipv4/conf/veth12ab/rp_filter', 'net/ipv6/neigh/veth12ab/retrans_time'], procSys)).toEqual(k);
    expect(freshKey([...paths, 'net/bridge/bridge-nf-call-iptables'], procSys).paths).not.toBe(k.paths);
    expect(freshKey([...paths, 'net/ipv4/conf/default/rp_filter'], procSys).paths).not.toBe(k.paths);
    put('kernel/random/boot_id', 'boot-2');
    expect(freshKey(paths, procSys).bootId).toBe('boot-2');
  });
});
