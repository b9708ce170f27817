import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { foldHosts } from '../../shared/compare/host-ranges';
import { fleetSummarySchema } from '../../shared/compare/summary';
import { runHostdeck } from '../support/cli';
import { expectedKinds, writeFleet, type Planted } from '../support/fleet';

/**
 * `hostdeck compare DIR --summary` on 1,000 generated snapshot files (this machine's real
 * snapshot with planted outliers), and the 50-host limit of the side-by-side grid, said before
 * any file is read.
 */
describe('hostdeck compare --summary on 1,000 snapshot files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-fleet-cli-'));
  let p: Planted;
  beforeAll(async () => {
    const rt = new Runtime({ mode: 'cli' });
    try {
      p = writeFleet(await rt.api.compare.snapshot({}), dir, 1000, 42);
    } finally {
      await rt.dispose();
    }
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the summary as JSON: the planted outliers exactly, counted, folded, in kinds', async () => {
    const r = await runHostdeck(['compare', dir, '--summary', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const s = fleetSummarySchema.parse(JSON.parse(r.out));
    expect(s.hosts).toHaveLength(1000);
    expect(s.keys).toHaveLength(6);
    for (const [tag, plant] of Object.entries(p.planted)) {
      const k = s.keys.find((x) => x.section === plant.section && x.key === plant.key)!;
      const rare = k.values.find((v) => !v.majority)!;
      expect([rare.value, rare.count, rare.hosts]).toEqual([plant.value, p.truth[tag as keyof Planted['truth']]!.length, foldHosts(p.truth[tag as keyof Planted['truth']]!.map((i) => p.names[i]!))]);
      expect(k.values.find((v) => v.majority)!.count).toBe(1000 - rare.count);
    }
    expect(s.kinds.map((k) => k.count)).toEqual(expectedKinds(p));
  }, 300_000);

  it('prints text and Markdown naming the folded range; a broken file is a host not read (exit 2)', async () => {
    const r = await runHostdeck(['compare', ...p.files.slice(0, 60), '--summary', '--only', 'sysctl']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^60 hosts, [\d,]+ keys compared \(sysctl; firewall runtime\), \d+ keys? differs?; \d+ kinds of host: /);
    expect(r.out).toMatch(/^\[sysctl\] vm\.swappiness: 2 values on 60 hosts\n {9}30 {2}10 {2}web-\[0017-0046\]$/m);
    const bad = path.join(dir, '..', `${path.basename(dir)}-broken.json`);
    writeFileSync(bad, '{"format": "hostdeck-snapshot", "version": 1');
    try {
      const m = await runHostdeck(['compare', ...p.files.slice(0, 3), bad, '--summary', '--markdown']);
      expect(m.code).toBe(2);
      expect(m.out).toMatch(/^# HostDeck fleet summary of 4 hosts/);
      expect(m.err).toMatch(/broken: not read \(.*broken\.json, line 1: the JSON ends early/);
    } finally {
      rmSync(bad, { force: true });
    }
  }, 300_000);

  it('refuses more than 50 hosts side by side before reading a file, pointing to --summary', async () => {
    // Every file is binary: reading any of them would fail with another message.
    const junk = mkdtempSync(path.join(tmpdir(), 'hostdeck-fleet-junk-'));
    try {
      for (let i = 0; i < 51; i++) writeFileSync(path.join(junk, `h${i}.json`), Buffer.from([0, 1, 2]));
      const r = await runHostdeck(['compare', junk]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/compare takes at most 50 hosts \(51 given\) side by side: add --summary/);
    } finally {
      rmSync(junk, { recursive: true, force: true });
    }
  });
});
