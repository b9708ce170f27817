import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ApiError } from '../../../shared/api/errors';
import type { ForwardPort, Port, PortProtocol } from '../../../shared/firewall/model';
import type { OfflineWriteOp, OfflineWriteResult } from '../../../shared/firewall/offline/write-contract';
import { inCallScope } from '../../hosts/call-scope';
import type { CliContext } from '../../cli/context';
import { zoneRenameOps } from '../../../shared/firewall/offline/zone-rename';
import { wantsOffline, type OfflineOptions } from './cli';
import { nmProfilesText } from '../nm-zone/text';

/**
 * Writes in firewall-cmd's (firewall-offline-cmd's) own vocabulary on `hostdeck firewall`
 * itself: `hostdeck firewall edit --root DIR --zone public --add-port 8080/tcp`, `--new-zone`,
 * `--set-default-zone`, ... on an offline configuration (--root, --offline, or a host whose
 * firewalld is not running). One command line is one request: every change is checked
 * together and written only when the whole result would load.
 */

const many = (v: string, prev: string[] = []) => [...prev, v];

/** [option, description] of the repeatable options, in firewall-cmd's words. */
const REPEATABLE: Array<[string, string]> = [
  ['--add-service <service>', 'add a service (zone, policy)'],
  ['--remove-service <service>', 'remove a service'],
  ['--add-port <portid/protocol>', 'add a port (zone, policy, service, helper)'],
  ['--remove-port <portid/protocol>', 'remove a port'],
  ['--add-protocol <protocol>', 'add a protocol (zone, policy, service)'],
  ['--remove-protocol <protocol>', 'remove a protocol'],
  ['--add-source-port <portid/protocol>', 'add a source port (zone, policy, service)'],
  ['--remove-source-port <portid/protocol>', 'remove a source port'],
  ['--add-icmp-block <icmptype>', 'add an ICMP block (zone, policy)'],
  ['--remove-icmp-block <icmptype>', 'remove an ICMP block'],
  ['--add-forward-port <spec>', 'port=P:proto=T[:toport=P][:toaddr=A] (zone, policy)'],
  ['--remove-forward-port <spec>', 'remove a forward port'],
  ['--add-rich-rule <rule>', 'add a rich rule (zone, policy)'],
  ['--remove-rich-rule <rule>', 'remove a rich rule'],
  ['--add-interface <interface>', 'bind an interface to the zone'],
  ['--remove-interface <interface>', 'unbind an interface'],
  ['--change-interface <interface>', 'move an interface to the zone (out of any other)'],
  ['--add-source <source>', 'bind a source (CIDR, MAC, ipset:NAME) to the zone'],
  ['--remove-source <source>', 'unbind a source'],
  ['--change-source <source>', 'move a source to the zone'],
  ['--add-ingress-zone <zone>', 'policy: add an ingress zone (or HOST, ANY)'],
  ['--remove-ingress-zone <zone>', 'policy: remove an ingress zone'],
  ['--add-egress-zone <zone>', 'policy: add an egress zone (or HOST, ANY)'],
  ['--remove-egress-zone <zone>', 'policy: remove an egress zone'],
  ['--add-module <module>', 'service: add a netfilter helper module'],
  ['--remove-module <module>', 'service: remove a module'],
  ['--add-helper <helper>', 'service: add a helper'],
  ['--remove-helper <helper>', 'service: remove a helper'],
  ['--add-include <service>', 'service: include another service'],
  ['--remove-include <service>', 'service: remove an include'],
  ['--set-destination <ipv:address>', 'service: ipv4:ADDR or ipv6:ADDR'],
  ['--remove-destination <ipv>', 'service, icmptype: ipv4 or ipv6'],
  ['--add-entry <entry>', 'ipset: add an entry'],
  ['--remove-entry <entry>', 'ipset: remove an entry'],
  ['--add-entries-from-file <file>', 'ipset: add the entries of a file (one per line, # comments; a file on this machine)'],
  ['--remove-entries-from-file <file>', 'ipset: remove the entries of a file'],
  ['--option <key=value>', 'new ipset: an option (family, hashsize, maxelem, timeout)'],
  ['--set-option <key=value>', 'ipset: set an option'],
  ['--remove-option <key>', 'ipset: remove an option'],
  ['--add-destination <ipv>', 'icmptype: ipv4 or ipv6'],
  ['--set-conf <key=value>', 'a firewalld.conf setting (FirewallBackend=nftables, IPv6_rpfilter=yes, ...)'],
];
const SINGLE: Array<[string, string]> = [
  ['--zone <zone>', 'the zone to change (default: the default zone)'],
  ['--policy <policy>', 'the policy to change'],
  ['--service <service>', 'the service to change'],
  ['--ipset <ipset>', 'the ipset to change'],
  ['--icmptype <icmptype>', 'the ICMP type to change'],
  ['--helper <helper>', 'the helper to change'],
  ['--new-zone <zone>', 'create a zone'],
  ['--delete-zone <zone>', 'delete a zone (a builtin: its /etc copy)'],
  ['--load-zone-defaults <zone>', 'reset a builtin zone to its default'],
  ['--new-policy <policy>', 'create a policy'],
  ['--delete-policy <policy>', 'delete a policy'],
  ['--load-policy-defaults <policy>', 'reset a builtin policy'],
  ['--new-service <service>', 'create a service'],
  ['--delete-service <service>', 'delete a service (and remove it from every zone and policy)'],
  ['--load-service-defaults <service>', 'reset a builtin service'],
  ['--new-ipset <ipset>', 'create an ipset (with --type)'],
  ['--type <type>', 'new ipset: hash:ip, hash:net, ...'],
  ['--delete-ipset <ipset>', 'delete an ipset'],
  ['--load-ipset-defaults <ipset>', 'reset a builtin ipset'],
  ['--new-icmptype <icmptype>', 'create an ICMP type'],
  ['--delete-icmptype <icmptype>', 'delete an ICMP type (and its ICMP blocks)'],
  ['--load-icmptype-defaults <icmptype>', 'reset a builtin ICMP type'],
  ['--new-helper <helper>', 'create a helper (with --module)'],
  ['--module <module>', 'new helper: nf_conntrack_NAME'],
  ['--family <family>', 'new helper: ipv4 or ipv6'],
  ['--delete-helper <helper>', 'delete a helper'],
  ['--load-helper-defaults <helper>', 'reset a builtin helper'],
  ['--set-module <module>', 'helper: its module'],
  ['--set-family <family>', 'helper: ipv4, ipv6 or "" (both)'],
  ['--set-target <target>', 'zone: default, ACCEPT, DROP, %%REJECT%%; policy: CONTINUE, ACCEPT, DROP, REJECT'],
  ['--set-priority <priority>', 'policy priority'],
  ['--set-short <text>', 'the short name'],
  ['--set-description <text>', 'the description'],
  ['--rename <zone>', "zone: rename it (one of the admin's own; firewalld renames no builtin); policies and DefaultZone naming it follow"],
  ['--set-default-zone <zone>', 'the default zone (firewalld.conf)'],
  ['--set-log-denied <value>', 'all, unicast, broadcast, multicast or off (firewalld.conf)'],
  ['--set-automatic-helpers <value>', 'yes, no or system (firewalld.conf)'],
];
const FLAGS: Array<[string, string]> = [
  ['--add-masquerade', 'zone, policy: masquerade'],
  ['--remove-masquerade', ''],
  ['--add-forward', 'zone: intra-zone forwarding'],
  ['--remove-forward', ''],
  ['--add-icmp-block-inversion', 'zone: invert the ICMP blocks'],
  ['--remove-icmp-block-inversion', ''],
  ['--keep-references', 'with --rename: leave the policies and DefaultZone naming the old name (firewalld then would not load them: refused)'],
  ['--permanent', 'accepted for firewall-cmd muscle memory: offline there is only the permanent configuration'],
  ['--dry-run', 'check and show the files that would change, write nothing'],
];

