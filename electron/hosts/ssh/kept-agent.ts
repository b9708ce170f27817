import type { ChildProcess } from 'node:child_process';
import { ApiError, isApiError } from '../../../shared/api/errors';
import { AGENT_PROTOCOL, agentSource } from './agent-source';
import { PYTHON3 } from './agent-command';
import { withDeadline, type SshLink } from './link';

/**
 * A kept read agent per SSH host, for the processes that live long (the app, `serve`): one
 * `python3` session over the host's master running hostdeck-agent.py's serve(), answering framed
 * requests (4-byte big-endian length + JSON) on its pipes. A refresh then costs one request on an
 * open pipe instead of an ssh session, a shell, python3's start and compiling ~24 KB of agent.
 *
 * It answers exactly the requests the one-shot agent answers (main()), as the same login user
 * (the agent never runs through sudo), and holds one of the link's read slots while it lives.
 * Requests go one at a time (a queue). A host that sends garbage, an oversize frame or nothing is
 * a clear error naming the host, and that session is ended (the next read starts a fresh one); a
 * session that ended under a request (agent killed, host rebooted, link lost) is replaced once,
 * transparently, then the error is reported as the one-shot agent's would be. This side closes a
 * session before the agent's own idle, lifetime or request limit could end it under a request.
 */

/** What the agent answers (hostdeck-agent.py main()). */
export interface AgentAnswer {
  protocol: number;
  result?: unknown;
  error?: { code: string; message: string };
}

/** The agent's own limits (passed to serve()); this side stays inside them by the margins below. */
const AGENT_LIFETIME_S = 600;
const AGENT_MAX_REQUESTS = 1000;
/** The agent waits this much longer than this side keeps it idle. */
const AGENT_IDLE_MARGIN_S = 10;
const IDLE_MARGIN_MS = 5_000;
const LIFETIME_MARGIN_MS = 30_000;
/** Largest answer taken (a batch of files read whole, base64, and firewalld's full state fit well within). */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
/** What a login script may print before the agent's hello (the one-shot path skips it too). */
const MAX_NOISE_BYTES = 64 * 1024;
const HELLO = /hostdeck-agent serve (\d+) pid=(\d+)\n/;

/**
 * Reads exactly the program's length (10 digits) and the program with os.read, so nothing past it
 * is buffered away from serve(); then runs it. Python's `-` would read the program until EOF.
 */
const BOOTSTRAP = 'import os,sys;r=lambda n,b=b"":b if len(b)>=n else r(n,b+(os.read(0,n-len(b)) or sys.exit(3)));exec(compile(r(int(r(10))),"hostdeck-agent","exec"))';
export const KEPT_AGENT_COMMAND = `${PYTHON3} -I -c '${BOOTSTRAP}'`;

/** The length-prefixed program for a session kept idleS seconds (the bootstrap's input). */
export function keptAgentProgram(idleS: number): Buffer {
  const src = Buffer.from(`${agentSource}\nserve(${idleS}, ${AGENT_LIFETIME_S}, ${AGENT_MAX_REQUESTS})\n`, 'utf8');
  return Buffer.concat([Buffer.from(String(src.length).padStart(10, '0'), 'ascii'), src]);
}

/** The host has no python3 (same words as the one-shot agent's). */
export function noPython3(host: string): ApiError {
  return new ApiError('UNSUPPORTED', `${host} has no ${PYTHON3}: HostDeck reads remote hosts with Python 3's standard library. Install it there (apt install python3-minimal, or dnf install python3)`, {
    missing: PYTHON3,
  });
}

/** Whether a session's exit says the host has no python3 (the shell's 127, or its words). */
export const lacksPython3 = (code: number | null, stderr: string): boolean => code === 127 || /python3: (No such file|not found)/.test(stderr);

/** A session that ended under a request without a fault of its answers: worth one fresh session. */
class SessionEnded extends ApiError {
  constructor(
    readonly host: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super('HOST_UNREACHABLE', `The read agent on ${host} ended (exit ${exitCode}) before answering${stderr.trim() ? `: ${stderr.trim().slice(-500)}` : ''}`);
  }

  /** As the one-shot agent reports the same end (linkDown: the link was lost under it). */
  reported(what: string, linkDown: boolean): ApiError {
    if (lacksPython3(this.exitCode, this.stderr)) return noPython3(this.host);
    if (this.exitCode === 255 || linkDown) return new ApiError('HOST_UNREACHABLE', `Lost the connection to ${this.host} while ${what}`, { stderr: this.stderr.trim() });
    return new ApiError('INTERNAL', `The read agent on ${this.host} gave no answer (exit ${this.exitCode}): ${this.stderr.trim().slice(-500)}`);
  }
}

