/**
 * Every way a HostDeck process ends that still lets code run goes through here first, so
 * pending safe applies are reverted before the process is gone: SIGHUP (the SSH session that
 * started `hostdeck serve` dropped), SIGINT, SIGTERM, and the fatal paths (an uncaught
 * exception or unhandled rejection). What cannot run code (SIGKILL, the OOM killer) is covered
 * by the revert each safe apply schedules on the host itself.
 */

export interface ShutdownOptions {
  /** Reverts pending changes and releases everything (Runtime.dispose, server close). */
  cleanup: () => Promise<void>;
  /** Ends the process; process.exit by default (Electron passes app.exit). */
  exit?: (code: number) => void;
  log?: (line: string) => void;
  /** Longest the cleanup may take before the process ends anyway. */
  graceMs?: number;
}

export interface ShutdownHandle {
  /** Runs the cleanup once (later calls share it), then exits with `code`. */
  shutdown(reason: string, code: number): Promise<void>;
  uninstall(): void;
}

const SIGNALS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

export function installShutdownHandlers(opts: ShutdownOptions): ShutdownHandle {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const log = opts.log ?? ((line: string) => writeQuietly(`hostdeck: ${line}\n`));
  const graceMs = opts.graceMs ?? 60_000;
  let running: Promise<void> | undefined;

  const shutdown = (reason: string, code: number): Promise<void> => {
    if (running) return running;
    log(`${reason}: reverting pending changes before exiting`);
    const grace = new Promise<void>((r) => setTimeout(() => (log(`cleanup still running after ${graceMs} ms: exiting anyway`), r()), graceMs).unref());
    running = Promise.race([
      opts.cleanup().catch((e: unknown) => log(`cleanup failed: ${e instanceof Error ? e.message : String(e)}`)),
      grace,
    ]).then(() => exit(code));
    return running;
  };

  const onSignal = (signal: NodeJS.Signals) => void shutdown(`received ${signal}`, SIGNALS[signal] ?? 1);
  const onFatal = (e: unknown) => {
    log(`fatal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    void shutdown('fatal error', 1);
  };
  // After SIGHUP the terminal is gone: a write to it fails with EIO/EPIPE, which must not
  // become a second fatal error while the revert runs.
  const ignore = () => {};
  process.stdout.on('error', ignore);
  process.stderr.on('error', ignore);
  for (const s of Object.keys(SIGNALS) as NodeJS.Signals[]) process.on(s, onSignal);
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);

  return {
    shutdown,
    uninstall() {
      for (const s of Object.keys(SIGNALS) as NodeJS.Signals[]) process.off(s, onSignal);
      process.off('uncaughtException', onFatal);
      process.off('unhandledRejection', onFatal);
      process.stdout.off('error', ignore);
      process.stderr.off('error', ignore);
    },
  };
}

function writeQuietly(text: string): void {
  try {
    process.stderr.write(text);
  } catch {
    /* no terminal any more */
  }
}