type Opts = OfflineOptions & Record<string, string | string[] | boolean | undefined> & { json?: boolean };

/**
 * `hostdeck firewall edit ...` with firewall-cmd's options. A subcommand, not options of
 * `firewall` itself: commander lets a parent's options (--root, --json) capture those of every
 * subcommand unless the whole program parses options positionally, which would move --host.
 */
export function registerOfflineWriteOptions(parent: Command, cli: CliContext): void {
  const fw = parent
    .command('edit')
    .description("Change an offline configuration (--root DIR, --offline) in firewall-cmd's words: --zone Z --add-port 8080/tcp, --new-zone, --set-default-zone, ... (one request, checked as firewalld would load it)");
  for (const [flag, desc] of REPEATABLE) fw.option(flag, `${desc} (repeatable)`, many);
  for (const [flag, desc] of SINGLE) fw.option(flag, desc);
  for (const [flag, desc] of FLAGS) fw.option(flag, desc);
  fw.option('--root <dir>', "an image's root directory: its configuration files")
    .option('--offline', "this host's configuration files (/etc/firewalld), daemon running or not")
    .option('--bus <address>', 'D-Bus system bus address')
    .option('--json', 'print JSON');
  fw.action(
    // One call (call-scope.ts): the status, the default zone and the write with history's captures share one read of the files.
    cli.action((o: Opts) => inCallScope(async () => {
      const f = cli.api({ root: o.root, systemBusAddress: o.bus }).firewall;
      // An image is offline by itself (one status); --offline or a stopped daemon as `firewall` decides it.
      if (!o.offline && !(await f.status({})).offline && !(await wantsOffline(cli, f, o))) {
        throw new ApiError('UNSUPPORTED', 'these changes are written to the configuration files: add --offline (this host\'s /etc/firewalld) or --root DIR (an image); on a running firewalld use the app or firewall-cmd (runtime changes go through safe apply)');
      }
      if (o.rename !== undefined) {
        const r = await f.offlineWrite({ ops: await renameOps(f, o), dryRun: !!o.dryRun });
        cli.print(r, !!o.json, writeText);
        return;
      }
      const needDefault = needsDefaultZone(o);
      const defaultZone = needDefault ? (await f.state({ offline: true })).global.defaultZone : '';
      const ops = opsFromOptions(o, defaultZone);
      if (!ops.length) {
        fw.help({ error: true });
        return;
      }
      const r = await f.offlineWrite({ ops, dryRun: !!o.dryRun });
      cli.print(r, !!o.json, writeText);
    })),
  );
}

