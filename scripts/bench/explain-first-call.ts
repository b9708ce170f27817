/**
 * One fresh process's first firewall.explain on 50 zones and 1,000 rich rules (see bench/explain.ts):
 * prints {"wallMs", "cpuMs"} of that first call, then of the second one. Run by the bench in
 * several fresh processes, because a first call happens once per process.
 */
import { performance } from 'node:perf_hooks';
import { explainFlow } from '../../shared/firewall/explain';
import { bigState } from '../../test/firewall/explain/big-state';

const state = bigState();
const flow = { protocol: 'tcp' as const, dport: 30999, src: '10.49.0.9', iface: 'eth49' };
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const time = (f: typeof flow) => {
  const c = cpu();
  const t = performance.now();
  explainFlow(state, f, { defaultZone: 'z00' });
  return { wallMs: performance.now() - t, cpuMs: cpu() - c };
};
const first = time(flow);
const second = time({ ...flow, iface: 'eth48', src: '10.48.0.9', dport: 30979 });
console.log(JSON.stringify({ first, second }));
