/**
 * The read deadline means "firewalld answered nothing for N s", not "this call took N s": a
 * firewalld that handles calls one at a time (a non-root login: a blocking polkit check per call)
 * and answers each after 100 ms is read in full with 16 calls in flight and a 1 s deadline,
 * though the 16th call waits 1.6 s behind the others; a frozen one is still reported within the
 * deadline. Real dbus-daemon on a private bus, firewalld played by a python dbus service.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../../../shared/api/errors';
import { FirewalldClient } from '../../../electron/firewall/client';

let dir: string;
let daemon: ChildProcess;
let service: ChildProcess;
let address: string;

function started(child: ChildProcess, line: RegExp, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (l) => {
      const m = line.exec(l);
      if (m) resolve(m[1] ?? l);
    });
    child.on('exit', (code) => reject(new Error(`${what} exited (${code}) before it was ready`)));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hostdeck-hosts-busdeadline-'));
  daemon = spawn('dbus-daemon', ['--session', `--address=unix:path=${join(dir, 'bus')}`, '--nofork', '--nopidfile', '--print-address'], { stdio: ['ignore', 'pipe', 'inherit'] });
  address = (await started(daemon, /^(unix:.*)$/, 'dbus-daemon')).trim();
  service = spawn('/usr/bin/python3', [join(__dirname, 'slow-firewalld.py'), address, '0.1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await started(service, /^ready$/, 'the slow firewalld');
});

afterAll(() => {
  if (service?.pid) process.kill(service.pid, 'SIGCONT');
  service?.kill('SIGKILL');
  daemon?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('read deadline on a firewalld that answers one call at a time', () => {
  it('reads 40 calls in full though most wait longer than the deadline behind the others', async () => {
    const c = new FirewalldClient({ busAddress: address, authorizeAll: false, readTimeoutMs: 1000 });
    const stalls: string[] = [];
    c.on('answering', (a) => a.answering || stalls.push(a.reason ?? ''));
    try {
      await c.ready();
      const results = await Promise.allSettled(Array.from({ length: 40 }, () => c.call('.getDefaultZone')));
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message)] : []));
      expect(failed).toEqual([]);
      expect(results.map((r) => (r as PromiseFulfilledResult<unknown[]>).value[0])).toEqual(Array(40).fill('public'));
      expect(stalls).toEqual([]);
      expect(c.peakInFlight).toBe(16);
    } finally {
      c.dispose();
    }
  });

  it('still reports a frozen firewalld as not answering within the deadline', async () => {
    const c = new FirewalldClient({ busAddress: address, authorizeAll: false, readTimeoutMs: 1000 });
    try {
      // Calls an earlier test gave up on may still be queued at the service: wait them out first.
      await c.connect();
      await c.rawCall('.getDefaultZone', [], { timeoutMs: 30_000 });
      await c.ready();
      process.kill(service.pid!, 'SIGSTOP');
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => c.call('.getDefaultZone')));
      for (const r of results) {
        expect(r.status).toBe('rejected');
        const e = (r as PromiseRejectedResult).reason as ApiError;
        expect(e.code).toBe('TIMEOUT');
        expect(e.message).toMatch(/^firewalld is not answering: no reply within 1 s while calling getDefaultZone/);
      }
      expect(c.answering).toBe(false);
      // That a call which timed out moves no other call's deadline is sent-order.test.ts's (fake
      // clock): no timing assertion here.
    } finally {
      process.kill(service.pid!, 'SIGCONT');
      c.dispose();
    }
  });
});
