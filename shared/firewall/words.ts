/**
 * firewalld's field names in the words an admin uses (firewall-config's and Cockpit's labels):
 * the pending-changes list, the reload dialog and the CLI say "port 8080/tcp", never "ports:".
 */

/** One item of a list field: "port", "rich rule", "entry". */
export const ITEM_WORDS: Record<string, [singular: string, plural: string]> = {
  services: ['service', 'services'],
  ports: ['port', 'ports'],
  protocols: ['protocol', 'protocols'],
  sourcePorts: ['source port', 'source ports'],
  icmpBlocks: ['ICMP block', 'ICMP blocks'],
  forwardPorts: ['forward port', 'forward ports'],
  richRules: ['rich rule', 'rich rules'],
  interfaces: ['interface', 'interfaces'],
  sources: ['source', 'sources'],
  ingressZones: ['ingress zone', 'ingress zones'],
  egressZones: ['egress zone', 'egress zones'],
  modules: ['helper module', 'helper modules'],
  helpers: ['helper', 'helpers'],
  includes: ['included service', 'included services'],
  entries: ['entry', 'entries'],
};

/** Settings (scalars). */
export const SETTING_WORDS: Record<string, string> = {
  target: 'target',
  masquerade: 'masquerade',
  forward: 'intra-zone forwarding',
  icmpBlockInversion: 'ICMP block inversion',
  short: 'short name',
  description: 'description',
  priority: 'priority',
  disable: 'disabled',
  ingressPriority: 'ingress priority',
  egressPriority: 'egress priority',
  type: 'type',
  options: 'options',
  'destination.ipv4': 'IPv4 destination',
  'destination.ipv6': 'IPv6 destination',
  entries: 'entries',
};

export function itemWord(field: string, n = 1): string {
  const w = ITEM_WORDS[field];
  if (!w) return field;
  return n === 1 ? w[0] : w[1];
}

export function settingWord(field: string): string {
  return SETTING_WORDS[field] ?? field;
}

/** A setting's value as people say it: on/off for flags, REJECT for %%REJECT%%, "(none)" for empty. */
export function valueWords(v: unknown): string {
  if (v === true || v === 'true') return 'on';
  if (v === false || v === 'false') return 'off';
  if (v === '%%REJECT%%') return 'REJECT';
  if (v === undefined || v === null || v === '') return '(none)';
  return String(v);
}
