import { spawn } from 'node:child_process';
import { ApiError } from '../../shared/api/errors';
import type { HelperRequest, HelperResponse } from '../../shared/helper/protocol';
import { HELPER_BYTECODE_LOADER, adoptHandedBackBytecode, directHelperStarts, directLoaderPrefix, helperEnv, helperLaunch, helperRequestLine, noAnswerError, parseAnswer, type HelperOptions, type LocalHelperPlace } from './local';
import { PYTHON3 } from './source';

/** The helper's own bounds for `--session` (hostdeck-helper.py SESSION_MAX_REQUESTS, SESSION_LIFETIME, SESSION_IDLE, SESSION_IDLE_MAX). */
export const HELPER_SESSION_MAX_REQUESTS = 64;
export const HELPER_SESSION_LIFETIME_MS = 120_000;
export const HELPER_SESSION_IDLE_MS = 5_000;
export const HELPER_SESSION_IDLE_MAX_S = 300;

/**
 * Several helper verbs through ONE helper process on this machine: one pkexec authorization (or
 * one python3 start when HostDeck is root), then one request per line on the process's stdin
 * pipe (its only channel: no socket, no file), each checked by the helper exactly as a single
 * call would be. The helper ends the session itself at EOF (close(), or this process dying), after
 * its idle time without a request, 120 s after it started, or after 64 requests, so a session
 * someone forgets to close does not outlive its authorization.
 */
export interface HelperSession {
  /** Sends one request and waits for its answer (calls are answered in order). */
  call(request: HelperRequest): Promise<HelperResponse>;
  /** Ends the session (EOF to the helper) and waits for the helper to exit. */
  close(): Promise<void>;
  /** The helper's process (pkexec's, through pkexec). */
  readonly pid: number | undefined;
  /** True once the helper has exited or failed: open a new session. */
  readonly ended: boolean;
  /** Requests sent so far. */
  readonly sent: number;
  /** When it was started and last answered (Date.now()). */
  readonly startedAt: number;
  readonly lastAnswerAt: number;
  /** The helper's idle time, ms (it exits that long after its last answer). */
  readonly idleMs: number;
}

const MAX_LINE = 8 * 1024 * 1024;

export interface SessionOptions {
  /** The helper's idle time in whole seconds (--idle), 1..300; its own default (5 s) when absent. */
  idleSeconds?: number;
}

export async function openLocalHelperSession(opts: HelperOptions, place: LocalHelperPlace = {}, so: SessionOptions = {}): Promise<HelperSession> {
  const launch = helperLaunch(opts, place);
  const idle = so.idleSeconds === undefined ? [] : ['--idle', String(Math.min(HELPER_SESSION_IDLE_MAX_S, Math.max(1, Math.ceil(so.idleSeconds))))];
  let cmd = launch.cmd;
  let args = [...launch.args, '--session', ...idle];
  let prefix: Buffer | null = null;
  let handsBack = false;
  if (!launch.viaPkexec) {
    ({ prefix, handsBack } = await directLoaderPrefix());
    args = ['-I', '-S', '-c', HELPER_BYTECODE_LOADER, ...args];
    cmd = PYTHON3;
    directHelperStarts.run++;
  }
  const child = spawn(cmd, args, { stdio: handsBack ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'], env: helperEnv(place), shell: false });
  if (handsBack) {
    const back: Buffer[] = [];
    child.stdio[3]!.on('data', (b: Buffer) => back.push(b));
    child.stdio[3]!.on('end', () => adoptHandedBackBytecode(Buffer.concat(back)));
  }
  if (prefix) child.stdin.write(prefix);
  child.stdin.on('error', () => undefined);

  type Waiter = { resolve: (a: HelperResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };
  const waiting: Waiter[] = [];
  let pending = '';
  let stderr = '';
  let ended: Error | null = null;
  let sent = 0;
  const startedAt = Date.now();
  let lastAnswerAt = startedAt;
  const exited = new Promise<void>((res) => child.once('close', () => res()));
  const failAll = (e: Error) => {
    ended ??= e;
    for (const w of waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(e);
    }
  };
  child.stdout.on('data', (b: Buffer) => {
    pending += b.toString('utf8');
    if (pending.length > MAX_LINE) {
      child.kill('SIGKILL');
      failAll(new ApiError('INTERNAL', 'The helper answered more than 8 MiB'));
      return;
    }
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      lastAnswerAt = Date.now();
      const w = waiting.shift();
      if (!w) continue;
      clearTimeout(w.timer);
      const answer = parseAnswer(line);
      if (answer) w.resolve(answer);
      else w.reject(new ApiError('INTERNAL', 'The helper answered outside its protocol'));
    }
  });
  child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString('utf8')).slice(-8000)));
  child.on('error', (e) => failAll(new ApiError('UNSUPPORTED', `Cannot start ${cmd}: ${e.message}`, { path: cmd })));
  child.on('close', (code, signal) => failAll(noAnswerError(code, signal, stderr.trim(), launch.viaPkexec)));

  return {
    get pid() {
      return child.pid;
    },
    get ended() {
      return ended !== null;
    },
    get sent() {
      return sent;
    },
    startedAt,
    get lastAnswerAt() {
      return lastAnswerAt;
    },
    idleMs: so.idleSeconds === undefined ? HELPER_SESSION_IDLE_MS : Number(idle[1]) * 1000,
    call(request) {
      const line = helperRequestLine(request);
      if (ended) return Promise.reject(ended);
      sent++;
      return new Promise<HelperResponse>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          failAll(new ApiError('TIMEOUT', `The helper did not answer within ${Math.round(launch.timeoutMs / 1000)} s`, { timeoutMs: launch.timeoutMs }));
        }, launch.timeoutMs);
        waiting.push({ resolve, reject, timer });
        child.stdin.write(`${line}\n`);
      });
    },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}
