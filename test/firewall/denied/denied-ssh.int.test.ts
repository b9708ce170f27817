/**
 * The denied-packet feed of an SSH host: a fake host (real sshd and firewalld in namespaces,
 * LogDenied=all), a TCP SYN from a peer namespace to a rejected port, and the kernel's log line
 * read back over the host's ControlMaster, as its login user. Fake hosts share this machine's
 * kernel, so the line is in the one kernel log the host's journalctl or dmesg reads.
 *
 * Sets net.netfilter.nf_log_all_netns=1 for the file's duration and restores the old value in
 * afterAll (and in a finally): without it no log line leaves a non-initial network namespace.
 * Needs root, sshd, firewalld, dbus, nftables, util-linux, python3.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../../electron/api/runtime';
import type { HostDeckEvent } from '../../../shared/api/contract';
import type { DeniedPacket } from '../../../shared/firewall/denied/parse';
import { startFakeHosts, type FakeHosts } from '../../support/fake-hosts';
import { startPacketPeer, type PacketPeer } from '../../support/packet-probe';
import { allowNamespaceKernelLog, uniqueSubnet, until } from './kernel-log-netns';

let fh: FakeHosts;
let rt: Runtime;
let peer: PacketPeer;
let configDir: string;
let netnsLog: ReturnType<typeof allowNamespaceKernelLog> | undefined;
const events: HostDeckEvent[] = [];
const ip = uniqueSubnet();
const sshConfigBefore = process.env.HOSTDECK_SSH_CONFIG;

beforeAll(async () => {
  fh = await startFakeHosts([{ name: 'logged' }]);
  process.env.HOSTDECK_SSH_CONFIG = fh.sshConfig;
  const host = fh.hosts[0]!;
  // Set on the host itself: this test is about reading the log, not about log-denied.
  host.firewallCmd('--set-log-denied=all');
  configDir = mkdtempSync(join(tmpdir(), 'hostdeck-cfg-'));
  rt = new Runtime({ mode: 'cli', remote: { sshConfig: fh.sshConfig, configDir } });
  rt.events.subscribe((e) => events.push(e));
  peer = await startPacketPeer(host.pid, [{ fwIface: 'eth0', fwAddr: `${ip.fw}/24`, peerAddrs: [`${ip.peer}/24`] }], [8083]);
  netnsLog = allowNamespaceKernelLog();
}, 60_000);
afterAll(async () => {
  try {
    peer?.stop();
    await rt?.dispose();
    await fh?.stop();
    process.env.HOSTDECK_SSH_CONFIG = sshConfigBefore;
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  } finally {
    netnsLog?.restore();
  }
});

/** The kernel-log readers running on the fake host (its own pid namespace): the program and journalctl/dmesg under it. */
function readersOnHost(): string[] {
  const r = fh.hosts[0]!.execRaw(['/usr/bin/ps', '-eo', 'args=']);
  return r.stdout.split('\n').filter((l) => /journalctl -k|dmesg|python3 -I -c import os, select/.test(l) && !l.startsWith('/usr/bin/ps'));
}

describe('denied packets of an SSH host (nf_log_all_netns=1 for this file)', () => {
  it('says whether the login may read the kernel log: root may; deck only where dmesg_restrict is 0', async () => {
    await rt.api.hosts.add({ destination: 'logged' });
    await rt.api.hosts.add({ destination: 'deck@logged' });
    const caps = async (id: string) => (await rt.api.app.hosts({})).hosts.find((h) => h.id === id)!.capabilities;
    const root = await caps('logged');
    expect(root).toMatchObject({ journal: true });
    expect(root.missing.journal).toBeUndefined();
    const deck = { capabilities: await caps('deck@logged') };
    const hostJournalReadable = fh.hosts[0]!.execRaw(['/usr/bin/test', '-d', '/run/systemd/journal']).status === 0;
    if (readFileSync('/proc/sys/kernel/dmesg_restrict', 'utf8').trim() !== '0' && !hostJournalReadable) {
      expect(deck.capabilities.journal).toBe(false);
      expect(deck.capabilities.missing.journal).toMatch(/deck may not read .*the kernel ring buffer \(kernel\.dmesg_restrict = 1/);
      await expect(rt.api.firewall.denied({ sinceSeconds: 60 }, { host: 'deck@logged' })).rejects.toThrow(/kernel log on deck@logged is not readable by this user \(dmesg: .*dmesg_restrict = 0/);
    } else {
      expect(deck.capabilities.journal).toBe(true);
    }
  });

  it('a real rejected SYN reaches the live feed and the one-shot read, parsed with its zone; stop leaves no reader on the host', async () => {
    try {
      const feed = await rt.api.firewall.denied({ follow: true, sinceSeconds: 60 }, { host: 'logged' });
      expect(feed.following).toBe(true);
      // The follower runs on the host, over the ControlMaster.
      await until(() => (readersOnHost().some((l) => /--follow/.test(l)) ? true : undefined), 10_000, 'the follower on the host');
      netnsLog!.reassert();
      const sent = await peer.probe([{ id: 1, protocol: 'tcp', src: ip.peer, dst: ip.fw, dport: 8083 }], 2000);
      expect(sent.map((r) => r.outcome)).toEqual(['unreachable']);
      const mine = (p: DeniedPacket) => p.src === ip.peer && p.dport === 8083;
      const pushed = await until(
        () => events.flatMap((e) => (e.name === 'firewall.deniedPackets' && e.host === 'logged' ? e.payload.packets : [])).find(mine),
        5000,
        `the kernel log line of ${ip.peer} → 8083/tcp on the SSH host's feed`,
      );
      expect(pushed).toMatchObject({ kind: 'zone', chain: 'IN', zone: 'public', action: 'REJECT', proto: 'tcp', inIface: 'eth0', dst: ip.fw, family: 'ipv4' });
      // Its time from the host's boot time (dmesg) or the journal's own: close to now.
      expect(Math.abs(pushed.time! - Date.now())).toBeLessThan(60_000);

      const once = await rt.api.firewall.denied({ sinceSeconds: 120 }, { host: 'logged' });
      expect(once.packets.filter(mine)).toHaveLength(1);
      expect(once.source.command).toMatch(/^(journalctl -k -o json .*--since=@\d+|dmesg)$/);

      expect((await rt.api.firewall.deniedStop({}, { host: 'logged' })).following).toBe(false);
      await until(() => (readersOnHost().length === 0 ? true : undefined), 10_000, `no kernel-log reader left on the host (still: ${readersOnHost().join(' | ')})`);
    } finally {
      netnsLog?.restore();
    }
  });
});
