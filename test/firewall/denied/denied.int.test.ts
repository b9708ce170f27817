/**
 * The denied-packet feed with real packets: a sandboxed firewalld with LogDenied=all, a TCP SYN
 * from a peer namespace to a rejected port, the kernel's own log line read back (dmesg here: this
 * machine has no journal) through the API, the live feed and `hostdeck firewall denied`.
 * Also `hostdeck firewall log-denied`, which reloads firewalld and so asks first like Reload.
 *
 * Sets net.netfilter.nf_log_all_netns=1 for the file's duration and restores the old value in
 * afterAll (and in a finally): without it no log line leaves a non-initial network namespace.
 * Needs root and firewalld, dbus, nftables, util-linux, python3.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../../electron/api/runtime';
import type { HostDeckEvent } from '../../../shared/api/contract';
import type { DeniedPacket } from '../../../shared/firewall/denied/parse';
import { runHostdeck } from '../../support/cli';
import { startFirewalldSandbox, type FirewalldSandbox } from '../../support/firewalld-sandbox';
import { startPacketPeer, type PacketPeer } from '../../support/packet-probe';
import { allowNamespaceKernelLog, uniqueSubnet, until } from './kernel-log-netns';

let sb: FirewalldSandbox;
let rt: Runtime;
let peer: PacketPeer;
let netnsLog: ReturnType<typeof allowNamespaceKernelLog> | undefined;
const events: HostDeckEvent[] = [];
const ip = uniqueSubnet();

beforeAll(async () => {
  sb = await startFirewalldSandbox();
  // root "/" is this machine: its kernel log is the one the sandbox's netfilter writes to.
  rt = new Runtime({ mode: 'cli', local: { systemBusAddress: sb.busAddress } });
  rt.events.subscribe((e) => events.push(e));
  peer = await startPacketPeer(sb.firewalldPid()!, [{ fwIface: 'eth0', fwAddr: `${ip.fw}/24`, peerAddrs: [`${ip.peer}/24`], fwAddr6: `${ip.fw6}/64`, peerAddrs6: [`${ip.peer6}/64`] }], [8081]);
  netnsLog = allowNamespaceKernelLog();
});
afterAll(async () => {
  try {
    peer?.stop();
    await rt?.dispose();
    await sb?.stop();
  } finally {
    netnsLog?.restore();
  }
});

const cli = (...args: string[]) => runHostdeck(['firewall', ...args, '--bus', sb.busAddress]);

describe('hostdeck firewall log-denied', () => {
  it('shows the value, asks first when the reload would drop runtime-only changes, and sets it with --confirm', async () => {
    expect((await cli('log-denied')).out).toBe('LogDenied: off (denied packets are not logged)\n');
    sb.firewallCmd('--zone=public', '--add-port=9999/tcp');
    const refused = await cli('log-denied', 'all');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/reloads firewalld and discards runtime changes that are not saved to permanent: .*9999\/tcp.*add --confirm to go ahead anyway\. \[NEEDS_CONFIRMATION\]/);
    expect(sb.firewallCmd('--get-log-denied').trim()).toBe('off');
    expect((await cli('log-denied', 'sometimes')).err).toMatch(/log-denied: "sometimes" is not one of all, unicast, broadcast, multicast, off/);
    const set = await cli('log-denied', 'all', '--confirm', '--json');
    expect(set.code).toBe(0);
    expect(JSON.parse(set.out)).toMatchObject({ logDenied: 'all', previous: 'off' });
    expect(sb.firewallCmd('--get-log-denied').trim()).toBe('all');
    // The reload dropped the runtime-only port, as warned.
    expect(sb.firewallCmd('--zone=public', '--list-ports').trim()).toBe('');
    expect(JSON.parse((await cli('log-denied', '--json')).out)).toEqual({ logDenied: 'all' });
  });
});

describe('denied packets from the kernel log (nf_log_all_netns=1 for this file)', () => {
  it('a real rejected SYN from the peer namespace reaches the live feed, the one-shot read and the CLI, parsed with its zone', async () => {
    try {
      expect(sb.firewallCmd('--get-log-denied').trim()).toBe('all');
      const feed = await rt.api.firewall.denied({ follow: true, sinceSeconds: 60 });
      expect(feed.following).toBe(true);
      netnsLog!.reassert();
      const sent = await peer.probe([{ id: 1, protocol: 'tcp', src: ip.peer, dst: ip.fw, dport: 8081 }, { id: 2, protocol: 'tcp', src: ip.peer6, dst: ip.fw6, dport: 8081 }], 2000);
      expect(sent.map((r) => r.outcome)).toEqual(['unreachable', 'unreachable']);
      const mine = (p: DeniedPacket) => p.src === ip.peer && p.dport === 8081;
      const pushed = await until(
        () => events.flatMap((e) => (e.name === 'firewall.deniedPackets' ? e.payload.packets : [])).find(mine),
        5000,
        `the kernel log line of ${ip.peer} → 8081/tcp`,
      );
      expect(pushed).toMatchObject({ kind: 'zone', chain: 'IN', zone: 'public', action: 'REJECT', proto: 'tcp', inIface: 'eth0', dst: ip.fw, family: 'ipv4', prefix: 'filter_IN_public_REJECT' });
      const pushed6 = await until(() => events.flatMap((e) => (e.name === 'firewall.deniedPackets' ? e.payload.packets : [])).find((p) => p.src === ip.peer6), 5000, `the line of ${ip.peer6}`);
      expect(pushed6).toMatchObject({ family: 'ipv6', zone: 'public', action: 'REJECT', proto: 'tcp', dport: 8081, dst: ip.fw6, inIface: 'eth0' });
      // Its time: boot time + the line's seconds since boot, close to now.
      expect(Math.abs(pushed.time! - Date.now())).toBeLessThan(60_000);
      const group = events.flatMap((e) => (e.name === 'firewall.deniedPackets' ? e.payload.groups : [])).find((g) => g.src === ip.peer);
      expect(group).toMatchObject({ zone: 'public', action: 'REJECT', dport: 8081, proto: 'tcp', inIface: 'eth0' });

      const once = await rt.api.firewall.denied({ sinceSeconds: 120 });
      expect(once.source.kind).toBe(existsSync('/run/systemd/journal') ? 'journal' : 'kmsg');
      expect(once.packets.filter(mine).length).toBeGreaterThanOrEqual(1);

      const json = await cli('denied', '--since', '5m', '--json', '--filter', ip.peer);
      expect(json.code).toBe(0);
      const entries = json.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(entries[0]).toMatchObject({ source: ip.peer, destination: ip.fw, protocol: 'tcp', destinationPort: 8081, zone: 'public', action: 'REJECT', interface: 'eth0' });
      expect(typeof entries[0]!.time).toBe('string');
      const grouped = await cli('denied', '--since', '5m', '--group', '--filter', `${ip.peer} 8081`);
      expect(grouped.out).toMatch(new RegExp(`^${ip.peer.replace(/\./g, '\\.')} → 8081/tcp on eth0: (once|\\d+ times.*), zone public, REJECT\\n$`));
      expect((await rt.api.firewall.deniedStop({})).following).toBe(false);
    } finally {
      netnsLog?.restore();
    }
  });

  it('--follow prints new packets as they are logged, one JSON object a line, and --count ends it', async () => {
    netnsLog = allowNamespaceKernelLog();
    try {
      // The follower reads back to --since first, so the packet is seen whether it is logged before or after it starts.
      const run = cli('denied', '--follow', '--since', '1m', '--json', '--filter', `${ip.peer} 8082`, '--count', '1');
      await peer.probe([{ id: 2, protocol: 'tcp', src: ip.peer, dst: ip.fw, dport: 8082 }]);
      const r = await run;
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out.trim())).toMatchObject({ source: ip.peer, destinationPort: 8082, zone: 'public', action: 'REJECT' });
      expect(r.err).toMatch(/following dmesg --follow|following journalctl/);
    } finally {
      netnsLog.restore();
    }
  });

  it('names what is wrong with the arguments', async () => {
    expect((await cli('denied', '--since', '10 minutes')).err).toMatch(/--since: "10 minutes" is not a duration/);
    expect((await cli('denied', '--count', '3')).err).toMatch(/--count goes with --follow/);
  });
});
