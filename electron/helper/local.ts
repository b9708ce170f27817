import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { ApiError } from '../../shared/api/errors';
import { helperRequestSchema, helperResponseSchema, HELPER_MAX_REQUEST, type HelperRequest, type HelperResponse } from '../../shared/helper/protocol';
import { HELPER_INSTALL_PATH, POLKIT_ACTION_ID, POLKIT_POLICY_PATH, PYTHON3 } from './paths';
import { oneShotCommandLine } from './one-shot';
import { helperSource } from './source';
import { LOCAL_REINSTALL, localHelperVersionProblem } from './version';

/** How a helper verb is run, whatever the host (declared here: the helper is below the hosts that run it). */
export interface HelperOptions {
  /** Needs root (writes to /etc, /proc/sys). False for verbs that run as the user (e.g. a firewall revert timer). */
  elevate: boolean;
  /** Deadline for the helper's answer, ms. */
  timeoutMs?: number;
}

/**
 * Runs one helper verb on this machine:
 * - directly (python3 with the helper text from this build) when HostDeck runs as root, when the
 *   verb needs no root (`elevate: false`, e.g. a firewall revert timer that runs as the user), or
 *   when the host is an image or a test's copy (`place`);
 * - otherwise through `pkexec HELPER_INSTALL_PATH` (HostDeck's own polkit action; argv only,
 *   the request on stdin). pkexec's exit 126 means the dialog was dismissed, 127 not authorized
 *   or no authentication agent: both become NOT_AUTHORIZED with plain words.
 * It never throws for an answer the helper gave (ok: false); it throws ApiError when the helper
 * could not be run at all (missing pieces, denied, timeout).
 */
export interface LocalHelperPlace {
  /** The host's root when it is not "/" (an image, a test's scratch root): run as this process, never pkexec. */
  root?: string;
  /** A copy of /proc/sys (tests). */
  procSys?: string;
  /** Where revert timers keep their state (tests). */
  runDir?: string;
  /** D-Bus system bus for a firewall-cmd revert plan (default: this process's DBUS_SYSTEM_BUS_ADDRESS). */
  busAddress?: string;
}

export const PKEXEC = '/usr/bin/pkexec';
/** The user may be typing a password: pkexec calls get longer. */
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_PKEXEC_TIMEOUT_MS = 300_000;
const MAX_OUTPUT = 8 * 1024 * 1024;

export { noteOneShotCommand } from './one-shot';

/** POSIX shell quoting of one word. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * How to give pkexec an authentication agent. A long-running HostDeck (app, serve): an agent in
 * a terminal for its PID. A CLI run ends before anyone could start one for its PID: run it in a
 * terminal (pkexec then asks there itself), or start it under an agent registered for the shell
 * that then becomes HostDeck (`exec` keeps the PID and start time polkit identifies it by).
 */
export function noAgentAdvice(pid: number = process.pid, command: readonly string[] | null = oneShotCommandLine()): string {
  if (!command) {
    return `Desktop sessions (GNOME, KDE, ...) run one; elsewhere, in a terminal on this machine as the same user, run: pkttyagent --process ${pid} (HostDeck's own process; it asks for the password there), then try again.`;
  }
  const cmd = [process.execPath, ...command].map(shellWord).join(' ');
  return `Desktop sessions run one; elsewhere run the command in a terminal (over SSH: ssh -t), where pkexec asks for the password itself, or start it under a terminal agent for its own process: sh -c 'pkttyagent --process $$ & sleep 1; exec "$@"' hostdeck ${cmd}`;
}

/**
 * What polkit would answer now for HostDeck's action and this process, without asking anyone
 * (`pkcheck`, no user interaction): authorized, challenge (a password is needed: an agent or a
 * terminal asks), refused (a rule says no), or unknown (pkcheck missing or failing).
 */
export function polkitVerdict(place: LocalHelperPlace = {}): Promise<'authorized' | 'challenge' | 'refused' | 'unknown'> {
  const PKCHECK = '/usr/bin/pkcheck';
  if (!existsSync(PKCHECK)) return Promise.resolve('unknown');
  return new Promise((resolve) => {
    const child = spawn(PKCHECK, ['--action-id', POLKIT_ACTION_ID, '--process', String(process.pid)], { stdio: 'ignore', env: helperEnv(place), shell: false });
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.on('error', () => resolve('unknown'));
    child.on('close', (code) => {
      clearTimeout(timer);
      // pkcheck(1): 0 authorized, 1 not authorized, 2 authentication needed (no interaction allowed).
      resolve(code === 0 ? 'authorized' : code === 1 ? 'refused' : code === 2 ? 'challenge' : 'unknown');
    });
  });
}

