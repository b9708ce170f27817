import { describe, expect, it } from 'vitest';
import { diffCount, diffLayers, diffObject, fieldDiff, objectNames, runtimeChangesLostOnReload } from '../../shared/firewall/diff';
import { ipsetSchema, policySchema, serviceSchema, zoneSchema, type LayerState, type Zone } from '../../shared/firewall/model';

const zone = (name: string, o: Partial<Zone> = {}): Zone => zoneSchema.parse({ name, ...o });
const layer = (o: Partial<LayerState> = {}): LayerState => ({ zones: {}, policies: {}, services: {}, ipsets: {}, icmptypes: {}, helpers: {}, ...o });

describe('diffObject', () => {
  it('lists items per field that only one layer has, normalized like firewalld', () => {
    const runtime = zone('public', {
      services: ['ssh', 'http'],
      ports: [{ port: '8080', protocol: 'tcp' }, { port: '7000-8000', protocol: 'udp' }],
      forwardPorts: [{ port: '80', protocol: 'tcp', toPort: '8080', toAddr: '' }],
      richRules: ['rule service name="ftp" accept', 'rule tcp-mss-clamp'],
      masquerade: true,
    });
    const permanent = zone('public', {
      services: ['ssh', 'https'],
      // firewalld rewrites "8000-7000" as "7000-8000": the same port range.
      ports: [{ port: '8000-7000', protocol: 'udp' }],
      forwardPorts: [{ port: '80', protocol: 'tcp', toPort: '8080', toAddr: '' }],
      richRules: ['rule tcp-mss-clamp value="pmtu"'],
      target: 'DROP',
    });
    const d = diffObject('zone', 'public', runtime, permanent)!;
    expect(d.status).toBe('changed');
    expect(d.fields).toEqual([
      { field: 'services', runtimeOnly: ['http'], permanentOnly: ['https'] },
      { field: 'ports', runtimeOnly: ['8080/tcp'], permanentOnly: [] },
      { field: 'richRules', runtimeOnly: ['rule service name="ftp" accept'], permanentOnly: [] },
      { field: 'target', runtimeOnly: [], permanentOnly: [], runtime: 'default', permanent: 'DROP' },
      { field: 'masquerade', runtimeOnly: [], permanentOnly: [], runtime: 'true', permanent: 'false' },
    ]);
    expect(diffCount(d)).toBe(6);
    expect(fieldDiff(d, 'target')).toMatchObject({ runtime: 'default', permanent: 'DROP' });
    expect(diffObject('zone', 'public', runtime, { ...runtime })).toBeUndefined();
  });

  it('treats a flag an older firewalld does not report as false', () => {
    const p = policySchema.parse({ name: 'p' });
    expect(diffObject('policy', 'p', p, { ...p, disable: false })).toBeUndefined();
    expect(diffObject('policy', 'p', p, { ...p, disable: true })?.fields).toEqual([
      { field: 'disable', runtimeOnly: [], permanentOnly: [], runtime: '', permanent: 'true' },
    ]);
  });

  it('covers services (helpers, includes, destinations) and ipsets', () => {
    const a = serviceSchema.parse({ name: 's', ports: [{ port: '1', protocol: 'tcp' }], helpers: ['ftp'], destination: { ipv4: '224.0.0.251' } });
    const b = serviceSchema.parse({ name: 's', ports: [{ port: '1', protocol: 'tcp' }], includes: ['ssh'] });
    expect(diffObject('service', 's', a, b)!.fields.map((f) => f.field)).toEqual(['helpers', 'includes', 'destination.ipv4']);
    const i = ipsetSchema.parse({ name: 'bl', type: 'hash:ip', options: { family: 'inet', maxelem: '10' }, entryCount: 3 });
    const j = ipsetSchema.parse({ name: 'bl', type: 'hash:ip', options: { maxelem: '10', family: 'inet' }, entryCount: 5 });
    expect(diffObject('ipset', 'bl', i, j)!.fields).toEqual([{ field: 'entryCount', runtimeOnly: [], permanentOnly: [], runtime: '3', permanent: '5' }]);
  });
});

describe('diffLayers', () => {
  const runtime = layer({ zones: { home: zone('home', { services: ['ssh'] }), temp: zone('temp') } });
  const permanent = layer({
    zones: { home: zone('home', { services: ['ssh'] }), fresh: zone('fresh') },
    policies: { p: policySchema.parse({ name: 'p' }) },
  });

  it('says runtime-only and permanent-only, and leaves out what agrees', () => {
    expect(diffLayers({ runtime, permanent }).map((d) => [d.kind, d.name, d.status])).toEqual([
      ['zone', 'fresh', 'permanentOnly'],
      ['zone', 'temp', 'runtimeOnly'],
      ['policy', 'p', 'permanentOnly'],
    ]);
    expect(diffLayers({ runtime, permanent }, 'policy').map((d) => d.name)).toEqual(['p']);
    expect(diffLayers({ runtime, permanent }, 'zone', 'home')).toEqual([]);
    expect(objectNames({ runtime, permanent }, 'zone')).toEqual(['fresh', 'home', 'temp']);
  });

  it('knows which differences a reload throws away', () => {
    const rt = layer({ zones: { a: zone('a', { ports: [{ port: '1', protocol: 'tcp' }] }), b: zone('b'), c: zone('c', { masquerade: true }), t: zone('t') } });
    const pm = layer({ zones: { a: zone('a'), b: zone('b', { services: ['ssh'] }), c: zone('c'), t: zone('t', { target: 'DROP' }) } });
    const lost = runtimeChangesLostOnReload(diffLayers({ runtime: rt, permanent: pm }));
    // a: runtime-only port; c: runtime masquerade. b only gains on reload; t's target is permanent-only metadata.
    expect(lost.map((d) => d.name)).toEqual(['a', 'c']);
  });
});
