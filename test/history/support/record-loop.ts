/**
 * A HostDeck that records points as fast as it can until it is killed (the kill-loop test):
 * point N sets vm.param_1 to "N" and says so in its `what`, so a reader can check every
 * point it finds against its facts. Prints "ready" after its first point.
 *   record-loop DIR START
 */
import { HistoryStore } from '../../../electron/history/store';
import { syntheticSnapshot, withSysctl } from '../synthetic';

const [dir, start] = process.argv.slice(2) as [string, string];
const h = new HistoryStore({ dir }).host('node-7');
const base = syntheticSnapshot({ sysctls: 300, zones: 4 });
for (let n = Number(start); ; n++) {
  // Every 7th point also changes a zone: points of different sizes, cut at different places.
  let s = withSysctl(base, 'vm.param_1', String(n));
  if (n % 7 === 0) s = { ...s, firewall: { ...s.firewall!, defaultZone: `zone${n % 4}` } };
  h.record({ kind: 'change', what: `set ${n}`, sections: ['sysctl', 'firewall'] }, s);
  if (n === Number(start)) process.stdout.write('ready\n');
}