export async function runLocalHelper(request: HelperRequest, opts: HelperOptions, place: LocalHelperPlace = {}): Promise<HelperResponse> {
  const body = helperRequestLine(request);
  const launch = helperLaunch(opts, place);
  if (launch.viaPkexec) return spawnHelper(launch.cmd, launch.args, body, launch.timeoutMs, true, place);
  return runDirect(launch.args, body, launch.timeoutMs, place);
}

/** A request checked against the protocol, as the one JSON line the helper reads. */
export function helperRequestLine(request: HelperRequest): string {
  const parsed = helperRequestSchema.safeParse(request);
  if (!parsed.success) {
    throw new ApiError('INVALID_INPUT', `Invalid helper request: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; ')}`);
  }
  const body = JSON.stringify(parsed.data);
  if (Buffer.byteLength(body) > HELPER_MAX_REQUEST) throw new ApiError('INVALID_INPUT', `The helper request is larger than ${HELPER_MAX_REQUEST} bytes`);
  return body;
}

/**
 * How the helper is started for these options and this place: directly (python3, this build's
 * helper; `args` are the helper's options) or through pkexec and the installed helper. Throws
 * UNSUPPORTED with the fix when a piece is missing.
 */
export function helperLaunch(opts: HelperOptions, place: LocalHelperPlace): { cmd: string; args: string[]; viaPkexec: boolean; timeoutMs: number } {
  const args: string[] = [];
  if (place.root && place.root !== '/') args.push('--root', place.root);
  if (place.procSys && place.procSys !== '/proc/sys') args.push('--proc-sys', place.procSys);
  if (place.runDir) args.push('--run-dir', place.runDir);
  const isRoot = process.getuid?.() === 0;
  const direct = isRoot || !opts.elevate || args.length > 0;
  if (direct) {
    if (!existsSync(PYTHON3)) {
      throw new ApiError('UNSUPPORTED', `${PYTHON3} is missing: HostDeck's helper needs Python 3. Install it: sudo apt install python3 (or: sudo dnf install python3)`, { missing: [PYTHON3] });
    }
    return { cmd: PYTHON3, args, viaPkexec: false, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  }
  const missing = missingForPkexec();
  if (missing.length) {
    throw new ApiError('UNSUPPORTED', `HostDeck cannot ask for administrator rights here: ${missing.map((m) => m.what).join('; ')}. Fix: ${missing.map((m) => m.fix).join(' && ')}`, {
      missing: missing.map((m) => m.path),
      fix: missing.map((m) => m.fix),
    });
  }
  return { cmd: PKEXEC, args: [HELPER_INSTALL_PATH], viaPkexec: true, timeoutMs: opts.timeoutMs ?? DEFAULT_PKEXEC_TIMEOUT_MS };
}

export interface MissingPiece {
  path: string;
  what: string;
  fix: string;
}

/** What pkexec elevation needs on this machine and is not there (pkexec, the installed helper of this HostDeck's version, the polkit policy). */
export function missingForPkexec(): MissingPiece[] {
  const out: MissingPiece[] = [];
  if (!existsSync(PKEXEC)) out.push({ path: PKEXEC, what: 'pkexec is not installed', fix: 'sudo apt install pkexec (Fedora/RHEL: sudo dnf install polkit)' });
  let helperOk = false;
  try {
    accessSync(HELPER_INSTALL_PATH, constants.X_OK);
    helperOk = true;
  } catch {
    helperOk = false;
  }
  if (!helperOk || !existsSync(POLKIT_POLICY_PATH)) {
    out.push({
      path: helperOk ? POLKIT_POLICY_PATH : HELPER_INSTALL_PATH,
      what: helperOk
        ? `HostDeck's polkit policy ${POLKIT_POLICY_PATH} is not installed`
        : `HostDeck's helper ${HELPER_INSTALL_PATH} is not installed (the deb and rpm packages install it; an AppImage cannot)`,
      fix: 'hostdeck helper install-files, then run the three "sudo install" commands it prints (see README, "Saving as a desktop user")',
    });
  }
  // An installed helper from an older HostDeck: pkexec would run its old rules as root.
  const outdated = helperOk ? localHelperVersionProblem() : null;
  if (outdated) out.push({ path: HELPER_INSTALL_PATH, what: outdated.split(': reinstall')[0]!, fix: LOCAL_REINSTALL });
  return out;
}

/**
 * The helper's bytecode, compiled once per HostDeck process by /usr/bin/python3 itself and kept in
 * memory: a direct run (HostDeck is root, or a verb that runs as the user) then skips compiling
 * 76 KB of Python on every call. It is handed to the child on stdin, never written to a file, so
 * there is no cache another user could swap; the child runs with HostDeck's own rights, as with
 * `-c SOURCE`. The header names the interpreter it was compiled by (sys.hexversion): after a
 * python3 upgrade the loader exits 3 and the call is retried from the source.
 * The first direct run of a process sends the source instead (header `hostdeck-source LEN`): that
 * run compiles it, hands the bytecode back on fd 3 and runs it, so a one-shot CLI command starts
 * python3 once, not once to compile and once more to run.
 */
export const HELPER_BYTECODE_LOADER =
  "import sys,marshal\ni=sys.stdin.buffer\nh=i.readline().split()\nif h[:1]==[b'hostdeck-source']:\n c=compile(i.read(int(h[1])),'hostdeck-helper','exec')\n try:\n  b=marshal.dumps(c)\n  with open(3,'wb') as f:f.write(b'hostdeck-bytecode %x %d\\n'%(sys.hexversion,len(b))+b)\n except OSError:pass\nelse:\n if h[:2]!=[b'hostdeck-bytecode',b'%x'%sys.hexversion]:sys.exit(3)\n c=marshal.loads(i.read(int(h[2])))\nexec(c,{'__name__':'__main__','__builtins__':__builtins__})";
const COMPILE =
  "import sys,marshal\nc=marshal.dumps(compile(sys.stdin.buffer.read(),'hostdeck-helper','exec'))\nsys.stdout.buffer.write(b'hostdeck-bytecode %x %d\\n'%(sys.hexversion,len(c))+c)";
let bytecode: Promise<Buffer | null> | null = null;
/** python3 processes this HostDeck started for direct runs: to compile only, and to run a verb (a one-shot CLI change should start one). */
export const directHelperStarts = { compile: 0, run: 0 };
const BYTECODE_STALE = 3;

/** The helper compiled to bytecode (header line + marshal data), or null when compiling failed (the source is used). */
export function helperBytecode(): Promise<Buffer | null> {
  bytecode ??= new Promise((resolve) => {
    directHelperStarts.compile++;
    const child = spawn(PYTHON3, ['-I', '-S', '-c', COMPILE], { stdio: ['pipe', 'pipe', 'ignore'], env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.on('error', () => resolve(null));
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => resolve(code === 0 && out.length ? Buffer.concat(out) : null));
    child.stdin.end(helperSource);
  });
  return bytecode;
}

/**
 * What a direct helper run gets before its request(s), and whether it hands bytecode back on fd 3:
 * the bytecode once this process has it, else the source (the run compiles it and hands it back,
 * see HELPER_BYTECODE_LOADER), so the first run of a process starts python3 once.
 */
export async function directLoaderPrefix(): Promise<{ prefix: Buffer; handsBack: boolean }> {
  const code = bytecode ? await helperBytecode() : null;
  if (code) return { prefix: code, handsBack: false };
  const src = Buffer.from(helperSource, 'utf8');
  return { prefix: Buffer.concat([Buffer.from(`hostdeck-source ${src.length}\n`), src]), handsBack: true };
}

/** Keeps the bytecode a first run handed back on fd 3 (ignored unless it has the loader's header). */
export function adoptHandedBackBytecode(code: Buffer): void {
  if (!bytecode && code.subarray(0, 18).toString() === 'hostdeck-bytecode ') bytecode = Promise.resolve(code);
}

async function runDirect(args: string[], body: string, timeoutMs: number, place: LocalHelperPlace): Promise<HelperResponse> {
  directHelperStarts.run++;
  if (!bytecode) {
    // The first run of this process compiles in the run itself and hands the bytecode back.
    const src = Buffer.from(helperSource, 'utf8');
    const back: Buffer[] = [];
    const answer = await spawnHelper(PYTHON3, ['-I', '-S', '-c', HELPER_BYTECODE_LOADER, ...args], Buffer.concat([Buffer.from(`hostdeck-source ${src.length}\n`), src, Buffer.from(body)]), timeoutMs, false, place, back);
    const code = Buffer.concat(back);
    if (!bytecode && code.subarray(0, 18).toString() === 'hostdeck-bytecode ') bytecode = Promise.resolve(code);
    return answer;
  }
  const code = await helperBytecode();
  if (code) {
    try {
      return await spawnHelper(PYTHON3, ['-I', '-S', '-c', HELPER_BYTECODE_LOADER, ...args], Buffer.concat([code, Buffer.from(body)]), timeoutMs, false, place);
    } catch (e) {
      if (!(e instanceof ApiError && (e.detail as { exit?: unknown } | undefined)?.exit === BYTECODE_STALE)) throw e;
      bytecode = null; // python3 changed under us: compile again next time, run this one from the source
    }
  }
  return spawnHelper(PYTHON3, ['-I', '-S', '-c', helperSource, ...args], body, timeoutMs, false, place);
}

export function helperEnv(place: LocalHelperPlace): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };
  const bus = place.busAddress ?? process.env.DBUS_SYSTEM_BUS_ADDRESS;
  if (bus) env.DBUS_SYSTEM_BUS_ADDRESS = bus;
  for (const k of ['XDG_RUNTIME_DIR', 'SUDO_UID', 'SUDO_USER', 'DISPLAY', 'WAYLAND_DISPLAY', 'XAUTHORITY', 'DBUS_SESSION_BUS_ADDRESS']) {
    if (process.env[k]) env[k] = process.env[k];
  }
  return env;
}

