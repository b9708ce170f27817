/**
 * Which firewalld element a chain of firewalld's table belongs to, from its name
 * (src/firewall/core/nftables.py and fw_policy.policy_base_chain_name):
 *
 * - `<table>_<IN|FWD|OUT|PRE|POST>_<zone>` and its `_pre/_log/_deny/_allow/_post`;
 *   policies `<table>_<IN|...>_policy_<NAME>` (1.x and 2.x alike).
 * - base chains `<table>_<INPUT|FORWARD|OUTPUT|PREROUTING|POSTROUTING>` (hooked).
 * - dispatch: 1.x `..._ZONES` (sources before interfaces) and `..._POLICIES_pre/_post`;
 *   2.0-2.4 `..._POLICIES` around `..._ZONES`; 2.5+ `..._dispatch` and `..._dispatch_stage2`.
 *   0.9 had `..._ZONES_SOURCE`. All are read, whichever firewalld made them.
 */

export type ChainPart = 'pre' | 'log' | 'deny' | 'allow' | 'post';
export type Direction = 'IN' | 'FWD' | 'OUT' | 'PRE' | 'POST';

export type ChainOwner =
  | { kind: 'zone' | 'policy'; name: string; table: string; direction: Direction; part?: ChainPart }
  | { kind: 'dispatch'; table: string; hook: string; stage: string }
  | { kind: 'base'; table: string; hook: string }
  | { kind: 'unknown' };

const PARTS: ChainPart[] = ['pre', 'log', 'deny', 'allow', 'post'];
const HOOKS = 'INPUT|FORWARD|OUTPUT|PREROUTING|POSTROUTING';
const BASE_RE = new RegExp(`^(filter|nat|mangle|raw)_(${HOOKS})$`);
const DISPATCH_RE = new RegExp(`^(filter|nat|mangle|raw)_(${HOOKS})_(ZONES_SOURCE|ZONES|POLICIES_pre|POLICIES_post|POLICIES|dispatch_stage2|dispatch)$`);
const OWNED_RE = /^(filter|nat|mangle|raw)_(IN|FWD|OUT|PRE|POST)_(.+)$/;

/** What a chain of firewalld's table is. `known` tells zone and policy names apart where a name could end in "_allow". */
export function chainOwner(name: string, known: { zones: Set<string>; policies: Set<string> }): ChainOwner {
  let m = BASE_RE.exec(name);
  if (m) return { kind: 'base', table: m[1]!, hook: m[2]! };
  m = DISPATCH_RE.exec(name);
  if (m) return { kind: 'dispatch', table: m[1]!, hook: m[2]!, stage: m[3]! };
  m = OWNED_RE.exec(name);
  if (!m) return { kind: 'unknown' };
  const [, table, dir, rest] = m as unknown as [string, string, Direction, string];
  const isPolicy = rest.startsWith('policy_');
  const body = isPolicy ? rest.slice('policy_'.length) : rest;
  const names = isPolicy ? known.policies : known.zones;
  const kind = isPolicy ? 'policy' : 'zone';
  if (names.has(body)) return { kind, name: body, table, direction: dir };
  for (const part of PARTS) {
    if (body.endsWith(`_${part}`)) {
      const base = body.slice(0, -part.length - 1);
      if (names.has(base) || !names.has(body)) return { kind, name: base, table, direction: dir, part };
    }
  }
  return { kind, name: body, table, direction: dir };
}

/** The firewalld chain layout a ruleset shows (dispatch chains changed in 2.0 and 2.5). */
export function layoutOf(chainNames: Iterable<string>): '0.9' | '1.x' | '2.0-2.4' | '2.5+' | 'unknown' {
  const s = new Set(chainNames);
  if (s.has('filter_INPUT_dispatch')) return '2.5+';
  if (s.has('filter_INPUT_POLICIES')) return '2.0-2.4';
  if (s.has('filter_INPUT_ZONES_SOURCE')) return '0.9';
  if (s.has('filter_INPUT_ZONES')) return '1.x';
  return 'unknown';
}

export const DIRECTION_WORDS: Record<Direction, string> = {
  IN: 'packets to this host',
  FWD: 'forwarded packets',
  OUT: 'packets this host sends',
  PRE: 'before routing',
  POST: 'after routing',
};

export const PART_WORDS: Record<ChainPart, string> = {
  pre: 'rich rules with priority < 0',
  log: 'logging rich rules (priority 0)',
  deny: 'reject and drop rules, ICMP blocks (priority 0)',
  allow: 'services, ports, protocols, accepting rich rules (priority 0)',
  post: 'rich rules with priority > 0',
};

/** A chain in people's words. */
export function chainWords(owner: ChainOwner): string {
  switch (owner.kind) {
    case 'zone':
    case 'policy': {
      const t = owner.table === 'filter' ? '' : owner.table === 'nat' ? ' (address translation)' : ` (${owner.table})`;
      const base = `${owner.kind === 'zone' ? 'Zone' : 'Policy'} ${owner.name}: ${DIRECTION_WORDS[owner.direction]}${t}`;
      if (owner.part === 'allow' && owner.table === 'nat') return `${base}, masquerade and forward-ports (priority 0)`;
      if (owner.part === 'allow' && owner.table === 'mangle') return `${base}, marks (priority 0)`;
      return owner.part ? `${base}, ${PART_WORDS[owner.part]}` : base;
    }
    case 'dispatch':
      return /POLICIES/.test(owner.stage)
        ? `Which policies ${owner.hook.toLowerCase()} traffic passes (${owner.stage === 'POLICIES_pre' ? 'before' : owner.stage === 'POLICIES_post' ? 'after' : 'around'} the zones)`
        : `Which zone ${owner.hook.toLowerCase()} traffic belongs to (sources first, then interfaces, then the default zone)`;
    case 'base':
      return `firewalld's ${owner.table} ${owner.hook.toLowerCase()} hook`;
    default:
      return 'A chain firewalld does not name this way';
  }
}
