import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterSysctlWrite } from '../../electron/history/after-write';
import { HistoryStore, historySynced } from '../../electron/history/store';
import { treeTransport } from '../../electron/hosts/host';
import type { Host } from '../../electron/hosts/transport';
import { snapshotSysctlEntry } from '../../electron/compare/capture';
import { syntheticSnapshot, withSysctl } from '../../test/history/synthetic';
import { medianMs, type BenchReporter } from './harness';

/**
 * History (issue #18): recording a point for a host of 1,400 sysctls and 20 zones after a
 * one-key change (time and bytes added to the store; targets < 20 ms, < 2 KiB), and opening a
 * timeline of 10,000 points (target < 300 ms), anchored on reading this host's facts the way
 * `sysctl -a` would (JSON.parse of the snapshot), in the same process.
 */
export default async function bench(r: BenchReporter): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-bench-history-'));
  try {
    const store = new HistoryStore({ dir });
    const h = store.host('node-7');
    let s = syntheticSnapshot({ sysctls: 1400, zones: 20 });
    h.record({ kind: 'first', what: 'read', sections: ['sysctl', 'sysctl.d', 'dns', 'firewall'] }, s);
    let n = 0;
    const bytes: number[] = [];
    const cpu: number[] = [];
    const ms = await medianMs(() => {
      s = withSysctl(s, 'vm.param_1', String(++n));
      const before = h.bytes();
      const c = process.cpuUsage();
      h.record({ kind: 'change', what: `set ${n}`, operation: 'kernel.apply', result: 'applied', sections: ['sysctl'] }, s);
      const d = process.cpuUsage(c);
      cpu.push((d.user + d.system) / 1000);
      bytes.push(h.bytes() - before);
    }, 21);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    r.value('history: record a point after a one-key change (1,400 sysctls, 20 zones)', ms, `target < 20 ms; ${median(bytes)} bytes on disk (target < 2048)`);
    r.value('history: CPU time of recording that point (the disk sync runs on after it; the next point waits for it)', median(cpu));
    // What one CLI change pays: a fresh store reads the last point's tree before it records.
    const cold: number[] = [];
    const coldMs = await medianMs(() => {
      s = withSysctl(s, 'vm.param_1', String(++n));
      const c = process.cpuUsage();
      new HistoryStore({ dir }).host('node-7').record({ kind: 'change', what: `set ${n}`, operation: 'kernel.apply', result: 'applied', sections: ['sysctl'] }, s);
      const d = process.cpuUsage(c);
      cold.push((d.user + d.system) / 1000);
    }, 11);
    r.value('history: the same point recorded by a fresh store (a CLI change: the last point read first)', coldMs, `CPU ${median(cold).toFixed(1)} ms`);
    const text = JSON.stringify(s);
    const anchor = await medianMs(() => JSON.parse(text));
    r.ratio('history: record a point vs JSON.parse of the same host\'s snapshot', ms, 'JSON.parse', anchor);

    // 10,000 points: the 22 recorded, then their point lines again with new ids (what a timeline read costs is the point lines).
    const log = h.logFile();
    const pointLines = readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('{'));
    const more: string[] = [];
    for (let i = pointLines.length; i < 10_000; i++) {
      const p = JSON.parse(pointLines[i % pointLines.length]!) as { id: string; time: number };
      more.push(JSON.stringify({ ...p, id: `${i.toString(16).padStart(12, '0')}`, time: p.time + i }));
    }
    appendFileSync(log, more.join('\n') + '\n');
    let count = 0;
    const open = await medianMs(() => {
      count = new HistoryStore({ dir }).host('node-7').read().points.length;
    });
    r.value(`history: open a timeline of ${count} points`, open, 'target < 300 ms');
    const t = performance.now();
    new HistoryStore({ dir }).host('node-7').snapshotAt(pointLines.length > 3 ? JSON.parse(pointLines[3]!).id : JSON.parse(pointLines[0]!).id);
    r.value('history: the facts of one point', performance.now() - t);

    // The "after" of a one-key kernel.apply on this machine's /proc/sys (read only): what the write can touch, re-read, vs the full walk it replaces.
    const transport = treeTransport({});
    const live = await transport.procSys();
    const before = { ...s, sysctl: { from: 'procsys' as const, entries: live.entries.map(snapshotSysctlEntry) } };
    const after = await medianMs(() => afterSysctlWrite({ transport } as unknown as Host, before, ['net.core.somaxconn']), 21);
    const walk = await medianMs(() => transport.procSys(), 21);
    r.ratio('history: the point after a one-key kernel apply (re-read of what it touches) vs walking /proc/sys', after, 'full /proc/sys walk', walk);
  } finally {
    await historySynced();
    rmSync(dir, { recursive: true, force: true });
  }
}
