import { Runtime } from '../../electron/api/runtime';
import { readLive } from '../../electron/kernel/live';
import { filterRows, emptyFilter } from '../../shared/kernel/filter';
import { commandMs, medianMs, type BenchReporter } from './harness';

export default async function bench(r: BenchReporter): Promise<void> {
  // 1. A full live snapshot of /proc/sys in-process against `sysctl -a` in the same run.
  const snapshotMs = await medianMs(() => readLive('/proc/sys'), 9);
  const sysctlMs = await commandMs('sysctl', ['-a'], undefined, 9);
  r.ratio('kernel: live snapshot of /proc/sys', snapshotMs, 'sysctl -a', sysctlMs, '<= 1.0');

  // 2. The list operation (snapshot + sysctl.d + classification of every key), for reference.
  const rt = new Runtime({ mode: 'cli' });
  try {
    const listMs = await medianMs(() => rt.api.kernel.list({ k8s: '1.33' }), 5);
    r.value('kernel: list (snapshot + sysctl.d + verdicts)', listMs);
    // 3. The UI's filter over all keys, one keystroke at a time.
    const { entries } = await rt.api.kernel.list({ k8s: '1.33' });
    const typed = 'net.ipv4.tcp_rmem';
    const perKeystroke = await medianMs(() => {
      for (let i = 1; i <= typed.length; i++) filterRows(entries, { ...emptyFilter, text: typed.slice(0, i), namespaced: i % 2 === 0 });
    }, 9);
    r.value(`kernel: UI filter over ${entries.length} keys, per keystroke`, perKeystroke / typed.length, 'target < 16 ms');
  } finally {
    await rt.dispose();
  }
}
