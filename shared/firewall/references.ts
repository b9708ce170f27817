/**
 * References between permanent objects. firewalld deletes or renames a permanent object that
 * others still name without a word, and its next reload then fails and leaves the permanent
 * configuration unreadable (checked on 1.3.3: a zone a policy uses, an ipset a zone uses).
 *
 * Which zones and policies use an ipset (as a zone source `ipset:<name>` or in a rich rule's
 * source/destination). firewalld deletes a permanent ipset that is still used without a word,
 * and the next reload then fails (INVALID_IPSET) and leaves firewalld FAILED; HostDeck refuses.
 */
import type { LayerState } from './model';
import { parseRichRule } from './rich-rule';

export interface IpsetUse {
  kind: 'zone' | 'policy';
  name: string;
  /** In people's words: `source ipset:block`, `rich rule rule source ipset="block" drop`. */
  how: string;
}

export function ipsetUsers(layer: LayerState | undefined, ipset: string): IpsetUse[] {
  if (!layer) return [];
  const out: IpsetUse[] = [];
  const rules = (kind: 'zone' | 'policy', name: string, list: string[]) => {
    for (const text of list) {
      const r = parseRichRule(text);
      if (!r.ok) continue;
      const uses = [r.rule.source, r.rule.destination].some((x) => x?.kind === 'ipset' && x.value === ipset);
      if (uses) out.push({ kind, name, how: `rich rule ${text}` });
    }
  };
  for (const z of Object.values(layer.zones)) {
    if (z.sources.includes(`ipset:${ipset}`)) out.push({ kind: 'zone', name: z.name, how: `source ipset:${ipset}` });
    rules('zone', z.name, z.richRules);
  }
  for (const p of Object.values(layer.policies)) rules('policy', p.name, p.richRules);
  return out;
}

export const usesText = (uses: IpsetUse[]) => uses.map((u) => `${u.kind} ${u.name} (${u.how})`).join('; ');

/** Policies whose ingress or egress zones name the zone. */
export function zoneUsers(layer: LayerState | undefined, zone: string): IpsetUse[] {
  if (!layer) return [];
  const out: IpsetUse[] = [];
  for (const p of Object.values(layer.policies)) {
    if (p.ingressZones.includes(zone)) out.push({ kind: 'policy', name: p.name, how: `ingress zone ${zone}` });
    if (p.egressZones.includes(zone)) out.push({ kind: 'policy', name: p.name, how: `egress zone ${zone}` });
  }
  return out;
}