/** `fd3`: collects what the child writes on fd 3 (the bytecode a first run hands back). */
function spawnHelper(cmd: string, args: string[], body: string | Buffer, timeoutMs: number, viaPkexec: boolean, place: LocalHelperPlace, fd3?: Buffer[]): Promise<HelperResponse> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: fd3 ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'], env: helperEnv(place), shell: false });
    if (fd3) child.stdio[3]!.on('data', (b: Buffer) => fd3.push(b));
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(() =>
        reject(
          new ApiError('TIMEOUT', viaPkexec ? `No answer from the authorization or the helper within ${Math.round(timeoutMs / 1000)} s; nothing was confirmed` : `The helper did not answer within ${Math.round(timeoutMs / 1000)} s`, {
            timeoutMs,
          }),
        ),
      );
    }, timeoutMs);
    const collect = (into: Buffer[]) => (b: Buffer) => {
      size += b.length;
      if (size > MAX_OUTPUT) {
        child.kill('SIGKILL');
        finish(() => reject(new ApiError('INTERNAL', 'The helper answered more than 8 MiB')));
        return;
      }
      into.push(b);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.on('error', (e) => finish(() => reject(new ApiError('UNSUPPORTED', `Cannot start ${cmd}: ${e.message}`, { path: cmd }))));
    child.stdin.on('error', () => undefined); // an early exit (pkexec refusing) closes the pipe; the exit code tells why
    child.on('close', (code, signal) => {
      finish(() => {
        const stdout = Buffer.concat(out).toString('utf8');
        const stderr = Buffer.concat(err).toString('utf8').trim();
        const answer = parseAnswer(stdout);
        if (answer) return resolve(answer);
        reject(noAnswerError(code, signal, stderr, viaPkexec));
      });
    });
    child.stdin.end(body);
  });
}

