import { spawn } from 'node:child_process';
import { ApiError } from '../../../shared/api/errors';
import type { HelperRequest, HelperResponse } from '../../../shared/helper/protocol';
import { HELPER_BYTECODE_LOADER, helperBytecode, helperEnv, helperLaunch, helperRequestLine, noAnswerError, parseAnswer, type HelperOptions, type LocalHelperPlace } from '../../../electron/helper/local';
import { PYTHON3, helperSource } from '../../../electron/helper/source';

/** The helper's own bounds for `--session` (hostdeck-helper.py SESSION_MAX_REQUESTS). */
export const HELPER_SESSION_MAX_REQUESTS = 64;

/**
 * Several helper verbs through ONE helper process on this machine: one pkexec authorization (or
 * one python3 start when HostDeck is root), then one request per line, each checked by the helper
 * exactly as a single call would be. The helper ends the session itself at EOF (close()), after
 * 5 s without a request, 120 s after it started, or after 64 requests, so a session someone
 * forgets to close does not outlive its authorization.
 */
export interface HelperSession {
  /** Sends one request and waits for its answer (calls are answered in order). */
  call(request: HelperRequest): Promise<HelperResponse>;
  /** Ends the session (EOF to the helper) and waits for the helper to exit. */
  close(): Promise<void>;
}

const MAX_LINE = 8 * 1024 * 1024;

export async function openLocalHelperSession(opts: HelperOptions, place: LocalHelperPlace = {}): Promise<HelperSession> {
  const launch = helperLaunch(opts, place);
  let cmd = launch.cmd;
  let args = [...launch.args, '--session'];
  let prefix: Buffer | null = null;
  if (!launch.viaPkexec) {
    prefix = await helperBytecode();
    args = prefix ? ['-I', '-S', '-c', HELPER_BYTECODE_LOADER, ...args] : ['-I', '-S', '-c', helperSource, ...args];
    cmd = PYTHON3;
  }
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: helperEnv(place), shell: false });
  if (prefix) child.stdin.write(prefix);
  child.stdin.on('error', () => undefined);

  type Waiter = { resolve: (a: HelperResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };
  const waiting: Waiter[] = [];
  let pending = '';
  let stderr = '';
  let ended: Error | null = null;
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
    call(request) {
      const line = helperRequestLine(request);
      if (ended) return Promise.reject(ended);
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