/** One kept agent process on the host (one ssh session). */
class AgentSession {
  readonly startedAt = Date.now();
  lastAnswerAt = Date.now();
  sent = 0;
  /** The agent's pid on the host (from its hello), once it said it. */
  remotePid: number | null = null;
  /** Why it ended; null while it runs. */
  ended: ApiError | null = null;
  private readonly chunks: Buffer[] = [];
  private have = 0;
  private greeted = false;
  private frameLength: number | null = null;
  private pending: { resolve: (a: AgentAnswer) => void; reject: (e: unknown) => void } | null = null;
  private stderr = '';
  private readonly exited: Promise<void>;

  constructor(
    private readonly child: ChildProcess,
    private readonly host: string,
    readonly idleMs: number,
  ) {
    child.stdout!.on('data', (b: Buffer) => this.data(b));
    child.stderr!.on('data', (b: Buffer) => (this.stderr = (this.stderr + b.toString('utf8')).slice(-8192)));
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    child.once('close', (code: number | null) => this.end(new SessionEnded(host, code, this.stderr)));
    child.once('error', (e) => this.end(new ApiError('UNSUPPORTED', `Cannot run ssh for ${host}'s read agent: ${e.message}`)));
  }

  /** Sends the program (first) or a request, and waits for its answer within timeoutMs. */
  request(request: Record<string, unknown>, timeoutMs: number, what: string, withProgram?: Buffer): Promise<AgentAnswer> {
    if (this.ended) return Promise.reject(this.ended);
    const body = Buffer.from(JSON.stringify(request), 'utf8');
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    this.sent++;
    return new Promise<AgentAnswer>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new ApiError('TIMEOUT', `${this.host}: no answer from the read agent within ${Math.round(timeoutMs / 1000)} s while ${what}`)), timeoutMs);
      this.pending = {
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.child.stdin!.write(withProgram ? Buffer.concat([withProgram, head, body]) : Buffer.concat([head, body]));
    });
  }

  /** EOF to the agent (it exits); killed if it has not within 2 s. Resolves when it is gone. */
  close(): Promise<void> {
    this.end(new ApiError('HOST_UNREACHABLE', `The read agent on ${this.host} was closed`));
    this.child.stdin!.end();
    const guard = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    guard.unref();
    return this.exited.finally(() => clearTimeout(guard));
  }

  /** A fault of the agent's answers: the session is ended, the request gets the error. */
  private fail(e: ApiError): void {
    this.end(e);
    this.child.kill('SIGKILL');
  }

  private end(e: ApiError): void {
    if (this.ended) return;
    this.ended = e;
    const p = this.pending;
    this.pending = null;
    p?.reject(e);
  }

  private data(b: Buffer): void {
    if (this.ended) return;
    this.chunks.push(b);
    this.have += b.length;
    for (;;) {
      if (!this.greeted) {
        const text = Buffer.concat(this.chunks, this.have).toString('latin1');
        const m = HELLO.exec(text);
        if (!m) {
          if (this.have > MAX_NOISE_BYTES) this.fail(this.garbage(`${this.have} bytes without its greeting`));
          return;
        }
        if (Number(m[1]) !== AGENT_PROTOCOL) {
          this.fail(new ApiError('UNSUPPORTED', `The read agent on ${this.host} speaks protocol ${m[1]}, expected ${AGENT_PROTOCOL}`));
          return;
        }
        this.greeted = true;
        this.remotePid = Number(m[2]);
        this.keep(m.index + m[0].length);
        continue;
      }
      if (this.frameLength === null) {
        if (this.have < 4) return;
        const n = Buffer.concat(this.chunks, this.have).readUInt32BE(0);
        if (n > MAX_ANSWER_BYTES) {
          this.fail(new ApiError('TOO_LARGE', `The read agent on ${this.host} announced an answer of ${n} bytes (HostDeck takes at most ${MAX_ANSWER_BYTES}): its session was ended`));
          return;
        }
        this.frameLength = n;
        this.keep(4);
      }
      if (this.have < this.frameLength) return;
      const frame = Buffer.concat(this.chunks, this.have).subarray(0, this.frameLength);
      this.keep(this.frameLength);
      this.frameLength = null;
      this.answer(frame);
      if (this.ended) return;
    }
  }

  /** Drops the first n bytes read. */
  private keep(n: number): void {
    const rest = Buffer.concat(this.chunks, this.have).subarray(n);
    this.chunks.length = 0;
    if (rest.length) this.chunks.push(rest);
    this.have = rest.length;
  }

  private answer(frame: Buffer): void {
    const p = this.pending;
    if (!p) {
      this.fail(this.garbage('an answer nobody asked for'));
      return;
    }
    let a: unknown;
    try {
      a = JSON.parse(frame.toString('utf8'));
    } catch {
      this.fail(this.garbage('an answer that is not JSON'));
      return;
    }
    if (typeof a !== 'object' || a === null || typeof (a as AgentAnswer).protocol !== 'number') {
      this.fail(this.garbage('an answer without its protocol'));
      return;
    }
    this.pending = null;
    this.lastAnswerAt = Date.now();
    p.resolve(a as AgentAnswer);
  }

  private garbage(what: string): ApiError {
    return new ApiError('PARSE_ERROR', `The read agent on ${this.host} sent ${what}: its session was ended`);
  }
}

