import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { AsyncResource } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, chmodSync, writeFileSync, readFileSync, openSync, closeSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { ApiError } from '../../../shared/api/errors';
import { destinationArgs, type SshDestination } from '../../../shared/hosts/destination';
import { sshOptionProblem } from '../../../shared/hosts/ssh-option-check';
import type { HostLinkState } from '../../../shared/hosts/contract';

/**
 * One SSH link to one host: the system `ssh` binary (the user's ~/.ssh/config, agent,
 * ProxyJump, certificates and known_hosts all apply) with one ControlMaster that HostDeck owns
 * and ends. Every session runs over the master (`ssh -S CONTROLPATH`), at most `maxSessions` at
 * once (sshd's MaxSessions defaults to 10; past it ssh silently opens a new connection).
 *
 * Background connections never ask anything: BatchMode=yes and StrictHostKeyChecking=yes. A first
 * contact goes through `probeHostKey` / `acceptHostKey` (askpass that answers only for the
 * fingerprint the user accepted). HostDeck stores no secret: keys stay with ssh and ssh-agent.
 *
 * Link loss (master exits: killed, ServerAlive timeout on a black-holed link) rejects every
 * pending session with HOST_UNREACHABLE and reconnects with backoff while `keepAlive`.
 */

export interface LinkStatus {
  state: HostLinkState;
  message: string;
  /** SHA256 fingerprint ssh reported (unknown or changed key). */
  fingerprint?: string;
  /** ssh's own words (e.g. the changed-host-key warning). */
  sshSays?: string;
  since: number;
  /** When the host last answered (connected, or a session over the link finished). */
  lastSeen?: number;
  /** When HostDeck tries to reconnect next (while the link is down and reconnecting). */
  nextAttempt?: number;
}

/** "last seen 15:02:11 (40 s ago), next reconnect in 8 s" for a link that is down. */
export function outageText(s: Pick<LinkStatus, 'lastSeen' | 'nextAttempt'>, now = Date.now()): string {
  const ago = (t: number) => {
    const secs = Math.max(0, Math.round((now - t) / 1000));
    return secs < 120 ? `${secs} s ago` : `${Math.round(secs / 60)} min ago`;
  };
  const parts = [
    s.lastSeen ? `last seen ${new Date(s.lastSeen).toLocaleTimeString('en-GB', { hour12: false })} (${ago(s.lastSeen)})` : 'not seen since HostDeck started',
    s.nextAttempt ? `next reconnect in ${Math.max(0, Math.round((s.nextAttempt - now) / 1000))} s` : 'no reconnect scheduled',
  ];
  return parts.join(', ');
}

export interface SshLinkOptions {
  destination: SshDestination;
  /** -F FILE (tests, or HOSTDECK_SSH_CONFIG); default: ssh's own (~/.ssh/config). */
  sshConfig?: string;
  /** 0700 directory for the control socket (created when absent). */
  runtimeDir: string;
  connectTimeoutMs?: number;
  /** ServerAliveInterval (s) x ServerAliveCountMax: how soon a silent (black-holed) link counts as lost. */
  aliveIntervalS?: number;
  aliveCountMax?: number;
  maxSessions?: number;
  ssh?: string;
  log?: (line: string) => void;
  /** Extra "Key=Value" ssh options of a saved host (IdentityFile, ProxyJump, ...), checked by shared/hosts/ssh-options.ts. */
  options?: string[];
  /**
   * CLI: keep the master this many seconds after its last session (ControlPersist), in the
   * shared `runtimeDir` (electron/hosts/ssh/control-dir.ts), and reuse a live one (one that
   * accepts on its socket); dispose() then leaves it to expire. 0 (default): HostDeck owns and ends its master.
   */
  persistS?: number;
  /** This process's own 0700 directory for bus sockets and scratch files (default runtimeDir); never shared between runs. */
  sessionDir?: string;
}

export interface ExecOptions {
  /**
   * What the command reads on stdin. A promise: the session starts at once and its input is
   * written when the promise settles (a head start, see startHead: the command waits for it).
   */
  input?: Input;
  timeoutMs?: number;
  /** What the call is doing, for error messages. */
  what?: string;
}

type Input = string | Buffer | Promise<string | Buffer | undefined>;

/** Writes a session's input, now or when a head start's input is given. */
function writeInput(child: ChildProcess, input: Input | undefined): void {
  if (input instanceof Promise) input.then((v) => child.stdin?.end(v ?? ''), () => child.stdin?.end(''));
  else child.stdin?.end(input ?? '');
}

export interface ExecResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

const SSH = '/usr/bin/ssh';
/** Sessions kept for D-Bus bridges (one shared bus per host needs one; a second covers a reconnect overlapping the old one). */
const BRIDGE_SESSIONS = 2;
/** Sessions kept for kernel-log readers (the host's one follower, and a one-shot read beside it): with the others, sshd's default MaxSessions of 10. */
const LOG_SESSIONS = 2;

/** sh -c script: runs "$@" (ssh) and ends it when our stdin pipe closes; exits with ssh's status. */
const MASTER_WATCHDOG = 'exec 3<&0; "$@" </dev/null & p=$!; { cat <&3 >/dev/null 2>&1; kill "$p" 2>/dev/null; } >/dev/null 2>&1 & wait "$p"';

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

export class SshLink extends EventEmitter<{ status: [LinkStatus] }> {
  readonly destination: SshDestination;
  readonly controlPath: string;
  /** This process's bus socket for the host: in the per-process sessionDir, so two CLI runs never collide. */
  readonly busSocketPath: string;
  private readonly opts: Required<Omit<SshLinkOptions, 'sshConfig' | 'log' | 'options' | 'sessionDir'>> & Pick<SshLinkOptions, 'sshConfig' | 'log' | 'options' | 'sessionDir'>;
  private master: ChildProcess | undefined;
  /** A persisted master (ours from an earlier run or this one) that lives on its own: not a child, never ended here. */
  private adopted = false;
  private connecting: Promise<void> | undefined;
  private _status: LinkStatus = { state: 'idle', message: 'Not connected yet', since: Date.now() };
  private readonly waiting: (() => void)[] = [];
  private active = 0;
  /** D-Bus bridges open: they have slots of their own, so reads never starve the bus (nor the bus the reads). */
  private bridges = 0;
  /** Kernel-log readers open (slots of their own, as the bridges). */
  private logReaders = 0;
  private peak = 0;
  private readonly live = new Set<{ child: ChildProcess; fail: (e: ApiError) => void }>();
  private reconnectTimer: NodeJS.Timeout | undefined;
  private lastSeenAt: number | undefined;
  private nextAttemptAt: number | undefined;
  private backoffMs = 1000;
  private disposed = false;
  /** Set when a fresh connection was refused (changed key, login refused): no automatic reconnect. */
  private blocked: Omit<LinkStatus, 'since'> | undefined;
  private refusal: ApiError | undefined;
  /** Reconnect by itself after a loss (set while someone uses the host). */
  keepAlive = true;

