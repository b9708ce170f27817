import { describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { realSnapshotForFile } from '../support/fleet-file';
import type { Snapshot } from '../../shared/compare/snapshot';

/**
 * Issue #22: the Compare page imports 50 files in one compare.importMany call, with one
 * hostsChanged event and the capture answers in the reply (it made 151 calls: an import per
 * file, a host-list fetch per event, a capture per host).
 */
let real: Snapshot;
const rt = realSnapshotForFile((s) => (real = s));

const file = (name: string, hostname: string) => ({ files: [{ name, text: JSON.stringify({ ...real, identity: { ...real.identity, hostname } }) }] });

describe('compare.importMany', () => {
  it('loads every host in one call, tells the UIs once, and answers what compare.capture answers', async () => {
    const events: string[] = [];
    const off = rt.events.subscribe((e) => events.push(e.name));
    try {
      const hosts = Array.from({ length: 50 }, (_, i) => file(`node-${i + 1}.json`, `n${i + 1}`));
      const r = await rt.api.compare.importMany({ hosts });
      expect(r.error).toBeNull();
      expect(r.hosts.map((h) => h.host.label)).toEqual(hosts.map((_, i) => `node-${i + 1}`));
      // An event of a feature no call has loaded yet is delivered once its contract is built.
      await rt.events.settled();
      expect(events.filter((n) => n === 'app.hostsChanged')).toHaveLength(1);
      for (const h of r.hosts.slice(0, 3)) expect(h.capture).toEqual(await rt.api.compare.capture({}, { host: h.host.id }));
      const run = await rt.api.compare.run({ hosts: r.hosts.map((h) => h.host.id) });
      expect(run.hosts).toHaveLength(50);
    } finally {
      off();
    }
  });

  it('stops at the first file it cannot load: the ones before are loaded, it and the ones after are not', async () => {
    const before = (await rt.api.app.hosts({})).hosts.length;
    const r = await rt.api.compare.importMany({
      hosts: [file('a.json', 'a'), file('b.json', 'b'), { files: [{ name: 'cut.json', text: '{"format":"hostdeck-snapshot",' }] }, file('d.json', 'd')],
    });
    expect(r.hosts.map((h) => h.host.label)).toEqual(['a', 'b']);
    expect(r.error).toMatchObject({ index: 2, code: 'PARSE_ERROR' });
    expect(r.error!.message).toMatch(/^cut\.json, line 1: the JSON ends early/);
    expect((await rt.api.app.hosts({})).hosts.length).toBe(before + 2);
  });

  it('answers the comparison the page shows next: the hosts already compared, then the loaded ones, as compare.run compares them', async () => {
    const first = await rt.api.compare.importMany({ hosts: [file('c1.json', 'c1')] });
    const before = first.hosts[0]!.host.id;
    const hosts = [file('c2.json', 'c2'), file('c3.json', 'c3')];
    hosts[1]!.files[0]!.text = hosts[1]!.files[0]!.text.replace('"net.ipv4.ip_forward","state":"ok","value":"', '"net.ipv4.ip_forward","state":"ok","value":"7');
    const r = await rt.api.compare.importMany({ hosts, compare: { hosts: [before], baseline: before, layer: 'runtime', dnsName: 'example', k8s: '1.33' } });
    const ids = [before, ...r.hosts.map((h) => h.host.id)];
    expect(r.compare).not.toBeNull();
    expect(r.compare).toEqual(await rt.api.compare.run({ hosts: ids, baseline: before, layer: 'runtime', dnsName: 'example', k8s: '1.33' }));
    expect(r.compare!.sysctl.find((x) => x.key === 'net.ipv4.ip_forward')?.differs).toBe(true);
    // Nothing to compare with: no comparison, and none unless asked.
    expect((await rt.api.compare.importMany({ hosts: [file('c4.json', 'c4')], compare: { hosts: [] } })).compare).toBeNull();
    expect((await rt.api.compare.importMany({ hosts: [file('c5.json', 'c5'), file('c6.json', 'c6')] })).compare).toBeNull();
    // A live host not read yet: the answer does not wait for its read (the page reads it with progress, then compares).
    const fresh = new Runtime({ mode: 'cli' });
    try {
      expect((await fresh.api.compare.importMany({ hosts: [file('c7.json', 'c7')], compare: { hosts: ['local'] } })).compare).toBeNull();
    } finally {
      await fresh.dispose();
    }
  });

  it('refuses more than 50 hosts in one call', async () => {
    await expect(rt.api.compare.importMany({ hosts: Array.from({ length: 51 }, (_, i) => file(`x${i}.json`, 'x')) })).rejects.toThrow(/at most 50 hosts/);
  });
});