/** A host's kept agent: at most one session at a time, opened on demand, closed after keepMs idle. */
export class KeptAgent {
  private session: AgentSession | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly closing = new Set<Promise<void>>();
  private readonly idleS: number;
  private disposed = false;

  constructor(
    private readonly link: SshLink,
    private readonly keepMs: number,
    private readonly log?: (line: string) => void,
  ) {
    this.idleS = Math.ceil(keepMs / 1000) + AGENT_IDLE_MARGIN_S;
  }

  /** The kept agent's pid on the host, or null (tests, debugging). */
  get remotePid(): number | null {
    return this.session && !this.session.ended ? this.session.remotePid : null;
  }

  /** One request, after the ones before it, answered within timeoutMs of its turn with the link up (as SshLink.exec counts). */
  run(request: Record<string, unknown>, timeoutMs: number, what: string): Promise<AgentAnswer> {
    const turn = this.tail.then(() => this.runNow(request, timeoutMs, what));
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /** For good (the host's transport is disposed): a read still opening its session closes it and fails. */
  dispose(): Promise<void> {
    this.disposed = true;
    return this.close();
  }

  /** Ends the session now (EOF to the agent); resolves when every session this made has exited. */
  async close(): Promise<void> {
    this.stopIdleTimer();
    this.drop();
    await Promise.all([...this.closing]);
  }

  private async runNow(request: Record<string, unknown>, timeoutMs: number, what: string): Promise<AgentAnswer> {
    this.stopIdleTimer();
    try {
      // A slow login (many masters starting at once) must not leave the read itself no time.
      const host = this.link.destination.text;
      await withDeadline(this.link.connect(), timeoutMs, () => new ApiError('HOST_UNREACHABLE', `${host} did not answer within ${Math.round(timeoutMs / 1000)} s`));
      const deadline = Date.now() + timeoutMs;
      const left = () => Math.max(1000, deadline - Date.now());
      for (let attempt = 0; ; attempt++) {
        const fresh = !this.session || !usable(this.session);
        if (fresh) this.drop();
        const s = this.session ?? (this.session = await this.open(left()));
        try {
          return await s.request(request, left(), what, fresh ? keptAgentProgram(this.idleS) : undefined);
        } catch (e) {
          this.drop();
          // No answer in time: if the link itself does not answer either, the host is unreachable
          // (as the runtime reports a one-shot read that timed out on a dead link); ServerAlive
          // may not have noticed yet on a busy machine.
          if (isApiError(e) && e.code === 'TIMEOUT' && !(await this.link.probe(3000))) {
            throw new ApiError('HOST_UNREACHABLE', `Lost the connection to ${this.link.destination.text} while ${what}`);
          }
          if (!(e instanceof SessionEnded)) throw e;
          // A lost link is reported at once, as a one-shot read's: a new session would only wait for the reconnect.
          const linkDown = this.link.status.state !== 'connected';
          if (attempt > 0 || linkDown) throw e.reported(what, linkDown);
          this.log?.(`kept read agent on ${this.link.destination.text} ended (exit ${e.exitCode}); starting a new one`);
        }
      }
    } finally {
      this.armIdleTimer();
    }
  }

  private async open(timeoutMs: number): Promise<AgentSession> {
    const closed = () => new ApiError('HOST_UNREACHABLE', `${this.link.destination.text}: the host was removed`);
    if (this.disposed) throw closed();
    const child = await this.link.spawnSession(KEPT_AGENT_COMMAND, timeoutMs, 'read');
    const s = new AgentSession(child, this.link.destination.text, this.idleS * 1000);
    if (this.disposed) {
      // Disposed while it started: it must not outlive the transport.
      void s.close();
      throw closed();
    }
    return s;
  }

  private drop(): void {
    const s = this.session;
    this.session = null;
    if (!s) return;
    const c = s.close();
    this.closing.add(c);
    void c.finally(() => this.closing.delete(c));
  }

  private stopIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private armIdleTimer(): void {
    this.stopIdleTimer();
    this.idleTimer = setTimeout(() => this.drop(), this.keepMs);
    this.idleTimer.unref();
  }
}

/** Safe to send a request into: the agent will not reach its idle, lifetime or request limit before answering. */
function usable(s: AgentSession): boolean {
  const now = Date.now();
  return !s.ended && s.sent < AGENT_MAX_REQUESTS - 1 && now - s.startedAt < AGENT_LIFETIME_S * 1000 - LIFETIME_MARGIN_MS && now - s.lastAnswerAt < s.idleMs - IDLE_MARGIN_MS;
}
