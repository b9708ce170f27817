import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runSequence } from '../../test/firewall/offline-write/differential';
import { startOfflineCmd } from '../../test/firewall/offline-write/offline-cmd';

/**
 * One worker of the offline-writes differential bench (offline.ts): sequences FIRST, FIRST+STRIDE,
 * ... below END, one at a time, each on fresh copies, with its own firewall-offline-cmd server.
 * HostDeck's steps run in this process (runHostdeck is in-process and one at a time), so the bench
 * runs several workers for parallel sequences. One JSON line per sequence on stdout:
 * {seed, steps, disagreements, timeoutReplays, ms, cpuMs}.
 */
const [first, end, stride] = process.argv.slice(2).map(Number) as [number, number, number];
const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-bench-offline-write-'));
const cmd = startOfflineCmd();
try {
  for (let seed = first; seed < end; seed += stride) {
    const t = performance.now();
    const cpu = process.cpuUsage();
    // A sequence that throws (a harness or product crash) is a disagreement of its seed, not the end of the run.
    const run = () => runSequence(seed, path.join(dir, `s${seed}`), { cmd }).catch((e: unknown) => ({ steps: [], disagreements: [`the sequence threw: ${e instanceof Error ? e.stack : String(e)}`] }));
    let res = await run();
    // HostDeck's file-system deadline fires on a starved (or stopped) machine: that is the deadline
    // doing its job, not a difference from firewall-offline-cmd, but the refused step makes the files
    // differ after it too. Such a sequence is run again on fresh copies (at most twice) and the
    // replays are counted apart; the seed is deterministic, so a real disagreement comes back.
    let timeoutReplays = 0;
    while (res.disagreements.some((d) => d.includes('no answer from the file system within')) && timeoutReplays < 2) {
      rmSync(path.join(dir, `s${seed}`), { recursive: true, force: true });
      timeoutReplays++;
      res = await run();
    }
    const used = process.cpuUsage(cpu);
    process.stdout.write(`${JSON.stringify({ seed, steps: res.steps.length, disagreements: res.disagreements, timeoutReplays, ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000 })}\n`);
    rmSync(path.join(dir, `s${seed}`), { recursive: true, force: true });
  }
} finally {
  await cmd.close();
  rmSync(dir, { recursive: true, force: true });
}
