import { describe, expect, it } from 'vitest';
import { changedFromDefault, defaultFor, freshValueIsDefault, type FreshNamespace } from '../../shared/kernel/defaults';

const fresh: FreshNamespace = {
  modes: new Map([
    ['net/core/somaxconn', 0o644],
    ['net/core/rmem_max', 0o444],
    ['net/ipv4/tcp_rmem', 0o644],
    ['net/ipv4/conf/all/rp_filter', 0o644],
    ['net/ipv6/conf/all/forwarding', 0o644],
    ['kernel/hostname', 0o644],
  ]),
  values: new Map([
    ['net/core/somaxconn', '4096'],
    ['net/core/rmem_max', '212992'],
    ['net/ipv4/tcp_rmem', '4096\t131072\t6291456'],
    ['net/ipv4/conf/all/rp_filter', '2'],
    ['net/ipv6/conf/all/forwarding', '0'],
    ['kernel/hostname', 'box'],
  ]),
};

describe('defaults: fresh namespace, documented, configured', () => {
  it('uses a fresh namespace only where it shows compiled defaults', () => {
    expect(freshValueIsDefault('net/core/somaxconn', 0o644, fresh, 0)).toBe(true);
    expect(freshValueIsDefault('net/core/rmem_max', 0o644, fresh, 0)).toBe(false); // read-only in child
    expect(freshValueIsDefault('net/ipv4/tcp_rmem', 0o644, fresh, 0)).toBe(false); // copied from init_net
    expect(freshValueIsDefault('kernel/hostname', 0o644, fresh, 0)).toBe(false); // UTS copies its parent
    // devconf_inherit_init_net: 0 -> IPv4 inherits, IPv6 resets; 2 -> both reset; 1 -> both inherit
    expect(freshValueIsDefault('net/ipv4/conf/all/rp_filter', 0o644, fresh, 0)).toBe(false);
    expect(freshValueIsDefault('net/ipv6/conf/all/forwarding', 0o644, fresh, 0)).toBe(true);
    expect(freshValueIsDefault('net/ipv4/conf/all/rp_filter', 0o644, fresh, 2)).toBe(true);
    expect(freshValueIsDefault('net/ipv6/conf/all/forwarding', 0o644, fresh, 1)).toBe(false);
  });

  it('prefers the fresh namespace, then the documented default, else nothing', () => {
    expect(defaultFor('net.core.somaxconn', 'net/core/somaxconn', 0o644, fresh, 0)).toEqual({ value: '4096', basis: 'fresh-namespace' });
    expect(defaultFor('net.core.somaxconn', 'net/core/somaxconn', 0o644, null, 0)).toEqual({ value: '4096', basis: 'documented' });
    expect(defaultFor('vm.swappiness', 'vm/swappiness', 0o644, fresh, 0)).toEqual({ value: '60', basis: 'documented' });
    expect(defaultFor('net.ipv4.tcp_rmem', 'net/ipv4/tcp_rmem', 0o644, fresh, 0)).toBeNull();
  });

  it('labels a changed value with its basis; read-only and unknown-default keys only by configuration', () => {
    const row = (value: string, configured: string | null = null, writable = true) => ({ state: 'ok', value, writable, configured: configured === null ? null : { value: configured } });
    expect(changedFromDefault(row('1024'), { value: '4096', basis: 'fresh-namespace' })).toEqual({ basis: 'fresh-namespace', default: '4096' });
    expect(changedFromDefault(row('4096', '4096'), { value: '4096', basis: 'fresh-namespace' })).toBeNull();
    expect(changedFromDefault(row('10'), { value: '60', basis: 'documented' })).toEqual({ basis: 'documented', default: '60' });
    expect(changedFromDefault(row('4096\t131072\t6291456', '4096 131072 6291456'), null)).toEqual({ basis: 'configured', default: null });
    expect(changedFromDefault(row('4096 131072 6291456'), null)).toBeNull();
    expect(changedFromDefault(row('32768\t60999'), { value: '32768 60999', basis: 'documented' })).toBeNull();
    expect(changedFromDefault(row('5', null, false), { value: '1', basis: 'documented' })).toBeNull();
  });
});
