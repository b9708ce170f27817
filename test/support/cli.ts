import { Writable } from 'node:stream';
import { createCliContext } from '../../electron/cli/context';
import { buildProgram } from '../../electron/cli';

export interface CliRun {
  out: string;
  err: string;
  code: number;
}

/** A CLI context whose stdout and stderr are kept in memory (read them with out() and err()). */
export function capturedCli() {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        append(String(chunk));
        cb();
      },
    });
  const cli = createCliContext(sink((s) => (out += s)), sink((s) => (err += s)));
  return { cli, out: () => out, err: () => err };
}

/**
 * Runs `hostdeck ARGS` in-process through the real command line (every subcommand registered,
 * as in the built CLI) with stdout and stderr captured, and returns the exit code it set.
 */
export async function runHostdeck(args: string[]): Promise<CliRun> {
  const { cli, out: stdout, err: stderr } = capturedCli();
  const program = (await buildProgram(cli)).exitOverride();
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    await cli.dispose();
  }
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  process.exitCode = before;
  return { out: stdout(), err: stderr(), code };
}
