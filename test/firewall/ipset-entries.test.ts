import { describe, expect, it } from 'vitest';
import { filterEntries } from '../../electron/firewall/ipset-entries';

const entries = ['192.0.2.0/24', '198.51.100.7', '203.0.113.10-203.0.113.20', '10.0.0.0/8,tcp:22', 'aa:bb:cc:dd:ee:ff', '2001:db8::/32', '0.0.0.0/0'];

describe('ipset entry paging and search', () => {
  it('pages without a filter', () => {
    expect(filterEntries(entries, '', 0, 3)).toEqual({ matched: 7, page: entries.slice(0, 3) });
    expect(filterEntries(entries, '', 5, 10)).toEqual({ matched: 7, page: entries.slice(5) });
    expect(filterEntries(new Set(entries), '  ', 6, 1)).toEqual({ matched: 7, page: ['0.0.0.0/0'] });
  });

  it('finds the networks, ranges and entries that contain an address ("is 192.0.2.7 blocked?")', () => {
    expect(filterEntries(entries, '192.0.2.7', 0, 10).page).toEqual(['192.0.2.0/24', '0.0.0.0/0']);
    expect(filterEntries(entries, '203.0.113.15', 0, 10).page).toEqual(['203.0.113.10-203.0.113.20', '0.0.0.0/0']);
    expect(filterEntries(entries, '203.0.113.21', 0, 10).page).toEqual(['0.0.0.0/0']);
    // The first part of "net,port" entries counts.
    expect(filterEntries(entries, '10.200.1.1', 0, 10).page).toEqual(['10.0.0.0/8,tcp:22', '0.0.0.0/0']);
    expect(filterEntries(entries, '198.51.100.7', 0, 10).page).toEqual(['198.51.100.7', '0.0.0.0/0']);
  });

  it('searches anything else as a case-insensitive substring', () => {
    expect(filterEntries(entries, 'AA:BB', 0, 10).page).toEqual(['aa:bb:cc:dd:ee:ff']);
    expect(filterEntries(entries, '2001:db8', 0, 10).page).toEqual(['2001:db8::/32']);
    expect(filterEntries(entries, 'tcp:', 0, 10).page).toEqual(['10.0.0.0/8,tcp:22']);
    // Not an address (octet > 255): substring only.
    expect(filterEntries(entries, '192.0.2.300', 0, 10)).toEqual({ matched: 0, page: [] });
  });

  it('counts every match but returns one page of them', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    const r = filterEntries(many, '10.0.1.', 250, 5);
    expect(r.matched).toBe(256);
    expect(r.page).toEqual(['10.0.1.250', '10.0.1.251', '10.0.1.252', '10.0.1.253', '10.0.1.254']);
  });
});
