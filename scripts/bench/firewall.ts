import { performance } from 'node:perf_hooks';
import { Runtime } from '../../electron/api/runtime';
import { FirewalldClient } from '../../electron/firewall/client';
import { readRuntimeZones } from '../../electron/firewall/reader';
import { startFirewalldSandbox } from '../../test/support/firewalld-sandbox';
import { commandMs, medianMs, type BenchReporter } from './harness';

/**
 * firewalld in its sandbox (needs root and the firewalld package):
 *  - the full runtime zone state, cold (new connection, authorizeAll, every zone) against
 *    `firewall-cmd --list-all-zones` (target: at most half its time);
 *  - the full runtime + permanent state through the API;
 *  - an ipset with 100,000 entries: bulk import, loading with the state, first page, filter.
 */
export default async function bench(r: BenchReporter): Promise<void> {
  const sb = await startFirewalldSandbox();
  const rt = new Runtime({ mode: 'cli', local: { systemBusAddress: sb.busAddress } });
  try {
    const coldZones = async () => {
      const c = new FirewalldClient({ busAddress: sb.busAddress });
      try {
        await c.ready();
        await Promise.all([readRuntimeZones(c), c.call('zone.getActiveZones'), c.call('.getDefaultZone')]);
      } finally {
        c.dispose();
      }
    };
    const ours = await medianMs(coldZones, 9);
    const anchor = await commandMs('/usr/bin/firewall-cmd', ['--list-all-zones'], sb.env, 9);
    r.ratio('firewall: runtime zone state (cold connection)', ours, 'firewall-cmd --list-all-zones', anchor, '<= 0.5');

    const warm = new FirewalldClient({ busAddress: sb.busAddress });
    await warm.ready();
    r.value('firewall: runtime zone state (open connection)', await medianMs(() => readRuntimeZones(warm), 9));
    warm.dispose();

    r.value('firewall: full runtime + permanent state via the API', await medianMs(() => rt.api.firewall.state({ refresh: true }), 5));

    // 100,000 entries, imported in one bulk call, then brought to runtime by a reload.
    const entries = Array.from({ length: 100_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    await rt.api.firewall.createIpset({ name: 'bench-100k', type: 'hash:ip', options: { family: 'inet', maxelem: '200000' } });
    let t = performance.now();
    await rt.api.firewall.ipsetSetEntries({ name: 'bench-100k', layer: 'permanent', entries });
    r.value('firewall: ipset 100k entries, bulk import (permanent setEntries)', performance.now() - t);
    t = performance.now();
    await rt.api.firewall.reload({ confirm: true });
    r.value('firewall: reload with the 100k ipset (firewalld itself)', performance.now() - t);
    t = performance.now();
    const st = await rt.api.firewall.state({ refresh: true });
    const page = await rt.api.firewall.ipsetEntries({ name: 'bench-100k', layer: 'runtime', limit: 200 });
    r.value('firewall: full state with the 100k ipset + first page of 200', performance.now() - t, `${st.runtime.ipsets['bench-100k']?.entryCount} entries`);
    r.value('firewall: first page only (entries already loaded)', await medianMs(() => rt.api.firewall.ipsetEntries({ name: 'bench-100k', layer: 'runtime', limit: 200 }), 9));
    const filtered = await rt.api.firewall.ipsetEntries({ name: 'bench-100k', layer: 'runtime', filter: '10.1.2', limit: 200 });
    r.value(
      'firewall: filter 100k entries (substring "10.1.2")',
      await medianMs(() => rt.api.firewall.ipsetEntries({ name: 'bench-100k', layer: 'runtime', filter: '10.1.2', limit: 200 }), 9),
      `${filtered.matched} matches`,
    );
    r.value(
      'firewall: filter 100k entries (address 10.0.200.7)',
      await medianMs(() => rt.api.firewall.ipsetEntries({ name: 'bench-100k', layer: 'runtime', filter: '10.0.200.7', limit: 200 }), 9),
    );
    r.note(`firewall: first page had ${page.entries.length} of ${page.total} entries`);
  } finally {
    await rt.dispose();
    await sb.stop();
  }
}
