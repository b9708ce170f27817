import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

export type BodyResult = { ok: true; text: string } | { ok: false; reason: 'too-large' | 'aborted' };

/**
 * Reads a request body up to `limit` bytes. Past the limit it stops keeping what arrives (the
 * caller answers 413 at once) and only discards the rest while the answer goes out, so memory
 * stays at the limit whatever the client sends.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: BodyResult) => {
      if (done) return;
      done = true;
      chunks = [];
      resolve(r);
    };
    req.on('data', (c: Buffer) => {
      if (done) return; // over the limit: discarded
      size += c.length;
      if (size > limit) return finish({ ok: false, reason: 'too-large' });
      chunks.push(c);
    });
    req.on('end', () => {
      if (done) return;
      const text = Buffer.concat(chunks, size).toString('utf8');
      done = true;
      chunks = [];
      resolve({ ok: true, text });
    });
    req.on('error', () => finish({ ok: false, reason: 'aborted' }));
    req.on('close', () => finish({ ok: false, reason: 'aborted' }));
  });
}

/**
 * Closes a connection whose request we refused before reading it all. Closing at once would
 * answer the client's remaining upload with a TCP reset, which can destroy our 413 before the
 * client reads it; so, like nginx's lingering close, we send our FIN, discard what still
 * arrives for a short while, then close. Node calls destroySoon() once a `Connection: close`
 * response is written.
 */
export function lingerOnClose(socket: Socket, ms = 2000): void {
  socket.destroySoon = function lingeringClose(this: Socket) {
    if (this.writable) this.end();
    const timer = setTimeout(() => this.destroy(), ms);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
    this.once('end', () => this.destroy());
    this.resume();
  };
}
