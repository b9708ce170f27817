import type { Command } from 'commander';
import { ApiError } from '../../../shared/api/errors';
import { deniedGroupMatches } from '../../../shared/firewall/denied/filter';
import { describeGroup, type DeniedGroup, type DeniedPacket } from '../../../shared/firewall/denied/parse';
import { logDeniedSchema } from '../../../shared/firewall/model';
import type { CliContext } from '../../cli/context';

interface Common {
  json?: boolean;
  bus?: string;
}

const common = (c: Command): Command =>
  c.option('--bus <address>', 'D-Bus system bus address (default: $DBUS_SYSTEM_BUS_ADDRESS or the system bus)').option('--json', 'print JSON');

/** What each LogDenied value logs. */
const LOG_DENIED_WORDS: Record<string, string> = {
  all: 'every denied packet is logged',
  unicast: 'denied unicast packets are logged',
  broadcast: 'denied broadcast packets are logged',
  multicast: 'denied multicast packets are logged',
  off: 'denied packets are not logged',
};

/** "10m", "90s", "2h", "1d" or plain seconds. */
export function parseSince(text: string): number {
  const m = /^(\d{1,7})([smhd]?)$/.exec(text.trim());
  if (!m) throw new ApiError('INVALID_INPUT', `--since: "${text}" is not a duration (e.g. 90s, 10m, 2h, 1d)`);
  const seconds = Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '']!;
  if (seconds > 7 * 86400) throw new ApiError('INVALID_INPUT', `--since: "${text}" is more than 7 days`);
  return seconds;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** One packet for --json: the fields a script wants, in plain names. */
export function packetEntry(p: DeniedPacket) {
  return {
    time: iso(p.time),
    source: p.src ?? null,
    destination: p.dst ?? null,
    protocol: p.proto ?? null,
    sourcePort: p.sport ?? null,
    destinationPort: p.dport ?? null,
    icmpType: p.icmpType ?? null,
    zone: p.zone ?? null,
    policy: p.policy ?? null,
    kind: p.kind,
    action: p.action,
    interface: p.inIface ?? null,
    outInterface: p.outIface ?? null,
    family: p.family ?? null,
    prefix: p.prefix,
  };
}

/** One group for --json --group. */
export function groupEntry(g: DeniedGroup) {
  return {
    text: describeGroup(g),
    count: g.count,
    first: iso(g.first),
    last: iso(g.last),
    source: g.src ?? null,
    destination: g.dst ?? null,
    protocol: g.proto ?? null,
    destinationPort: g.dport ?? null,
    icmpType: g.icmpType ?? null,
    zone: g.zone ?? null,
    policy: g.policy ?? null,
    kind: g.kind,
    action: g.action,
    interface: g.inIface ?? null,
  };
}

function packetText(p: DeniedPacket): string {
  const what = p.proto === 'icmp' || p.proto === 'icmpv6' ? `${p.proto}${p.icmpType !== undefined ? ` type ${p.icmpType}` : ''}` : `${p.dport ?? '?'}/${p.proto ?? '?'}`;
  const by = p.zone ? `zone ${p.zone}` : p.policy ? `policy ${p.policy}` : p.prefix;
  return `${iso(p.time) ?? '(no time)'}  ${p.src ?? '?'} → ${p.dst ?? '?'} ${what}${p.inIface ? ` on ${p.inIface}` : ''}${p.outIface ? ` out ${p.outIface}` : ''}  ${by}  ${p.action}`;
}

/** A group passes the filter; a packet passes when the group it would form does. */
const packetMatches = (p: DeniedPacket, filter: string) =>
  deniedGroupMatches({ key: '', ...p, count: 1, first: p.time ?? 0, last: p.time ?? 0 }, filter);

