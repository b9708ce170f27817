import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { probeNamespaces } from '../../electron/kernel/probe';
import { parseKernelVersion } from '../../shared/kernel/version';
import { requireTool } from './support/sysctl-sandbox';

describe('namespacing on this kernel matches the empirical probe', () => {
  it('unshare -n -i -u listing agrees with the namespace table for every key', () => {
    requireTool('/usr/bin/unshare', 'util-linux');
    if (process.getuid?.() !== 0) throw new Error('The namespace probe needs root, as CI runs it.');
    const k = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
    const r = probeNamespaces(parseKernelVersion(k)!, k);
    expect(r.available, r.reason).toBe(true);
    expect(r.rows.length).toBeGreaterThan(500);
    const disagree = r.rows.filter((x) => !x.agree);
    expect(disagree).toEqual([]);
    const by = new Map(r.rows.map((x) => [x.key, x]));
    expect(by.get('net.core.somaxconn')?.probe).toBe('net');
    expect(by.get('net.netfilter.nf_conntrack_max')?.probe ?? 'read-only-in-child').toBe('read-only-in-child');
    expect(by.get('net.core.netdev_max_backlog')?.probe).toBe('host-only');
    expect(by.get('vm.max_map_count')?.probe).toBe('global');
  });
});
