/**
 * A file gzip-compressed (CompressionStream) and base64-encoded, kept in this thread's memory:
 * no Blob of the result, whose bytes would go to the browser process and be read back.
 */
export async function gzipBase64(f: Blob): Promise<string> {
  const gz = new Uint8Array(await new Response(f.stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
  let bin = '';
  // fromCharCode takes its bytes as arguments: in slices well under the engine's argument limit.
  for (let i = 0; i < gz.length; i += 0x8000) bin += String.fromCharCode(...gz.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** What the page asks a gzip worker: compress this file. */
export interface GzipRequest {
  id: number;
  file: Blob;
}

/** What a gzip worker answers: the file as base64 gzip, or why it could not. */
export type GzipAnswer = { id: number; gzip: string } | { id: number; error: string };
