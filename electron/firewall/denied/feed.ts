import { ApiError } from '../../../shared/api/errors';
import { DENIED_LIMITS, type DeniedFeed as FeedAnswer } from '../../../shared/firewall/denied/contract';
import { DeniedGroups, parseDeniedLine, type DeniedGroup, type DeniedPacket } from '../../../shared/firewall/denied/parse';
import type { HandlerEvents } from '../../api/context';
import type { Host, KernelLogReader } from '../../hosts/transport';

/** How long a one-shot read (no follow) may take before it answers with what it has. */
const READ_DEADLINE_MS = 10_000;
/** Pushed events are batched: a flood of log lines becomes a few events a second. */
const FLUSH_MS = 200;

/** The time of a packet: the journal's, or boot time + seconds since boot for dmesg lines. */
/** The packet's time on this machine's clock: a time written in the line is the host's, uptime counts from the boot. */
function withTime(p: DeniedPacket, reader: Pick<KernelLogReader, 'bootTimeMs' | 'clockOffsetMs'>): DeniedPacket {
  if (p.time !== undefined) p.time -= reader.clockOffsetMs ?? 0;
  else if (p.uptime !== undefined && reader.bootTimeMs !== undefined) p.time = Math.round(reader.bootTimeMs + p.uptime * 1000);
  return p;
}

/** Packets (bounded, the newest kept) and their groups (bounded by DeniedGroups). */
class Window {
  readonly packets: DeniedPacket[] = [];
  readonly groups = new DeniedGroups(DENIED_LIMITS.groups);
  dropped = 0;

  add(p: DeniedPacket): DeniedGroup {
    this.packets.push(p);
    // Amortised: trim in chunks rather than shift() per packet.
    if (this.packets.length > DENIED_LIMITS.packets * 1.25) {
      const cut = this.packets.length - DENIED_LIMITS.packets;
      this.packets.splice(0, cut);
      this.dropped += cut;
    }
    return this.groups.add(p);
  }

  answer(limit: number, sinceMs: number): Pick<FeedAnswer, 'packets' | 'groups' | 'dropped' | 'limits'> {
    const recent = this.packets.filter((p) => p.time === undefined || p.time >= sinceMs);
    const over = Math.max(0, recent.length - limit);
    return {
      packets: limit ? recent.slice(-limit) : [],
      groups: this.groups.list().filter((g) => g.last >= sinceMs),
      dropped: this.dropped + over,
      limits: { packets: DENIED_LIMITS.packets, groups: DENIED_LIMITS.groups },
    };
  }
}

/**
 * One host's denied-packet feed: reads the host's kernel log through its transport (never a
 * process of its own), keeps only firewalld's denied-packet lines, and while followed pushes
 * them in batches as `firewall.deniedPackets`. One follower per host, however many windows
 * watch; it stops when nobody renewed it for DENIED_LIMITS.leaseMs, on deniedStop, or with the host.
 */
export class DeniedFeedService {
  private follower: { reader: KernelLogReader; window: Window; sinceMs: number } | undefined;
  private lease: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private pending: { packets: DeniedPacket[]; groups: Map<string, DeniedGroup>; dropped: number } = { packets: [], groups: new Map(), dropped: 0 };
  private lastError: string | undefined;

  constructor(
    private readonly host: Host,
    private readonly events: HandlerEvents,
  ) {}

  private log(): (opts: Parameters<NonNullable<Host['transport']['kernelLog']>>[0]) => KernelLogReader {
    const t = this.host.transport;
    if (!t.kernelLog) {
      const caps = t.capabilities();
      throw new ApiError(
        'UNSUPPORTED',
        `${this.host.label}: HostDeck cannot read this host's kernel log${caps.missing.journal ? ` (${caps.missing.journal.replace(/\.+$/, '')})` : ''}, so it cannot show denied packets. Explain still answers from the configuration.`,
      );
    }
    return (o) => t.kernelLog!(o);
  }

  async read(input: { sinceSeconds: number; follow: boolean; limit: number }): Promise<FeedAnswer> {
    const sinceMs = Date.now() - input.sinceSeconds * 1000;
    if (input.follow) return this.follow(sinceMs, input.limit);
    // One-shot: to the end of the log, then answer (or at the deadline, with what was read).
    const window = new Window();
    const reader: KernelLogReader = this.log()({
      sinceMs,
      follow: false,
      onLine: (line) => {
        const p = parseDeniedLine(line);
        if (!p) return;
        withTime(p, reader);
        if (p.time === undefined || p.time >= sinceMs) window.add(p);
      },
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([reader.done, new Promise<void>((r) => (timer = setTimeout(r, READ_DEADLINE_MS)))]);
    } finally {
      clearTimeout(timer);
      reader.stop();
    }
    return { source: { kind: reader.source, command: reader.command }, following: !!this.follower, ...window.answer(input.limit, sinceMs) };
  }

  private follow(sinceMs: number, limit: number): FeedAnswer {
    this.renew();
    if (!this.follower) {
      const window = new Window();
      const reader: KernelLogReader = this.log()({
        sinceMs,
        follow: true,
        onLine: (line) => {
          const p = parseDeniedLine(line);
          if (!p) return;
          withTime(p, reader);
          if (p.time !== undefined && p.time < sinceMs) return;
          this.queue(p, window.add(p));
        },
      });
        this.lastError = undefined;
      const f = { reader, window, sinceMs };
      this.follower = f;
      reader.done.then(
        () => this.ended(f, undefined),
        (e: unknown) => this.ended(f, e instanceof Error ? e.message : String(e)),
      );
    }
    const f = this.follower;
    return { source: { kind: f.reader.source, command: f.reader.command }, following: true, ...f.window.answer(limit, sinceMs), ...(this.lastError ? { error: this.lastError } : {}) };
  }

  private ended(f: NonNullable<DeniedFeedService['follower']>, error: string | undefined): void {
    if (this.follower !== f) return;
    this.flush();
    this.follower = undefined;
    clearTimeout(this.lease);
    this.lastError = error;
    this.events.emit('firewall.deniedStopped', this.host.id, error ? { error } : {});
  }

  private renew(): void {
    clearTimeout(this.lease);
    this.lease = setTimeout(() => this.stop(), DENIED_LIMITS.leaseMs);
    this.lease.unref?.();
  }

  private queue(p: DeniedPacket, g: DeniedGroup): void {
    const q = this.pending;
    if (q.packets.length < DENIED_LIMITS.batch) q.packets.push(p);
    else q.dropped++;
    q.groups.set(g.key, { ...g });
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const q = this.pending;
    if (!q.packets.length && !q.groups.size) return;
    this.pending = { packets: [], groups: new Map(), dropped: 0 };
    this.events.emit('firewall.deniedPackets', this.host.id, { packets: q.packets, groups: [...q.groups.values()], dropped: q.dropped });
  }

  stop(): { following: boolean } {
    const f = this.follower;
    if (f) {
      this.follower = undefined;
      f.reader.stop();
      this.flush();
      this.events.emit('firewall.deniedStopped', this.host.id, {});
    }
    clearTimeout(this.lease);
    return { following: false };
  }

  dispose(): void {
    this.stop();
    clearTimeout(this.flushTimer);
  }
}
