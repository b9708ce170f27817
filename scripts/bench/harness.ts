import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** One line of `npm run bench`: our time against an anchor tool run in the same process tree. */
export interface BenchReporter {
  /** Prints "name: ours X ms vs anchor Y ms (ratio R, target T)". */
  ratio(name: string, oursMs: number, anchor: string, anchorMs: number, target?: string): void;
  value(name: string, ms: number, note?: string): void;
  note(text: string): void;
}

/** Median wall time of `runs` runs of fn (after one warm-up run). */
export async function medianMs(fn: () => unknown, runs = 5): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Median wall time of an external command (the anchor), spawned from this process. */
export async function commandMs(cmd: string, args: string[], env?: NodeJS.ProcessEnv, runs = 5): Promise<number> {
  return medianMs(() => {
    const r = spawnSync(cmd, args, { env: env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr?.toString()}`);
  }, runs);
}

export function consoleReporter(): BenchReporter {
  const f = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));
  return {
    ratio(name, ours, anchor, anchorMs, target) {
      console.log(
        `${name}: HostDeck ${f(ours)} ms vs ${anchor} ${f(anchorMs)} ms -> ratio ${(ours / anchorMs).toFixed(2)}${target ? ` (target ${target})` : ''}`,
      );
    },
    value(name, ms, note) {
      console.log(`${name}: ${f(ms)} ms${note ? ` (${note})` : ''}`);
    },
    note(text) {
      console.log(text);
    },
  };
}
