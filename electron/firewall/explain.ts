import type { z } from 'zod';
import type { firewallContract } from '../../shared/firewall/contract';
import { explainFlow, fixFor, type ExplainOptions, type Explanation, type Flow } from '../../shared/firewall/explain';
import type { FullState, Layer, LayerState } from '../../shared/firewall/model';

type ExplainOutput = z.infer<typeof firewallContract.explain.output>;

/** What explain needs of a host's firewall: its state and, where it has them, ipset entries. */
export interface ExplainSource {
  state(): FullState | Promise<FullState>;
  ipsetEntries(input: { name: string; layer: Layer; offset: number; limit: number; filter: string }): unknown;
  /** What the source cannot know (a record of the host: explain-reach.ts), added to the answer's assumptions. */
  limits?(layer: Layer): string[];
}

/** Entries above this are not loaded for explain (the answer then says it depends on the set). */
const MAX_IPSET_ENTRIES = 200_000;
const PAGE = 10_000;

/**
 * firewall.explain: the model-based answer for one flow on a live host, an SSH host or a
 * snapshot/image (where ipset entries are unknown, the answer says what depends on them).
 */
export async function explainOnHost(src: ExplainSource, input: { flow: Flow; layer: Layer }): Promise<ExplainOutput> {
  const state = await src.state();
  const layer = state[input.layer];
  // The permanent layer's default zone is firewalld.conf's; runtime's is the daemon's.
  const confDefault = state.config.DefaultZone;
  const defaultZone = input.layer === 'permanent' && typeof confDefault === 'string' && confDefault ? confDefault : state.global.defaultZone;
  const opts: ExplainOptions = { defaultZone, logDenied: state.global.logDenied, ipsetEntries: await usedIpsetEntries(src, state, input.layer) };
  const result = unknownDefaultZone(layer, input.flow, opts, explainFlow(layer, input.flow, opts));
  const limits = src.limits?.(input.layer) ?? [];
  return { ...result, assumptions: [...limits, ...result.assumptions], layer: input.layer, fixes: fixFor(layer, input.flow, result, opts) };
}

/**
 * A record without the default zone (an import of --list-all-zones): a packet no binding takes
 * goes to a zone the record does not name. Each zone is tried as the default; when they answer
 * differently the verdict is `depends`, with one alternative per answer.
 */
function unknownDefaultZone(layer: LayerState, flow: Flow, opts: ExplainOptions, result: Explanation): Explanation {
  if (opts.defaultZone || result.zone || !Object.keys(layer.zones).length) return result;
  const byVerdict = new Map<string, { zones: string[]; r: Explanation }>();
  for (const name of Object.keys(layer.zones).sort()) {
    const r = explainFlow(layer, flow, { ...opts, defaultZone: name });
    const key = `${r.verdict}|${r.decidedBy.firewalld}`;
    const g = byVerdict.get(key) ?? { zones: [], r };
    g.zones.push(name);
    byVerdict.set(key, g);
  }
  const groups = [...byVerdict.values()];
  const note = 'The default zone is unknown: the answer is given for each zone it could be.';
  if (groups.length === 1) return { ...groups[0]!.r, zone: undefined, assumptions: [note, ...groups[0]!.r.assumptions] };
  const alternatives = groups.flatMap((g) => (g.r.verdict === 'depends' ? [] : [{ when: `if the default zone is ${g.zones.join(' or ')}`, verdict: g.r.verdict, decidedBy: g.r.decidedBy }]));
  return { ...result, verdict: 'depends', rejectWith: undefined, clientSees: 'it depends on the default zone: see the alternatives', alternatives: [...alternatives, ...result.alternatives].slice(0, 20), assumptions: [note, ...result.assumptions] };
}

async function usedIpsetEntries(src: ExplainSource, state: FullState, layer: Layer): Promise<Record<string, string[]>> {
  const l = state[layer];
  const text = JSON.stringify([Object.values(l.zones).map((z) => [z.sources, z.richRules]), Object.values(l.policies).map((p) => p.richRules)]);
  const out: Record<string, string[]> = {};
  for (const set of Object.values(l.ipsets)) {
    if (set.entryCount > MAX_IPSET_ENTRIES || !(text.includes(`ipset:${set.name}"`) || text.includes(`ipset=\\"${set.name}\\"`))) continue;
    try {
      const entries: string[] = [];
      for (let offset = 0; offset <= set.entryCount; offset += PAGE) {
        const page = (await src.ipsetEntries({ name: set.name, layer, offset, limit: PAGE, filter: '' })) as { entries: string[]; total: number };
        entries.push(...page.entries);
        if (entries.length >= page.total || !page.entries.length) break;
      }
      out[set.name] = entries;
    } catch {
      // A snapshot keeps no entries; a set with a timeout cannot list them: explain says it depends.
    }
  }
  return out;
}
