import { Runtime } from '../../electron/api/runtime';
import { readLive } from '../../electron/kernel/live';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { filterRows, emptyFilter } from '../../shared/kernel/filter';
import { resolveSystemd } from '../../shared/kernel/sysctld';
import { copyProcSys } from '../../test/kernel/support/sysctl-sandbox';
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

  // 4. sysctl.d with hostile globs (14 stars, 20 brace groups, megabyte-scale star and brace
  // runs) resolved against this host's /proc/sys, against systemd-sysctl applying a sane file
  // of the same size to a copy of /proc/sys in a private mount namespace.
  await hostileSysctlD(r);
}

async function hostileSysctlD(r: BenchReporter): Promise<void> {
  const groups = (k: number) => Array.from({ length: k }, (_, i) => `{${String.fromCharCode(97 + (i % 26))},${String.fromCharCode(98 + (i % 25))}}`).join('');
  const hostile = [
    `net.ipv4.conf.${'*'.repeat(14)}x.rp_filter = 1`,
    `net.ipv4.conf.*.${groups(20)} = 1`,
    `net.ipv4.conf.*.${'*{,}'.repeat(20000)}x = 1`,
    `net.ipv4.conf.*.${'{a,b}'.repeat(20000)} = 1`,
    ...Array.from({ length: 2000 }, (_, i) => `net.ipv4.conf.*.${'*'.repeat(14)}${i}.arp_ignore = 1`),
  ].join('\n');
  const sane = Array.from({ length: Math.ceil(hostile.length / 32) }, (_, i) => `kernel.msgmax = ${8192 + (i % 1000)}`).join('\n').slice(0, hostile.length);
  const work = mkdtempSync(path.join(tmpdir(), 'hostdeck-bench-sysctl-'));
  try {
    const listing = copyProcSys(path.join(work, 'procsys'));
    const entries = [{ dir: 'etc/sysctl.d', name: '50-hostile.conf', kind: 'file' as const, content: hostile }];
    const oursMs = await medianMs(() => resolveSystemd(entries, { listing }), 3);
    const saneFile = path.join(work, '50-sane.conf');
    writeFileSync(saneFile, sane);
    let anchorMs: number;
    try {
      const script = `mount --bind '${path.join(work, 'procsys')}' /proc/sys && exec /lib/systemd/systemd-sysctl '${saneFile}'`;
      anchorMs = await commandMs('unshare', ['-m', '--propagation', 'private', 'sh', '-ec', script], undefined, 3);
    } catch (e) {
      r.note(`kernel: systemd-sysctl anchor unavailable (${(e as Error).message}); needs root, util-linux and systemd`);
      r.value(`kernel: resolve a ${Math.round(hostile.length / 1024)} KiB sysctl.d file of hostile globs`, oursMs);
      return;
    }
    r.ratio(`kernel: resolve ${Math.round(hostile.length / 1024)} KiB of hostile sysctl.d globs vs systemd-sysctl on a sane file of that size`, oursMs, 'systemd-sysctl', anchorMs, 'bounded by the glob step budgets');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
