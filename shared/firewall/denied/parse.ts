import { z } from 'zod';
import { formatAddr, parseNet } from '../explain/addr';

/**
 * Kernel log lines of packets firewalld denied (LogDenied), read from the journal
 * (`journalctl -k -o json`: one JSON object per line, the text in MESSAGE) or the kernel ring
 * buffer (`dmesg`, `/dev/kmsg`, syslog's "kernel:" lines). firewalld's prefixes, the same in
 * 1.x and 2.x (src/firewall/core/nftables.py):
 *   filter_IN_<zone>_REJECT: / _DROP:        zone target (input), filter_FWD_<zone>_... forwarded
 *   filter_IN_policy_<p>_REJECT: / _DROP:    policy target (also FWD_policy_, OUT_policy_)
 *   filter_zone_<zone>_HOST_ICMP_BLOCK:      icmp-block (zone), filter_<policy>_ICMP_BLOCK: (policy)
 *   STATE_INVALID_DROP:, FINAL_REJECT:, rpfilter_DROP:, RFC3964_IPv4_REJECT:
 * then nf_log's own text: IN=eth0 OUT= MAC=... SRC=... DST=... LEN=... PROTO=TCP SPT=... DPT=...
 * Lines come from the host and are hostile: bounded, never thrown on.
 */

/** Longer lines are cut: nf_log prints under 1 KiB; the rest can only be noise. */
export const MAX_LINE = 4096;

export const deniedPacketSchema = z.object({
  /** ms since the epoch (journal __REALTIME_TIMESTAMP, syslog date); absent for bare dmesg. */
  time: z.number().optional(),
  /** Seconds since boot (dmesg "[  123.456]"). */
  uptime: z.number().optional(),
  /** The log prefix as printed ("filter_IN_public_REJECT"). */
  prefix: z.string(),
  kind: z.enum(['zone', 'policy', 'icmp-block', 'invalid', 'final', 'rpfilter', 'rfc3964', 'custom']),
  /** IN = to this host, FWD = forwarded, OUT = from this host. */
  chain: z.enum(['IN', 'FWD', 'OUT']).optional(),
  zone: z.string().optional(),
  policy: z.string().optional(),
  /** What firewalld did; LOG for a rich rule's own log prefix (the action is not in the line). */
  action: z.enum(['REJECT', 'DROP', 'LOG']),
  inIface: z.string().optional(),
  outIface: z.string().optional(),
  mac: z.string().optional(),
  family: z.enum(['ipv4', 'ipv6']).optional(),
  src: z.string().optional(),
  dst: z.string().optional(),
  /** Lower case: tcp, udp, sctp, dccp, icmp, icmpv6, or the number nf_log printed. */
  proto: z.string().optional(),
  sport: z.number().int().optional(),
  dport: z.number().int().optional(),
  icmpType: z.number().int().optional(),
  icmpCode: z.number().int().optional(),
  len: z.number().int().optional(),
});
export type DeniedPacket = z.infer<typeof deniedPacketSchema>;

// Zone and policy names may hold one inner "/" (firewalld's check_name), and so do their chain names and log prefixes.
const NAME = '[A-Za-z0-9_+./-]{1,64}';
const PREFIXES: Array<{ re: RegExp; build: (m: RegExpExecArray) => Pick<DeniedPacket, 'kind' | 'chain' | 'zone' | 'policy' | 'action'> }> = [
  { re: /^STATE_INVALID_DROP$/, build: () => ({ kind: 'invalid', action: 'DROP' }) },
  { re: /^FINAL_REJECT$/, build: () => ({ kind: 'final', action: 'REJECT' }) },
  { re: /^rpfilter_DROP$/, build: () => ({ kind: 'rpfilter', action: 'DROP' }) },
  { re: /^RFC3964_IPv4_REJECT$/, build: () => ({ kind: 'rfc3964', action: 'REJECT' }) },
  { re: new RegExp(`^filter_(IN|FWD|OUT)_policy_(${NAME})_(REJECT|DROP)$`), build: (m) => ({ kind: 'policy', chain: m[1] as 'IN', policy: m[2], action: m[3] as 'REJECT' }) },
  { re: new RegExp(`^filter_(IN|FWD)_(${NAME})_(REJECT|DROP)$`), build: (m) => ({ kind: 'zone', chain: m[1] as 'IN', zone: m[2], action: m[3] as 'REJECT' }) },
  // Zone icmp-blocks log under the zone's internal policy name, zone_<zone>_HOST (or _ANY when forwarded).
  { re: new RegExp(`^filter_zone_(${NAME})_(HOST|ANY)_ICMP_BLOCK$`), build: (m) => ({ kind: 'icmp-block', chain: m[2] === 'HOST' ? 'IN' : 'FWD', zone: m[1], action: 'REJECT' }) },
  { re: new RegExp(`^filter_(${NAME})_ICMP_BLOCK$`), build: (m) => ({ kind: 'icmp-block', policy: m[1], action: 'REJECT' }) },
];

