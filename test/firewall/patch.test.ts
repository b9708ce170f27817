import { describe, expect, it } from 'vitest';
import { forwardPortText, invertZonePatch, isEmptyPatch, itemKey, patchSettings, policyAfterPatch, zoneAfterPatch } from '../../shared/firewall/patch';
import { policySchema, zoneSchema, type Zone } from '../../shared/firewall/model';

const zone = (o: Partial<Zone> = {}): Zone => zoneSchema.parse({ name: 'z', ...o });

describe('zone patch planning', () => {
  it('plans only what really changes: items already there or already absent drop out', () => {
    const before = zone({ services: ['ssh', 'http'], ports: [{ port: '7000-8000', protocol: 'tcp' }], masquerade: false });
    const { changed, effective } = patchSettings(before, {
      add: { services: ['ssh', 'https', 'https'], ports: [{ port: '8443', protocol: 'tcp' }] },
      // "8000-7000" is the range the zone has (firewalld's spelling differs); "dns" is not there.
      remove: { services: ['dns', 'http'], ports: [{ port: '8000-7000', protocol: 'tcp' }] },
      masquerade: false,
      forward: true,
    });
    expect(effective).toEqual({
      add: { services: ['https'], ports: [{ port: '8443', protocol: 'tcp' }] },
      remove: { services: ['http'], ports: [{ port: '7000-8000', protocol: 'tcp' }] },
      forward: true,
    });
    expect(changed).toEqual({ services: ['ssh', 'https'], ports: [{ port: '8443', protocol: 'tcp' }], forward: true });
  });

  it('compares rich rules by their normalized form', () => {
    const before = zone({ richRules: ['rule family="ipv4" source address="10.0.0.0/8" accept'] });
    const { effective } = patchSettings(before, { remove: { richRules: ['rule family=ipv4 source address=10.0.0.0/8 accept'] } });
    expect(effective.remove?.richRules).toEqual(['rule family="ipv4" source address="10.0.0.0/8" accept']);
    expect(patchSettings(before, { add: { richRules: ["rule family='ipv4' source address='10.0.0.0/8' accept"] } }).effective).toEqual({});
  });

  it('matches forward ports with normalized ranges', () => {
    const f = { port: '90-80', protocol: 'tcp' as const, toPort: '8080', toAddr: '' };
    expect(itemKey('forwardPorts', f)).toBe(itemKey('forwardPorts', { ...f, port: '80-90' }));
    expect(forwardPortText(f)).toBe('port=90-80:proto=tcp:toport=8080:toaddr=');
  });

  it('refuses an unknown list', () => {
    expect(() => patchSettings(zone(), { add: { bogus: ['x'] } } as never)).toThrow(/Unknown list "bogus"/);
  });

  it('applies a patch and inverts it back', () => {
    const a = zone({ services: ['ssh'], ports: [{ port: '80', protocol: 'tcp' }], target: 'default' });
    const patch = { add: { services: ['http'] }, remove: { services: ['ssh'] }, target: 'DROP' as const, masquerade: true };
    const b = zoneAfterPatch(a, patch);
    expect(b).toMatchObject({ services: ['http'], ports: [{ port: '80', protocol: 'tcp' }], target: 'DROP', masquerade: true });
    const inverse = invertZonePatch(patchSettings(a, patch).effective, a);
    expect(inverse).toEqual({ add: { services: ['ssh'] }, remove: { services: ['http'] }, target: 'default', masquerade: false });
    expect(zoneAfterPatch(b, inverse)).toEqual(a);
  });

  it('patches policies (zones lists included) and knows empty patches', () => {
    const p = policySchema.parse({ name: 'p', ingressZones: ['public'], egressZones: ['HOST'] });
    expect(policyAfterPatch(p, { add: { ingressZones: ['internal'] }, remove: { ingressZones: ['public'] }, target: 'DROP' })).toMatchObject({
      ingressZones: ['internal'],
      target: 'DROP',
    });
    expect(isEmptyPatch({})).toBe(true);
    expect(isEmptyPatch({ add: { services: [] }, remove: {} })).toBe(true);
    expect(isEmptyPatch({ masquerade: false })).toBe(false);
    expect(isEmptyPatch({ add: { services: ['ssh'] } })).toBe(false);
  });
});
