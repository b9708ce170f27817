import { Writable } from 'node:stream';
import { Command } from 'commander';
import { createCliContext } from '../../../electron/cli/context';
import { registerKernelCommands } from '../../../electron/kernel/cli';

/** Runs `hostdeck kernel ...` in-process with captured output. */
export async function runKernelCli(args: string[]): Promise<{ out: string; err: string; code: number }> {
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
  const program = new Command('hostdeck').exitOverride();
  registerKernelCommands(program, cli);
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    await cli.dispose();
  }
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  process.exitCode = before;
  return { out, err, code };
}
