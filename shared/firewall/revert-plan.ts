/**
 * The firewall-cmd commands that undo a safe-applied change, computed before it is applied from
 * the state before it. HostDeck hands them to the helper on the host (verb schedule-revert), which
 * runs them when the deadline passes unless cancelled: the revert then happens even if HostDeck
 * is killed outright (SIGKILL, the OOM killer) or the SSH link to the host is cut. Every command
 * is an argv list for /usr/bin/firewall-cmd (never a shell line), idempotent in effect (firewall-cmd
 * only warns about ALREADY_ENABLED / NOT_ENABLED), so running it after an in-process revert is harmless.
 * The helper runs only commands of the revert grammar (shared/helper/revert-grammar.ts): every
 * line built here is one of its forms (test/helper/revert-grammar.test.ts); a value outside it
 * (a zone description with control characters, say) makes scheduling fail with the reason, and
 * safe apply then says that only HostDeck's own timer will revert.
 */
import type { SafeChange } from './contract';
import type { ForwardPort, FullState, Port } from './model';
import { patchSettings } from './patch';

export type RevertBasis = Pick<FullState, 'runtime' | 'permanent' | 'global'>;

/** The helper protocol allows 64 arguments per command. */
const MAX_ARGS = 60;

/** The zone fields firewalld keeps in permanent only: safe apply changes permanent and reloads. */
const PERMANENT_ONLY = ['target', 'short', 'description', 'ingressPriority', 'egressPriority'] as const;

const OPTION: Record<string, string> = {
  services: 'service',
  ports: 'port',
  protocols: 'protocol',
  sourcePorts: 'source-port',
  icmpBlocks: 'icmp-block',
  forwardPorts: 'forward-port',
  richRules: 'rich-rule',
  ingressZones: 'ingress-zone',
  egressZones: 'egress-zone',
};

/** An item as firewall-cmd takes it on the command line. */
function optionValue(list: string, item: unknown): string {
  if (list === 'ports' || list === 'sourcePorts') return `${(item as Port).port}/${(item as Port).protocol}`;
  if (list === 'forwardPorts') {
    const f = item as ForwardPort;
    return [`port=${f.port}`, `proto=${f.protocol}`, f.toPort ? `toport=${f.toPort}` : '', f.toAddr ? `toaddr=${f.toAddr}` : ''].filter(Boolean).join(':');
  }
  return String(item);
}

/**
 * Options under one --zone/--policy (and --permanent). firewall-cmd refuses two different
 * options in one call (they form one argparse mutually exclusive group: "--add-egress-zone not
 * allowed with --add-ingress-zone") but takes one option repeated, so each option gets its own
 * commands, split to stay under MAX_ARGS.
 */
function batches(prefix: string[], options: string[]): string[][] {
  const byOption = new Map<string, string[]>();
  for (const o of options) {
    const name = o.split('=')[0]!;
    byOption.set(name, [...(byOption.get(name) ?? []), o]);
  }
  const out: string[][] = [];
  const room = MAX_ARGS - prefix.length;
  for (const list of byOption.values()) for (let i = 0; i < list.length; i += room) out.push([...prefix, ...list.slice(i, i + room)]);
  return out;
}

function zoneOf(state: RevertBasis['runtime'], kind: 'interfaces' | 'sources', value: string): string | undefined {
  return Object.values(state.zones).find((z) => z[kind].includes(value))?.name;
}

/**
 * The commands that bring firewalld's runtime back to `before` after `change` was applied to it.
 * Empty when the change changes nothing.
 */
export function firewallRevertPlan(before: RevertBasis, change: SafeChange): string[][] {
  if (change.type === 'panic') {
    // Only ending panic mode is ever planned: a host-side timer that turns panic mode on (cutting
    // every connection) is refused by the helper's grammar; turning it off is undone in-process.
    if (before.global.panicMode === change.enabled || before.global.panicMode) return [];
    return [['--panic-off']];
  }
  if (change.type === 'defaultZone') {
    if (before.global.defaultZone === change.name) return [];
    return [[`--set-default-zone=${before.global.defaultZone}`]];
  }
  if (change.type === 'policy') {
    const policy = before.runtime.policies[change.name];
    if (!policy) return [];
    // Runtime policies take only list items and masquerade (the rest is refused by safe apply).
    const { effective } = patchSettings(policy, { add: change.patch.add, remove: change.patch.remove, masquerade: change.patch.masquerade });
    const options = itemOptions(effective.add, effective.remove);
    if (effective.masquerade !== undefined) options.push(effective.masquerade ? '--remove-masquerade' : '--add-masquerade');
    return batches([`--policy=${change.name}`], options);
  }
  const permanent = PERMANENT_ONLY.some((k) => change.patch[k] !== undefined);
  // A permanent-only field: safe apply writes the whole patch to permanent and reloads; so does the revert.
  const layer = permanent ? before.permanent : before.runtime;
  const zone = layer.zones[change.name];
  if (!zone) return [];
  const { effective } = patchSettings(zone, change.patch);
  const prefix = permanent ? ['--permanent', `--zone=${change.name}`] : [`--zone=${change.name}`];
  const options = itemOptions(effective.add, effective.remove);
  const toggles: Array<['masquerade' | 'forward' | 'icmpBlockInversion', string]> = [
    ['masquerade', 'masquerade'],
    ['forward', 'forward'],
    ['icmpBlockInversion', 'icmp-block-inversion'],
  ];
  for (const [field, opt] of toggles) {
    const v = effective[field];
    if (v !== undefined) options.push(v ? `--remove-${opt}` : `--add-${opt}`);
  }
  if (effective.target !== undefined) options.push(`--set-target=${zone.target}`);
  if (effective.short !== undefined) options.push(`--set-short=${zone.short}`);
  if (effective.description !== undefined) options.push(`--set-description=${zone.description}`);
  if (effective.ingressPriority !== undefined) options.push(`--set-ingress-priority=${zone.ingressPriority ?? 0}`);
  if (effective.egressPriority !== undefined) options.push(`--set-egress-priority=${zone.egressPriority ?? 0}`);
  const commands = batches(prefix, options);
  // Bindings: an interface or source belongs to one zone, so it goes back where it was.
  const p = permanent ? ['--permanent'] : [];
  for (const kind of ['interfaces', 'sources'] as const) {
    const word = kind === 'interfaces' ? 'interface' : 'source';
    for (const v of effective.add?.[kind] ?? []) {
      const was = zoneOf(layer, kind, v);
      commands.push(was ? [...p, `--zone=${was}`, `--change-${word}=${v}`] : [...p, `--zone=${change.name}`, `--remove-${word}=${v}`]);
    }
    for (const v of effective.remove?.[kind] ?? []) commands.push([...p, `--zone=${change.name}`, `--add-${word}=${v}`]);
  }
  if (permanent && commands.length) commands.push(['--reload']);
  return commands;
}

/** --remove-X for what the change added, --add-X for what it removed (bindings are handled apart). */
function itemOptions(add: Record<string, unknown[] | undefined> | undefined, remove: Record<string, unknown[] | undefined> | undefined): string[] {
  const out: string[] = [];
  for (const [list, items] of Object.entries(add ?? {})) {
    if (!OPTION[list]) continue;
    for (const item of items ?? []) out.push(`--remove-${OPTION[list]}=${optionValue(list, item)}`);
  }
  for (const [list, items] of Object.entries(remove ?? {})) {
    if (!OPTION[list]) continue;
    for (const item of items ?? []) out.push(`--add-${OPTION[list]}=${optionValue(list, item)}`);
  }
  return out;
}
