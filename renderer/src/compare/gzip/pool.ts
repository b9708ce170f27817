import { gzipBase64, type GzipAnswer } from './encode';

/** Two workers: the machines HostDeck's page runs on have at least two cores, and 50 files split well. */
const WORKERS = 2;

/**
 * Each file gzip-compressed and base64-encoded, in order, by workers off the page's thread (the
 * page keeps rendering its spinner); where a worker cannot start or fails, the page compresses
 * that file itself, so an import never depends on workers.
 */
export async function gzipFiles(files: Blob[]): Promise<string[]> {
  if (!files.length) return [];
  let workers: Worker[] = [];
  try {
    workers = Array.from({ length: Math.min(WORKERS, files.length) }, () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }));
  } catch {
    workers.forEach((w) => w.terminate());
    return Promise.all(files.map(gzipBase64));
  }
  try {
    // Files dealt in turn, so each worker gets about half of the bytes of a fleet of like files.
    return await Promise.all(files.map((f, i) => inWorker(workers[i % workers.length]!, i, f).catch(() => gzipBase64(f))));
  } finally {
    workers.forEach((w) => w.terminate());
  }
}

function inWorker(w: Worker, id: number, file: Blob): Promise<string> {
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
      reject(new Error('the gzip worker failed'));
    };
    w.addEventListener('message', onMessage);
    w.addEventListener('error', onError);
    w.postMessage({ id, file });
  });
}
