import { spawnSync } from 'node:child_process';
import { constants, openSync, closeSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { HostTransport } from '../../electron/hosts/transport';

/**
 * A hung file system for the tree transports, made real: every thread of libuv's pool is
 * blocked in open() of a FIFO that has no writer (what a dead NFS server does to a reader), so
 * no read of the transport can finish; release() opens the writers and the pool drains.
 */
export async function stallThreadPool(dir: string, make: (deadlineMs: number) => HostTransport): Promise<{ transport: HostTransport; deadlineMs: number; release: () => Promise<void> }> {
  const threads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  const fifos = Array.from({ length: threads }, (_, i) => path.join(dir, `stall-${i}`));
  for (const f of fifos) {
    const r = spawnSync('mkfifo', [f]);
    if (r.status !== 0) throw new Error(`mkfifo ${f} failed`);
  }
  const blocked = fifos.map((f) => fs.open(f, 'r'));
  // Let the pool pick them up before the read is queued behind them.
  await new Promise((r) => setTimeout(r, 100));
  const deadlineMs = 400;
  return {
    transport: make(deadlineMs),
    deadlineMs,
    release: async () => {
      // A writer (non-blocking: the readers are there) lets each open() return.
      const writers = fifos.map((f) => openSync(f, constants.O_WRONLY | constants.O_NONBLOCK));
      for (const h of await Promise.all(blocked)) await h.close();
      for (const w of writers) closeSync(w);
      await Promise.all(fifos.map((f) => fs.rm(f, { force: true })));
    },
  };
}
