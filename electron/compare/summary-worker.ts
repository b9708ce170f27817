import { parentPort } from 'node:worker_threads';
import { ApiError } from '../../shared/api/errors';
import { importFiles } from '../../shared/compare/imports';
import { recordHost, type RecordedHost } from '../../shared/compare/summary-record';
import type { FactOptions } from '../../shared/compare/summary-facts';
import { readSnapshotFileSync } from './summary-read';

/**
 * A fleet summary's parse worker (summary-pool.ts): reads one snapshot file, parses and checks
 * it as every import is, and answers with the facts the summary keeps (or the error naming the
 * file). One file at a time; the pool decides the order they are added in.
 */

export interface ParseJob {
  seq: number;
  file: string;
  opts: FactOptions;
}

/**
 * A parsed host: its record with every string of `ev` sent as an index into this worker's string
 * table, which only grows (`strings` are its new entries, in order). A fleet's hosts share most
 * keys and values, so each crosses the thread once, and the main thread replays facts with the
 * same string objects again and again (no copies to collect, hashes computed once).
 */
export interface EncodedHost extends Omit<RecordedHost, 'ev'> {
  strings: string[];
  ev: Int32Array;
}

export type ParseAnswer = { seq: number; ok: true; host: EncodedHost } | { seq: number; ok: false; error: string; strings: string[] };

const table = new Map<string, number>();

function encode(r: RecordedHost): EncodedHost {
  const strings: string[] = [];
  const ev = new Int32Array(r.ev.length);
  for (let i = 0; i < r.ev.length; i++) {
    const s = r.ev[i]!;
    let id = table.get(s);
    if (id === undefined) {
      id = table.size;
      table.set(s, id);
      strings.push(s);
    }
    ev[i] = id;
  }
  return { hostname: r.hostname, known: r.known, reasons: r.reasons, strings, ev };
}

parentPort?.on('message', (job: ParseJob) => {
  let answer: ParseAnswer;
  try {
    const { snapshot } = importFiles([{ name: job.file, text: readSnapshotFileSync(job.file) }]);
    const host = encode(recordHost(snapshot, job.opts));
    answer = { seq: job.seq, ok: true, host };
  } catch (e) {
    answer = { seq: job.seq, ok: false, error: e instanceof ApiError ? e.message : `${job.file}: ${(e as Error).message}`, strings: [] };
  }
  parentPort!.postMessage(answer, answer.ok ? [answer.host.ev.buffer as ArrayBuffer] : []);
});
