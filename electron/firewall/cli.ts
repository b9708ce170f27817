import type { Command } from 'commander';
import { ApiError } from '../../shared/api/errors';
import type { ObjectDiff } from '../../shared/firewall/contract';
import type { Explanation, Flow } from '../../shared/firewall/explain';
import type { FullState, Zone } from '../../shared/firewall/model';
import type { CliContext, RegisterCommands } from '../cli/context';
import { registerDeniedCommands } from './denied/cli';
import { traceText } from './trace/text';
import { registerRulesCommand } from './rules-cli';
import { registerPreviewCommand } from './preview/cli';
import { offlineOptions, registerOfflineCommands, wantsOffline, type OfflineOptions } from './offline/cli';
import { registerOfflineWriteOptions } from './offline/write-cli';

interface Common extends OfflineOptions {
  json?: boolean;
  bus?: string;
  root?: string;
}

/** --bus ADDRESS (else DBUS_SYSTEM_BUS_ADDRESS, else the system bus) and --json on every command. */
function common(c: Command): Command {
  return c.option('--bus <address>', 'D-Bus system bus address (default: $DBUS_SYSTEM_BUS_ADDRESS or the system bus)').option('--json', 'print JSON');
}

const api = (cli: CliContext, o: Common) => cli.api({ systemBusAddress: o.bus, root: o.root }).firewall;

const portList = (ps: { port: string; protocol: string }[]) => ps.map((p) => `${p.port}/${p.protocol}`).join(' ');

/** A zone the way `firewall-cmd --info-zone` prints it (admins know that layout). */
export function zoneText(z: Zone, active?: { interfaces: string[]; sources: string[] }, isDefault = false): string {
  const fwd = z.forwardPorts.map((f) => `\n\tport=${f.port}:proto=${f.protocol}:toport=${f.toPort}:toaddr=${f.toAddr}`).join('');
  return [
    `${z.name}${isDefault ? ' (default)' : ''}${active ? ' (active)' : ''}`,
    `  target: ${z.target}`,
    `  icmp-block-inversion: ${z.icmpBlockInversion ? 'yes' : 'no'}`,
    `  interfaces: ${z.interfaces.join(' ')}`,
    `  sources: ${z.sources.join(' ')}`,
    `  services: ${z.services.join(' ')}`,
    `  ports: ${portList(z.ports)}`,
    `  protocols: ${z.protocols.join(' ')}`,
    `  forward: ${z.forward ? 'yes' : 'no'}`,
    `  masquerade: ${z.masquerade ? 'yes' : 'no'}`,
    `  forward-ports: ${fwd}`,
    `  source-ports: ${portList(z.sourcePorts)}`,
    `  icmp-blocks: ${z.icmpBlocks.join(' ')}`,
    `  rich rules: ${z.richRules.map((r) => `\n\t${r}`).join('')}`,
  ].join('\n');
}

function dumpText(s: FullState): string {
  const count = (o: object) => Object.keys(o).length;
  const lines = [
    `firewalld ${s.daemon.version} (${s.daemon.state}) on ${s.busAddress}`,
    `default zone: ${s.global.defaultZone}   log denied: ${s.global.logDenied}   panic mode: ${s.global.panicMode ? 'ON' : 'off'}${s.global.lockdown ? '   lockdown: on' : ''}`,
    `runtime: ${count(s.runtime.zones)} zones, ${count(s.runtime.policies)} policies, ${count(s.runtime.services)} services, ${count(s.runtime.ipsets)} ipsets, ${count(s.runtime.icmptypes)} icmptypes, ${count(s.runtime.helpers)} helpers`,
    `permanent: ${count(s.permanent.zones)} zones, ${count(s.permanent.policies)} policies, ${count(s.permanent.services)} services, ${count(s.permanent.ipsets)} ipsets`,
    '',
  ];
  for (const z of Object.values(s.runtime.zones)) {
    lines.push(zoneText(z, s.global.activeZones[z.name], z.name === s.global.defaultZone), '');
  }
  return lines.join('\n');
}

/** " (+ 950 more)" when a list is only a sample of the differing items. */
const more = (total: number | undefined, shown: number, sign: string) => (total !== undefined && total > shown ? ` (${sign} ${total - shown} more)` : '');

function diffText(d: ObjectDiff[]): string {
  if (!d.length) return 'runtime and permanent are the same';
  return d
    .map((o) => {
      if (o.status !== 'changed') return `${o.kind} ${o.name}: ${o.status === 'runtimeOnly' ? 'only in runtime' : 'only in permanent (reload to apply)'}`;
      const fields = o.fields.map((f) =>
        f.runtime !== undefined
          ? `  ${f.field}: runtime ${f.runtime} | permanent ${f.permanent}`
          : `  ${f.field}:${f.runtimeOnly.map((x) => ` +${x}`).join('')}${more(f.runtimeOnlyCount, f.runtimeOnly.length, '+')}${f.permanentOnly.map((x) => ` -${x}`).join('')}${more(f.permanentOnlyCount, f.permanentOnly.length, '-')}   (+ runtime only, - permanent only)`,
      );
      return [`${o.kind} ${o.name}:`, ...fields].join('\n');
    })
    .join('\n');
}