/** Why a helper (or pkexec in front of it) ended without an answer, in the user's words. */
export function noAnswerError(code: number | null, signal: NodeJS.Signals | null, stderr: string, viaPkexec: boolean): ApiError {
  if (viaPkexec && code === 126) {
    return new ApiError('NOT_AUTHORIZED', 'Authorization was dismissed: the administrator password dialog was closed, so nothing was changed. Your draft is kept.', { pkexecExit: 126, reason: 'dismissed' });
  }
  if (viaPkexec && code === 127) {
    if (/textual authentication agent|no authentication agent|controlling terminal/i.test(stderr)) {
      return new ApiError('NOT_AUTHORIZED', `No polkit authentication agent is running to ask for the administrator password (pkexec: ${firstLine(stderr)}). ${noAgentAdvice()} Nothing was changed.`, {
        pkexecExit: 127,
        reason: 'no-agent',
        stderr,
      });
    }
    return new ApiError('NOT_AUTHORIZED', `Not authorized to change this host (polkit action ${POLKIT_ACTION_ID}): ${firstLine(stderr) || 'pkexec refused'}. Nothing was changed.`, { pkexecExit: 127, reason: 'not-authorized', stderr });
  }
  return new ApiError('INTERNAL', `The helper ended without an answer (${signal ? `signal ${signal}` : `exit ${code}`}): ${firstLine(stderr) || '(no message)'}`, { exit: code, signal, stderr: stderr.slice(-4000) });
}

function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim())?.trim() ?? '';
}

export function parseAnswer(stdout: string): HelperResponse | null {
  const line = stdout.trim().split('\n').pop();
  if (!line) return null;
  try {
    const r = helperResponseSchema.safeParse(JSON.parse(line));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
