import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ApiError } from '../../shared/api/errors';
import { journalPresent } from './machine-facts';

/**
 * This machine's kernel log, read (and followed) without changing anything: the journal
 * (`journalctl -k -o json`, one JSON object a line) where systemd-journald runs, else the kernel
 * ring buffer (`dmesg`, lines "[ uptime] message"). Callers get raw lines and parse them
 * themselves (the log is the host's data, hostile wherever it lands).
 */

export interface KernelLogOptions {
  /** Read from this time on (ms since the epoch). */
  sinceMs: number;
  /** Keep reading new lines until stop(). */
  follow: boolean;
  onLine(line: string): void;
}

export interface KernelLogReader {
  /** Where the lines come from: the journal or the kernel ring buffer. */
  source: 'journal' | 'kmsg';
  /** The command that reads it, as a user would type it (for messages and the README). */
  command: string;
  /** When the kernel booted (ms since the epoch, this machine's clock): dmesg lines carry only seconds since boot. */
  bootTimeMs?: number;
  /**
   * The host's clock minus this machine's (ms), for a remote host: times written in the lines
   * (the journal's) are the host's, and are moved onto this machine's clock with it.
   */
  clockOffsetMs?: number;
  /** Settles when the reader ends: at the end of the log (not following), on stop(), or with the reason it failed. */
  done: Promise<void>;
  stop(): void;
}

/** A line longer than this is cut: nf_log prints under 1 KiB, a journal record of it under 4 KiB. */
const MAX_LINE = 16 * 1024;

export function bootTimeMs(): number | undefined {
  try {
    const up = Number(readFileSync('/proc/uptime', 'utf8').split(/\s/)[0]);
    return Number.isFinite(up) ? Date.now() - up * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** Reads this machine's kernel log: the journal if one runs here, else the ring buffer. */
export function readLocalKernelLog(opts: KernelLogOptions, env: { journal?: boolean } = {}): KernelLogReader {
  const journal = env.journal ?? journalPresent();
  const argv = kernelLogArgv(journal ? 'journal' : 'kmsg', opts);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C', SYSTEMD_COLORS: '0', TZ: 'UTC' } });
  return kernelLogFrom(child, { source: journal ? 'journal' : 'kmsg', command: argv.join(' '), bootTimeMs: journal ? undefined : bootTimeMs() }, opts, (c) => c.kill('SIGTERM'));
}

/** The command that reads the kernel log, as an argv (fixed words; the time is a number). */
export function kernelLogArgv(source: 'journal' | 'kmsg', opts: Pick<KernelLogOptions, 'sinceMs' | 'follow'>): string[] {
  const since = Math.max(0, Math.floor(opts.sinceMs / 1000));
  if (!Number.isSafeInteger(since)) throw new ApiError('INVALID_INPUT', `Not a time to read the kernel log from: ${opts.sinceMs}`);
  return source === 'journal'
    ? ['journalctl', '-k', '-o', 'json', '--no-pager', '--quiet', `--since=@${since}`, ...(opts.follow ? ['--follow'] : [])]
    : ['dmesg', ...(opts.follow ? ['--follow'] : [])];
}

/**
 * A reader over a process that prints the kernel log (here, or an ssh session to a host):
 * its lines to onLine, its end (and why it failed, in words) to done; stop() ends it with `end`.
 */
export function kernelLogFrom(
  child: ChildProcess,
  info: { source: 'journal' | 'kmsg'; command: string; bootTimeMs?: number; where?: string },
  opts: KernelLogOptions,
  end: (child: ChildProcess) => void,
): KernelLogReader {
  // Read when the process ends: a remote reader learns which log it reads after it was made.
  const journal = () => info.source === 'journal';
  const bin = () => (journal() ? 'journalctl' : 'dmesg');
  let stderr = '';
  let stopped = false;
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
  lines.on('line', (line) => opts.onLine(line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => reject(new ApiError(e.code === 'ENOENT' ? 'UNSUPPORTED' : 'IO_ERROR', `Cannot run ${bin()} to read the kernel log${info.where ?? ''}: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (stopped || code === 0) return resolve();
      const { command } = info;
      // Without its closing period: the reason sits inside a sentence of ours (journalctl ends its own with one).
      const why = stderr.trim().split('\n').slice(-2).join(' ').replace(/\.+$/, '') || `exit ${code ?? signal}`;
      // dmesg as a non-root user where kernel.dmesg_restrict = 1; journalctl without the systemd-journal/adm group.
      const denied = /Operation not permitted|Permission denied|No journal files were opened due to insufficient permissions/i.test(why);
      reject(
        new ApiError(
          denied ? 'NOT_AUTHORIZED' : code === 127 ? 'UNSUPPORTED' : 'IO_ERROR',
          denied
            ? `The kernel log${info.where ?? ''} is not readable by this user (${command}: ${why}). ${journal() ? 'Add the user to the systemd-journal or adm group' : 'Run as root, or allow it with kernel.dmesg_restrict = 0'}.`
            : `${command}${info.where ?? ''} failed: ${why}`,
          { command, stderr: stderr.slice(0, 1000) },
        ),
      );
    });
  });
  done.catch(() => undefined);
  return {
    source: info.source,
    command: info.command,
    bootTimeMs: info.bootTimeMs,
    done,
    stop() {
      if (stopped) return;
      stopped = true;
      lines.close();
      if (child.exitCode === null && child.signalCode === null) end(child);
    },
  };
}
