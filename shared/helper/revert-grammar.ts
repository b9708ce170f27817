/**
 * The firewall-cmd commands a detached revert may run (the helper's schedule-revert, kind
 * "firewall-cmd"): a closed grammar of exactly the commands shared/firewall/revert-plan.ts
 * builds, every value checked. The helper runs these as root, so the caller's argv is never
 * trusted: no *-from-file, --direct, --path-*, --new-*, --delete-*, --load-*, --panic-on,
 * --runtime-to-permanent, lockdown, log-denied, ... only the options below, each value matching
 * its pattern, each command one scope (--zone/--policy/--ipset) with one kind of option.
 *
 * hostdeck-helper.py holds the same tables (FW_VALUES, FW_OPTIONS, FW_GLOBAL) and the same
 * checks; test/helper/revert-grammar.test.ts proves both tables are equal, both judges agree on
 * one corpus, and every plan the product builds passes.
 */

/** Value patterns (whole-string matches; written so Python's re reads them alike). */
export const FW_VALUES = {
  zone: '[A-Za-z0-9_][A-Za-z0-9_/-]{0,35}',
  service: '[A-Za-z0-9_][A-Za-z0-9_-]{0,127}',
  icmptype: '[A-Za-z0-9_][A-Za-z0-9_-]{0,127}',
  ipset: '[A-Za-z0-9_][A-Za-z0-9_:.-]{0,31}',
  port: '[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}/(tcp|udp|sctp|dccp)',
  protocol: '[A-Za-z0-9][A-Za-z0-9_.+-]{0,31}',
  forwardPort: 'port=[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}:proto=(tcp|udp|sctp|dccp)(:toport=[A-Za-z0-9][A-Za-z0-9_.+-]{0,63})?(:toaddr=[0-9A-Fa-f.:\\[\\]]{1,64})?',
  richRule: '[ \\t\\n]{0,16}rule[ \\t\\n][^\\x00-\\x08\\x0b-\\x1f\\x7f]{1,4000}',
  interface: '[A-Za-z0-9_.:@+][A-Za-z0-9_.:@+-]{0,14}',
  source: 'ipset:[A-Za-z0-9_][A-Za-z0-9_:.-]{0,31}|[0-9A-Fa-f:][0-9A-Fa-f.:/]{0,63}|\\[[0-9A-Fa-f.:]{1,45}\\](/[0-9]{1,3})?',
  zoneTarget: 'default|ACCEPT|DROP|REJECT|%%REJECT%%',
  text: '[^\\x00-\\x08\\x0b-\\x1f\\x7f]{0,4000}',
  priority: '-?[0-9]{1,5}',
  ipsetEntry: '[0-9A-Za-z:.,/_\\[\\]][0-9A-Za-z:.,/_\\[\\]-]{0,199}',
} as const;
export type FwValueKind = keyof typeof FW_VALUES;

export type FwScope = 'zone' | 'policy' | 'ipset';
export interface FwOption {
  /** The value pattern, or null for an option without a value (--add-masquerade). */
  value: FwValueKind | null;
  /** The scopes (--zone=, --policy=, --ipset=) it may follow. */
  scopes: FwScope[];
  /** Only with --permanent (firewall-cmd keeps these fields in permanent only). */
  permanentOnly?: boolean;
}

const both: FwScope[] = ['zone', 'policy'];
const items: Array<[string, FwValueKind, FwScope[]]> = [
  ['service', 'service', both],
  ['port', 'port', both],
  ['protocol', 'protocol', both],
  ['source-port', 'port', both],
  ['icmp-block', 'icmptype', both],
  ['forward-port', 'forwardPort', both],
  ['rich-rule', 'richRule', both],
  ['interface', 'interface', ['zone']],
  ['source', 'source', ['zone']],
  ['ingress-zone', 'zone', ['policy']],
  ['egress-zone', 'zone', ['policy']],
  ['entry', 'ipsetEntry', ['ipset']],
];

/** Every option a command may carry after its scope, keyed by name ("--add-port"). */
export const FW_OPTIONS: Record<string, FwOption> = Object.fromEntries([
  ...items.flatMap(([name, value, scopes]) => ['add', 'remove'].map((op) => [`--${op}-${name}`, { value, scopes }] as const)),
  ['--change-interface', { value: 'interface', scopes: ['zone'] }],
  ['--change-source', { value: 'source', scopes: ['zone'] }],
  ...(['masquerade', 'forward', 'icmp-block-inversion'] as const).flatMap((t) =>
    ['add', 'remove'].map((op) => [`--${op}-${t}`, { value: null, scopes: t === 'masquerade' ? both : ['zone'] }] as const),
  ),
  ['--set-target', { value: 'zoneTarget', scopes: ['zone'], permanentOnly: true }],
  ['--set-short', { value: 'text', scopes: ['zone'], permanentOnly: true }],
  ['--set-description', { value: 'text', scopes: ['zone'], permanentOnly: true }],
  ['--set-ingress-priority', { value: 'priority', scopes: ['zone'], permanentOnly: true }],
  ['--set-egress-priority', { value: 'priority', scopes: ['zone'], permanentOnly: true }],
]);

