import { PassThrough } from 'node:stream';
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { ApiError } from '../../../shared/api/errors';
import { kernelLogArgv, kernelLogFrom, type KernelLogOptions, type KernelLogReader } from '../kernel-log';
import type { SshLink } from './link';

/**
 * A remote host's kernel log over the link's ControlMaster: one ssh session running a fixed
 * Python program (below) that runs `journalctl -k -o json --since=@T [--follow]` or
 * `dmesg [--follow]` and passes its output through. Its only inputs are words checked here
 * (LOG_WORD) and again there (the program name); nothing from the user or the host reaches a shell.
 *
 * Stopping: the session's stdin is closed; the program sees end of input, ends the reader
 * (SIGTERM, then SIGKILL) and exits, so no follower is left on the host. The same happens when
 * the connection drops (sshd closes the session's pipes). A one-shot read stops after
 * ONE_SHOT_MAX_BYTES (the newest lines are what --since asked for; the host's log may be huge).
 */

export interface RemoteKernelLogAccess {
  journal: boolean;
  journalReadable: boolean;
  kmsgReadable: boolean;
  uptime: number | null;
}

export const ONE_SHOT_MAX_BYTES = 32 * 1024 * 1024;

/** Every word the program is given: journalctl's and dmesg's options, a time, a byte count. */
const LOG_WORD = /^(journalctl|dmesg|--?[a-z]+(-[a-z]+)*(=@\d+)?|json|once|follow|\d+)$/;

// No single quote in it: it is sent inside one. Python 3.5+ standard library only.
const FOLLOWER = [
  'import os, select, subprocess, sys',
  'limit, mode, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]',
  'if not argv or argv[0] not in ("journalctl", "dmesg"): sys.exit(2)',
  'env = dict(os.environ, LC_ALL="C", SYSTEMD_COLORS="0", TZ="UTC")',
  'try:',
  '    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=env)',
  'except OSError as e:',
  '    sys.stderr.write("%s: %s\\n" % (argv[0], e.strerror)); sys.exit(127)',
  'fd, n, out = p.stdout.fileno(), 0, sys.stdout.buffer',
  '# following: end of input (HostDeck stopped, or the connection closed) ends the reader',
  'watch = [0, fd] if mode == "follow" else [fd]',
  'try:',
  '    while True:',
  '        ready = select.select(watch, [], [])[0]',
  '        if 0 in ready and not os.read(0, 4096): break',
  '        if fd in ready:',
  '            b = os.read(fd, 65536)',
  '            if not b: break',
  '            n += len(b); out.write(b); out.flush()',
  '            if limit and n >= limit:',
  '                sys.stderr.write("stopped after %d bytes\\n" % n); break',
  'except (OSError, ValueError): pass',
  'finally:',
  '    if p.poll() is None:',
  '        p.terminate()',
  '        try: p.wait(2)',
  '        except subprocess.TimeoutExpired: p.kill()',
  'code = p.wait()',
  'sys.exit(0 if code < 0 else code)',
].join('\n');

/** The remote command line: fixed program, checked words. */
export function remoteKernelLogCommand(source: 'journal' | 'kmsg', opts: Pick<KernelLogOptions, 'sinceMs' | 'follow'>): { line: string; argv: string[] } {
  const argv = kernelLogArgv(source, opts);
  const words = [String(opts.follow ? 0 : ONE_SHOT_MAX_BYTES), opts.follow ? 'follow' : 'once', ...argv];
  for (const w of words) if (!LOG_WORD.test(w)) throw new ApiError('INVALID_INPUT', `Refusing to send "${w}" to a host's kernel-log reader`);
  if (FOLLOWER.includes("'")) throw new Error('kernel-log follower program contains a single quote');
  return { line: `/usr/bin/python3 -I -c '${FOLLOWER}' ${words.join(' ')}`, argv };
}

/** Which log to read: the journal where the login may read it, else the ring buffer, else the journal's own refusal. */
export function remoteLogSource(a: RemoteKernelLogAccess | undefined): 'journal' | 'kmsg' {
  if (!a) return 'journal';
  if (a.journal && a.journalReadable) return 'journal';
  if (a.kmsgReadable) return 'kmsg';
  return a.journal ? 'journal' : 'kmsg';
}

