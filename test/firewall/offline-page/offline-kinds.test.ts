/**
 * The page's offline ICMP type, helper and zone-rename edits as firewall.offlineWrite operations
 * (renderer/src/firewall/offline-kinds.ts), and zone.rename applied as firewalld's config rename
 * does it (electron/firewall/offline/apply.ts): no builtin, the file under the new name, the old
 * one removed, references moved only when the request says so, checked as firewalld would load it.
 */
import { describe, expect, it } from 'vitest';
import type { FullState, Helper, IcmpType, LayerState, Policy, Zone } from '../../../shared/firewall/model';
import { checkConfiguration } from '../../../shared/firewall/offline/check';
import { applyOps, type OfflineModel } from '../../../electron/firewall/offline/apply';
import { helperOp, icmptypeOp, zoneRenameOps } from '../../../renderer/src/firewall/offline-kinds';

const zone = (name: string): Zone => ({
  name, version: '', short: '', description: '', target: 'default', services: [], ports: [], protocols: [], sourcePorts: [], icmpBlocks: [],
  icmpBlockInversion: false, forward: true, masquerade: false, forwardPorts: [], richRules: [], interfaces: [], sources: [],
});
const policy = (name: string, ingressZones: string[], egressZones: string[]): Policy => ({
  name, version: '', short: '', description: '', target: 'CONTINUE', priority: -1, ingressZones, egressZones, services: [], ports: [],
  protocols: [], sourcePorts: [], icmpBlocks: [], masquerade: false, forwardPorts: [], richRules: [],
});

function model(): OfflineModel {
  const layer: LayerState = {
    zones: { public: zone('public'), lab: zone('lab') },
    policies: { labout: policy('labout', ['lab'], ['HOST']) },
    services: {}, ipsets: {}, icmptypes: {}, helpers: {},
  };
  return { layer, entries: new Map(), conf: { DefaultZone: 'lab' }, builtin: new Set(['zone/public']), inEtc: new Set(['zone/lab', 'policy/labout']) };
}
const full = (m: OfflineModel) => ({ permanent: m.layer, runtime: m.layer, global: { defaultZone: m.conf.DefaultZone } }) as unknown as FullState;
const check = (m: OfflineModel) => checkConfiguration(m.layer, m.conf.DefaultZone!, { file: 'firewalld.conf' }, (kind, name) => `${kind}/${name}`);

describe('offline ICMP types, helpers and zone renames', () => {
  it('renames a zone as firewalld does: old file deleted, new written, no builtin, no taken name', () => {
    const m = model();
    const a = applyOps(m, [{ op: 'zone.rename', name: 'lab', to: 'lab2' }], () => undefined);
    expect(a.touched.get('zone/lab')).toMatchObject({ action: 'delete', changes: ['rename to lab2'] });
    expect(a.touched.get('zone/lab2')).toMatchObject({ action: 'write', changes: ['rename from lab'] });
    expect(m.layer.zones.lab2?.name).toBe('lab2');
    expect(m.layer.zones.lab).toBeUndefined();
    // firewalld changes no reference: the policy and DefaultZone now name a zone that is gone, and the check says so.
    expect(m.layer.policies.labout!.ingressZones).toEqual(['lab']);
    const problems = check(m);
    expect(problems.map((p) => p.file)).toEqual(expect.arrayContaining(['policy/labout', 'firewalld.conf']));

    expect(() => applyOps(model(), [{ op: 'zone.rename', name: 'public', to: 'pub' }], () => undefined)).toThrow(/built-in zone/);
    expect(() => applyOps(model(), [{ op: 'zone.rename', name: 'lab', to: 'public' }], () => undefined)).toThrow(/already exists/);
    expect(() => applyOps(model(), [{ op: 'zone.rename', name: 'lab', to: 'labout' }], () => undefined)).toThrow(/share names/);
    expect(() => applyOps(model(), [{ op: 'zone.rename', name: 'lab', to: 'a/b' }], () => undefined)).toThrow(/cannot contain "\/"/);
  });

  it('moves the references with the rename when asked: the result loads', () => {
    const m = model();
    const ops = zoneRenameOps(full(m), 'lab', 'lab2', true);
    expect(ops).toEqual([
      { op: 'zone.rename', name: 'lab', to: 'lab2' },
      { op: 'policy.patch', name: 'labout', patch: { remove: { ingressZones: ['lab'] }, add: { ingressZones: ['lab2'] } } },
      { op: 'default-zone', name: 'lab2' },
    ]);
    applyOps(m, ops, () => undefined);
    expect(m.layer.policies.labout!.ingressZones).toEqual(['lab2']);
    expect(m.conf.DefaultZone).toBe('lab2');
    expect(check(m)).toEqual([]);
    expect(zoneRenameOps(full(model()), 'lab', 'lab2', false)).toHaveLength(1);
  });

  it("turns ICMP type and helper edits into firewall-offline-cmd's options (nothing when nothing changed)", () => {
    const t: IcmpType = { name: 'x', version: '', short: '', description: '', destinations: [] };
    expect(icmptypeOp('x', t, { short: '', description: '', families: ['ipv4', 'ipv6'] })).toBeUndefined();
    // None listed is both: dropping ipv6 is a removal, not an addition of ipv4.
    expect(icmptypeOp('x', t, { short: 'X', description: '', families: ['ipv4'] })).toEqual({ op: 'icmptype.patch', name: 'x', patch: { removeDestinations: ['ipv6'], short: 'X' } });
    expect(icmptypeOp('x', { ...t, destinations: ['ipv6'] }, { short: '', description: '', families: ['ipv4'] })).toEqual({ op: 'icmptype.patch', name: 'x', patch: { removeDestinations: ['ipv6'], addDestinations: ['ipv4'] } });

    const h: Helper = { name: 'ftp', version: '', short: 'FTP', description: '', family: '', module: 'nf_conntrack_ftp', ports: [{ port: '21', protocol: 'tcp' }] };
    expect(helperOp('ftp', h, h)).toBeUndefined();
    expect(helperOp('ftp', h, { ...h, family: 'ipv4', ports: [{ port: '2121', protocol: 'tcp' }] })).toEqual({
      op: 'helper.patch', name: 'ftp', patch: { remove: { ports: [{ port: '21', protocol: 'tcp' }] }, add: { ports: [{ port: '2121', protocol: 'tcp' }] }, family: 'ipv4' },
    });
  });
});
