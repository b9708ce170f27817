import { randomInt } from 'node:crypto';
import type { OpOutput, OpParsedInput } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import type { Flow } from '../../../shared/firewall/explain';
import { compareTrace } from '../../../shared/firewall/trace/agree';
import { concreteFlow, TraceFlowError } from '../../../shared/firewall/trace/flow';
import { userNamespacesAllowed } from '../../hosts/machine-facts';
import type { Host } from '../../hosts/transport';
import { traceOnce } from './engine';
import { readHostRuleset } from './ruleset';

type TraceOutput = OpOutput<'firewall', 'trace'>;
type Prediction = OpOutput<'firewall', 'explain'>;

/**
 * firewall.trace: the flow made concrete, explain's prediction for it, the host's ruleset read
 * (never written), one real packet through a copy of it in throwaway namespaces, and the three
 * compared. Nothing in the host's namespaces (or this machine's) changes.
 */
export async function traceOnHost(host: Host, input: OpParsedInput<'firewall', 'trace'>, explain: (flow: Flow) => Prediction | Promise<Prediction>): Promise<TraceOutput> {
  if (input.layer !== 'runtime') {
    throw new ApiError('INVALID_INPUT', 'layer: a trace runs the rules the kernel has now, which are the runtime layer; explain answers for the permanent one');
  }
  let concrete;
  try {
    concrete = concreteFlow(input.flow, () => randomInt(32768, 61000));
  } catch (e) {
    if (e instanceof TraceFlowError) throw new ApiError('INVALID_INPUT', e.message);
    throw e;
  }
  const { flow, notes } = concrete;
  // The ruleset first: a host that cannot be traced says so before any other work.
  const t0 = Date.now();
  const { ruleset } = await readHostRuleset(host);
  const rulesetMs = Date.now() - t0;
  const prediction = await explain(flow);
  // The namespaces are made on this machine, whatever the host (an SSH host only sends its
  // ruleset): this machine's user namespaces count, not the host's capability.
  const privilege = typeof process.getuid !== 'function' || process.getuid() === 0 ? 'root' : userNamespacesAllowed() ? 'userns' : undefined;
  if (!privilege) throw new ApiError('UNSUPPORTED', 'A trace needs throwaway network namespaces: run as root, or allow unprivileged user namespaces (user.max_user_namespaces)');
  const t1 = Date.now();
  const k = await traceOnce(ruleset, { family: flow.family, protocol: flow.protocol, src: flow.src, dst: flow.dst, sport: flow.sport, dport: flow.dport, iface: flow.iface, outIface: flow.outIface, srcMac: flow.srcMac }, { privilege });
  const traceMs = Date.now() - t1;
  if (flow.outIface) notes.push(`Forwarded: the copy routes ${flow.dst} out of ${flow.outIface} (a third namespace answers there) with forwarding on, as on a host that forwards; the host's own routes and forwarding setting were not read.`);
  if (flow.protocol === 'tcp' || flow.protocol === 'udp') notes.push(`A listener answered on ${flow.dst} port ${flow.dport}/${flow.protocol} in the copy: "connected" means the firewall let the packet ${flow.outIface ? 'through' : 'in'}, not that a service listens ${flow.outIface ? 'there' : 'on the host'}.`);
  if (k.notLoaded.length) notes.push(`${k.notLoaded.length} table(s) of the host's ruleset could not be loaded into the copy and were not traced: ${k.notLoaded.map((t) => t.table).join(', ')}.`);
  const cmp = compareTrace(prediction, k, k.client, flow.protocol);
  return {
    flow,
    verdict: k.verdict,
    ...(k.rejectWith ? { rejectWith: k.rejectWith } : {}),
    ...(k.decidedBy ? { decidedBy: k.decidedBy } : {}),
    kernelPath: k.steps,
    client: k.client,
    prediction,
    ...cmp,
    notLoaded: k.notLoaded,
    notes,
    timings: { rulesetMs, traceMs },
  };
}
