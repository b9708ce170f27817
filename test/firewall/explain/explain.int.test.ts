/**
 * firewall.explain through the API and `hostdeck firewall explain` against the sandboxed
 * firewalld, and a blocked flow fixed with the offered change and then proven with a real
 * packet. Needs root and firewalld, dbus, nftables, util-linux, python3.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHostdeck } from '../../support/cli';
import { startPacketPeer, type PacketPeer } from '../../support/packet-probe';
import { openSession, type FwSession } from '../session';

let s: FwSession;
let peer: PacketPeer;
beforeAll(async () => {
  s = await openSession();
  peer = await startPacketPeer(s.sb.firewalldPid()!, [
    { fwIface: 'eth0', fwAddr: '10.8.0.1/24', peerAddrs: ['10.8.0.2/24', '10.8.0.3/24'] },
    { fwIface: 'eth1', fwAddr: '10.8.1.1/24', peerAddrs: ['10.8.1.2/24'] },
  ], [8080, 8443]);
  // A new ipset reaches runtime only through a reload; the rest is runtime only.
  s.sb.firewallCmd('--new-ipset=hd-bad', '--type=hash:ip', '--permanent');
  s.sb.firewallCmd('--reload');
  s.sb.firewallCmd('--zone=public', '--add-interface=eth0');
  s.sb.firewallCmd('--zone=internal', '--add-interface=eth1');
  s.sb.firewallCmd('--zone=internal', '--add-port=8080/tcp');
  s.sb.firewallCmd('--ipset=hd-bad', '--add-entry=10.8.1.2');
  s.sb.firewallCmd('--zone=internal', '--add-rich-rule=rule family="ipv4" source ipset="hd-bad" port port="8443" protocol="tcp" drop');
  s.sb.firewallCmd('--zone=internal', '--add-port=8443/tcp');
});
afterAll(async () => {
  peer?.stop();
  await s?.close();
});

const explain = (...args: string[]) => runHostdeck(['firewall', 'explain', '--bus', s.sb.busAddress, ...args]);

describe('hostdeck firewall explain', () => {
  it('--json: the verdict, the deciding element and the fixes', async () => {
    const r = await explain('--from', '10.8.0.2', '--to-port', '8080/tcp', '--iface', 'eth0', '--json');
    expect(r.code).toBe(5);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ verdict: 'reject', rejectWith: 'icmpx admin-prohibited', zone: { name: 'public', by: 'interface' }, decidedBy: { kind: 'target', chain: 'filter_IN_public' } });
    expect(j.fixes.map((f: { summary: string }) => f.summary)).toContain('Open port 8080/tcp in zone public');
    const ok = JSON.parse((await explain('--from', '10.8.1.2', '--to-port', '8080/tcp', '--iface', 'eth1', '--json')).out);
    expect(ok).toMatchObject({ verdict: 'accept', decidedBy: { kind: 'port', firewalld: 'port 8080/tcp', zone: 'internal' } });
  });

  it('loads the ipset entries a rich rule needs, answers for the permanent layer, and enumerates an unknown interface', async () => {
    const dropped = JSON.parse((await explain('--from', '10.8.1.2', '--to-port', '8443/tcp', '--iface', 'eth1', '--json')).out);
    expect(dropped).toMatchObject({ verdict: 'drop', decidedBy: { kind: 'rich-rule', richRule: { text: 'rule family="ipv4" source ipset="hd-bad" port port="8443" protocol="tcp" drop' } } });
    const perm = JSON.parse((await explain('--from', '10.8.1.2', '--to-port', '8080/tcp', '--iface', 'eth1', '--layer', 'permanent', '--json')).out);
    expect(perm).toMatchObject({ layer: 'permanent', verdict: 'reject', zone: { name: 'public', by: 'default' } });
    const dep = JSON.parse((await explain('--from', '10.8.0.2', '--to-port', '8080/tcp', '--json')).out);
    expect(dep.verdict).toBe('depends');
    expect(dep.cases.map((c: { value: string; verdict: string }) => `${c.value}=${c.verdict}`)).toEqual(['eth0=reject', 'eth1=accept', '(other)=reject']);
    const text = await explain('--from', '10.8.0.2', '--to-port', '8080/tcp');
    expect(text.out).toMatch(/if the packet arrives on eth1: ACCEPT/);
  });

  it('names the bad value', async () => {
    const r = await explain('--from', '10.8.0.2', '--to-port', '99999/tcp');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--to-port: "99999" is not a port number/);
    expect((await explain('--to-port', '80/icmp')).err).toMatch(/--to-port: "80\/icmp" is not PORT\/PROTOCOL/);
  });
});

describe('explain, fix, prove', () => {
  it('a blocked flow is rejected for real, the offered fix lets exactly it in, and a real packet then passes', async () => {
    const flow = { protocol: 'tcp' as const, src: '10.8.0.2', dst: '10.8.0.1', dport: 8080, iface: 'eth0' };
    const before = await s.api.explain({ flow, layer: 'runtime' });
    expect(before.verdict).toBe('reject');
    const probe = () => peer.probe([{ id: 1, protocol: 'tcp', src: '10.8.0.2', dst: '10.8.0.1', dport: 8080 }, { id: 2, protocol: 'tcp', src: '10.8.0.3', dst: '10.8.0.1', dport: 8080 }]);
    expect((await probe()).map((p) => p.outcome)).toEqual(['unreachable', 'unreachable']);
    const fix = before.fixes[0]!;
    expect(fix.summary).toBe('Accept this flow from 10.8.0.2 only, with a rich rule in zone public');
    if (fix.change.type !== 'zone') throw new Error('expected a zone change');
    await s.api.updateZone({ name: fix.change.name, layer: 'runtime', patch: fix.change.patch });
    expect((await s.api.explain({ flow, layer: 'runtime' })).verdict).toBe('accept');
    // Exactly this flow: the other source is still rejected.
    expect((await probe()).map((p) => p.outcome)).toEqual(['connected', 'unreachable']);
  });
});