/** Why this login cannot read the kernel log, in words, or undefined when it can. */
export function remoteLogProblem(a: RemoteKernelLogAccess | undefined, who: string, user: string): string | undefined {
  if (!a) return `HostDeck has not yet asked ${who} whether ${user} may read its kernel log.`;
  if ((a.journal && a.journalReadable) || a.kmsgReadable) return undefined;
  return a.journal
    ? `${user} on ${who} may not read the system journal (add it to the systemd-journal or adm group), nor the kernel ring buffer (kernel.dmesg_restrict = 1).`
    : `${who} has no systemd journal and ${user} may not read the kernel ring buffer (kernel.dmesg_restrict = 1; log in as root or allow it).`;
}

/**
 * Reads (and follows) the host's kernel log through the link. `access` is awaited first (the
 * read agent's answer: which log, the host's boot time for dmesg lines); the reader's source
 * and bootTimeMs are filled in once it is known.
 */
/** What the read agent said about the host's log and clock, and when (this machine's clock) it said it. */
export interface RemoteLogFacts {
  access?: RemoteKernelLogAccess;
  /** The host's clock when it answered (ms since the epoch). */
  hostTimeMs: number;
  /** This machine's clock when that answer arrived. */
  localTimeMs: number;
}

/**
 * The host's clock may be off from this machine's (minutes, on a VM restored from a snapshot):
 * the window is asked for in the host's own time, and every time given back is this machine's,
 * so "the last 10 minutes" means the same 10 minutes on both sides.
 */
export function remoteLogClock(facts: RemoteLogFacts, sinceMs: number): { sinceMs: number; clockOffsetMs: number; bootTimeMs?: number } {
  const clockOffsetMs = facts.hostTimeMs - facts.localTimeMs;
  const uptime = facts.access?.uptime;
  // Uptime was read with the host's time: the boot was that long before the answer, on any clock.
  return { sinceMs: sinceMs + clockOffsetMs, clockOffsetMs, ...(uptime != null ? { bootTimeMs: facts.localTimeMs - uptime * 1000 } : {}) };
}

export function readRemoteKernelLog(link: SshLink, access: () => Promise<RemoteLogFacts>, opts: KernelLogOptions): KernelLogReader {
  const where = ` on ${link.destination.text}`;
  // A stand-in process until the session starts: kernelLogFrom reads its streams and events.
  const proxy = Object.assign(new EventEmitter(), { stdout: new PassThrough(), stderr: new PassThrough(), exitCode: null as number | null, signalCode: null as string | null });
  let session: ChildProcess | undefined;
  let stopped = false;
  const end = () => {
    stopped = true;
    if (!session) return;
    // End of input: the program stops its reader and exits; kill the session only if it does not.
    session.stdin?.end();
    const t = setTimeout(() => session?.kill('SIGKILL'), 5000);
    t.unref?.();
    session.once('close', () => clearTimeout(t));
  };
  const info: { source: 'journal' | 'kmsg'; command: string; bootTimeMs?: number; where: string } = { source: 'journal', command: 'journalctl -k', where };
  const reader = kernelLogFrom(proxy as unknown as ChildProcess, info, opts, end);
  const live = reader as { source: 'journal' | 'kmsg'; command: string; bootTimeMs?: number; clockOffsetMs?: number };
  const settle = (code: number | null, signal: NodeJS.Signals | null) => {
    proxy.exitCode = code;
    proxy.signalCode = signal;
    proxy.stdout.end();
    proxy.stderr.end();
    // 'close' after the streams have drained (as a child process's does).
    setImmediate(() => proxy.emit('close', code, signal));
  };
  (async () => {
    const facts = await access();
    const source = remoteLogSource(facts.access);
    const clock = remoteLogClock(facts, opts.sinceMs);
    const cmd = remoteKernelLogCommand(source, { ...opts, sinceMs: clock.sinceMs });
    info.source = live.source = source;
    info.command = live.command = cmd.argv.join(' ');
    live.clockOffsetMs = clock.clockOffsetMs;
    if (source === 'kmsg' && clock.bootTimeMs !== undefined) live.bootTimeMs = clock.bootTimeMs;
    if (stopped) return settle(0, null);
    const child = await link.spawnSession(cmd.line, 15_000, 'log');
    session = child;
    if (stopped) end();
    child.stdout!.pipe(proxy.stdout);
    child.stderr!.pipe(proxy.stderr, { end: false });
    child.on('error', (e) => proxy.emit('error', e));
    child.on('close', (code, signal) => {
      // 255: ssh itself failed (the link dropped), not the reader.
      if (code === 255 && !stopped) proxy.stderr.write(`the connection to ${link.destination.text} was lost`);
      settle(code, signal);
    });
  })().catch((e: unknown) => {
    proxy.stderr.write(e instanceof Error ? e.message : String(e));
    settle(1, null);
  });
  return reader;
}