/** `hostdeck firewall ...` subcommands. */
export const registerFirewallCommands: RegisterCommands = (program, cli) => {
  const fw = program.command('firewall').description('firewalld over D-Bus: state, zones, differences, export');

  common(fw.command('status').description('Whether firewalld runs, its version and default zone')).action(
    cli.action(async (o: Common) => {
      const r = await api(cli, o).status({ configuration: true });
      cli.print(r, !!o.json, (s) =>
        s.running
          ? `firewalld ${s.version} ${s.state?.toLowerCase()} on ${s.busAddress}\ndefault zone: ${s.defaultZone}\npanic mode: ${s.panicMode ? 'ON' : 'off'}`
          : s.problem === 'noBus'
            ? s.reason ?? `No system D-Bus at ${s.busAddress}`
            : `firewalld is not running on ${s.busAddress}: ${s.reason ?? ''}`,
      );
      if (!r.running) process.exitCode = 3;
    }),
  );

  offlineOptions(common(fw.command('dump').description('The full runtime and permanent state (zones, policies, services, ipsets, icmptypes, helpers)'))).action(
    cli.action(async (o: Common) => {
      const f = api(cli, o);
      cli.print(await f.state({ offline: await wantsOffline(cli, f, o) }), !!o.json, dumpText);
    }),
  );

  offlineOptions(common(
    fw
      .command('zone')
      .argument('<name>', 'zone name')
      .option('--permanent', 'the permanent configuration (default: runtime)')
      .description('One zone, like firewall-cmd --info-zone'),
  )).action(
    cli.action(async (name: string, o: Common & { permanent?: boolean }) => {
      const f = api(cli, o);
      const z = await f.zone({ name, layer: o.permanent ? 'permanent' : 'runtime', offline: await wantsOffline(cli, f, o) });
      cli.print(z, !!o.json, (x) => zoneText(x));
    }),
  );

  common(fw.command('diff').description('What differs between runtime and permanent, per zone/policy/service/ipset')).action(
    cli.action(async (o: Common) => {
      const r = await api(cli, o).differences({});
      cli.print(r, !!o.json, (x) => diffText(x.differences));
    }),
  );

  offlineOptions(common(
    fw
      .command('export')
      .argument('<kind>', 'zone or policy')
      .argument('<name>', 'its name')
      .option('--format <format>', 'xml or script', 'xml')
      .option('--runtime', 'export the runtime configuration (default: permanent)')
      .description('A zone or policy as firewalld XML or as a firewall-cmd script'),
  )).action(
    cli.action(async (kind: string, name: string, o: Common & { format: string; runtime?: boolean }) => {
      const f = api(cli, o);
      const r = await f.export({
        offline: await wantsOffline(cli, f, o),
        kind: kind as 'zone' | 'policy',
        name,
        layer: o.runtime ? 'runtime' : 'permanent',
        format: o.format as 'xml' | 'script',
      });
      cli.print(r, !!o.json, (x) => x.text);
    }),
  );

  offlineOptions(common(
    fw
      .command('entries')
      .argument('<ipset>', 'ipset name')
      .option('--permanent', 'the permanent configuration (default: runtime)')
      .option('--filter <text>', 'substring, or an IPv4 address to find the entries containing it', '')
      .option('--offset <n>', 'skip this many matches', '0')
      .option('--limit <n>', 'at most this many entries', '1000')
      .description('Entries of an ipset, paged and filtered'),
  )).action(
    cli.action(async (ipset: string, o: Common & { permanent?: boolean; filter: string; offset: string; limit: string }) => {
      const f = api(cli, o);
      const r = await f.ipsetEntries({
        offline: await wantsOffline(cli, f, o),
        name: ipset,
        layer: o.permanent ? 'permanent' : 'runtime',
        filter: o.filter,
        offset: Number(o.offset),
        limit: Number(o.limit),
      });
      cli.print(r, !!o.json, (x) => [...x.entries, `# ${x.entries.length} shown, ${x.matched} matched, ${x.total} in ${x.name}`].join('\n'));
    }),
  );

  const flowOptions = (c: Command) =>
    c
      .option('--from <address>', 'source address (unknown: every zone source is considered)')
      .option('--to <address>', 'destination address')
      .option('--to-port <port/protocol>', 'destination port and protocol, e.g. 8080/tcp (or just tcp, udp, sctp, dccp)')
      .option('--from-port <port>', 'source port')
      .option('--icmp [type]', 'an ICMP packet of this firewalld ICMP type (default echo-request)')
      .option('--iface <name>', 'interface it arrives on (unknown: every bound interface is considered)')
      .option('--out-iface <name>', 'for forwarded traffic: the interface it leaves by')
      .option('--layer <layer>', 'runtime or permanent', 'runtime');

  offlineOptions(
    common(flowOptions(fw.command('explain').description('Will this packet pass? The verdict (accept, reject, drop), the firewalld element that decides, the path and the smallest fix'))),
  ).action(
    cli.action(async (o: Common & ExplainOpts) => {
      const f = api(cli, o);
      const r = await f.explain({ flow: flowFromOptions(o), layer: o.layer === 'permanent' ? 'permanent' : 'runtime', offline: await wantsOffline(cli, f, o) });
      cli.print(r, !!o.json, explainText);
      // Not 1: that is any error's exit code, and a script must tell "blocked" from "could not tell".
      if (r.verdict !== 'accept') process.exitCode = r.verdict === 'depends' ? 4 : 5;
    }),
  );

  registerDeniedCommands(fw, cli);
  // #15 part 2 (electron/firewall/trace): the same flow, one real packet through a copy of the host's ruleset.
  common(flowOptions(fw.command('trace').description("Prove it with a real packet: the kernel's path through a copy of the host's nftables ruleset, next to explain's prediction"))).action(
    cli.action(async (o: Common & ExplainOpts) => {
      const r = await api(cli, o).trace({ flow: flowFromOptions(o), layer: o.layer === 'permanent' ? 'permanent' : 'runtime' });
      cli.print(r, !!o.json, traceText);
      if (r.verdict !== 'accept') process.exitCode = 5;
    }),
  );
  registerRulesCommand(common(fw.command('rules')), cli, (o) => api(cli, o));
  registerOfflineCommands(fw, cli);
  registerPreviewCommand(fw, cli);
  registerOfflineWriteOptions(fw, cli);
};