/** `hostdeck firewall log-denied [VALUE]` and `hostdeck firewall denied ...`. */
export function registerDeniedCommands(fw: Command, cli: CliContext): void {
  common(
    fw
      .command('log-denied')
      .argument('[value]', 'all, unicast, broadcast, multicast or off (without it: show the current value)')
      .option('--confirm', 'go ahead although firewalld\'s reload drops runtime-only changes')
      .description('Show or change LogDenied: which denied packets firewalld logs. Changing it reloads firewalld: runtime-only changes are lost, as with a reload'),
  ).action(
    cli.action(
      async (value: string | undefined, o: Common & { confirm?: boolean }) => {
        const parsed = logDeniedSchema.safeParse(value);
        if (value !== undefined && !parsed.success) throw new ApiError('INVALID_INPUT', `log-denied: "${value}" is not one of ${logDeniedSchema.options.join(', ')}`);
        const api = cli.api({ systemBusAddress: o.bus }).firewall;
        const before = (await api.state({})).global.logDenied;
        if (!parsed.success) {
          cli.print({ logDenied: before }, !!o.json, () => `LogDenied: ${before} (${LOG_DENIED_WORDS[before] ?? before})`);
          return;
        }
        const r = await api.setLogDenied({ value: parsed.data, confirm: !!o.confirm });
        cli.print({ logDenied: parsed.data, previous: before, revision: r.revision }, !!o.json, () =>
          before === parsed.data ? `LogDenied is already ${before}` : `LogDenied: ${before} → ${parsed.data} (${LOG_DENIED_WORDS[parsed.data]}); firewalld reloaded`,
        );
      },
      (e) =>
        e instanceof ApiError && e.code === 'NEEDS_CONFIRMATION'
          ? new ApiError(e.code, `${e.message.replace(/ Save them .*$/, '')} Save them to permanent first (hostdeck firewall diff shows them), or add --confirm to go ahead anyway.`, e.detail)
          : e,
    ),
  );

  common(
    fw
      .command('denied')
      .description('Packets firewalld denied, from the kernel log (journal or dmesg; needs LogDenied other than off)')
      .option('--since <duration>', 'how far back: 90s, 10m, 2h, 1d', '10m')
      .option('--follow', 'keep printing new denied packets (Ctrl-C ends)')
      .option('--group', 'one line (or JSON object) per group: source, port/protocol, interface, zone or policy, action')
      .option('--filter <words>', 'only packets whose group contains every word (an address, a port, a zone, REJECT...)', '')
      .option('--count <n>', 'with --follow: stop after this many packets')
      .option('--limit <n>', 'at most this many packets from the past (the newest)', '500'),
  ).action(
    cli.action(async (o: Common & { since: string; follow?: boolean; group?: boolean; filter: string; count?: string; limit: string }) => {
      const sinceSeconds = parseSince(o.since);
      const limit = Number(o.limit);
      if (!/^\d{1,4}$/.test(o.limit) || limit > 2000) throw new ApiError('INVALID_INPUT', `--limit: "${o.limit}" is not a number from 0 to 2000`);
      const count = o.count === undefined ? undefined : Number(o.count);
      if (o.count !== undefined && (!/^\d{1,9}$/.test(o.count) || count === 0)) throw new ApiError('INVALID_INPUT', `--count: "${o.count}" is not a positive number`);
      if (count !== undefined && !o.follow) throw new ApiError('INVALID_INPUT', '--count goes with --follow');
      // One JSON object a line: a follower's output is a stream, and `jq` reads it as one.
      const ndjson = (x: unknown) => cli.print(x, false, () => JSON.stringify(x));
      const showPacket = (p: DeniedPacket) => (o.json ? ndjson(packetEntry(p)) : cli.print(p, false, packetText));
      const showGroups = (gs: DeniedGroup[]) => {
        const shown = gs.filter((g) => deniedGroupMatches(g, o.filter));
        if (o.json) for (const g of shown) ndjson(groupEntry(g));
        else cli.print(shown, false, (x) => (x.length ? x.map(describeGroup).join('\n') : 'no denied packets'));
      };

      if (!o.follow) {
        const r = await cli.api({ systemBusAddress: o.bus }).firewall.denied({ sinceSeconds, limit: o.group ? 0 : limit });
        if (o.group) showGroups(r.groups);
        else {
          const ps = r.packets.filter((p) => packetMatches(p, o.filter));
          for (const p of ps) showPacket(p);
          if (!o.json && !ps.length) cli.print(null, false, () => `no denied packets in the last ${o.since} (${r.source.command})`);
        }
        if (r.dropped && !o.json) cli.note(`${r.dropped} older packets are not listed (HostDeck keeps the newest ${r.limits.packets}); their groups still count them`);
        return;
      }

      // Following: the runtime's own events, as the UI gets them.
      const rt = await cli.runtime({ systemBusAddress: o.bus });
      const host = cli.host ? { host: cli.host } : undefined;
      let seen = 0;
      let finish: (e?: unknown) => void = () => undefined;
      const ended = new Promise<void>((resolve, reject) => (finish = (e) => (e ? reject(e) : resolve())));
      const groups = new Map<string, DeniedGroup>();
      const take = (p: DeniedPacket) => {
        if (!packetMatches(p, o.filter)) return;
        if (!o.group) showPacket(p);
        if (count !== undefined && ++seen >= count) finish();
      };
      const unsubscribe = rt.events.subscribe((e) => {
        if (e.name === 'firewall.deniedPackets') {
          for (const g of e.payload.groups) groups.set(g.key, g);
          for (const p of e.payload.packets) take(p);
        } else if (e.name === 'firewall.deniedStopped' && e.payload.error) finish(new ApiError('IO_ERROR', `The kernel log reader stopped: ${e.payload.error}`));
      });
      const onSignal = () => finish();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      // The feed follows only while someone renews it (a window that was closed stops it by itself).
      const renew = setInterval(() => void rt.api.firewall.denied({ sinceSeconds: 0, follow: true, limit: 0 }, host).catch(finish), 30_000);
      try {
        const first = await rt.api.firewall.denied({ sinceSeconds, follow: true, limit }, host);
        cli.note(`following ${first.source.command} (Ctrl-C ends)`);
        for (const g of first.groups) groups.set(g.key, g);
        for (const p of first.packets) take(p);
        await ended;
      } finally {
        clearInterval(renew);
        unsubscribe();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await rt.api.firewall.deniedStop({}, host).catch(() => undefined);
      }
      if (o.group) showGroups([...groups.values()].sort((a, b) => b.count - a.count));
    }),
  );
}
