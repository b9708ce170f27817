import { connect } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The raw bytes received (head and body). */
  raw: Buffer;
  /** The connection ended with an error (reset, broken pipe) after or before the answer. */
  socketError?: string;
}

/**
 * One HTTP exchange over a raw TCP socket: any bytes can be sent (malformed paths, cookies,
 * Host headers, bodies larger than any limit), and the answer is read as it comes, even while
 * the request body is still being sent. `body` may be a generator of chunks, written one after
 * the other as long as the server keeps reading and has not answered yet.
 */
export function rawRequest(
  port: number,
  head: string,
  body?: Buffer | string | Iterable<Buffer>,
  opts: { host?: string; timeoutMs?: number } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, opts.host ?? '127.0.0.1');
    const chunks: Buffer[] = [];
    let answered = false;
    let socketError: string | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${opts.timeoutMs ?? 20_000} ms; got: ${Buffer.concat(chunks).toString('latin1').slice(0, 200)}`));
    }, opts.timeoutMs ?? 20_000);
    const tryParse = (final: boolean) => {
      const raw = Buffer.concat(chunks);
      const end = raw.indexOf('\r\n\r\n');
      if (end < 0) return final ? fail('connection closed without an answer') : undefined;
      const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(lines[0]!.split(' ')[1]);
      if (status === 100) {
        chunks.splice(0, chunks.length, raw.subarray(end + 4));
        return tryParse(final);
      }
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const rest = raw.subarray(end + 4);
      const len = headers['content-length'] !== undefined ? Number(headers['content-length']) : undefined;
      if (len !== undefined && rest.length < len && !final) return undefined;
      if (len === undefined && !final) return undefined;
      answered = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, headers, body: len === undefined ? rest : rest.subarray(0, len), raw, socketError });
    };
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(why));
    };
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      tryParse(false);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => (socketError = e.code ?? e.message));
    socket.on('close', () => {
      if (!answered) tryParse(true);
    });
    socket.write(head.replace(/\r?\n/g, '\r\n').replace(/(\r\n)*$/, '\r\n\r\n'));
    if (body === undefined) return;
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      socket.write(body);
      return;
    }
    const it = body[Symbol.iterator]();
    const pump = () => {
      while (!answered && !socket.destroyed) {
        const n = it.next();
        if (n.done) return;
        if (!socket.write(n.value)) return void socket.once('drain', pump);
      }
    };
    pump();
  });
}

/** The body as text after undoing Content-Encoding. */
export function decodedBody(r: RawResponse): Buffer {
  const enc = r.headers['content-encoding'];
  if (enc === 'br') return brotliDecompressSync(r.body);
  if (enc === 'gzip') return gunzipSync(r.body);
  return r.body;
}
