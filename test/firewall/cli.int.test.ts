/**
 * `hostdeck firewall ...` in-process with captured streams, against the sandboxed firewalld.
 * Needs root and firewalld, dbus, nftables, util-linux.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHostdeck } from '../support/cli';
import { startFirewalldSandbox, type FirewalldSandbox } from '../support/firewalld-sandbox';

let sb: FirewalldSandbox;
beforeAll(async () => {
  sb = await startFirewalldSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

const hostdeck = (...args: string[]) => runHostdeck(args);

describe('hostdeck firewall', () => {
  it('status, as text and JSON', async () => {
    const json = await hostdeck('firewall', 'status', '--bus', sb.busAddress, '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ running: true, version: '1.3.3', defaultZone: 'public', panicMode: false });
    const text = await hostdeck('firewall', 'status', '--bus', sb.busAddress);
    expect(text.out).toMatch(/firewalld 1\.3\.3 running/);
    expect(text.out).toMatch(/default zone: public/);
  });

  it('dump --json prints the full runtime and permanent state', async () => {
    sb.firewallCmd('--zone=public', '--add-port=8080/tcp');
    const r = await hostdeck('firewall', 'dump', '--bus', sb.busAddress, '--json');
    expect(r.code).toBe(0);
    const state = JSON.parse(r.out);
    expect(Object.keys(state.runtime.zones).sort()).toEqual(sb.firewallCmd('--get-zones').trim().split(/\s+/).sort());
    expect(state.runtime.zones.public.ports).toEqual([{ port: '8080', protocol: 'tcp' }]);
    expect(state.permanent.zones.public.ports).toEqual([]);
    expect(Object.keys(state.permanent.services).length).toBe(sb.firewallCmd('--permanent', '--get-services').trim().split(/\s+/).length);
    expect(state.config.FirewallBackend).toBe('nftables');
    const text = await hostdeck('firewall', 'dump', '--bus', sb.busAddress);
    expect(text.out).toMatch(/^public \(default\)/m);
    expect(text.out).toMatch(/ports: 8080\/tcp/);
  });

  it('zone, diff, export and entries', async () => {
    const zone = await hostdeck('firewall', 'zone', 'public', '--bus', sb.busAddress);
    expect(zone.out).toMatch(/services: ssh dhcpv6-client/);
    const diff = await hostdeck('firewall', 'diff', '--bus', sb.busAddress);
    expect(diff.out).toMatch(/zone public:\n {2}ports: \+8080\/tcp/);
    const xml = await hostdeck('firewall', 'export', 'zone', 'public', '--bus', sb.busAddress, '--runtime');
    expect(xml.out).toMatch(/<port port="8080" protocol="tcp"\/>/);
    const script = await hostdeck('firewall', 'export', 'zone', 'public', '--format', 'script', '--bus', sb.busAddress);
    expect(script.out).toMatch(/firewall-cmd --permanent --zone=public --add-service=ssh --add-service=dhcpv6-client/);
    sb.firewallCmd('--permanent', '--new-ipset=cli-set', '--type=hash:ip');
    sb.firewallCmd('--permanent', '--ipset=cli-set', '--add-entry=192.0.2.1', '--add-entry=192.0.2.2');
    const entries = await hostdeck('firewall', 'entries', 'cli-set', '--permanent', '--filter', '192.0.2.2', '--bus', sb.busAddress, '--json');
    expect(JSON.parse(entries.out)).toMatchObject({ total: 2, matched: 1, entries: ['192.0.2.2'] });
  });

  it('fails with a code and exit status when firewalld is not there', async () => {
    const bus = `unix:path=${sb.dir}/nothing.sock`;
    const status = await hostdeck('firewall', 'status', '--bus', bus);
    expect(status.code).toBe(3);
    // No bus at that address at all: said as such, with the socket tried (not "firewalld is not running").
    expect(status.out).toContain(`No system D-Bus: HostDeck tried ${sb.dir}/nothing.sock and the socket does not exist`);
    const dump = await hostdeck('firewall', 'dump', '--bus', bus);
    expect(dump.code).toBe(1);
    expect(dump.err).toMatch(/^hostdeck: .*\[FIREWALLD_NOT_RUNNING\]$/m);
    const bad = await hostdeck('firewall', 'zone', 'nope', '--bus', sb.busAddress);
    expect(bad.err).toMatch(/\[NOT_FOUND\]/);
  });
});