/**
 * `--zone OLD --rename NEW`: firewalld's config rename (D-Bus config.zone.rename; firewall-cmd and
 * firewall-offline-cmd have none), as the page does it: the policies and DefaultZone that name the
 * zone move with it in the same request unless --keep-references. A request of its own.
 */
async function renameOps(f: ReturnType<CliContext['api']>['firewall'], o: Opts): Promise<OfflineWriteOp[]> {
  const zone = o.zone as string | undefined;
  if (!zone) throw new ApiError('INVALID_INPUT', '--rename needs --zone OLD (the zone to rename)');
  const other = [...REPEATABLE, ...SINGLE, ...FLAGS]
    .map(([flag]) => flag.split(' ')[0]!)
    .filter((flag) => !['--zone', '--rename', '--keep-references', '--permanent', '--dry-run'].includes(flag))
    .find((flag) => has(o[flag.slice(2).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())]));
  if (other) throw new ApiError('INVALID_INPUT', `--rename is a request of its own: run ${other} separately (before or after the rename)`);
  return zoneRenameOps(await f.state({ offline: true }), zone, o.rename as string, !o.keepReferences);
}

function writeText(r: OfflineWriteResult): string {
  const same = (r.unchanged ?? []).map((u) => `unchanged ${u.shown} (${u.object}): firewalld already reads it so; not written`);
  if (!r.files.length) return same.length ? same.join('\n') : 'nothing to change';
  const lines = r.files.map((f) => `${r.written ? (f.action === 'delete' ? 'deleted' : 'wrote') : f.action === 'delete' ? 'would delete' : 'would write'} ${f.shown} (${f.object}): ${f.changes.join('; ')}${f.backup ? ` [backup ${f.backup}]` : ''}`);
  lines.push(...same);
  for (const p of r.problems) lines.push(`warning: ${p.file}${p.line ? `:${p.line}` : ''}: ${p.element}: ${p.message}`);
  lines.push(...nmProfilesText(r.nmProfiles));
  return lines.join('\n');
}

