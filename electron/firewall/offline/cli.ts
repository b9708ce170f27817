import type { Command } from 'commander';
import type { OfflineCheck } from '../../../shared/firewall/offline/contract';
import type { Helper, IcmpType, IpSet, Policy, Service, Zone } from '../../../shared/firewall/model';
import type { CliContext } from '../../cli/context';

/**
 * The offline side of `hostdeck firewall`: `--offline` and `--root DIR` on the read commands,
 * the fallback to the configuration files when firewalld is not running on a reachable bus,
 * `firewall check` and `firewall list` (firewall-offline-cmd's --list-all-* / --info-* layout).
 */

export interface OfflineOptions {
  offline?: boolean;
  root?: string;
  bus?: string;
}

export function offlineOptions(c: Command): Command {
  return c
    .option('--offline', 'read the configuration files (/usr/lib/firewalld + /etc/firewalld) as firewalld would load them, not the running daemon')
    .option('--root <dir>', "another system's root directory (an image): its configuration files, read offline");
}

type FirewallApi = ReturnType<CliContext['api']>['firewall'];

/**
 * Whether to answer from the files: --offline, or firewalld is not on the host's bus (the bus is
 * there, the daemon is not: stopped, masked, a rescue system). A missing bus stays an error: the
 * address is more likely wrong than the daemon absent. An image host is offline by itself.
 */
export async function wantsOffline(cli: CliContext, fw: FirewallApi, o: OfflineOptions): Promise<boolean> {
  if (o.offline) return true;
  const st = await fw.status({});
  if (st.offline) return false;
  if (!st.running && st.problem === 'notRunning') {
    cli.note(`firewalld is not running (${st.reason ?? st.busAddress}): reading the offline configuration`);
    return true;
  }
  return false;
}

const ports = (ps: { port: string; protocol: string }[]) => ps.map((p) => `${p.port}/${p.protocol}`).join(' ');

