import { describe, expect, it } from 'vitest';
import { compareEntrySets, diffCount, diffLayers, diffObject, differenceCounts, effectsText, fieldDiff, itemTextKey, objectNames, reloadEffects, runtimeChangesLostOnReload, runtimeToPermanentEffects } from '../../shared/firewall/diff';
import { entriesDigest } from '../../shared/firewall/ipset-digest';
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
    expect(diffObject('ipset', 'bl', i, j)!.fields).toEqual([{ field: 'entries', runtimeOnly: [], permanentOnly: [], runtime: '3 entries', permanent: '5 entries' }]);
  });

  it('compares ipset entries by content: same count, different entries is a difference (issue 12)', () => {
    const set = (entries: string[]) => ipsetSchema.parse({ name: 'bl', type: 'hash:ip', entryCount: entries.length, entriesHash: entriesDigest(entries) });
    const r = set(['1.2.3.4']);
    const p = set(['1.2.3.5']);
    // By digest alone (the page): a difference, direction unknown.
    expect(diffObject('ipset', 'bl', r, p)!.fields).toEqual([{ field: 'entries', runtimeOnly: [], permanentOnly: [], runtime: '1 entries', permanent: '1 entries' }]);
    expect(runtimeChangesLostOnReload(diffLayers({ runtime: layer({ ipsets: { bl: r } }), permanent: layer({ ipsets: { bl: p } }) }))).toHaveLength(1);
    // Order does not matter.
    expect(diffObject('ipset', 'bl', set(['a', 'b', 'c']), set(['c', 'a', 'b']))).toBeUndefined();
    // Exactly, with the entries at hand (the host): which ones, and how many beyond the sample.
    const exact = compareEntrySets(new Set(['1.2.3.4', ...Array.from({ length: 60 }, (_, i) => `10.0.0.${i}`)]), new Set(['1.2.3.5']));
    const d = diffObject('ipset', 'bl', r, p, () => exact)!;
    expect(d.fields[0]).toMatchObject({ field: 'entries', runtimeOnlyCount: 61, permanentOnlyCount: 1, permanentOnly: ['1.2.3.5'] });
    expect(d.fields[0]!.runtimeOnly).toHaveLength(50);
    expect(diffCount(d)).toBe(62);
  });

  it('digests entry sets independently of order and sensitive to any change', () => {
    expect(entriesDigest(['x', 'y'])).toBe(entriesDigest(['y', 'x']));
    expect(entriesDigest(['1.2.3.4'])).not.toBe(entriesDigest(['1.2.3.5']));
    expect(entriesDigest(['a', 'b'])).not.toBe(entriesDigest(['a']));
    expect(entriesDigest([])).toBe(entriesDigest(new Set()));
  });
});

describe('reloadEffects', () => {
  it('says what a reload loses, what it adds and which settings change, in people\'s words (issue 12)', () => {
    const rt = layer({ zones: { public: zone('public', { ports: [{ port: '1111', protocol: 'tcp' }], masquerade: true, richRules: ['rule service name="ftp" accept'] }) } });
    const pm = layer({ zones: { public: zone('public', { ports: [{ port: '2222', protocol: 'tcp' }], services: ['ssh'] }), fresh: zone('fresh') } });
    const fx = reloadEffects(diffLayers({ runtime: rt, permanent: pm }));
    expect(fx.lost.map((e) => `${e.kind} ${e.name}: ${e.text}`)).toEqual(['zone public: port 1111/tcp', 'zone public: rich rule rule service name="ftp" accept']);
    expect(fx.gained.map((e) => `${e.kind} ${e.name}: ${e.text}`)).toEqual([
      'zone fresh: the whole zone (it exists in permanent only)',
      'zone public: service ssh',
      'zone public: port 2222/tcp',
    ]);
    expect(fx.changed.map((e) => e.text)).toEqual(['masquerade on → off']);
    const many = reloadEffects([{ kind: 'ipset', name: 'bl', status: 'changed', fields: [{ field: 'entries', runtimeOnly: ['a', 'b', 'c', 'd', 'e', 'f'], permanentOnly: [], runtimeOnlyCount: 1200 }] }]);
    expect(many.lost[0]).toMatchObject({ count: 1200, text: '1,200 entries (a, b, c, d, e, … and 1,195 more)' });
    expect(effectsText(many.lost)).toBe('1,200 entries (a, b, c, d, e, … and 1,195 more) in ipset bl');
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

describe('runtimeToPermanentEffects', () => {
  it('says item by item what becomes permanent, what leaves permanent, which settings change, and which objects stay', () => {
    const diffs = diffLayers({
      runtime: layer({ zones: { public: zone('public', { ports: [{ port: '8080', protocol: 'tcp' }, { port: '22', protocol: 'tcp' }], masquerade: true }) } }),
      permanent: layer({ zones: { public: zone('public', { ports: [{ port: '22', protocol: 'tcp' }], services: ['imap'] }), later: zone('later') } }),
    });
    const fx = runtimeToPermanentEffects(diffs);
    expect(fx.added.map((r) => [r.kind, r.name, r.field, r.item])).toEqual([['zone', 'public', 'ports', '8080/tcp']]);
    expect(fx.removed.map((r) => r.text)).toEqual(['service imap']);
    expect(fx.changed.map((r) => r.text)).toEqual(['masquerade: on in runtime, off in permanent']);
    expect(fx.untouched.map((r) => `${r.kind} ${r.name}`)).toEqual(['zone later']);
    expect(differenceCounts(diffs)).toEqual({ zone: 4, policy: 0, service: 0, ipset: 0 });
  });

  it('matches an item written differently (a reversed port range, a rich rule with other quoting)', () => {
    expect(itemTextKey('ports', '8000-7000/udp')).toBe(itemTextKey('ports', '7000-8000/udp'));
    expect(itemTextKey('richRules', "rule service name=ssh accept")).toBe(itemTextKey('richRules', 'rule service name="ssh" accept'));
  });
});
