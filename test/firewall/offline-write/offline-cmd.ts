/**
 * firewall-offline-cmd for the offline-writes differential, without its start-up per call:
 * offline-cmd-server.py imports firewalld's modules once and runs each call in a forked child with
 * a private mount namespace binding the copy at /etc/firewalld (what `unshare -m` + `mount --bind`
 * did per shell). Output is stdout and stderr together (`2>&1`), the exit code the script's.
 * `test/firewall/offline-write/offline-cmd.int.test.ts` proves the answers and trees equal those
 * of separate processes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface OfflineCmdResult {
  code: number;
  out: string;
}

export interface OfflineCmd {
  /** firewall-offline-cmd ARGV with `etc` as /etc/firewalld. */
  run(etc: string, argv: string[]): Promise<OfflineCmdResult>;
  close(): Promise<void>;
}

const SERVER = path.join(import.meta.dirname, 'offline-cmd-server.py');

export function startOfflineCmd(): OfflineCmd {
  const proc: ChildProcessWithoutNullStreams = spawn('/usr/bin/python3', [SERVER], { stdio: ['pipe', 'pipe', 'pipe'] });
  const waiting = new Map<number, { resolve: (r: OfflineCmdResult) => void; reject: (e: Error) => void }>();
  let stderr = '';
  let ended: Error | undefined;
  let nextId = 0;
  proc.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-4000);
  });
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const r = JSON.parse(line) as { id: number; code: number; out: string };
    waiting.get(r.id)?.resolve({ code: r.code, out: r.out });
    waiting.delete(r.id);
  });
  const exited = new Promise<void>((resolve) => {
    proc.on('close', (code, signal) => {
      ended = new Error(`offline-cmd-server.py ended (${signal ?? code}): ${stderr.trim()}`);
      for (const w of waiting.values()) w.reject(ended);
      waiting.clear();
      resolve();
    });
  });
  proc.on('error', (e) => {
    ended = e;
  });
  return {
    run(etc, argv) {
      if (ended) return Promise.reject(ended);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        proc.stdin.write(`${JSON.stringify({ id, etc, argv })}\n`);
      });
    },
    async close() {
      proc.stdin.end();
      await exited;
    },
  };
}