  constructor(opts: SshLinkOptions) {
    super();
    this.destination = opts.destination;
    this.opts = {
      connectTimeoutMs: 10_000,
      aliveIntervalS: 2,
      aliveCountMax: 2,
      maxSessions: 6,
      ssh: SSH,
      persistS: 0,
      ...opts,
    };
    for (const o of opts.options ?? []) {
      const why = sshOptionProblem(o);
      if (why) throw new ApiError('INVALID_VALUE', `${opts.destination.text}: ${why}`);
    }
    // Other options may be another way to the host (another key, a jump host): another master.
    const id = createHash('sha256').update(`${opts.sshConfig ?? ''}\0${opts.destination.text}${(opts.options ?? []).map((o) => `\0${o}`).join('')}`).digest('hex').slice(0, 16);
    this.controlPath = join(opts.runtimeDir, `cm-${id}`);
    this.busSocketPath = join(opts.sessionDir ?? opts.runtimeDir, `bus-${id}.sock`);
  }

  private get hasMaster(): boolean {
    return !!this.master || this.adopted;
  }

  get status(): LinkStatus {
    return this._status;
  }

  get sessionsInUse(): number {
    return this.active;
  }

  /** Most sessions ever open at once over this link (never above maxSessions). */
  get peakSessions(): number {
    return this.peak;
  }

  /**
   * Why ssh last refused to connect (host key unknown or changed, login refused), until a
   * connection succeeds: a call that ran into it through a layer that words it otherwise (a bus
   * bridge "not answering") is answered with ssh's own reason.
   */
  get lastRefusal(): ApiError | undefined {
    return this.refusal;
  }

  /** A connection ssh did not make: the link's status says why, and a refusal is kept (lastRefusal). */
  private failedConnecting(err: ApiError, sshSays: string): void {
    this.refusal = errState(err) === 'unreachable' ? undefined : err;
    this.setStatus({ state: errState(err), message: err.message, fingerprint: (err.detail as { fingerprint?: string })?.fingerprint, sshSays: sshSays.trim() || undefined });
  }

  private setStatus(s: Omit<LinkStatus, 'since'>): void {
    if (s.state === 'connected') {
      this.lastSeenAt = Date.now();
      this.refusal = undefined;
    }
    const changed = s.state !== this._status.state || s.message !== this._status.message;
    this._status = { ...s, since: changed ? Date.now() : this._status.since, lastSeen: this.lastSeenAt, nextAttempt: this.nextAttemptAt };
    if (changed) this.emit('status', this._status);
  }

  /** Options common to every ssh run (master, sessions, probes). */
  private baseArgs(controlPath = this.controlPath): string[] {
    // ssh keeps the FIRST value given for an option: callers pass ControlPath here, never after.
    const a: string[] = [];
    if (this.opts.sshConfig) a.push('-F', this.opts.sshConfig);
    a.push(
      '-o', `ControlPath=${controlPath}`,
      '-o', 'LogLevel=ERROR',
      '-o', `ConnectTimeout=${Math.ceil(this.opts.connectTimeoutMs / 1000)}`,
      '-o', `ServerAliveInterval=${this.opts.aliveIntervalS}`,
      '-o', `ServerAliveCountMax=${this.opts.aliveCountMax}`,
      '-o', 'ClearAllForwardings=yes',
      '-o', 'ForwardAgent=no',
      '-o', 'ForwardX11=no',
      '-o', 'PermitLocalCommand=no',
      '-o', 'RequestTTY=no',
    );
    // After HostDeck's own: ssh keeps the first value, so these cannot undo the ones above.
    for (const o of this.opts.options ?? []) a.push('-o', o);
    return a;
  }

  /**
   * Resolves when calls may start: the link is up, or (CLI, masters kept between runs) none is
   * up yet and the first session will open it itself (see found()): waiting for a master here
   * first would put a login and the first command in sequence, two stages where plain
   * `ssh HOST CMD` has one. Rejects as connect() does for a host already refused.
   */
  ready(): Promise<void> {
    return this.mayFound() ? Promise.resolve() : this.connect();
  }

  /** CLI with masters kept: nothing is up or starting, so the next session may become the master. */
  private mayFound(): boolean {
    return this.opts.persistS > 0 && !this.disposed && !this.blocked && !this.hasMaster && !this.connecting;
  }

  /** Opens the master if it is not up. Rejects with HOST_KEY_UNKNOWN, HOST_KEY_CHANGED, AUTH_FAILED or HOST_UNREACHABLE. */
  connect(): Promise<void> {
    if (this.disposed) return Promise.reject(new ApiError('HOST_UNREACHABLE', `${this.destination.text}: the host was removed`));
    if (this.blocked) return Promise.reject(new ApiError(this.blocked.state === 'host-key-changed' ? 'HOST_KEY_CHANGED' : this.blocked.state === 'auth-failed' ? 'AUTH_FAILED' : 'HOST_KEY_UNKNOWN', this.blocked.message));
    if (this.hasMaster && this._status.state === 'connected') return Promise.resolve();
    this.connecting ??= (this.opts.persistS > 0 ? this.openPersistedMaster() : this.openMaster()).finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private ensureDir(): void {
    const dir = this.opts.runtimeDir;
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory() || (st.mode & 0o077) !== 0 || (process.getuid && st.uid !== process.getuid())) {
      throw new ApiError('IO_ERROR', `${dir} must be a private directory (0700) owned by this user`);
    }
  }

