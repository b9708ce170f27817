import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { EventHub } from '../../../electron/api/events';
import { DeniedFeedService } from '../../../electron/firewall/denied/feed';
import { kernelLogFrom } from '../../../electron/hosts/kernel-log';
import type { Host, KernelLogOptions, KernelLogReader } from '../../../electron/hosts/transport';
import type { HostDeckEvent } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import { DENIED_LIMITS } from '../../../shared/firewall/denied/contract';

// The feed's bounds with a log replayed from lines in the kernel's own format (the real readers,
// journalctl and dmesg, are exercised in denied.int.test.ts): a flood of 10,000 packets from
// 10,000 sources must leave at most DENIED_LIMITS in memory and in each pushed event.

const BOOT = Date.UTC(2026, 11, 6, 12, 0, 0);
const line = (i: number, uptime: number) =>
  `[${uptime.toFixed(6)}] filter_IN_public_DROP: IN=eth0 OUT= SRC=10.${(i >> 8) & 255}.${i & 255}.9 DST=10.0.0.1 LEN=60 PROTO=TCP SPT=40000 DPT=${1000 + (i % 7)} SYN `;

function hostWithLog(lines: string[], opts: { follow?: boolean } = {}): { host: Host; stopped: () => boolean } {
  let stopped = false;
  const kernelLog = (o: KernelLogOptions): KernelLogReader => {
    let end: () => void = () => undefined;
    const done = new Promise<void>((r) => (end = r));
    setImmediate(() => {
      for (const l of lines) o.onLine(l);
      if (!opts.follow) end();
    });
    return { source: 'kmsg', command: 'dmesg --follow', bootTimeMs: BOOT, done, stop: () => ((stopped = true), end()) };
  };
  const host = { id: 'local', label: 'Local', transport: { kernelLog, capabilities: () => ({ missing: {} }) } } as unknown as Host;
  return { host, stopped: () => stopped };
}