interface ExplainOpts {
  from?: string;
  to?: string;
  toPort?: string;
  fromPort?: string;
  icmp?: string | boolean;
  iface?: string;
  outIface?: string;
  layer: string;
}

const PORT_PROTOCOLS = ['tcp', 'udp', 'sctp', 'dccp'] as const;

function portNumber(text: string, what: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new ApiError('INVALID_INPUT', `${what}: "${text}" is not a port number (0-65535)`);
  return Number(text);
}

/** The flow the options describe; the API validates the rest (addresses are checked by explain itself). */
export function flowFromOptions(o: ExplainOpts): Flow {
  if (o.layer !== 'runtime' && o.layer !== 'permanent') throw new ApiError('INVALID_INPUT', `--layer: "${o.layer}" is not runtime or permanent`);
  const flow: Flow = {};
  if (o.from) flow.src = o.from;
  if (o.to) flow.dst = o.to;
  if (o.iface) flow.iface = o.iface;
  if (o.outIface) flow.outIface = o.outIface;
  if (o.icmp !== undefined) {
    if (o.toPort) throw new ApiError('INVALID_INPUT', '--icmp and --to-port exclude each other: an ICMP packet has no port');
    const v6 = (o.from ?? o.to ?? '').includes(':');
    flow.protocol = v6 ? 'icmpv6' : 'icmp';
    flow.icmpType = typeof o.icmp === 'string' ? o.icmp : 'echo-request';
  } else if (o.toPort) {
    const m = /^(?:(\d+)\/)?([a-z]+)$/.exec(o.toPort.trim().toLowerCase()) ?? /^(\d+)$/.exec(o.toPort.trim());
    const proto = (m?.[2] ?? 'tcp') as (typeof PORT_PROTOCOLS)[number];
    if (!m || !PORT_PROTOCOLS.includes(proto)) throw new ApiError('INVALID_INPUT', `--to-port: "${o.toPort}" is not PORT/PROTOCOL (e.g. 8080/tcp; protocols: ${PORT_PROTOCOLS.join(', ')})`);
    flow.protocol = proto;
    if (m[1]) flow.dport = portNumber(m[1], '--to-port');
  }
  if (o.fromPort) flow.sport = portNumber(o.fromPort, '--from-port');
  return flow;
}

function explainText(r: Explanation & { fixes: Array<{ summary: string; scope: string }> }): string {
  const lines: string[] = [];
  const rej = r.rejectWith ? ` (${r.rejectWith})` : '';
  lines.push(`${r.verdict.toUpperCase()}${rej}: ${r.decidedBy.words}`);
  if (r.verdict !== 'depends') lines.push(`  firewalld: ${r.decidedBy.firewalld}  [${r.decidedBy.chain}]`, `  the client sees: ${r.clientSees}`);
  if (r.zone) lines.push(`  zone: ${r.zone.name} (${r.zone.why})`);
  for (const c of r.cases) lines.push(`  if ${c.when}: ${c.verdict.toUpperCase()}${c.rejectWith ? ` (${c.rejectWith})` : ''}, ${c.decidedBy.words}`);
  for (const a of r.alternatives) lines.push(`  but ${a.when}: ${a.verdict.toUpperCase()}`);
  lines.push('path:');
  for (const s of r.path) lines.push(`  ${s.outcome.padEnd(8)} ${s.words}  [${s.firewalld}]`);
  if (r.logPrefix) lines.push(`logged as: ${r.logPrefix}`);
  for (const a of r.assumptions) lines.push(`assumes: ${a}`);
  if (r.fixes.length) {
    lines.push('to let it in (not applied; safe apply in the app or firewall-cmd):');
    for (const f of r.fixes) lines.push(`  - ${f.summary} (${f.scope})`);
  }
  return lines.join('\n');
}