  private openMaster(): Promise<void> {
    this.ensureDir();
    clearTimeout(this.reconnectTimer);
    this.nextAttemptAt = undefined;
    this.reconnectTimer = undefined;
    rmSync(this.controlPath, { force: true });
    this.setStatus({ state: 'connecting', message: `Connecting to ${this.destination.text}` });
    const args = [
      ...this.baseArgs(),
      '-N',
      '-o', 'ControlMaster=yes',
      '-o', 'ControlPersist=no',
      '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', 'ExitOnForwardFailure=yes',
      ...destinationArgs(this.destination),
    ];
    this.opts.log?.(`ssh ${args.join(' ')}`);
    // The master lives exactly as long as HostDeck: a small sh watchdog holds the read end of a
    // pipe from this process and ends ssh when it closes (HostDeck quitting or crashing), so no
    // orphaned master keeps a login open. The group (detached) is what killMaster() ends.
    const child = spawn('/bin/sh', ['-c', MASTER_WATCHDOG, 'hostdeck-ssh-master', this.opts.ssh, ...args], {
      stdio: ['pipe', 'ignore', 'pipe'],
      env: sshEnv(),
      detached: true,
    });
    child.stdin!.on('error', () => undefined);
    this.master = child;
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString('utf8')).slice(-16_384);
    });
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const poll = setInterval(() => {
        if (existsSync(this.controlPath)) {
          settled = true;
          clearInterval(poll);
          clearTimeout(deadline);
          this.backoffMs = 1000;
          this.setStatus({ state: 'connected', message: `Connected to ${this.destination.text}` });
          resolve();
        }
      }, 15);
      const deadline = setTimeout(() => {
        if (settled) return;
        settled = true;
        clearInterval(poll);
        killGroup(child, 'SIGKILL');
        const e = new ApiError('HOST_UNREACHABLE', `${this.destination.text} did not answer within ${Math.round(this.opts.connectTimeoutMs / 1000)} s`, {
          destination: this.destination.text,
        });
        this.setStatus({ state: 'unreachable', message: e.message });
        reject(e);
      }, this.opts.connectTimeoutMs + 2000);
      child.on('error', (e) => {
        if (settled) return;
        settled = true;
        clearInterval(poll);
        clearTimeout(deadline);
        const err = new ApiError('UNSUPPORTED', `Cannot run ${this.opts.ssh}: ${e.message}. Install the OpenSSH client (apt install openssh-client)`);
        this.setStatus({ state: 'unreachable', message: err.message });
        reject(err);
      });
      child.on('close', (code, signal) => {
        child.stdin?.end();
        if (this.master === child) this.master = undefined;
        if (!settled) {
          settled = true;
          clearInterval(poll);
          clearTimeout(deadline);
          const err = classifySshFailure(stderr, this.destination.text);
          this.failedConnecting(err, stderr);
          reject(err);
          if (errState(err) === 'unreachable') this.scheduleReconnect();
          return;
        }
        // The master went away after it was up: every session over it is dead.
        if (this.disposed) return;
        const why = stderr.trim().split('\n').pop() || (signal ? `ssh ended by ${signal}` : `ssh exited with ${code}`);
        this.lost(`Lost the connection to ${this.destination.text}: ${why}`);
      });
    });
  }

  /**
   * Whether a live master listens on controlPath. A connect to the socket answers what `ssh -O
   * check` would, without starting an ssh process per host per run (~25 ms of CPU each, 50 of
   * them for a compare of 50 hosts): a master accepts, a socket its dead master left refuses. The
   * socket is in this user's own 0700 directory, so whatever listens there is ours.
   */
  private checkMaster(): Promise<boolean> {
    if (!existsSync(this.controlPath)) return Promise.resolve(false);
    return new Promise((resolve) => {
      const s = createConnection(this.controlPath);
      const done = (alive: boolean) => {
        clearTimeout(timer);
        s.destroy();
        resolve(alive);
      };
      const timer = setTimeout(() => done(false), 5000);
      s.once('connect', () => done(true));
      s.once('error', () => done(false));
    });
  }

  /**
   * CLI: reuses the live master an earlier run left (ControlPersist), or starts one that
   * backgrounds itself (`-f`) and ends persistS seconds after its last session. One run at a
   * time starts it (a lock file beside the socket): two masters racing for one ControlPath would
   * leave the loser as a plain connection in the background that nothing ends.
   */
  private async openPersistedMaster(): Promise<void> {
    this.ensureDir();
    clearTimeout(this.reconnectTimer);
    this.nextAttemptAt = undefined;
    this.reconnectTimer = undefined;
    this.setStatus({ state: 'connecting', message: `Connecting to ${this.destination.text}` });
    const reuse = () => {
      this.adopted = true;
      this.opts.log?.(`reusing the ssh master on ${this.controlPath}`);
      this.backoffMs = 1000;
      this.setStatus({ state: 'connected', message: `Connected to ${this.destination.text}` });
    };
    if (await this.checkMaster()) return reuse();
    const unlock = await this.lockMaster();
    try {
      // Another run may have started it while this one waited for the lock.
      if (await this.checkMaster()) return reuse();
      rmSync(this.controlPath, { force: true });
      const sessionDir = this.opts.sessionDir ?? this.opts.runtimeDir;
      const errFile = join(sessionDir, `master-${process.pid}-${Date.now()}.err`);
      const fd = openSync(errFile, 'w', 0o600);
      const args = [
        ...this.baseArgs(),
        '-f', '-N',
        '-o', 'ControlMaster=yes',
        '-o', `ControlPersist=${this.opts.persistS}s`,
        '-o', 'BatchMode=yes',
        '-o', 'StrictHostKeyChecking=yes',
        '-o', 'ExitOnForwardFailure=yes',
        ...destinationArgs(this.destination),
      ];
      this.opts.log?.(`ssh ${args.join(' ')}`);
      // ssh -f returns once logged in, leaving the master in the background; its stderr goes to a
      // file, not a pipe, which the background master would hold open (and this process with it).
      let r: Collected;
      try {
        r = await new Promise<Collected>((resolve) => {
          const child = spawn(this.opts.ssh, args, { stdio: ['ignore', 'ignore', fd], env: sshEnv() });
          let timedOut = false;
          const timer = setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, this.opts.connectTimeoutMs + 2000);
          child.on('error', (e) => {
            clearTimeout(timer);
            resolve({ code: -1, stdout: '', stderr: e.message, timedOut });
          });
          child.on('exit', (code) => {
            clearTimeout(timer);
            resolve({ code, stdout: '', stderr: '', timedOut });
          });
        });
        r.stderr ||= readFileSync(errFile, 'utf8').slice(-16_384);
      } finally {
        closeSync(fd);
        rmSync(errFile, { force: true });
      }
      if (r.code === 0 && existsSync(this.controlPath)) {
        this.adopted = true;
        this.backoffMs = 1000;
        this.setStatus({ state: 'connected', message: `Connected to ${this.destination.text}` });
        return;
      }
      const err =
        r.code === -1
          ? new ApiError('UNSUPPORTED', `Cannot run ${this.opts.ssh}: ${r.stderr}. Install the OpenSSH client (apt install openssh-client)`)
          : r.timedOut
            ? new ApiError('HOST_UNREACHABLE', `${this.destination.text} did not answer within ${Math.round(this.opts.connectTimeoutMs / 1000)} s`, { destination: this.destination.text })
            : classifySshFailure(r.stderr, this.destination.text);
      this.failedConnecting(err, r.stderr);
      if (errState(err) === 'unreachable' && r.code !== -1) this.scheduleReconnect();
      throw err;
    } finally {
      unlock();
    }
  }

  /**
   * CLI, no live master: this call's own ssh is the master. With ControlMaster=yes and
   * ControlPersist, ssh forks the master into the background right after the login and runs the
   * command through it as its first session, so a cold run makes one connection and one login
   * per host, as plain `ssh HOST CMD` does, where `ssh -f -N` then a session over it made two
   * stages in sequence (and one more ssh process). Calls made meanwhile wait in connect() for
   * the socket; another run's live master is reused; a stale socket is removed under the same
   * lock openPersistedMaster() takes, held until the socket is there or the ssh is gone.
   */
  private async found(command: string, opts: ExecOptions, timeoutMs: number, what: string): Promise<ExecResult> {
    let gate!: { resolve: () => void; reject: (e: unknown) => void };
    const up: Promise<void> = new Promise<void>((resolve, reject) => (gate = { resolve, reject })).finally(() => {
      if (this.connecting === up) this.connecting = undefined;
    });
    up.catch(() => undefined);
    this.connecting = up;
    let unlock: (() => void) | undefined;
    try {
      this.ensureDir();
      clearTimeout(this.reconnectTimer);
      this.nextAttemptAt = undefined;
      this.reconnectTimer = undefined;
      this.setStatus({ state: 'connecting', message: `Connecting to ${this.destination.text}` });
      if (!(await this.checkMaster())) {
        unlock = await this.lockMaster();
        // Another run may have started it while this one waited for the lock.
        if (await this.checkMaster()) {
          unlock();
          unlock = undefined;
        } else rmSync(this.controlPath, { force: true });
      }
    } catch (e) {
      unlock?.();
      gate.reject(e);
      throw e;
    }
    if (!unlock) {
      this.adopted = true;
      this.opts.log?.(`reusing the ssh master on ${this.controlPath}`);
      this.backoffMs = 1000;
      this.setStatus({ state: 'connected', message: `Connected to ${this.destination.text}` });
      gate.resolve();
      return this.exec(command, opts);
    }
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    try {
      return await this.runFounding(command, opts.input, timeoutMs, what, gate, unlock);
    } finally {
      this.release();
    }
  }

  private runFounding(command: string, input: Input | undefined, timeoutMs: number, what: string, gate: { resolve: () => void; reject: (e: unknown) => void }, unlock: () => void): Promise<ExecResult> {
    const args = [
      ...this.baseArgs(),
      '-o', 'ControlMaster=yes',
      '-o', `ControlPersist=${this.opts.persistS}s`,
      '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', 'ExitOnForwardFailure=yes',
      '-T',
      ...destinationArgs(this.destination),
      command,
    ];
    this.opts.log?.(`ssh ${args.join(' ')}`);
    return new Promise<ExecResult>((resolve, reject) => {
      // The background master's stdio is /dev/null (ssh does that, and for a ProxyCommand's stderr
      // too, under ControlPersist): these pipes close when the command's session ends.
      const child = spawn(this.opts.ssh, args, { stdio: ['pipe', 'pipe', 'pipe'], env: sshEnv() });
      const out: Buffer[] = [];
      let err = '';
      let done = false;
      let linked = false;
      const entry = { child, fail: (e: ApiError) => finish(() => reject(e)) };
      this.live.add(entry);
      const finish = (fn: () => void) => {
        if (done) return;
        done = true;
        clearInterval(poll);
        clearTimeout(timer);
        this.live.delete(entry);
        if (!linked) unlock();
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        fn();
      };
      const masterUp = () => {
        linked = true;
        clearInterval(poll);
        unlock();
        this.adopted = true;
        this.backoffMs = 1000;
        this.setStatus({ state: 'connected', message: `Connected to ${this.destination.text}` });
        gate.resolve();
        // The command's own deadline starts once the link is up, as exec()'s does.
        clearTimeout(timer);
        timer = setTimeout(() => finish(() => reject(new ApiError('TIMEOUT', `${this.destination.text}: no answer within ${Math.round(timeoutMs / 1000)} s while ${what}`))), timeoutMs);
      };
      const poll = setInterval(() => {
        if (existsSync(this.controlPath)) masterUp();
      }, 15);
      let timer = setTimeout(() => {
        const e = new ApiError('HOST_UNREACHABLE', `${this.destination.text} did not answer within ${Math.round(this.opts.connectTimeoutMs / 1000)} s`, { destination: this.destination.text });
        this.setStatus({ state: 'unreachable', message: e.message });
        gate.reject(e);
        finish(() => reject(e));
      }, this.opts.connectTimeoutMs + 2000);
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => {
        err = (err + b.toString('utf8')).slice(-65_536);
      });
      child.stdin.on('error', () => undefined);
      child.on('error', (e) => {
        const x = new ApiError('UNSUPPORTED', `Cannot run ${this.opts.ssh}: ${e.message}. Install the OpenSSH client (apt install openssh-client)`);
        this.setStatus({ state: 'unreachable', message: x.message });
        gate.reject(x);
        finish(() => reject(x));
      });
      child.on('close', (code) => {
        if (done) return;
        if (!linked && existsSync(this.controlPath)) masterUp();
        if (!linked) {
          if (code === 255 || code === null) {
            // ssh itself failed before a master was up: the login, the host key, the network.
            const e = classifySshFailure(err, this.destination.text);
            this.failedConnecting(e, err);
            if (errState(e) === 'unreachable') this.scheduleReconnect();
            gate.reject(e);
            finish(() => reject(e));
            return;
          }
          // The command ran over a connection of its own that did not become a master (a socket
          // someone else made at the same path): it answered; later calls open one as before.
          finish(() => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
          this.openPersistedMaster().then(gate.resolve, gate.reject);
          return;
        }
        const settle = (alive: boolean) =>
          finish(() => {
            if (code === 255 && !alive) {
              reject(new ApiError('HOST_UNREACHABLE', `Lost the connection to ${this.destination.text} while ${what}`, { stderr: err.trim() }));
              return;
            }
            if (code !== 255) this.lastSeenAt = Date.now();
            resolve({ code, stdout: Buffer.concat(out), stderr: err });
          });
        if (code === 255) void this.masterAnswers().then(settle);
        else settle(true);
      });
      writeInput(child, input);
    });
  }

  /** An O_EXCL lock file beside the control socket; a lock whose owner is gone is taken over. Waits at most connectTimeout. */
  private async lockMaster(): Promise<() => void> {
    const lock = `${this.controlPath}.lock`;
    const until = Date.now() + this.opts.connectTimeoutMs + 2000;
    for (;;) {
      try {
        writeFileSync(lock, String(process.pid), { flag: 'wx', mode: 0o600 });
        return () => rmSync(lock, { force: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const owner = Number(readFileSync(lock, 'utf8').trim() || 0);
      let alive = owner > 0;
      try {
        if (alive) process.kill(owner, 0);
      } catch (e) {
        alive = (e as NodeJS.ErrnoException).code === 'EPERM';
      }
      if (!alive || Date.now() > until) {
        rmSync(lock, { force: true });
        continue;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private lost(message: string): void {
    if (this.blocked) {
      this.setStatus(this.blocked);
      return;
    }
    // Scheduled first, so the 'disconnected' status already says when the next attempt is.
    this.scheduleReconnect(false);
    this.setStatus({ state: 'disconnected', message });
    const err = new ApiError('HOST_UNREACHABLE', message, { destination: this.destination.text });
    for (const s of [...this.live]) s.fail(err);
  }

  private scheduleReconnect(emit = true): void {
    if (this.disposed || !this.keepAlive || this.reconnectTimer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
    this.nextAttemptAt = Date.now() + delay;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.nextAttemptAt = undefined;
      this.connect().catch(() => undefined);
    }, delay);
    this.reconnectTimer.unref?.();
    if (!emit) return;
    // Same state, new facts: the UI shows when the next attempt is.
    this._status = { ...this._status, nextAttempt: this.nextAttemptAt };
    this.emit('status', this._status);
  }

  /**
   * Checks the host with a fresh connection (host key and login as they are now), without
   * disturbing the master. A refusal (changed key, login refused) ends the master too: HostDeck
   * does not keep talking to a host it would not connect to again.
   */
  async verify(): Promise<void> {
    this.blocked = undefined;
    if (!this.hasMaster || this._status.state !== 'connected') return this.connect();
    const args = [...this.baseArgs('none'), '-o', 'ControlMaster=no', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-T', ...destinationArgs(this.destination), '/bin/true'];
    const r = await collect(this.opts.ssh, args, { env: sshEnv(), timeoutMs: this.opts.connectTimeoutMs + 2000 });
    if (r.code === 0) return;
    const err = classifySshFailure(r.stderr, this.destination.text);
    const state = errState(err);
    if (state === 'unreachable') throw err;
    this.blocked = { state, message: err.message, fingerprint: (err.detail as { fingerprint?: string })?.fingerprint, sshSays: r.stderr.trim() || undefined };
    this.setStatus(this.blocked);
    if (this.master) killGroup(this.master, 'SIGTERM');
    if (this.adopted) this.exitPersisted();
    throw err;
  }

  /** Tries again now (the user pressed "Reconnect", or a call needs the host). */
  async reconnect(): Promise<void> {
    this.blocked = undefined;
    clearTimeout(this.reconnectTimer);
    this.nextAttemptAt = undefined;
    this.reconnectTimer = undefined;
    this.backoffMs = 1000;
    await this.connect();
  }

  private async acquire(deadline: number, what: string): Promise<void> {
    while (this.active >= this.opts.maxSessions) {
      const left = deadline - Date.now();
      if (left <= 0) throw new ApiError('TIMEOUT', `${this.destination.text}: no free SSH session within the deadline while ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiting.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    this.active++;
    this.peak = Math.max(this.peak, this.active);
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }

  /**
   * Runs `command` (one string, run by the remote user's shell: use absolute paths) over the
   * master. Resolves with the exit code and output; rejects HOST_UNREACHABLE when the link is
   * lost and TIMEOUT when the deadline passes (the session is killed).
   */
  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? 20_000;
    const what = opts.what ?? command.slice(0, 60);
    const head = headStarts.get(this.headKey(command));
    // Never its own: a head start's link, finding a master up, runs its session through exec() again.
    if (head && !head.taken && head.link !== this) return this.takeHead(head, command, opts);
    if (this.mayFound()) return this.found(command, opts, timeoutMs, what);
    await withDeadline(this.connect(), timeoutMs, () => new ApiError('HOST_UNREACHABLE', `${this.destination.text} did not answer within ${Math.round(timeoutMs / 1000)} s`));
    // The command's deadline starts once the link is up: a slow login (50 masters starting at
    // once on a busy machine) left the read itself 1 s, and every host "timed out" reading.
    const deadline = Date.now() + timeoutMs;
    await this.acquire(deadline, what);
    try {
      return await this.run(command, opts.input, Math.max(1000, deadline - Date.now()), what);
    } finally {
      this.release();
    }
  }

  /** The ssh command line a session of `command` starts with: a head start is taken only by a link that would start exactly it. */
  private headKey(command: string, controlPath = this.controlPath): string {
    return [this.opts.ssh, this.opts.persistS, ...this.baseArgs(controlPath), ...destinationArgs(this.destination), command].join('\0');
  }

  /**
   * CLI: starts the session of `command` now, its input to follow, on a link of its own (the
   * one the runtime makes later, with the same options, takes it over: see takeHead). A cold
   * compare's logins (and python3's start on the hosts) then run while the rest of HostDeck
   * loads, where they used to start after it; over a master an earlier run kept, the session
   * starts at once. Nothing when masters are not kept between runs or a head start of the same
   * session is there. With a guess (`guessFor` its command line, the control socket left out),
   * the input the last run's taker gave is sent as soon as it is known: the host answers while
   * HostDeck loads, and the taker uses that answer only when its own input is exactly the guess
   * (otherwise it runs its own session once this one ended).
   */
  static startHead(opts: SshLinkOptions, command: string, guessFor?: (sessionKey: string) => HeadGuess, timeoutMs = 20_000): void {
    const link = new SshLink(opts);
    // Its failures are the taker's to handle (and to retry): this link never reconnects.
    link.keepAlive = false;
    const key = link.headKey(command);
    if (headStarts.has(key) || !link.mayFound()) return;
    // The guess is the host's and the command's, wherever the control socket lives (a run with
    // another XDG_RUNTIME_DIR asks the host the same).
    const guess = guessFor?.(link.headKey(command, '-'));
    let give!: (input: string | Buffer | undefined) => void;
    const input = new Promise<string | Buffer | undefined>((resolve) => (give = resolve));
    const result = link.exec(command, { input, timeoutMs, what: 'reading' });
    result.catch(() => undefined);
    const head: HeadStart = {
      link,
      result,
      given: null,
      offer: (v) => {
        if (head.given) return false;
        head.given = { v };
        give(v);
        return true;
      },
      taken: false,
      onTaken: guess?.taken,
    };
    headStarts.set(key, head);
    guess?.input.then(
      (v) => {
        if (v !== null && !head.taken) head.offer(v);
      },
      () => undefined,
    );
  }

  /**
   * Ends the head starts nobody took (the command turned out not to need that host, or failed
   * first): a session already up gets an empty input and ends at once (its master stays, kept
   * as any other), one still logging in is ended.
   */
  static async endHeadStarts(): Promise<void> {
    const left = [...headStarts.values()].filter((h) => !h.taken);
    headStarts.clear();
    await Promise.all(
      left.map(async (h) => {
        h.taken = true;
        if (h.link.status.state === 'connected') h.offer(undefined);
        else await h.link.dispose();
        await h.result.catch(() => undefined);
      }),
    );
  }

  /**
   * Takes over the session a head start opened for this command: gives it its input (or finds
   * the guess it was given equal to it) and follows its link, so this link is up (its master
   * adopted) or refused exactly when that one is. A wrong guess: the session answered another
   * request; once it ended (bringing the master up), this input runs in a session of its own.
   */
  private async takeHead(head: HeadStart, command: string, opts: ExecOptions): Promise<ExecResult> {
    head.taken = true;
    const early = head.link;
    let gate!: { resolve: () => void; reject: (e: unknown) => void };
    const up: Promise<void> = new Promise<void>((resolve, reject) => (gate = { resolve, reject })).finally(() => {
      if (this.connecting === up) this.connecting = undefined;
    });
    up.catch(() => undefined);
    if (!this.hasMaster && !this.connecting) {
      this.connecting = up;
      this.setStatus({ state: 'connecting', message: `Connecting to ${this.destination.text}` });
    }
    // In this call's context, as if this link had connected itself: what its 'connected' status
    // starts (the privilege probe) shares the call's reads, not a session of its own.
    const follow = AsyncResource.bind((s: LinkStatus) => {
      if (s.state === 'connected') {
        early.off('status', follow);
        this.adopted = true;
        this.backoffMs = 1000;
        this.setStatus({ state: 'connected', message: `Connected to ${this.destination.text}` });
        gate.resolve();
      } else if (s.state !== 'connecting' && s.state !== 'idle') {
        early.off('status', follow);
        const err = early.lastRefusal ?? new ApiError('HOST_UNREACHABLE', s.message, { destination: this.destination.text });
        this.failedConnecting(err, s.sshSays ?? '');
        if (errState(err) === 'unreachable') this.scheduleReconnect();
        gate.reject(err);
      }
    });
    early.on('status', follow);
    follow(early.status);
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    let mine: string | Buffer | undefined;
    let r: ExecResult | undefined;
    try {
      mine = opts.input instanceof Promise ? await opts.input.catch(() => undefined) : opts.input;
      if (head.offer(mine) || sameInput(head.given?.v, mine)) {
        r = await head.result;
        if (r.code !== 255) this.lastSeenAt = Date.now();
      } else await head.result.catch(() => undefined);
    } finally {
      this.release();
    }
    if (!r) {
      await up;
      r = await this.exec(command, { ...opts, input: mine });
    }
    if (r.code === 0 && typeof mine === 'string') head.onTaken?.(mine);
    return r;
  }

  private run(command: string, input: Input | undefined, timeoutMs: number, what: string): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const args = [...this.baseArgs(), '-S', this.controlPath, '-o', 'ControlMaster=no', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-T', ...destinationArgs(this.destination), command];
      const child = spawn(this.opts.ssh, args, { stdio: ['pipe', 'pipe', 'pipe'], env: sshEnv() });
      const out: Buffer[] = [];
      let err = '';
      let done = false;
      const entry = {
        child,
        fail: (e: ApiError) => finish(() => reject(e)),
      };
      this.live.add(entry);
      const finish = (fn: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.live.delete(entry);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        fn();
      };
      const timer = setTimeout(() => {
        const down = this._status.state !== 'connected';
        finish(() =>
          reject(
            down
              ? new ApiError('HOST_UNREACHABLE', `${this.destination.text} is unreachable (${this._status.message})`)
              : new ApiError('TIMEOUT', `${this.destination.text}: no answer within ${Math.round(timeoutMs / 1000)} s while ${what}`),
          ),
        );
      }, timeoutMs);
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => {
        err = (err + b.toString('utf8')).slice(-65_536);
      });
      child.stdin.on('error', () => undefined);
      child.on('error', (e) => finish(() => reject(new ApiError('UNSUPPORTED', `Cannot run ${this.opts.ssh}: ${e.message}`))));
      const settle = (code: number | null, masterAlive: boolean) =>
        finish(() => {
          // 255: ssh itself failed (the mux is gone, the link dropped), not the remote command.
          if (code === 255 && (!masterAlive || this._status.state !== 'connected' || !existsSync(this.controlPath))) {
            reject(new ApiError('HOST_UNREACHABLE', `Lost the connection to ${this.destination.text} while ${what}`, { stderr: err.trim() }));
            return;
          }
          if (code !== 255) this.lastSeenAt = Date.now();
          resolve({ code, stdout: Buffer.concat(out), stderr: err });
        });
      child.on('close', (code) => {
        // A master killed a moment ago leaves its socket file, and its exit may not have been seen
        // yet: on 255 ask the master itself before taking it for the remote command's own code.
        if (code === 255 && this._status.state === 'connected' && existsSync(this.controlPath)) void this.masterAnswers().then((alive) => settle(code, alive));
        else settle(code, true);
      });
      writeInput(child, input);
    });
  }

  /**
   * A long-lived session (the D-Bus bridge, with `slot: 'log'` a kernel-log reader, with
   * `slot: 'read'` a kept read agent). Bridges have BRIDGE_SESSIONS slots of their own beside
   * maxSessions, readers LOG_SESSIONS (together within sshd's default MaxSessions of 10), so a bus
   * call never waits in line behind reads and firewalld's read deadline is not spent queueing, and
   * a follower never takes the bus's slot. A kept agent holds one of the maxSessions read slots
   * for as long as it lives (waiting for one within timeoutMs), so it never goes past sshd's limit.
   */
  async spawnSession(command: string, timeoutMs = 10_000, slot: 'bridge' | 'log' | 'read' = 'bridge'): Promise<ChildProcess> {
    await withDeadline(this.connect(), timeoutMs, () => new ApiError('HOST_UNREACHABLE', `${this.destination.text} did not answer within ${Math.round(timeoutMs / 1000)} s`));
    if (slot === 'bridge' && this.bridges >= BRIDGE_SESSIONS) throw new ApiError('TIMEOUT', `${this.destination.text}: already ${BRIDGE_SESSIONS} D-Bus bridges open`);
    if (slot === 'log' && this.logReaders >= LOG_SESSIONS) throw new ApiError('TIMEOUT', `${this.destination.text}: already ${LOG_SESSIONS} kernel-log readers open`);
    if (slot === 'read') await this.acquire(Date.now() + timeoutMs, 'starting the read agent');
    else if (slot === 'bridge') this.bridges++;
    else this.logReaders++;
    const args = [...this.baseArgs(), '-S', this.controlPath, '-o', 'ControlMaster=no', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-T', ...destinationArgs(this.destination), command];
    const child = spawn(this.opts.ssh, args, { stdio: ['pipe', 'pipe', 'pipe'], env: sshEnv() });
    child.stdin.on('error', () => undefined);
    child.stdout.on('error', () => undefined);
    let released = false;
    const entry = { child, fail: () => child.kill('SIGKILL') };
    this.live.add(entry);
    const release = () => {
      if (released) return;
      released = true;
      this.live.delete(entry);
      if (slot === 'read') this.release();
      else if (slot === 'bridge') this.bridges--;
      else this.logReaders--;
    };
    child.on('exit', release);
    child.on('error', release);
    return child;
  }

  /**
   * Is the link alive right now? One empty session within `timeoutMs`. A link that cannot run
   * it is treated as lost at once (the master is ended, pending calls fail with
   * HOST_UNREACHABLE, reconnection starts) instead of waiting for ServerAlive to notice.
   */
  async probe(timeoutMs = 3000): Promise<boolean> {
    if (this._status.state !== 'connected') return false;
    try {
      const r = await this.exec('exit 0', { timeoutMs, what: 'checking the link' });
      if (r.code === 0) return true;
    } catch {
      /* no answer */
    }
    if (this._status.state === 'connected' && this.master) {
      this.opts.log?.(`${this.destination.text}: no answer within ${timeoutMs} ms, treating the link as lost`);
      killGroup(this.master, 'SIGKILL');
    }
    return false;
  }

  /** Ends the master (and with it every session) as if the cable were cut; tests and "Disconnect". */
  /** `ssh -O check`: whether the master behind the control socket still answers. */
  private masterAnswers(): Promise<boolean> {
    return new Promise((resolve) => {
      const c = spawn(this.opts.ssh, [...this.baseArgs(), '-O', 'check', ...destinationArgs(this.destination)], { stdio: 'ignore', env: sshEnv(), timeout: 5000 });
      c.on('error', () => resolve(false));
      c.on('close', (code) => resolve(code === 0));
    });
  }

  killMaster(): void {
    if (this.master) killGroup(this.master, 'SIGKILL');
    if (this.adopted) this.exitPersisted();
  }

  /** Ends a persisted master (`ssh -O exit`): a refused host, or "Disconnect". */
  private exitPersisted(): void {
    this.adopted = false;
    spawnSync(this.opts.ssh, [...this.baseArgs(), '-O', 'exit', ...destinationArgs(this.destination)], { stdio: 'ignore', env: sshEnv(), timeout: 5000 });
    if (!this.disposed) this.lost(`Disconnected from ${this.destination.text}`);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.reconnectTimer);
    this.nextAttemptAt = undefined;
    for (const s of [...this.live]) s.child.kill('SIGKILL');
    if (this.opts.persistS > 0) {
      // A persisted master stays for the next run and ends by itself (ControlPersist). dispose()
      // may run twice (host and registry): the socket is never removed here.
      this.adopted = false;
      this.setStatus({ state: 'idle', message: 'Closed' });
      return;
    }
    const m = this.master;
    this.master = undefined;
    if (m && m.exitCode === null && m.signalCode === null) {
      // The guard timer is cleared as soon as the master is gone: a pending timer would keep
      // a CLI process alive for its whole 2 s after the work is done.
      let guard: NodeJS.Timeout | undefined;
      const gone = new Promise((r) => m.once('exit', r));
      killGroup(m, 'SIGTERM');
      await Promise.race([gone, new Promise((r) => (guard = setTimeout(r, 2000)))]);
      clearTimeout(guard);
      if (m.exitCode === null && m.signalCode === null) killGroup(m, 'SIGKILL');
      m.stdin?.end();
    }
    rmSync(this.controlPath, { force: true });
    this.setStatus({ state: 'idle', message: 'Closed' });
  }

  // ---- first contact ------------------------------------------------------------------------

  /**
   * First contact: runs ssh with StrictHostKeyChecking=ask and HostDeck's askpass. With
   * `accept` undefined the askpass answers "no" to the host-key question (nothing is written) and
   * records the fingerprint ssh showed; with `accept` = a fingerprint it answers "yes" only when
   * the question shows exactly that fingerprint, and ssh itself writes known_hosts. Any other
   * prompt (a passphrase, a password) is refused: HostDeck stores and relays no secret.
   */
  async hostKeyContact(accept?: string): Promise<{ status: LinkStatus; fingerprint?: string; keyType?: string }> {
    const r = await this.askpassContact(accept);
    const { fp, keyType, askedKey, askedSecret } = r;
    if (r.code === 0) {
      this.blocked = undefined;
      this.setStatus({ state: 'idle', message: accept ? `Host key accepted (${accept})` : 'Host key known' });
      return { status: this._status, fingerprint: fp, keyType };
    }
    if (askedKey && !accept) {
      const s = { state: 'host-key-unknown' as const, message: `${this.destination.text} is not in known_hosts yet. Its ${keyType ?? ''} key fingerprint is ${fp}: compare it with the host's (ssh-keygen -lf /etc/ssh/ssh_host_${(keyType ?? 'ed25519').toLowerCase()}_key.pub on the host) before you accept it.`.replace('  ', ' '), fingerprint: fp };
      // The question waits for the user: no background call may connect (and so replace the
      // fingerprint shown with ssh's bare refusal) until it is answered.
      this.blocked = s;
      this.setStatus(s);
      return { status: this._status, fingerprint: fp, keyType };
    }
    if (askedKey && accept && fp !== accept) {
      throw new ApiError('HOST_KEY_CHANGED', `${this.destination.text} now shows fingerprint ${fp}, not the ${accept} you accepted: nothing was written`, { fingerprint: fp, accepted: accept });
    }
    const err = classifySshFailure(r.stderr, this.destination.text, askedSecret);
    this.setStatus({ state: errState(err), message: err.message, fingerprint: fp, sshSays: r.stderr.trim() || undefined });
    if (askedKey && accept && errState(err) === 'auth-failed') {
      // The key was accepted and written; only the login failed.
      return { status: this._status, fingerprint: fp, keyType };
    }
    if (errState(err) === 'host-key-changed') {
      this.blocked = { state: 'host-key-changed', message: err.message, fingerprint: fp, sshSays: r.stderr.trim() || undefined };
      return { status: this._status, fingerprint: fp, keyType };
    }
    throw err;
  }

  /**
   * Where ssh keeps this host's key, as the ssh configuration in force says (`ssh -G`): the
   * UserKnownHostsFile list (ssh writes to the first) and the name the key is filed under
   * (HostKeyAlias, or the HostName with a non-default port as `[host]:port`).
   */
  async knownHostsTarget(): Promise<{ files: string[]; name: string }> {
    const args = [...(this.opts.sshConfig ? ['-F', this.opts.sshConfig] : []), '-G', ...destinationArgs(this.destination)];
    const r = await collect(this.opts.ssh, args, { env: sshEnv(), timeoutMs: 10_000 });
    if (r.code !== 0) throw new ApiError('IO_ERROR', `ssh -G ${this.destination.text} failed: ${r.timedOut ? 'no answer within 10 s' : r.stderr.trim().slice(-300)}`);
    const opt = (k: string) => new RegExp(`^${k} (.*)$`, 'm').exec(r.stdout)?.[1]?.trim();
    const home = userInfo().homedir;
    const files = (opt('userknownhostsfile') ?? '').split(/\s+/).filter(Boolean).map((f) => f.replace(/^~(?=\/|$)/, home));
    const hostname = opt('hostname') ?? this.destination.host;
    const port = Number(opt('port') ?? 22);
    const name = opt('hostkeyalias') ?? (port === 22 ? hostname : `[${hostname}]:${port}`);
    return { files, name };
  }

  /**
   * "Review and replace the key": the host must present exactly `fingerprint` (the one the user
   * reviewed); then the old key is removed from the known_hosts files ssh really uses (as
   * `ssh-keygen -R` does, leaving its `.old` copy) and ssh itself writes the new one. Nothing is
   * changed when the host presents another key.
   */
  async replaceHostKey(fingerprint: string): Promise<{ status: LinkStatus; fingerprint?: string; keyType?: string; files: string[] }> {
    const target = await this.knownHostsTarget();
    const scratch = mkdtempSync(join(this.opts.runtimeDir, 'known-'));
    let presented: string | undefined;
    try {
      // Ask the host for its key against an empty known_hosts: ssh then shows it as unknown.
      const empty = join(scratch, 'known_hosts');
      writeFileSync(empty, '', { mode: 0o600 });
      presented = (await this.askpassContact(undefined, ['-o', `UserKnownHostsFile=${empty}`, '-o', 'GlobalKnownHostsFile=/dev/null'])).fp;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    if (presented !== fingerprint) {
      throw new ApiError('HOST_KEY_CHANGED', `${this.destination.text} presents ${presented ?? 'no key HostDeck could read'}, not the ${fingerprint} you reviewed: nothing was changed`, { fingerprint: presented, accepted: fingerprint });
    }
    const edited: string[] = [];
    for (const file of target.files.filter((f) => existsSync(f))) {
      const r = spawnSync('ssh-keygen', ['-R', target.name, '-f', file], { encoding: 'utf8', timeout: 10_000 });
      if (r.status !== 0) throw new ApiError('IO_ERROR', `ssh-keygen -R ${target.name} -f ${file} failed: ${(r.stderr || r.error?.message || '').trim()}`);
      if (/updated/.test(r.stdout + r.stderr)) edited.push(file);
    }
    this.blocked = undefined;
    const r = await this.hostKeyContact(fingerprint);
    return { ...r, files: edited };
  }

  /** One ssh run with HostDeck's askpass (see hostKeyContact): the prompts it saw and the fingerprint in them. */
  private async askpassContact(accept: string | undefined, extra: string[] = []): Promise<{ code: number | null; stderr: string; fp?: string; keyType?: string; askedKey: boolean; askedSecret: boolean }> {
    this.ensureDir();
    const dir = mkdtempSync(join(this.opts.runtimeDir, 'askpass-'));
    try {
      const log = join(dir, 'prompts');
      const script = join(dir, 'askpass');
      writeFileSync(
        script,
        `#!/bin/sh
# HostDeck's askpass: answers only ssh's host-key question, and only for the accepted fingerprint.
printf '%s\\n---\\n' "$1" >> ${shQuote(log)}
case "$1" in
  *fingerprint*)
    if [ -n "$HOSTDECK_ACCEPT_FP" ]; then
      case "$1" in *"$HOSTDECK_ACCEPT_FP"[!A-Za-z0-9+/=]*|*"$HOSTDECK_ACCEPT_FP") echo yes; exit 0;; esac
    fi
    echo no; exit 0;;
esac
exit 1
`,
        { mode: 0o700 },
      );
      const args = [
        ...this.baseArgs('none'),
        ...extra,
        '-o', 'ControlMaster=no',
        '-o', 'BatchMode=no',
        '-o', 'StrictHostKeyChecking=ask',
        '-o', 'PasswordAuthentication=no',
        '-o', 'KbdInteractiveAuthentication=no',
        '-o', 'NumberOfPasswordPrompts=0',
        '-T',
        ...destinationArgs(this.destination),
        '/bin/true',
      ];
      const env = { ...sshEnv(), SSH_ASKPASS: script, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: process.env.DISPLAY ?? ':0', HOSTDECK_ACCEPT_FP: accept ?? '' };
      // Its own session, away from the user's terminal: only the askpass answers ssh.
      const { code, stderr } = await collect(this.opts.ssh, args, { env, timeoutMs: this.opts.connectTimeoutMs + 5000, detached: true });
      const r = { code, stderr };
      const prompts = existsSync(log) ? readFileSync(log, 'utf8') : '';
      return {
        ...r,
        fp: /(SHA256:[A-Za-z0-9+/]{43})/.exec(prompts)?.[1] ?? /(SHA256:[A-Za-z0-9+/]{43})/.exec(r.stderr)?.[1],
        keyType: /\b(ED25519|ECDSA|RSA|DSA)\b key fingerprint/i.exec(prompts)?.[1],
        askedKey: /fingerprint/.test(prompts),
        askedSecret: /passphrase|password/i.test(prompts.replace(/fingerprint[\s\S]*$/, '')),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** What a head start may send before its taker comes (SshLink.startHead). */
export interface HeadGuess {
  /** The input the taker will most likely give (the last run's), or null to wait for the taker's own. */
  input: Promise<string | null>;
  /** Called with the input a taker gave once its session answered (exit 0): the next run's guess. */
  taken?: (input: string) => void;
}

/** A session started ahead of its link (SshLink.startHead), keyed by its ssh command line. */
interface HeadStart {
  link: SshLink;
  result: Promise<ExecResult>;
  /** The input the session was given (a guess, the taker's, or nothing at the end), once given. */
  given: { v: string | Buffer | undefined } | null;
  /** Gives the session this input if it has none yet; false when it already had one. */
  offer: (input: string | Buffer | undefined) => boolean;
  taken: boolean;
  onTaken?: (input: string) => void;
}

const sameInput = (a: string | Buffer | undefined, b: string | Buffer | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && Buffer.from(a).equals(Buffer.from(b)));
const headStarts = new Map<string, HeadStart>();

export function defaultRuntimeDir(): string {
  const base = process.env.XDG_RUNTIME_DIR && existsSync(process.env.XDG_RUNTIME_DIR) ? process.env.XDG_RUNTIME_DIR : tmpdir();
  const d = mkdtempSync(join(base, 'hostdeck-ssh-'));
  chmodSync(d, 0o700);
  return d;
}

export interface Collected {
  /** Exit code; null when killed at the deadline, -1 when the program could not be started. */
  code: number | null;
  stdout: string;
  /** The last 64 KiB: ssh's diagnostics are at the end, a host's banner must not fill memory. */
  stderr: string;
  timedOut: boolean;
}

const COLLECT_LIMIT = 65_536;

/**
 * Runs a short local program (ssh -G, a fresh ssh login) and collects what it says: stdin
 * closed, stdout and stderr capped, killed at the deadline. Never rejects: a program that
 * cannot start answers code -1 with the reason in stderr.
 */
export function collect(cmd: string, args: string[], opts: { env: NodeJS.ProcessEnv; timeoutMs: number; detached?: boolean }): Promise<Collected> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env, detached: opts.detached ?? false });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let done = false;
    const finish = (r: Collected) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    child.stdout!.on('data', (b: Buffer) => {
      if (stdout.length < COLLECT_LIMIT) stdout += b.toString('utf8').slice(0, COLLECT_LIMIT - stdout.length);
    });
    child.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString('utf8')).slice(-COLLECT_LIMIT)));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('error', (e) => finish({ code: -1, stdout: '', stderr: e.message, timedOut: false }));
    child.on('close', (code) => finish({ code, stdout, stderr, timedOut }));
  });
}

function sshEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  // Never let a stray askpass or display turn a background call into a dialog.
  delete env.SSH_ASKPASS;
  delete env.SSH_ASKPASS_REQUIRE;
  env.LC_ALL = 'C';
  return env;
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function errState(e: ApiError): HostLinkState {
  switch (e.code) {
    case 'HOST_KEY_UNKNOWN':
      return 'host-key-unknown';
    case 'HOST_KEY_CHANGED':
      return 'host-key-changed';
    case 'AUTH_FAILED':
      return 'auth-failed';
    default:
      return 'unreachable';
  }
}

/** ssh's exit-255 stderr in plain words with a stable code. */
export function classifySshFailure(stderr: string, dest: string, askedSecret = false): ApiError {
  const s = stderr.trim();
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(s)) {
    const fp = /(SHA256:[A-Za-z0-9+/]{43})/.exec(s)?.[1];
    // The file and name ssh itself checked (its UserKnownHostsFile, which may not be ~/.ssh/known_hosts).
    const offending = /Offending \S+ key in (\S+)/.exec(s)?.[1];
    const file = offending?.replace(/:\d+$/, '');
    const name = /Host key for (\S+) has changed/.exec(s)?.[1] ?? dest.replace(/^.*@/, '').replace(/:\d+$/, '');
    return new ApiError(
      'HOST_KEY_CHANGED',
      `${dest} answered with a different host key than the one in ${offending ?? 'known_hosts'} (now ${fp ?? 'unknown'}). Someone may be intercepting the connection, or the host was reinstalled. HostDeck refuses to connect. If the change is expected, review and replace the key (Hosts page, or hostdeck hosts replace-key HOST --accept ${fp ?? 'SHA256:...'}), or remove the old key yourself: ssh-keygen -R ${name}${file ? ` -f ${file}` : ''}.`,
      { fingerprint: fp, knownHosts: file, knownHostsName: name, ssh: s },
    );
  }
  if (/No \S+ host key is known for|Host key verification failed/i.test(s)) {
    return new ApiError('HOST_KEY_UNKNOWN', `${dest} is not in known_hosts: check its fingerprint and accept it first (hostdeck hosts add ${dest})`, { ssh: s });
  }
  if (/Permission denied|Too many authentication failures/i.test(s)) {
    return new ApiError(
      'AUTH_FAILED',
      askedSecret
        ? `${dest} refused the login: your key needs its passphrase. Load it into the agent first (ssh-add), then try again. HostDeck never asks for or stores passphrases.`
        : `${dest} refused the login (${/Permission denied \(([^)]*)\)/.exec(s)?.[1] ?? 'no accepted key'}): HostDeck logs in with your ssh keys and agent only. Check that "ssh ${dest}" works without a password (ssh-copy-id, ssh-add).`,
      { ssh: s },
    );
  }
  return new ApiError('HOST_UNREACHABLE', `Cannot reach ${dest}: ${s.split('\n').filter(Boolean).pop() ?? 'ssh failed'}`, { ssh: s });
}

export function withDeadline<T>(p: Promise<T>, ms: number, err: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(err()), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
