import { gzipBase64, type GzipAnswer } from './encode';

/** Two workers: the machines HostDeck's page runs on have at least two cores, and 50 files split well. */
const WORKERS = 2;

/** Message ids unique across imports: a kept worker may serve several. */
let nextId = 0;

/** Workers started ahead of an import (holdGzipWorkers) and how many holders keep them. */
let kept: Worker[] = [];
let holders = 0;

function startWorkers(n: number): Worker[] {
  const started: Worker[] = [];
  try {
    for (let i = 0; i < n; i++) started.push(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }));
  } catch {
    started.forEach((w) => w.terminate());
    return [];
  }
  return started;
}

/**
 * Starts the gzip workers now, while the Compare page is shown, and keeps them until the returned
 * function is called (by every holder): a module worker's start (its script fetched, compiled and
 * run) sat in front of every import's first compressed file (issue #22). Idle, they cost memory only.
 */
export function holdGzipWorkers(): () => void {
  holders++;
  if (!kept.length) {
    kept = startWorkers(WORKERS);
    // One that fails to start (its script not loaded) would never answer: it is dropped, and an
    // import without kept workers starts its own (which fall back to the page).
    for (const w of kept) w.addEventListener('error', () => drop(w));
  }
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (--holders > 0) return;
    kept.forEach((w) => w.terminate());
    kept = [];
  };
}

/**
 * Each file gzip-compressed and base64-encoded, in order, by workers off the page's thread (the
 * page keeps rendering its spinner): the kept ones, else ones started for this call. Where a worker
 * cannot start or fails, the page compresses that file itself, so an import never depends on workers.
 */
export async function gzipFiles(files: Blob[]): Promise<string[]> {
  if (!files.length) return [];
  const own = kept.length ? null : startWorkers(Math.min(WORKERS, files.length));
  const workers = own ?? kept;
  if (!workers.length) return Promise.all(files.map(gzipBase64));
  try {
    // Files dealt in turn, so each worker gets about half of the bytes of a fleet of like files.
    return await Promise.all(files.map((f, i) => inWorker(workers[i % workers.length]!, f).catch(() => gzipBase64(f))));
  } finally {
    own?.forEach((w) => w.terminate());
  }
}

function drop(w: Worker): void {
  if (!kept.includes(w)) return;
  w.terminate();
  kept = kept.filter((k) => k !== w);
}

function inWorker(w: Worker, file: Blob): Promise<string> {
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    const done = () => {
      w.removeEventListener('message', onMessage);
      w.removeEventListener('error', onError);
    };
    const onMessage = (e: MessageEvent<GzipAnswer>) => {
      if (e.data.id !== id) return;
      done();
      if ('gzip' in e.data) resolve(e.data.gzip);
      else reject(new Error(e.data.error));
    };
    const onError = (e: Event) => {
      done();
      e.preventDefault();
      // A kept worker that failed is not used again: the next import starts its own.
      drop(w);
      reject(new Error('the gzip worker failed'));
    };
    w.addEventListener('message', onMessage);
    w.addEventListener('error', onError);
    w.postMessage({ id, file });
  });
}
