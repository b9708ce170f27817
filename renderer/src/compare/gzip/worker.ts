import { gzipBase64, type GzipAnswer, type GzipRequest } from './encode';

// Deflating 50 snapshots (6.8 MB) on the page's thread held it for ~120 ms of CPU and many stream
// hops (issue #22): a worker reads and compresses each file it is handed (a File is a handle).
self.onmessage = async (e: MessageEvent<GzipRequest>) => {
  const { id, file } = e.data;
  let answer: GzipAnswer;
  try {
    answer = { id, gzip: await gzipBase64(file) };
  } catch (err) {
    answer = { id, error: err instanceof Error ? err.message : String(err) };
  }
  self.postMessage(answer);
};
