import { describe, expect, it } from 'vitest';
import { catalogEntry, isDescribed } from '../../shared/kernel/catalog';
import { baselineAllowedFor, k8sRows, safeListFor } from '../../shared/kernel/k8s-table';
import { normalizeKey, keyToPath, pathToKey } from '../../shared/kernel/keys';
import { readLive } from '../../electron/kernel/live';
import { probeNamespaces } from '../../electron/kernel/probe';
import { parseKernelVersion } from '../../shared/kernel/version';

/**
 * The shortcuts kernel.list takes for its ~1,300 rows (issue #22) answer exactly what the long
 * way does: the description check, the memoized version tables, the separator swap, and the
 * namespace probe on the listing the caller already read.
 */
describe('kernel list shortcuts give the same answers', () => {
  const live = readLive('/proc/sys');

  it('isDescribed(key) is catalogEntry(key).description !== null for every live key and odd spellings', () => {
    const keys = [...live.map((e) => e.key), 'net/ipv4/ip_forward', ' net.ipv4.conf.eth9.rp_filter ', 'net.ipv6.neigh.eth0.retrans_time', 'no.such.key'];
    expect(keys.filter((k) => isDescribed(k) !== (catalogEntry(k).description !== null))).toEqual([]);
    expect(keys.some((k) => isDescribed(k))).toBe(true);
  });

  it('the memoized safe and baseline lists equal a fresh computation for every minor', () => {
    const minorOf = (v: string) => Number(v.split('.')[1]);
    for (let minor = 0; minor <= 40; minor++) {
      expect(safeListFor(minor)).toEqual(k8sRows.filter((r) => r.k8sSafeSince !== null && minorOf(r.k8sSafeSince) <= minor).map((r) => ({ name: r.name, minKernel: r.minKernel, since: minorOf(r.k8sSafeSince!) })));
      expect(safeListFor(minor)).toBe(safeListFor(minor));
      expect([...baselineAllowedFor(minor)].sort()).toEqual(k8sRows.filter((r) => r.podSecurityBaselineSince !== null && minorOf(r.podSecurityBaselineSince) <= minor).map((r) => r.name).sort());
    }
  });

  it('dot and slash names still swap both ways (a dot inside an interface name survives)', () => {
    expect(keyToPath('net.ipv4.conf.eth0/100.rp_filter')).toBe('net/ipv4/conf/eth0.100/rp_filter');
    expect(pathToKey('net/ipv4/conf/eth0.100/rp_filter')).toBe('net.ipv4.conf.eth0/100.rp_filter');
    expect(normalizeKey('net/ipv4/conf/eth0.100/rp_filter')).toBe('net.ipv4.conf.eth0/100.rp_filter');
    for (const e of live) expect(keyToPath(e.key)).toBe(e.path);
  });

  it('the probe over the caller\'s listing equals the probe that reads /proc/sys itself', () => {
    const text = live.find((e) => e.path === 'kernel/osrelease')!.value!.trim();
    const kv = parseKernelVersion(text)!;
    // A fixed child listing: the comparison is about the host side, no namespace is needed.
    const fresh = { modes: new Map(live.filter((e) => e.path.startsWith('net/')).map((e) => [e.path, e.mode])), values: new Map<string, string>() };
    expect(probeNamespaces(kv, text, fresh, live)).toEqual(probeNamespaces(kv, text, fresh));
  });
});