/**
 * Whole commands outside any scope: ending panic mode (the revert of a panic-on safe apply; a
 * plan never turns panic mode on), the default zone back, and the reload after permanent steps
 * (allowed only after a --permanent command of the same plan).
 */
export const FW_GLOBAL = { panicOff: '--panic-off', reload: '--reload', defaultZone: '--set-default-zone' } as const;

/** Per plan: at most this many commands, each with at most this many arguments (protocol limits). */
export const FW_MAX_COMMANDS = 1024;
export const FW_MAX_ARGS = 64;

const compiled = Object.fromEntries(Object.entries(FW_VALUES).map(([k, v]) => [k, new RegExp(`^(?:${v})$`)])) as Record<FwValueKind, RegExp>;
const SCOPE_RE = /^--(zone|policy|ipset)=(.*)$/s;

const show = (s: string) => JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}...` : s);

/** null when one command (an argv for /usr/bin/firewall-cmd) is allowed, else the reason. */
export function firewallCommandError(argv: readonly unknown[], permanentSeen: boolean): string | null {
  if (!Array.isArray(argv) || argv.length < 1 || argv.length > FW_MAX_ARGS) return `a command is a list of 1 to ${FW_MAX_ARGS} arguments`;
  if (!argv.every((a) => typeof a === 'string')) return 'every argument is a string';
  const args = argv as string[];
  if (args.length === 1) {
    const a = args[0]!;
    if (a === FW_GLOBAL.panicOff) return null;
    if (a === FW_GLOBAL.reload) return permanentSeen ? null : '--reload is allowed only after a --permanent step of the same plan';
    if (a.startsWith(`${FW_GLOBAL.defaultZone}=`)) {
      return compiled.zone.test(a.slice(FW_GLOBAL.defaultZone.length + 1)) ? null : `${show(a)}: not a zone name`;
    }
  }
  let i = 0;
  const permanent = args[0] === '--permanent';
  if (permanent) i++;
  const scope = SCOPE_RE.exec(args[i] ?? '');
  if (!scope) return `${show(args[i] ?? '')} is not allowed here: a revert step is --panic-off, --reload, --set-default-zone=ZONE or [--permanent] --zone=|--policy=|--ipset=NAME followed by its changes`;
  const kind = scope[1] as FwScope;
  if (!compiled[kind === 'ipset' ? 'ipset' : 'zone'].test(scope[2]!)) return `${show(args[i]!)}: not a ${kind} name`;
  if (permanent && kind === 'policy') return 'a policy step is runtime only (no --permanent)';
  i++;
  if (i >= args.length) return `${show(args[i - 1]!)} needs a change after it`;
  let optionName: string | undefined;
  for (; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    const opt = Object.prototype.hasOwnProperty.call(FW_OPTIONS, name) ? FW_OPTIONS[name] : undefined;
    if (!opt || !opt.scopes.includes(kind)) return `${show(a)} is not allowed in a revert step for a ${kind}`;
    if (optionName !== undefined && name !== optionName) return `${show(a)}: one kind of change per step (this step has ${optionName})`;
    if (opt.permanentOnly && !permanent) return `${name} needs --permanent`;
    if (opt.value === null) {
      if (eq >= 0) return `${name} takes no value`;
      if (optionName !== undefined) return `${name} appears twice`;
    } else {
      if (eq < 0) return `${name} needs =VALUE`;
      if (!compiled[opt.value].test(a.slice(eq + 1))) return `${show(a)}: not a valid ${opt.value} value`;
    }
    optionName = name;
  }
  return null;
}

/** null when a whole firewall-cmd revert plan is allowed, else the reason (naming the step). */
export function firewallPlanError(commands: readonly unknown[]): string | null {
  if (!Array.isArray(commands) || commands.length < 1 || commands.length > FW_MAX_COMMANDS) return `a plan is a list of 1 to ${FW_MAX_COMMANDS} commands`;
  let permanentSeen = false;
  for (let n = 0; n < commands.length; n++) {
    const argv = commands[n] as unknown[];
    const err = firewallCommandError(argv, permanentSeen);
    if (err) return `step ${n + 1}: ${err}`;
    if (argv[0] === '--permanent') permanentSeen = true;
  }
  return null;
}
