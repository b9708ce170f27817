import { performance } from 'node:perf_hooks';
import { explainFlow } from '../../shared/firewall/explain';
import { bigState } from '../../test/firewall/explain/big-state';
import { medianMs, type BenchReporter } from './harness';

/**
 * firewall.explain on 50 zones and 1,000 rich rules (issue #15: under 50 ms): the first call
 * (rich rules parsed then) and later ones (parsed rules cached), for a known flow and for one
 * whose interface and source are unknown (every zone enumerated).
 */
export default async function bench(r: BenchReporter): Promise<void> {
  const state = bigState();
  const flow = { protocol: 'tcp' as const, dport: 30999, src: '10.49.0.9', iface: 'eth49' };
  let t = performance.now();
  explainFlow(state, flow, { defaultZone: 'z00' });
  r.value('explain: 50 zones, 1,000 rich rules, first call (parses the rules)', performance.now() - t, 'target < 50 ms');
  r.value('explain: same, later calls', await medianMs(() => explainFlow(state, flow, { defaultZone: 'z00' }), 21), 'target < 50 ms');
  t = performance.now();
  const unknown = { protocol: 'tcp' as const, dport: 30999, src: '10.49.0.9' };
  const res = explainFlow(state, unknown, { defaultZone: 'z00' });
  r.value('explain: unknown interface (51 cases)', await medianMs(() => explainFlow(state, unknown, { defaultZone: 'z00' }), 9), `${res.cases.length} cases`);
}
