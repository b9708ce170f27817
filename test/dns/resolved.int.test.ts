import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { ResolvedState } from '../../shared/dns/contract';
import { parseResolvectlStatus, repoRoot, startResolvedSandbox, type ResolvectlSection, type ResolvedSandbox } from './support/resolved-sandbox';
import { supportDir } from './support/tools';

/**
 * Differential test against the real systemd-resolved (private namespaces and bus, see
 * support/resolved-sandbox.ts): global DNS from a resolved.conf drop-in, per-link DNS and domains
 * set over D-Bus (SetLinkDNSEx, SetLinkDNS, SetLinkDomains, SetLinkDefaultRoute) on veth links,
 * then HostDeck's `dns.resolved` must say what `resolvectl status` says.
 */

let sb: ResolvedSandbox;
const v4 = (s: string) => Buffer.from(s.split('.').map(Number));
const v6 = (hex: string) => Buffer.from(hex, 'hex');

beforeAll(async () => {
  sb = await startResolvedSandbox({
    resolvedConf: ['DNS=192.0.2.53 2001:db8::35', 'Domains=corp.example ~route.example', 'FallbackDNS=192.0.2.250 2001:db8::250', 'LLMNR=no', 'MulticastDNS=no', 'DNSStubListener=no'].join('\n'),
    veths: [
      ['hd0', 'hd1'],
      ['hd2', 'hd3'],
    ],
    setup: ['ip addr add 192.0.2.100/24 dev hd0', 'ip addr add 198.51.100.100/24 dev hd1'],
  });
  const hd0 = sb.ifindex('hd0');
  const hd1 = sb.ifindex('hd1');
  // hd0: the extended form with a port and a DNS-over-TLS server name, a search and a routing domain.
  await sb.manager('SetLinkDNSEx', 'ia(iayqs)', [
    hd0,
    [
      [2, v4('192.0.2.10'), 0, ''],
      [10, v6('20010db8000000000000000000000010'), 0, ''],
      [10, v6('20010db8000000000000000000000011'), 5353, 'dns.example'],
    ],
  ]);
  await sb.manager('SetLinkDomains', 'ia(sb)', [
    hd0,
    [
      ['a.example', false],
      ['b.example', true],
    ],
  ]);
  // hd1: the plain (pre-246) call, a routing-only domain and no default route.
  await sb.manager('SetLinkDNS', 'ia(iay)', [hd1, [[2, v4('198.51.100.1')], [2, v4('198.51.100.2')]]]);
  await sb.manager('SetLinkDomains', 'ia(sb)', [hd1, [['c.example', true]]]);
  await sb.manager('SetLinkDefaultRoute', 'ib', [hd1, false]);
}, 60_000);

afterAll(async () => {
  await sb?.stop();
});

function readInside(): ResolvedState {
  const r = sb.inside([process.execPath, '--import', join(repoRoot, 'node_modules/tsx/dist/esm/index.mjs'), join(supportDir, 'resolved-reader.ts'), sb.busAddress]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ResolvedState;
}

const words = (s: string | undefined) => (s ?? '').split(/\s+/).filter(Boolean);
const domainWords = (ds: { domain: string; routeOnly: boolean }[]) => ds.map((d) => (d.routeOnly ? `~${d.domain}` : d.domain));

/** What `resolvectl status` shows for a link, in HostDeck's terms. */
function fromResolvectl(s: ResolvectlSection) {
  const protocols = words(s.fields.Protocols);
  const scopes = s.fields['Current Scopes'];
  return {
    ifindex: s.ifindex,
    name: s.name,
    servers: words(s.fields['DNS Servers']),
    domains: words(s.fields['DNS Domain']),
    defaultRoute: protocols.includes('+DefaultRoute') ? true : protocols.includes('-DefaultRoute') ? false : null,
    currentServer: s.fields['Current DNS Server'] ?? null,
    scopes: scopes === undefined || scopes === 'none' ? [] : words(scopes),
  };
}

describe('systemd-resolved over D-Bus, against the real daemon and resolvectl', () => {
  it('global and per-link servers and domains equal `resolvectl status`', () => {
    const ours = readInside();
    const status = parseResolvectlStatus(sb.resolvectl('status'));
    expect(ours.available, ours.reason ?? '').toBe(true);

    const g = status.find((s) => s.header === 'Global')!;
    expect(ours.global).not.toBeNull();
    expect(ours.global!.servers).toEqual(words(g.fields['DNS Servers']));
    expect(domainWords(ours.global!.domains)).toEqual(words(g.fields['DNS Domain']));
    expect(ours.global!.fallbackServers).toEqual(words(g.fields['Fallback DNS Servers']));
    expect(ours.global!.resolvConfMode).toBe(g.fields['resolv.conf mode']);
    expect(ours.global!.currentServer).toBe(g.fields['Current DNS Server'] ?? null);

    const theirs = status.filter((s) => s.header !== 'Global').map(fromResolvectl);
    const mine = ours.links.map((l) => ({ ifindex: l.ifindex, name: l.name, servers: l.servers, domains: domainWords(l.domains), defaultRoute: l.defaultRoute, currentServer: l.currentServer, scopes: l.scopes }));
    expect(mine).toEqual(theirs);
  });

  it('reads what the sandbox set up (so the comparison above is not empty-equals-empty)', () => {
    const ours = readInside();
    expect(ours.global).toEqual({
      servers: ['192.0.2.53', '2001:db8::35'],
      domains: [
        { domain: 'corp.example', routeOnly: false },
        { domain: 'route.example', routeOnly: true },
      ],
      fallbackServers: ['192.0.2.250', '2001:db8::250'],
      currentServer: null,
      resolvConfMode: 'foreign',
    });
    const byName = Object.fromEntries(ours.links.map((l) => [l.name, l]));
    expect(Object.keys(byName).sort()).toEqual(['hd0', 'hd1', 'hd2', 'hd3']);
    expect(byName.hd0!.servers).toEqual(['192.0.2.10', '2001:db8::10', '[2001:db8::11]:5353#dns.example']);
    expect(byName.hd0!.domains).toEqual([
      { domain: 'a.example', routeOnly: false },
      { domain: 'b.example', routeOnly: true },
    ]);
    expect(byName.hd1!.servers).toEqual(['198.51.100.1', '198.51.100.2']);
    expect(byName.hd1!.domains).toEqual([{ domain: 'c.example', routeOnly: true }]);
    expect(byName.hd1!.defaultRoute).toBe(false);
    expect(byName.hd2!.servers).toEqual([]);
  });

  it('a change over D-Bus shows up at the next read, as in resolvectl', async () => {
    const hd2 = sb.ifindex('hd2');
    await sb.manager('SetLinkDNS', 'ia(iay)', [hd2, [[2, v4('203.0.113.7')]]]);
    await sb.manager('SetLinkDomains', 'ia(sb)', [hd2, [['.', true]]]);
    const ours = readInside().links.find((l) => l.name === 'hd2')!;
    expect(ours.servers).toEqual(['203.0.113.7']);
    expect(domainWords(ours.domains)).toEqual(words(parseResolvectlStatus(sb.resolvectl('status', 'hd2'))[0]!.fields['DNS Domain']));
    expect(domainWords(ours.domains)).toEqual(['~.']);
  });

  it('with the bus up but the daemon gone, says that systemd-resolved is not running', async () => {
    await sb.stopDaemon();
    const ours = readInside();
    expect(ours.available).toBe(false);
    expect(ours.reason).toMatch(/systemd-resolved is not running/);
    expect(ours.links).toEqual([]);
  });
});