const PROTO_NAMES: Record<string, string> = { TCP: 'tcp', UDP: 'udp', UDPLITE: 'udplite', SCTP: 'sctp', DCCP: 'dccp', ICMP: 'icmp', ICMPv6: 'icmpv6', ICMPV6: 'icmpv6' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * One line of `journalctl -k -o json`, `dmesg`, `/dev/kmsg` or syslog; undefined when it is not
 * a firewalld denied-packet line (or not a packet log line at all).
 * @param year for syslog dates, which carry none (default: the current year).
 */
export function parseDeniedLine(line: string, year?: number): DeniedPacket | undefined {
  try {
    if (typeof line !== 'string') return undefined;
    let text = line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line;
    let time: number | undefined;
    let uptime: number | undefined;
    const trimmed = text.trimStart();
    if (trimmed.startsWith('{')) {
      if (line.length > 64 * 1024) return undefined;
      const j = JSON.parse(line) as Record<string, unknown>;
      const msg = j.MESSAGE;
      // The journal sends non-UTF-8 messages as an array of bytes.
      text = typeof msg === 'string' ? msg : Array.isArray(msg) ? String.fromCharCode(...msg.slice(0, MAX_LINE).map((b) => Number(b) & 255)) : '';
      const ts = j.__REALTIME_TIMESTAMP;
      if (typeof ts === 'string' && /^\d{1,20}$/.test(ts)) time = Math.floor(Number(ts) / 1000);
      const mono = j.__MONOTONIC_TIMESTAMP;
      if (typeof mono === 'string' && /^\d{1,20}$/.test(mono)) uptime = Number(mono) / 1e6;
      if (text.length > MAX_LINE) text = text.slice(0, MAX_LINE);
    } else {
      // /dev/kmsg: "4,1234,567890123,-;MESSAGE"
      const kmsg = /^\d+,\d+,(\d+),[^;]*;/.exec(trimmed);
      if (kmsg) {
        uptime = Number(kmsg[1]) / 1e6;
        text = trimmed.slice(kmsg[0].length);
      }
      // dmesg: "[ 1234.567890] MESSAGE"
      const dm = /^\[\s*(\d+\.\d+)\]\s?/.exec(text);
      if (dm) {
        uptime = Number(dm[1]);
        text = text.slice(dm[0].length);
      }
      // syslog / journalctl short: "Dec  6 17:01:20 host kernel: MESSAGE"
      const sys = /^([A-Z][a-z]{2})\s+(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) \S+ kernel: (?:\[\s*(\d+\.\d+)\]\s?)?/.exec(text);
      if (sys) {
        const month = MONTHS.indexOf(sys[1]!);
        if (month >= 0) time = Date.UTC(year ?? new Date().getUTCFullYear(), month, Number(sys[2]), Number(sys[3]), Number(sys[4]), Number(sys[5]));
        if (sys[6]) uptime = Number(sys[6]);
        text = text.slice(sys[0].length);
      }
    }
    const at = text.indexOf('IN=');
    if (at < 0) return undefined;
    const prefix = text.slice(0, at).trim().replace(/:$/, '').trim();
    const fields = parseFields(text.slice(at));
    if (!('IN' in fields) || !('OUT' in fields)) return undefined;
    let known: ReturnType<(typeof PREFIXES)[number]['build']> | undefined;
    for (const p of PREFIXES) {
      const m = p.re.exec(prefix);
      if (m) {
        known = p.build(m);
        break;
      }
    }
    const packet: DeniedPacket = { prefix: prefix.slice(0, 128), ...(known ?? { kind: 'custom', action: 'LOG' }) };
    if (time !== undefined) packet.time = time;
    if (uptime !== undefined) packet.uptime = uptime;
    if (fields.IN) packet.inIface = fields.IN;
    if (fields.OUT) packet.outIface = fields.OUT;
    if (fields.MAC) packet.mac = fields.MAC;
    if (fields.SRC) packet.src = shortAddress(fields.SRC);
    if (fields.DST) packet.dst = shortAddress(fields.DST);
    if (packet.src || packet.dst) packet.family = (packet.src ?? packet.dst)!.includes(':') ? 'ipv6' : 'ipv4';
    if (fields.PROTO) packet.proto = PROTO_NAMES[fields.PROTO] ?? fields.PROTO.toLowerCase();
    const num = (k: string) => {
      const v = fields[k];
      return v !== undefined && /^\d{1,6}$/.test(v) ? Number(v) : undefined;
    };
    const sport = num('SPT');
    const dport = num('DPT');
    if (sport !== undefined) packet.sport = sport;
    if (dport !== undefined) packet.dport = dport;
    if (packet.proto === 'icmp' || packet.proto === 'icmpv6') {
      const t = num('TYPE');
      const c = num('CODE');
      if (t !== undefined) packet.icmpType = t;
      if (c !== undefined) packet.icmpCode = c;
    }
    const len = num('LEN');
    if (len !== undefined) packet.len = len;
    return packet;
  } catch {
    return undefined;
  }
}

/** nf_log prints IPv6 addresses in full (2001:0db8:0000:...); HostDeck shows and matches the short form. */
function shortAddress(a: string): string {
  if (!a.includes(':')) return a;
  const n = parseNet(a);
  return n && n.bits === 128 ? formatAddr(n.base, 'ipv6') : a;
}

/**
 * nf_log's KEY=VALUE words. The first occurrence wins: an ICMP error quotes the offending
 * packet in brackets ("[SRC=... DST=... PROTO=TCP ...]"), which must not overwrite the outer one.
 */
function parseFields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let depth = 0;
  for (const word of text.split(/\s+/, 200)) {
    if (word.startsWith('[')) depth++;
    if (depth === 0) {
      const eq = word.indexOf('=');
      if (eq > 0) {
        const k = word.slice(0, eq);
        if (/^[A-Z]{2,10}$/.test(k) && !(k in out)) out[k] = word.slice(eq + 1).slice(0, 64);
      }
    }
    if (word.endsWith(']')) depth = Math.max(0, depth - 1);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Grouping

export interface DeniedGroup {
  key: string;
  src?: string;
  dst?: string;
  proto?: string;
  dport?: number;
  icmpType?: number;
  inIface?: string;
  zone?: string;
  policy?: string;
  kind: DeniedPacket['kind'];
  action: DeniedPacket['action'];
  count: number;
  /** ms since the epoch (or uptime in ms when the lines carry no date). */
  first: number;
  last: number;
}

/**
 * Denied packets grouped by source, destination port/protocol, interface, zone or policy and
 * action, in bounded memory: at most `maxGroups` groups (the least recently seen go first).
 */
export class DeniedGroups {
  private readonly groups = new Map<string, DeniedGroup>();
  constructor(private readonly maxGroups = 1000) {}

  add(p: DeniedPacket, now = Date.now()): DeniedGroup {
    const what = p.proto === 'icmp' || p.proto === 'icmpv6' ? `${p.proto}:${p.icmpType ?? ''}` : `${p.dport ?? ''}/${p.proto ?? ''}`;
    const key = [p.src ?? '', what, p.inIface ?? '', p.zone ?? '', p.policy ?? '', p.kind, p.action].join('|');
    const at = p.time ?? (p.uptime !== undefined ? p.uptime * 1000 : now);
    let g = this.groups.get(key);
    if (g) {
      this.groups.delete(key);
      g.count++;
      g.first = Math.min(g.first, at);
      g.last = Math.max(g.last, at);
    } else {
      g = { key, src: p.src, dst: p.dst, proto: p.proto, dport: p.dport, icmpType: p.icmpType, inIface: p.inIface, zone: p.zone, policy: p.policy, kind: p.kind, action: p.action, count: 1, first: at, last: at };
      if (this.groups.size >= this.maxGroups) this.groups.delete(this.groups.keys().next().value!);
    }
    this.groups.set(key, g);
    return g;
  }

  get size(): number {
    return this.groups.size;
  }

  /** Most frequent first. */
  list(): DeniedGroup[] {
    return [...this.groups.values()].sort((a, b) => b.count - a.count || b.last - a.last);
  }
}

/** "192.0.2.7 → 8080/tcp on eth0: 37 times in 5 min, zone public, REJECT". */
export function describeGroup(g: DeniedGroup): string {
  const what = g.proto === 'icmp' || g.proto === 'icmpv6' ? `${g.proto}${g.icmpType !== undefined ? ` type ${g.icmpType}` : ''}` : g.dport !== undefined ? `${g.dport}/${g.proto}` : (g.proto ?? 'a packet');
  const span = g.last - g.first;
  const times = g.count === 1 ? 'once' : `${g.count} times${span > 0 ? ` in ${duration(span)}` : ''}`;
  const who = g.zone ? `zone ${g.zone}` : g.policy ? `policy ${g.policy}` : KIND_WORDS[g.kind];
  return `${g.src ?? '?'} → ${what}${g.inIface ? ` on ${g.inIface}` : ''}: ${times}, ${who}, ${g.action}`;
}

const KIND_WORDS: Record<DeniedPacket['kind'], string> = {
  zone: 'zone',
  policy: 'policy',
  'icmp-block': 'ICMP block',
  invalid: 'invalid state (not part of any known connection)',
  final: 'no zone took it (final reject)',
  rpfilter: 'reverse-path filter (IPv6_rpfilter)',
  rfc3964: 'RFC 3964 IPv4 in IPv6 (RFC3964_IPv4)',
  custom: 'a rich rule\'s log',
};

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${Math.max(1, s)} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  return `${Math.round(m / 60)} h`;
}
