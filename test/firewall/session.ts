import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostDeckEvent } from '../../shared/api/contract';
import { expect } from 'vitest';
import { ApiError } from '../../shared/api/errors';
import { Runtime } from '../../electron/api/runtime';
import { startFirewalldSandbox, type FirewalldSandbox, type SandboxOptions } from '../support/firewalld-sandbox';

/**
 * One sandboxed firewalld plus one HostDeck runtime pointed at it, with every pushed event
 * recorded. Shared by the tests of one file (starting firewalld takes seconds).
 */
export interface FwSession {
  sb: FirewalldSandbox;
  rt: Runtime;
  api: Runtime['api']['firewall'];
  events: HostDeckEvent[];
  root: string;
  /** Polls `cond` (every 20 ms) until it returns a truthy value or `ms` pass. */
  until<T>(cond: () => T | Promise<T>, ms?: number, what?: string): Promise<T>;
  /** firewall-cmd output split into words (lists like --list-ports). */
  words(...args: string[]): string[];
  close(): Promise<void>;
}

export async function openSession(opts: SandboxOptions & { sshdConfig?: string } = {}): Promise<FwSession> {
  const sb = await startFirewalldSandbox(opts);
  const root = mkdtempSync(join(tmpdir(), 'hostdeck-fwroot-'));
  mkdirSync(join(root, 'etc/ssh'), { recursive: true });
  writeFileSync(join(root, 'etc/ssh/sshd_config'), opts.sshdConfig ?? 'Port 22\n');
  const rt = new Runtime({ mode: 'cli', local: { root, procSys: '/proc/sys', systemBusAddress: sb.busAddress } });
  const events: HostDeckEvent[] = [];
  rt.events.subscribe((e) => events.push(e));
  const until = async <T>(cond: () => T | Promise<T>, ms = 3000, what = 'condition'): Promise<T> => {
    const start = Date.now();
    let last: unknown;
    for (;;) {
      try {
        const v = await cond();
        if (v) return v;
      } catch (e) {
        last = e;
      }
      if (Date.now() - start > ms) throw new Error(`Timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    sb,
    rt,
    api: rt.api.firewall,
    events,
    root,
    until,
    words: (...args) => sb.firewallCmd(...args).trim().split(/\s+/).filter(Boolean),
    async close() {
      await rt.dispose();
      await sb.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Awaits a call that must fail with an ApiError, and returns that error for its code and text. */
export async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected a rejection');
}