describe('DeniedFeedService', () => {
  it('keeps at most the newest 2,000 packets and 500 groups of a 10,000-packet flood, and pushes them in bounded batches', async () => {
    const now = (Date.now() - BOOT) / 1000;
    const { host, stopped } = hostWithLog(Array.from({ length: 10_000 }, (_, i) => line(i, now - 5 + i / 10_000)), { follow: true });
    const hub = new EventHub();
    const events: HostDeckEvent[] = [];
    hub.subscribe((e) => events.push(e));
    const feed = new DeniedFeedService(host, hub);
    expect((await feed.read({ sinceSeconds: 60, follow: true, limit: 2000 })).following).toBe(true);
    // The replay runs in the next check phase, before this one.
    await new Promise((r) => setImmediate(r));
    const r = await feed.read({ sinceSeconds: 60, follow: true, limit: 2000 });
    expect(r.packets).toHaveLength(DENIED_LIMITS.packets);
    expect(r.packets.at(-1)!.src).toBe(`10.${(9999 >> 8) & 255}.${9999 & 255}.9`);
    expect(r.groups).toHaveLength(DENIED_LIMITS.groups);
    expect(r.dropped).toBeGreaterThanOrEqual(10_000 - DENIED_LIMITS.packets * 1.25);
    // Times come from boot time + the line's seconds since boot.
    expect(Math.abs(r.packets.at(-1)!.time! - Date.now())).toBeLessThan(10_000);
    // What is held in memory, not only what is answered (trimmed in chunks of a quarter).
    const held = (feed as unknown as { follower: { window: { packets: unknown[] } } }).follower.window.packets.length;
    expect(held).toBeLessThanOrEqual(DENIED_LIMITS.packets * 1.25);
    // Stopping flushes what is still queued, then says it stopped.
    expect(feed.stop().following).toBe(false);
    expect(stopped()).toBe(true);
    // A bare hub checks firewall events once the firewall contract is loaded (a call loads it first in the app).
    await hub.settled();
    expect(events.at(-1)?.name).toBe('firewall.deniedStopped');
    const batches = events.filter((e) => e.name === 'firewall.deniedPackets');
    expect(batches.length).toBeGreaterThan(0);
    let pushed = 0;
    for (const b of batches) {
      if (b.name !== 'firewall.deniedPackets') continue;
      expect(b.payload.packets.length).toBeLessThanOrEqual(DENIED_LIMITS.batch);
      pushed += b.payload.packets.length + b.payload.dropped;
    }
    expect(pushed).toBe(10_000);
  });

  it('a one-shot read keeps only lines since --since, skips what is not a denied packet, and says where it read', async () => {
    const now = (Date.now() - BOOT) / 1000;
    const { host } = hostWithLog([line(1, now - 3600), 'usb 1-1: new high-speed USB device', line(2, now - 30), '{"MESSAGE": 5}']);
    const r = await new DeniedFeedService(host, new EventHub()).read({ sinceSeconds: 600, follow: false, limit: 500 });
    expect(r.source).toEqual({ kind: 'kmsg', command: 'dmesg --follow' });
    expect(r.packets.map((p) => p.src)).toEqual(['10.0.2.9']);
    expect(r.groups.map((g) => g.count)).toEqual([1]);
  });

  it('a host without a readable kernel log: UNSUPPORTED, with the host\'s own reason', async () => {
    const host = { id: 'web1', label: 'web1', transport: { capabilities: () => ({ missing: { journal: 'HostDeck does not read web1\'s journal yet.' } }) } } as unknown as Host;
    const e = await new DeniedFeedService(host, new EventHub()).read({ sinceSeconds: 60, follow: false, limit: 10 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe('UNSUPPORTED');
    expect((e as ApiError).message).toMatch(/web1: HostDeck cannot read this host's kernel log \(HostDeck does not read web1's journal yet\), so it cannot/);
  });
});

describe('DeniedFeedService on a host whose clock is off', () => {
  it("a journal 10 minutes behind this machine: the last 5 minutes' packets are shown, at this machine's time", async () => {
    const offset = -600_000;
    const hostNow = Date.now() + offset;
    const journal = (agoMs: number, port: number) =>
      JSON.stringify({ __REALTIME_TIMESTAMP: String((hostNow - agoMs) * 1000), MESSAGE: `filter_IN_public_REJECT: IN=eth0 OUT= SRC=192.0.2.7 DST=10.0.0.1 LEN=60 PROTO=TCP SPT=40000 DPT=${port} SYN ` });
    const kernelLog = (o: KernelLogOptions): KernelLogReader => {
      setImmediate(() => [journal(60_000, 8080), journal(20 * 60_000, 9090)].forEach((l) => o.onLine(l)));
      return { source: 'journal', command: 'journalctl -k', clockOffsetMs: offset, done: new Promise((r) => setTimeout(r, 50)), stop: () => undefined };
    };
    const host = { id: 'web1', label: 'web1', transport: { kernelLog, capabilities: () => ({ missing: {} }) } } as unknown as Host;
    const r = await new DeniedFeedService(host, new EventHub()).read({ sinceSeconds: 300, follow: false, limit: 100 });
    expect(r.packets.map((p) => p.dport)).toEqual([8080]);
    expect(Math.abs(r.packets[0]!.time! - (Date.now() - 60_000))).toBeLessThan(5_000);
  });
});

describe('kernelLogFrom: why a reader failed, in one sentence', () => {
  it("journalctl's own closing period does not double ours (a login outside systemd-journal)", async () => {
    // The words journalctl prints to a user without the group, from a real process that exits 1.
    const child = spawn('/bin/sh', ['-c', 'echo "No journal files were opened due to insufficient permissions." >&2; exit 1']);
    const r = kernelLogFrom(child, { source: 'journal', command: 'journalctl -k -o json', where: ' on web1' }, { sinceMs: 0, follow: false, onLine: () => undefined }, () => undefined);
    const e = (await r.done.catch((x: unknown) => x)) as ApiError;
    expect(e.code).toBe('NOT_AUTHORIZED');
    expect(e.message).toBe(
      'The kernel log on web1 is not readable by this user (journalctl -k -o json: No journal files were opened due to insufficient permissions). Add the user to the systemd-journal or adm group.',
    );
  });
});