const ZONE_ITEMS = ['addService', 'removeService', 'addIcmpBlock', 'removeIcmpBlock', 'addForwardPort', 'removeForwardPort', 'addRichRule', 'removeRichRule', 'addInterface', 'removeInterface', 'changeInterface', 'addSource', 'removeSource', 'changeSource'];
const SHARED = ['addPort', 'removePort', 'addProtocol', 'removeProtocol', 'addSourcePort', 'removeSourcePort', 'setShort', 'setDescription'];
const ZONE_FLAGS = ['addMasquerade', 'removeMasquerade', 'addForward', 'removeForward', 'addIcmpBlockInversion', 'removeIcmpBlockInversion', 'setTarget'];

function needsDefaultZone(o: Opts): boolean {
  if (o.zone || o.policy || o.service || o.ipset || o.icmptype || o.helper) return false;
  return [...ZONE_ITEMS, ...SHARED, ...ZONE_FLAGS].some((k) => has(o[k]));
}
const has = (v: unknown) => (Array.isArray(v) ? v.length > 0 : v !== undefined && v !== false);
const list = (v: unknown) => (Array.isArray(v) ? (v as string[]) : []);

function port(text: string, what: string): Port {
  const m = /^([^/]+)\/([a-z]+)$/.exec(text.trim());
  if (!m) throw new ApiError('INVALID_INPUT', `${what}: "${text}" is not PORTID/PROTOCOL (e.g. 8080/tcp, 7000-7100/udp)`);
  return { port: m[1]!, protocol: m[2] as PortProtocol };
}

/** firewall-cmd's parse_forward_port: port=P:proto=T[:toport=P][:toaddr=A], in any order. */
function forwardPort(text: string): ForwardPort {
  const f: Record<string, string> = {};
  for (const part of text.split(':')) {
    const [k, ...rest] = part.split('=');
    if (!k || !rest.length) throw new ApiError('INVALID_INPUT', `--add-forward-port: "${text}" is not port=P:proto=T[:toport=P][:toaddr=A]`);
    f[k] = rest.join('=');
  }
  if (!f.port || !f.proto) throw new ApiError('INVALID_INPUT', `--add-forward-port: "${text}" needs port= and proto=`);
  return { port: f.port, protocol: f.proto as PortProtocol, toPort: f.toport ?? '', toAddr: f.toaddr ?? '' };
}

function kv(text: string, what: string): [string, string] {
  const i = text.indexOf('=');
  if (i < 1) throw new ApiError('INVALID_INPUT', `${what}: "${text}" is not KEY=VALUE`);
  return [text.slice(0, i), text.slice(i + 1)];
}

/** firewall-cmd's --add-entries-from-file: one entry per line, blank lines and # or ; comments skipped. */
function entriesFromFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ApiError('NOT_FOUND', `${file}: ${(e as Error).message}`);
  }
  return text.split('\n').map((l) => l.trim()).filter((l) => l && l[0] !== '#' && l[0] !== ';');
}