/** rich_rule_sorted_key of firewall-cmd: by priority, stable. */
const byPriority = (rules: string[]) => [...rules].sort((a, b) => (Number(/priority="?(-?\d+)/.exec(a)?.[1] ?? 0)) - Number(/priority="?(-?\d+)/.exec(b)?.[1] ?? 0));
const sortedStr = (xs: string[]) => [...xs].sort();

/** firewall-cmd's print_zone_policy_info (command.py): the layout of --list-all-zones / --list-all-policies / --info-zone. */
export function zonePolicyText(o: Zone | Policy, isDefault: boolean): string {
  const isPolicy = 'ingressZones' in o;
  const z = o as Zone;
  const p = o as Policy;
  const attrs = [isDefault ? 'default' : '', (isPolicy ? p.ingressZones.length && p.egressZones.length : z.interfaces.length || z.sources.length) ? 'active' : ''].filter(Boolean);
  return [
    `${o.name}${attrs.length ? ` (${attrs.join(', ')})` : ''}`,
    ...(isPolicy ? [`  priority: ${p.priority}`] : []),
    `  target: ${o.target}`,
    ...(isPolicy
      ? [`  ingress-zones: ${p.ingressZones.join(' ')}`, `  egress-zones: ${p.egressZones.join(' ')}`]
      : [`  icmp-block-inversion: ${z.icmpBlockInversion ? 'yes' : 'no'}`, `  interfaces: ${sortedStr([...new Set(z.interfaces)]).join(' ')}`, `  sources: ${z.sources.join(' ')}`]),
    `  services: ${sortedStr(o.services).join(' ')}`,
    `  ports: ${ports(o.ports)}`,
    `  protocols: ${sortedStr(o.protocols).join(' ')}`,
    ...(isPolicy ? [] : [`  forward: ${z.forward ? 'yes' : 'no'}`]),
    `  masquerade: ${o.masquerade ? 'yes' : 'no'}`,
    `  forward-ports: ${o.forwardPorts.length ? '\n\t' : ''}${o.forwardPorts.map((f) => `port=${f.port}:proto=${f.protocol}:toport=${f.toPort}:toaddr=${f.toAddr}`).join('\n\t')}`,
    `  source-ports: ${ports(o.sourcePorts)}`,
    `  icmp-blocks: ${o.icmpBlocks.join(' ')}`,
    `  rich rules: ${o.richRules.length ? '\n\t' : ''}${byPriority(o.richRules).join('\n\t')}`,
  ].join('\n');
}

export function serviceText(s: Service): string {
  const d = s.destination ?? {};
  return [
    s.name,
    `  ports: ${ports(s.ports)}`,
    `  protocols: ${s.protocols.join(' ')}`,
    `  source-ports: ${ports(s.sourcePorts)}`,
    `  modules: ${s.modules.join(' ')}`,
    `  destination: ${[d.ipv4 ? `ipv4:${d.ipv4}` : '', d.ipv6 ? `ipv6:${d.ipv6}` : ''].filter(Boolean).join(' ')}`,
    `  includes: ${sortedStr(s.includes).join(' ')}`,
    `  helpers: ${sortedStr(s.helpers).join(' ')}`,
  ].join('\n');
}

export function ipsetText(i: IpSet, entries: string[]): string {
  return [i.name, `  type: ${i.type}`, `  options: ${Object.entries(i.options).map(([k, v]) => (v ? `${k}=${v}` : k)).join(' ')}`, `  entries: ${entries.join(' ')}`].join('\n');
}
export const icmptypeText = (t: IcmpType) => [t.name, `  destination: ${(t.destinations.length ? t.destinations : ['ipv4', 'ipv6']).join(' ')}`].join('\n');
export const helperText = (h: Helper) => [h.name, `  family: ${h.family}`, `  module: ${h.module}`, `  ports: ${ports(h.ports)}`].join('\n');

export function checkText(r: OfflineCheck): string {
  const lines = r.problems.map((p) => `${p.severity}: ${p.file}${p.line ? `:${p.line}` : ''}: ${p.element}: ${p.code}: ${p.message}`);
  lines.push(`${r.ok ? 'ok' : 'FAILED'}: firewalld ${r.version} would ${r.ok ? '' : 'not '}load ${r.dirs.join(' + ')} (${r.problems.filter((p) => p.severity === 'error').length} errors, ${r.problems.filter((p) => p.severity === 'warning').length} warnings; version from ${r.versionFrom})`);
  return lines.join('\n');
}

const KINDS = ['zones', 'policies', 'services', 'ipsets', 'icmptypes', 'helpers'] as const;
const SINGULAR: Record<(typeof KINDS)[number], string> = { zones: 'zone', policies: 'policy', services: 'service', ipsets: 'ipset', icmptypes: 'icmptype', helpers: 'helper' };

/**
 * The files of a kind that did not load (unreadable, a FIFO, past the read's deadline, malformed)
 * and its directories that could not be read: said on stderr, so a missing object is never
 * mistaken for one that does not exist (stdout keeps firewall-offline-cmd's layout).
 */
export function unlistedText(problems: OfflineCheck['problems'], kind: (typeof KINDS)[number], listed: Record<string, unknown>): string[] {
  const one = SINGULAR[kind];
  return problems
    .filter((p) => p.severity === 'error')
    .filter((p) => {
      const m = new RegExp(`^${one} (.+)$`).exec(p.element);
      return m ? !listed[m[1]!] : p.element.endsWith(`/firewalld/${kind}`);
    })
    .map((p) => `error: ${p.file}${p.line ? `:${p.line}` : ''}: ${p.element}: ${p.code}: ${p.message} (not listed: the file did not load)`);
}

/** `firewall check` and `firewall list KIND`. */
export function registerOfflineCommands(fw: Command, cli: CliContext): void {
  const api = (o: OfflineOptions) => cli.api({ root: o.root, systemBusAddress: o.bus }).firewall;
  fw.command('check')
    .description('Would firewalld load this configuration? The checks of firewall-offline-cmd --check-config and the ones firewalld makes at load; exit 0 if it would load, 1 if not, one line per problem (file:line, element)')
    .option('--offline', 'the configuration of this host (the default: check always reads the files)')
    .option('--root <dir>', "another system's root directory (an image)")
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o: OfflineOptions & { json?: boolean }) => {
        const r = await api(o).check({});
        cli.print(r, !!o.json, checkText);
        if (!r.ok) process.exitCode = 1;
      }),
    );
  offlineOptions(
    fw
      .command('list')
      .argument('<kind>', KINDS.join(', '))
      .option('--permanent', 'the permanent configuration (default: runtime; offline both are the files)')
      .option('--bus <address>', 'D-Bus system bus address')
      .option('--json', 'print JSON')
      .description('Every zone, policy, service, ipset, ICMP type or helper, in firewall-cmd --list-all-zones / --info-* layout'),
  ).action(
    cli.action(async (kind: string, o: OfflineOptions & { permanent?: boolean; json?: boolean }) => {
      if (!(KINDS as readonly string[]).includes(kind)) throw new Error(`list: "${kind}" is not one of ${KINDS.join(', ')}`);
      const f = api(o);
      const offline = await wantsOffline(cli, f, o);
      const s = await f.state({ offline });
      const layer = s[o.permanent || s.offline ? 'permanent' : 'runtime'];
      const k = kind as (typeof KINDS)[number];
      const entries: Record<string, string[]> = {};
      if (k === 'ipsets') {
        for (const name of Object.keys(layer.ipsets)) {
          const all: string[] = [];
          for (let offset = 0; ; offset += 10_000) {
            const page = await f.ipsetEntries({ name, layer: o.permanent || s.offline ? 'permanent' : 'runtime', offset, limit: 10_000, filter: '', offline });
            all.push(...page.entries);
            if (all.length >= page.total || !page.entries.length) break;
          }
          entries[name] = all;
        }
      }
      const sorted = <T>(r: Record<string, T>) => Object.keys(r).sort().map((n) => r[n]!);
      cli.print(k === 'ipsets' ? { ipsets: layer.ipsets, entries } : layer[k], !!o.json, () => {
        const blocks =
          // Offline, firewall-offline-cmd marks no default zone (it has no runtime one).
          k === 'zones' ? sorted(layer.zones).map((z) => zonePolicyText(z, !s.offline && z.name === s.global.defaultZone))
          : k === 'policies' ? sorted(layer.policies).map((p) => zonePolicyText(p, false))
          : k === 'services' ? sorted(layer.services).map(serviceText)
          : k === 'ipsets' ? sorted(layer.ipsets).map((i) => ipsetText(i, entries[i.name] ?? []))
          : k === 'icmptypes' ? sorted(layer.icmptypes).map(icmptypeText)
          : sorted(layer.helpers).map(helperText);
        return blocks.join('\n\n');
      });
      if (s.offline) for (const line of unlistedText(s.offline.problems, k, layer[k])) cli.note(line);
    }),
  );
}
