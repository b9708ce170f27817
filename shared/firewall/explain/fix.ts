import type { SafeChange } from '../contract';
import type { LayerState, ZonePatch, PolicyPatch } from '../model';
import { policyAfterPatch, zoneAfterPatch } from '../patch';
import { familyOf } from './addr';
import { explainFlow, type ExplainOptions } from './explain';
import type { Explanation, Flow } from './flow';

/**
 * The smallest changes that let exactly one blocked flow in, as pending changes (safe apply
 * decides how they are applied; nothing here applies anything). Each offer is checked by
 * explaining the flow again on the state with the change in it: only offers that turn the
 * answer into `accept` are returned, narrowest first.
 */
export interface FixOffer {
  /** People's words ("Open port 8080/tcp in zone public"). */
  summary: string;
  /** What else it lets in, so the admin can judge its width. */
  scope: string;
  change: SafeChange;
}

const PORT_PROTOCOLS = new Set(['tcp', 'udp', 'sctp', 'dccp']);

export function fixFor(state: LayerState, flow: Flow, result: Explanation, opts: ExplainOptions): FixOffer[] {
  if (result.verdict === 'accept') return [];
  const zone = result.zone?.name;
  const d = result.decidedBy;
  const offers: FixOffer[] = [];
  const family = result.family ?? (flow.src ? familyOf(flow.src) : undefined);
  const hasPort = flow.protocol !== undefined && PORT_PROTOCOLS.has(flow.protocol) && flow.dport !== undefined;
  const isIcmp = flow.protocol === 'icmp' || flow.protocol === 'icmpv6';
  const portText = hasPort ? `${flow.dport}/${flow.protocol}` : '';

  // Where a new rule must go to run before what decided: before a deny element, a policy or a
  // positive-priority rule, only a rich rule with a lower priority helps.
  const blockPriority = d.richRule?.priority ?? (d.kind === 'icmp-block' || d.policy ? 0 : undefined);
  const needsPriority = d.policy !== undefined || (d.kind === 'rich-rule' && d.outcome !== 'accept') || d.kind === 'icmp-block';
  const priority = needsPriority ? Math.max(-32768, Math.min(-1, (blockPriority ?? 0) - 1)) : 0;

  const ruleFor = (withSource: boolean): string | undefined => {
    const parts = ['rule'];
    if (priority) parts.push(`priority="${priority}"`);
    if (family) parts.push(`family="${family}"`);
    if (withSource) {
      if (!flow.src || !family) return undefined;
      parts.push(`source address="${flow.src}"`);
    }
    if (flow.dst && family) parts.push(`destination address="${flow.dst}"`);
    if (hasPort) parts.push(`port port="${flow.dport}" protocol="${flow.protocol}"`);
    else if (isIcmp && flow.icmpType) parts.push(`icmp-type name="${flow.icmpType}"`);
    else if (flow.protocol) parts.push(`protocol value="${flow.protocol === 'icmpv6' ? 'ipv6-icmp' : flow.protocol}"`);
    else return undefined;
    parts.push('accept');
    return parts.join(' ');
  };

  if (d.policy) {
    const r = ruleFor(true) ?? ruleFor(false);
    if (r) offers.push({ summary: `Add a rich rule to policy ${d.policy} that accepts this flow before what rejects it`, scope: flow.src ? `only ${flow.src}` : 'every source', change: { type: 'policy', name: d.policy, patch: { add: { richRules: [r] } } } });
  } else if (zone) {
    if (hasPort && !needsPriority) {
      offers.push({ summary: `Open port ${portText} in zone ${zone}`, scope: `every source that zone ${zone} takes`, change: zoneChange(zone, { add: { ports: [{ port: String(flow.dport), protocol: flow.protocol as 'tcp' }] } }) });
      for (const svc of Object.values(state.services)) {
        if (svc.ports.length === 1 && !svc.protocols.length && !svc.includes.length && !svc.destination.ipv4 && !svc.destination.ipv6 && svc.ports[0]!.port === String(flow.dport) && svc.ports[0]!.protocol === flow.protocol) {
          offers.push({ summary: `Allow service ${svc.name} (${portText}) in zone ${zone}`, scope: `every source that zone ${zone} takes`, change: zoneChange(zone, { add: { services: [svc.name] } }) });
        }
      }
    }
    if (isIcmp && flow.icmpType) {
      const z = state.zones[zone];
      if (d.kind === 'icmp-block' && !d.richRule && z?.icmpBlocks.includes(flow.icmpType)) {
        offers.push({ summary: `Stop blocking ICMP ${flow.icmpType} in zone ${zone}`, scope: 'every source that zone takes', change: zoneChange(zone, { remove: { icmpBlocks: [flow.icmpType] } }) });
      }
      if (d.kind === 'icmp-block-inversion') {
        offers.push({ summary: `Allow ICMP ${flow.icmpType} in zone ${zone} (ICMP blocks are inverted there)`, scope: 'every source that zone takes', change: zoneChange(zone, { add: { icmpBlocks: [flow.icmpType] } }) });
      }
    }
    const withSource = ruleFor(true);
    if (withSource) offers.unshift({ summary: `Accept this flow from ${flow.src} only, with a rich rule in zone ${zone}`, scope: `only ${flow.src}`, change: zoneChange(zone, { add: { richRules: [withSource] } }) });
    if (needsPriority && !withSource) {
      const any = ruleFor(false);
      if (any) offers.push({ summary: `Accept this flow with a rich rule in zone ${zone} that runs before what blocks it`, scope: 'every source', change: zoneChange(zone, { add: { richRules: [any] } }) });
    }
    // A source binding moves all of this source's traffic to another zone: widest, offered last.
    if (flow.src && family && result.zone?.by !== 'source') {
      for (const other of Object.keys(state.zones).sort()) {
        if (other === zone) continue;
        const binding = family === 'ipv4' ? `${flow.src}/32` : `${flow.src}/128`;
        const offer: FixOffer = { summary: `Bind source ${flow.src} to zone ${other}`, scope: `all traffic from ${flow.src} then follows zone ${other}`, change: zoneChange(other, { add: { sources: [binding] } }) };
        if (accepts(state, flow, offer.change, opts)) {
          offers.push(offer);
          break;
        }
      }
    }
  }
  return offers.filter((o) => accepts(state, flow, o.change, opts));
}

function zoneChange(name: string, patch: ZonePatch): SafeChange {
  return { type: 'zone', name, patch };
}

/** The state with one change in it (a copy; the input is not touched). */
export function stateWith(state: LayerState, change: SafeChange): LayerState {
  if (change.type === 'zone') {
    const z = state.zones[change.name];
    if (!z) return state;
    return { ...state, zones: { ...state.zones, [change.name]: zoneAfterPatch(z, change.patch) } };
  }
  if (change.type === 'policy') {
    const p = state.policies[change.name];
    if (!p) return state;
    return { ...state, policies: { ...state.policies, [change.name]: policyAfterPatch(p, change.patch as PolicyPatch) } };
  }
  return state;
}

function accepts(state: LayerState, flow: Flow, change: SafeChange, opts: ExplainOptions): boolean {
  try {
    return explainFlow(stateWith(state, change), flow, opts).verdict === 'accept';
  } catch {
    return false;
  }
}
