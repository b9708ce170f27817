/**
 * The Firewall page's offline save (renderer/src/firewall/offline-save.ts): staged zone and policy
 * edits become one firewall.offlineWrite, a service edit becomes firewall-offline-cmd's options,
 * the dry run carries the basis the page read, and a CONFLICT or a refusal is said plainly.
 */
import { describe, expect, it } from 'vitest';
import type { Transport } from '../../../shared/api/client';
import type { CallRequest } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import type { Service } from '../../../shared/firewall/model';
import { canWrite, hostCapabilitiesSchema } from '../../../shared/hosts/capabilities';
import { createHostApi } from '../../../renderer/src/app/api';
import { stage } from '../../../renderer/src/firewall/draft';
import { checkOffline, draftOps, failureOf, serviceOp } from '../../../renderer/src/firewall/offline-save';
import { draftKey, EMPTY_DRAFT } from '../../../renderer/src/firewall/store';

const service = (over: Partial<Service> = {}): Service => ({
  name: 'web', short: 'Web', description: '', ports: [{ port: '80', protocol: 'tcp' }], protocols: [], sourcePorts: [], modules: [], helpers: [], includes: [], destination: {}, ...over,
} as Service);

describe('offline save', () => {
  it("sends every staged zone and policy change of the page's host, and only that host's", () => {
    let z = stage(EMPTY_DRAFT, 'add', 'services', 'https');
    z = stage(z, 'add', 'ports', '8443/tcp');
    z = { ...z, scalars: { target: 'DROP' } };
    const p = stage(EMPTY_DRAFT, 'add', 'richRules', 'rule family="ipv4" source address="10.0.0.0/8" accept');
    const drafts = { [draftKey('img', 'zone', 'public')]: z, [draftKey('img', 'policy', 'p1')]: p, [draftKey('other', 'zone', 'public')]: z };
    const { ops, keys } = draftOps(drafts, 'img');
    expect(keys).toEqual([draftKey('img', 'zone', 'public'), draftKey('img', 'policy', 'p1')]);
    expect(ops).toEqual([
      { op: 'zone.patch', name: 'public', patch: { target: 'DROP', add: { services: ['https'], ports: [{ port: '8443', protocol: 'tcp' }] } } },
      { op: 'policy.patch', name: 'p1', patch: { add: { richRules: ['rule family="ipv4" source address="10.0.0.0/8" accept'] } } },
    ]);
  });

  it("turns a service edit into firewall-offline-cmd's options (nothing when nothing changed)", () => {
    expect(serviceOp('web', service(), service())).toBeUndefined();
    const after = service({ ports: [{ port: '443', protocol: 'tcp' }], protocols: ['gre'], short: 'Web site', destination: { ipv4: '10.0.0.1' } });
    expect(serviceOp('web', service({ destination: { ipv6: '::1' } }), after)).toEqual({
      op: 'service.patch',
      name: 'web',
      patch: {
        add: { ports: [{ port: '443', protocol: 'tcp' }], protocols: ['gre'] },
        remove: { ports: [{ port: '80', protocol: 'tcp' }] },
        short: 'Web site',
        destination: { ipv4: '10.0.0.1', ipv6: null },
      },
    });
  });

  it('checks first (dryRun) against the digest the page read, and shows the files', async () => {
    const calls: CallRequest[] = [];
    const transport: Transport = async (_channel, request) => {
      calls.push(request);
      return { ok: true, result: { written: false, files: [{ path: '/etc/firewalld/zones/public.xml', shown: '/img/etc/firewalld/zones/public.xml', action: 'write', object: 'zone public', changes: ['add-service https'] }], problems: [], digest: 'd1' } };
    };
    const ops = [{ op: 'zone.patch' as const, name: 'public', patch: { add: { services: ['https'] } } }];
    const r = await checkOffline(createHostApi(transport, 'img'), ops, 'd1');
    expect(calls[0]!.input).toEqual({ ops, dryRun: true, basis: 'd1' });
    expect(r.phase).toBe('ready');
    expect(r.files?.map((f) => f.shown)).toEqual(['/img/etc/firewalld/zones/public.xml']);
  });

  it('says plainly that the files changed since they were read (CONFLICT), and names file, element and reason of a refusal', async () => {
    const ops = [
      { op: 'zone.patch' as const, name: 'public', patch: { add: { services: ['https'] } } },
      { op: 'policy.patch' as const, name: 'p1', patch: { target: 'BOGUS' } },
    ];
    const conflict = failureOf(new ApiError('CONFLICT', 'changed since it was read'), ops);
    expect(conflict.kind).toBe('conflict');
    expect(conflict.message).toMatch(/files changed since this page read them.*Nothing was written.*Reload/);
    const problem = { file: '/img/etc/firewalld/zones/public.xml', element: 'zone public', code: 'INVALID_SERVICE', message: 'service "nope" is not defined', severity: 'error' as const };
    expect(failureOf(new ApiError('INVALID_VALUE', 'firewalld would not load the result', { problems: [problem] }), ops)).toMatchObject({ kind: 'refused', problems: [problem] });
    // An operation refused as it is set: its object and the file it lives in.
    const one = failureOf(new ApiError('INVALID_VALUE', 'operation 2 (policy.patch p1): BOGUS', { index: 1, op: 'policy.patch', firewalldCode: 'INVALID_TARGET' }), ops);
    expect(one).toMatchObject({ kind: 'refused', code: 'INVALID_TARGET', problems: [{ file: '/etc/firewalld/policies/p1.xml', element: 'policy p1' }] });
    expect(failureOf(new ApiError('TIMEOUT', 'no answer'), ops).kind).toBe('failed');
  });

  it("takes the firewall's changes as files where the firewall is its files (the helper's route)", () => {
    const base = { liveKernel: false, freshNamespaceProbe: false, systemBus: false, interfaces: false, journal: false, userNamespaces: false, nftRuleset: 'none', readOnly: false, localBus: false, missing: {} };
    const image = hostCapabilitiesSchema.parse({ ...base, firewall: 'offline', writes: 'root', firewallWrites: 'none' });
    expect(canWrite(image, 'firewall')).toBe(true);
    expect(canWrite({ ...image, writes: 'none' }, 'firewall')).toBe(false);
    expect(canWrite({ ...image, readOnly: true }, 'firewall')).toBe(false);
    expect(canWrite({ ...image, firewall: 'live' }, 'firewall')).toBe(false);
  });
});