export function opsFromOptions(o: Opts, defaultZone: string): OfflineWriteOp[] {
  const ops: OfflineWriteOp[] = [];
  const s = (k: string) => o[k] as string | undefined;
  // Object creation and deletion first, as firewall-offline-cmd runs them as their own commands.
  const lifecycle: Array<[string, OfflineWriteOp['op']]> = [
    ['newZone', 'zone.create'], ['deleteZone', 'zone.delete'], ['loadZoneDefaults', 'zone.reset'],
    ['newPolicy', 'policy.create'], ['deletePolicy', 'policy.delete'], ['loadPolicyDefaults', 'policy.reset'],
    ['newService', 'service.create'], ['deleteService', 'service.delete'], ['loadServiceDefaults', 'service.reset'],
    ['deleteIpset', 'ipset.delete'], ['loadIpsetDefaults', 'ipset.reset'],
    ['newIcmptype', 'icmptype.create'], ['deleteIcmptype', 'icmptype.delete'], ['loadIcmptypeDefaults', 'icmptype.reset'],
    ['deleteHelper', 'helper.delete'], ['loadHelperDefaults', 'helper.reset'],
  ];
  for (const [k, op] of lifecycle) if (s(k) !== undefined) ops.push({ op, name: s(k)! } as OfflineWriteOp);
  if (s('newIpset') !== undefined) {
    if (!s('type')) throw new ApiError('INVALID_INPUT', '--new-ipset needs --type (hash:ip, hash:net, ...)');
    ops.push({ op: 'ipset.create', name: s('newIpset')!, type: s('type')!, options: Object.fromEntries(list(o.option).map((x) => kv(x, '--option'))) });
  }
  if (s('newHelper') !== undefined) {
    if (!s('module')) throw new ApiError('INVALID_INPUT', '--new-helper needs --module nf_conntrack_NAME');
    ops.push({ op: 'helper.create', name: s('newHelper')!, module: s('module')!, family: (s('family') ?? '') as '' | 'ipv4' | 'ipv6' });
  }

  const ports = (k: string) => list(o[k]).map((x) => port(x, `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`));
  const items = (side: 'add' | 'remove') => {
    const cap = side === 'add' ? 'add' : 'remove';
    const out: Record<string, unknown[]> = {};
    const put = (key: string, v: unknown[]) => v.length && (out[key] = v);
    put('services', list(o[`${cap}Service`]));
    put('ports', ports(`${cap}Port`));
    put('protocols', list(o[`${cap}Protocol`]));
    put('sourcePorts', ports(`${cap}SourcePort`));
    put('icmpBlocks', list(o[`${cap}IcmpBlock`]));
    put('forwardPorts', list(o[`${cap}ForwardPort`]).map(forwardPort));
    put('richRules', list(o[`${cap}RichRule`]));
    put('interfaces', list(o[`${cap}Interface`]));
    put('sources', list(o[`${cap}Source`]));
    put('ingressZones', list(o[`${cap}IngressZone`]));
    put('egressZones', list(o[`${cap}EgressZone`]));
    return Object.keys(out).length ? out : undefined;
  };
  const texts = { ...(s('setShort') !== undefined ? { short: s('setShort') } : {}), ...(s('setDescription') !== undefined ? { description: s('setDescription') } : {}) };
  const bool = (on: string, off: string) => (o[on] ? true : o[off] ? false : undefined);

  if (o.policy) {
    const prio = s('setPriority');
    if (prio !== undefined && !/^-?\d+$/.test(prio)) throw new ApiError('INVALID_INPUT', `--set-priority: "${prio}" is not a whole number`);
    const patch = {
      add: items('add'), remove: items('remove'), ...texts,
      ...(s('setTarget') !== undefined ? { target: s('setTarget') as never } : {}),
      ...(prio !== undefined ? { priority: Number(prio) } : {}),
      ...(bool('addMasquerade', 'removeMasquerade') !== undefined ? { masquerade: bool('addMasquerade', 'removeMasquerade') } : {}),
    };
    ops.push({ op: 'policy.patch', name: o.policy as string, patch });
  } else if (o.service) {
    const dest: Record<string, string | null> = {};
    for (const d of list(o.setDestination)) {
      const [ipv, addr] = [d.slice(0, d.indexOf(':')), d.slice(d.indexOf(':') + 1)];
      if (ipv !== 'ipv4' && ipv !== 'ipv6') throw new ApiError('INVALID_INPUT', `--set-destination: "${d}" is not ipv4:ADDRESS or ipv6:ADDRESS`);
      dest[ipv] = addr;
    }
    for (const ipv of list(o.removeDestination)) dest[ipv] = null;
    const side = (cap: 'add' | 'remove') => {
      const out: Record<string, unknown[]> = {};
      const put = (key: string, v: unknown[]) => v.length && (out[key] = v);
      put('ports', ports(`${cap}Port`));
      put('protocols', list(o[`${cap}Protocol`]));
      put('sourcePorts', ports(`${cap}SourcePort`));
      put('modules', list(o[`${cap}Module`]));
      put('helpers', list(o[`${cap}Helper`]));
      put('includes', list(o[`${cap}Include`]));
      return Object.keys(out).length ? out : undefined;
    };
    ops.push({ op: 'service.patch', name: o.service as string, patch: { add: side('add'), remove: side('remove'), ...texts, ...(Object.keys(dest).length ? { destination: dest } : {}) } });
  } else if (o.ipset) {
    const add = [...list(o.addEntry), ...list(o.addEntriesFromFile).flatMap(entriesFromFile)];
    const rm = [...list(o.removeEntry), ...list(o.removeEntriesFromFile).flatMap(entriesFromFile)];
    const options: Record<string, string | null> = {};
    for (const x of list(o.setOption)) {
      const [k, v] = x.includes('=') ? kv(x, '--set-option') : [x, ''];
      options[k] = v;
    }
    for (const k of list(o.removeOption)) options[k] = null;
    ops.push({
      op: 'ipset.patch', name: o.ipset as string,
      patch: { ...(rm.length ? { removeEntries: rm } : {}), ...(add.length ? { addEntries: add } : {}), ...texts, ...(Object.keys(options).length ? { options } : {}) },
    });
  } else if (o.icmptype) {
    ops.push({
      op: 'icmptype.patch', name: o.icmptype as string,
      patch: { ...texts, addDestinations: list(o.addDestination) as Array<'ipv4' | 'ipv6'>, removeDestinations: list(o.removeDestination) as Array<'ipv4' | 'ipv6'> },
    });
  } else if (o.helper) {
    ops.push({
      op: 'helper.patch', name: o.helper as string,
      patch: {
        ...texts,
        ...(s('setModule') !== undefined ? { module: s('setModule') } : {}),
        ...(s('setFamily') !== undefined ? { family: s('setFamily') as '' | 'ipv4' | 'ipv6' } : {}),
        ...(ports('addPort').length ? { add: { ports: ports('addPort') } } : {}),
        ...(ports('removePort').length ? { remove: { ports: ports('removePort') } } : {}),
      },
    });
  } else if (o.zone || needsDefaultZone(o)) {
    const zone = (o.zone as string | undefined) ?? defaultZone;
    const add = items('add');
    const remove = items('remove');
    const patch = {
      ...(add ? { add } : {}), ...(remove ? { remove } : {}), ...texts,
      ...(s('setTarget') !== undefined ? { target: s('setTarget') as never } : {}),
      ...(bool('addMasquerade', 'removeMasquerade') !== undefined ? { masquerade: bool('addMasquerade', 'removeMasquerade') } : {}),
      ...(bool('addForward', 'removeForward') !== undefined ? { forward: bool('addForward', 'removeForward') } : {}),
      ...(bool('addIcmpBlockInversion', 'removeIcmpBlockInversion') !== undefined ? { icmpBlockInversion: bool('addIcmpBlockInversion', 'removeIcmpBlockInversion') } : {}),
    };
    for (const i of list(o.changeInterface)) ops.push({ op: 'zone.change-binding', name: zone, interface: i });
    for (const x of list(o.changeSource)) ops.push({ op: 'zone.change-binding', name: zone, source: x });
    if (Object.keys(patch).length) ops.push({ op: 'zone.patch', name: zone, patch });
  }
  if (s('setDefaultZone') !== undefined) ops.push({ op: 'default-zone', name: s('setDefaultZone')! });
  if (s('setLogDenied') !== undefined) ops.push({ op: 'conf.set', key: 'LogDenied', value: s('setLogDenied')! });
  if (s('setAutomaticHelpers') !== undefined) ops.push({ op: 'conf.set', key: 'AutomaticHelpers', value: s('setAutomaticHelpers')! });
  for (const x of list(o.setConf)) {
    const [k, v] = kv(x, '--set-conf');
    ops.push({ op: 'conf.set', key: k, value: v });
  }
  return ops;
}
