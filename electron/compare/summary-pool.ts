import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FactOptions } from '../../shared/compare/summary-facts';
import type { RecordedHost } from '../../shared/compare/summary-record';
import type { EncodedHost, ParseAnswer, ParseJob } from './summary-worker';

/**
 * The fleet summary's files parsed across the cores (issue #17: parsing was 56% of a 1,000-file
 * summary, all on one thread). A bounded pool of worker threads reads, parses and checks one
 * file each at a time and answers with the facts the summary keeps; the caller gets the answers
 * strictly in file order, with at most `window` files read ahead, so memory stays that of a few
 * files plus the summary. A worker that dies on a file (out of its heap, a crash) costs that
 * file only: it is answered as not read, naming the file, and a fresh worker takes its place.
 */

export type PoolResult = { ok: true; host: RecordedHost } | { ok: false; error: string };

export interface PoolOptions {
  /** Worker threads (default: the cores, at most 4); 0: parse on the caller's thread (addFiles). */
  workers?: number;
  /** Old-generation heap per worker, MiB: a file that needs more is refused (not the process). */
  maxHeapMb?: number;
}

/** Per worker: a 32 MiB snapshot (the import limit) parses in well under this. */
const DEFAULT_HEAP_MB = 384;

/**
 * The built worker (out/main/summary-worker.js, an entry of its own), or in a source checkout
 * (tests, scripts run with tsx) the TypeScript source loaded through tsx's API.
 */
function workerEntry(): { code: string; eval: boolean } {
  const built = fileURLToPath(new URL('./summary-worker.js', import.meta.url));
  if (existsSync(built)) return { code: built, eval: false };
  const source = fileURLToPath(new URL('./summary-worker.ts', import.meta.url));
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const url = JSON.stringify(pathToFileURL(source).href);
  return { code: `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${url}, ${url}))`, eval: true };
}

function decode(h: EncodedHost, table: string[]): RecordedHost {
  const ev = new Array<string>(h.ev.length);
  for (let i = 0; i < ev.length; i++) {
    const s = table[h.ev[i]!];
    if (s === undefined) throw new Error(`summary worker: string ${h.ev[i]} not in its table`);
    ev[i] = s;
  }
  return { hostname: h.hostname, known: h.known, reasons: h.reasons, ev };
}

export function poolSize(files: number, o: PoolOptions = {}): number {
  return Math.max(1, Math.min(o.workers ?? Math.min(availableParallelism(), 4), Math.ceil(files / 16)));
}

/**
 * Parses `files` in workers and calls `take` with each answer in the files' order (awaiting it
 * before the next: the caller may yield to its event loop in between).
 */
export async function parseInPool(files: string[], opts: FactOptions, take: (i: number, r: PoolResult) => void | Promise<void>, o: PoolOptions = {}): Promise<void> {
  if (!files.length) return;
  const size = poolSize(files.length, o);
  const window = size * 4;
  const entry = workerEntry();
  const heapMb = o.maxHeapMb ?? DEFAULT_HEAP_MB;
  const done = new Map<number, PoolResult>();
  let next = 0;
  let wake: (() => void) | null = null;
  const settle = (seq: number, r: PoolResult) => {
    done.set(seq, r);
    wake?.();
  };

  interface Slot {
    worker: Worker;
    job: ParseJob | null;
  }
  const slots: Slot[] = [];
  let taken = 0;
  const spawn = (): Slot => {
    const worker = new Worker(entry.code, { eval: entry.eval, resourceLimits: { maxOldGenerationSizeMb: heapMb }, stdout: false, stderr: false });
    const slot: Slot = { worker, job: null };
    // This worker's string table (summary-worker.ts): answers arrive in the order it made them.
    const table: string[] = [];
    worker.on('message', (a: ParseAnswer) => {
      slot.job = null;
      if (a.ok) for (const str of a.host.strings) table.push(str);
      settle(a.seq, a.ok ? { ok: true, host: decode(a.host, table) } : { ok: false, error: a.error });
      feed(slot);
    });
    const lost = (why: string) => {
      const job = slot.job;
      slot.job = null;
      const i = slots.indexOf(slot);
      if (i < 0) return;
      // The file it held is not read (named); the others go on in a fresh worker.
      if (job) settle(job.seq, { ok: false, error: `${job.file}: not read: ${why}` });
      if (next >= files.length) {
        slots.splice(i, 1);
        return;
      }
      slots[i] = spawn();
      feed(slots[i]!);
    };
    worker.on('error', (e: Error & { code?: string }) => lost(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `parsing it needs more than the ${heapMb} MiB a parse may use` : `the parser failed (${e.message})`));
    worker.on('exit', (code) => lost(`the parser stopped (exit ${code})`));
    return slot;
  };
  const feed = (slot: Slot) => {
    if (slot.job || next >= files.length || next - taken >= window) return;
    const seq = next++;
    slot.job = { seq, file: files[seq]!, opts };
    slot.worker.postMessage(slot.job);
  };
  try {
    for (let i = 0; i < size; i++) slots.push(spawn());
    for (const s of slots) feed(s);
    for (; taken < files.length; taken++) {
      let r = done.get(taken);
      while (!r) {
        await new Promise<void>((res) => (wake = res));
        wake = null;
        r = done.get(taken);
      }
      done.delete(taken);
      // Room in the window again: idle workers take the next files.
      for (const s of slots) feed(s);
      await take(taken, r);
    }
  } finally {
    const all = slots.splice(0);
    await Promise.all(all.map((s) => s.worker.terminate()));
  }
}
