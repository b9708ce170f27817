import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { summarizeFiles, filesOfDir } from '../../electron/compare/summary';
import { foldHosts, naturalCompare } from '../../shared/compare/host-ranges';
import { summarize, type FleetSummary } from '../../shared/compare/summary';
import { summaryCsv, summaryMarkdown } from '../../shared/compare/summary-report';
import type { Snapshot } from '../../shared/compare/snapshot';
import { expectedKinds, fleetBase, writeFleet, type Planted } from '../support/fleet';

describe('host ranges', () => {
  it('folds contiguous numbers, keeping zero padding', () => {
    const names = Array.from({ length: 30 }, (_, i) => `web-${String(17 + i).padStart(3, '0')}`);
    expect(foldHosts([...names, 'web-050'])).toEqual(['web-[017-046,050]']);
  });
  it('sorts naturally and never folds padded with unpadded numbers', () => {
    expect(foldHosts(['db10', 'db9', 'db2', 'db1'])).toEqual(['db[1-2,9-10]']);
    expect(foldHosts(['n-07', 'n-8', 'n-9'])).toEqual(['n-07', 'n-[8-9]']);
    expect(['web-10', 'web-9', 'web-100'].sort(naturalCompare)).toEqual(['web-9', 'web-10', 'web-100']);
  });
  it('keeps names without numbers, other prefixes and suffixes apart; duplicates count once', () => {
    expect(foldHosts(['gw', 'web1.dc', 'web2.dc', 'web3.lab', 'web1.dc'])).toEqual(['gw', 'web[1-2].dc', 'web3.lab']);
    expect(foldHosts(['a5'])).toEqual(['a5']);
  });
});

let real: Snapshot;
const rt = new Runtime({ mode: 'cli' });
beforeAll(async () => {
  real = await rt.api.compare.snapshot({});
}, 60_000);
afterAll(() => rt.dispose());

describe('fleet summary of 300 generated snapshot files', () => {
  let p: Planted;
  let s: FleetSummary;
  const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-fleet-'));
  beforeAll(async () => {
    p = writeFleet(real, dir, 300, 17);
    s = await summarizeFiles(filesOfDir(dir).map((file) => ({ file })), {});
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const keyOf = (section: string, key: string) => s.keys.find((k) => k.section === section && k.key === key);

  it('finds exactly the planted outliers, no counter or identity among them', () => {
    expect(s.hosts).toHaveLength(300);
    expect(s.notRead).toEqual([]);
    const differing = s.keys.map((k) => `${k.section} ${k.key}`).sort();
    expect(differing).toEqual(
      [
        'sysctl vm.swappiness',
        'sysctl net.ipv4.ip_forward',
        'sysctl net.core.somaxconn',
        'dns nameservers',
        `sysctl.d ${p.planted.pidmax.key}`,
        'firewall zone public · services · telnet',
      ].sort(),
    );
  });

  it('counts every value exactly, names the outlier hosts and the majority', () => {
    for (const [tag, plant] of Object.entries(p.planted)) {
      const k = keyOf(plant.section, plant.key)!;
      const hosts = p.truth[tag as keyof Planted['truth']];
      expect(k.known).toBe(300);
      const rare = k.values.find((v) => !v.majority)!;
      const major = k.values.find((v) => v.majority)!;
      expect(k.values).toHaveLength(2);
      expect([rare.value, rare.count, rare.members]).toEqual([plant.value, hosts.length, hosts]);
      expect([major.value, major.count]).toEqual([plant.majority, 300 - hosts.length]);
      expect(rare.hosts).toEqual(foldHosts(hosts.map((i) => p.names[i]!)));
    }
    expect(keyOf('sysctl', 'vm.swappiness')!.values.find((v) => !v.majority)!.hosts).toEqual(['web-[0017-0046]']);
    const telnet = keyOf('firewall', 'zone public · services · telnet')!;
    expect(telnet.values.find((v) => !v.majority)).toMatchObject({ value: 'present', members: p.truth.forward });
    expect(telnet.values.find((v) => v.majority)).toMatchObject({ value: null, count: 295 });
  });

  it('puts rare values first and groups the hosts into the planted kinds', () => {
    const rarest = s.keys.map((k) => Math.min(...k.values.map((v) => v.count)));
    expect(rarest).toEqual([...rarest].sort((a, b) => a - b));
    expect(s.keys[0]!.key).toBe('net.core.somaxconn');
    expect(s.kinds.map((k) => k.count)).toEqual(expectedKinds(p));
    const big = s.kinds[0]!;
    expect(big.differences).toEqual([]);
    const swap = s.kinds.find((k) => k.hosts.join() === 'web-[0017-0046]');
    expect(swap?.differences.map((d) => [s.keys[d.key]!.key, d.value])).toEqual([['vm.swappiness', p.planted.swappiness.value]]);
  });
});

describe('fleet summary: hostile values and hosts that cannot answer', () => {
  const host = (name: string, edit: (s: Snapshot) => Snapshot) => ({ label: name, snapshot: edit(structuredClone(fleetBase(real))) });
  const setting = (s: Snapshot, value: string): Snapshot => ({ ...s, sysctld: { ...s.sysctld!, settings: [{ key: 'kernel.core_pattern', value, file: 'etc/sysctl.d/x.conf', line: 1 }] } });

  it('escapes host data in Markdown and neutralises formulas in CSV', () => {
    const s = summarize([
      host('a1', (x) => setting(x, '=HYPERLINK("http://evil.example/","x")')),
      host('a2', (x) => setting(x, '| <img src=x onerror=alert(1)> | [l](http://e) `c`')),
      host('a3', (x) => setting(x, 'core')),
      host('a4', (x) => setting(x, 'core')),
    ]);
    const md = summaryMarkdown(s);
    expect(md).not.toContain('<img');
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(md).toContain('\\| &lt;img');
    expect(md).not.toMatch(/[^\\]\[l\]/);
    const csv = summaryCsv(s);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example/"",""x"")"`);
    expect(csv.split('\r\n').some((l) => /(^|,)=/.test(l))).toBe(false);
  });

  it('does not count a host that cannot answer a section as different, and says it was not read', () => {
    const s = summarize([
      host('b1', (x) => x),
      host('b2', (x) => x),
      host('b3', (x) => ({ ...x, dns: { ...x.dns!, error: 'timed out' } })),
      { label: 'b4', snapshot: null, error: 'unreachable' },
    ]);
    expect(s.keys).toEqual([]);
    expect(s.notRead).toEqual([
      { host: 'b3', section: 'dns', reason: 'timed out' },
      { host: 'b4', section: 'all', reason: 'unreachable' },
    ]);
    expect(s.kinds.map((k) => [k.hosts, k.unknown])).toEqual([
      [['b[1-2]'], []],
      [['b3'], ['dns']],
      [['b4'], ['sysctl', 'sysctl.d', 'dns', 'firewall']],
    ]);
  });

  it('reports a broken file as a host not read and summarizes the rest', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-fleet-bad-'));
    try {
      writeFleet(real, dir, 3, 1);
      writeFileSync(path.join(dir, 'web-0004.json'), '{"format":"hostdeck-snapshot",');
      const s = await summarizeFiles(filesOfDir(dir).map((file) => ({ file })), {});
      expect(s.hosts.map((h) => h.label)).toEqual(['web-0001', 'web-0002', 'web-0003', 'web-0004']);
      expect(s.notRead).toHaveLength(1);
      expect(s.notRead[0]!.reason).toMatch(/web-0004\.json, line 1: the JSON ends early/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
