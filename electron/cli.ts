#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { createCliContext } from './cli/context';
import { hostdeckVersion } from './app/version';
import { registerServeCommand } from './serve/command';
import { registerFirewallCommands } from './firewall/cli';
import { registerDnsCommands } from './dns/cli';
import { registerKernelCommands } from './kernel/cli';
import { registerHelperCommands } from './helper/cli';
import { registerCompareCommands } from './compare/cli';
import { registerHostsCommands } from './hosts/cli';
import { registerHistoryCommands } from './history/cli';
import { noteOneShotCommand } from './helper/local';

/** Builds the `hostdeck` command line; exported so tests can run it in-process. */
export function buildProgram(cli = createCliContext()): Command {
  const program = new Command('hostdeck')
    .description('HostDeck: firewalld, resolv.conf and kernel parameters for Linux hosts and Kubernetes nodes')
    .version(hostdeckVersion, '-V, --version', 'print the HostDeck version')
    .showHelpAfterError('(run hostdeck --help for usage)')
    .option('--host <host>', 'work on this host: a saved name (hostdeck hosts list), any ssh destination (ssh_config alias, user@host[:port]), or a snapshot/import file to read (FILE or NAME=FILE)');
  // Any data command, before or after its name: hostdeck --host web1 firewall dump / hostdeck kernel apply ... --host web1
  program.hook('preAction', (_this, action) => {
    const own = action.opts() as { host?: unknown };
    const global = program.opts() as { host?: string };
    cli.host = typeof own.host === 'string' ? own.host : global.host;
  });
  registerServeCommand(program, cli);
  registerFirewallCommands(program, cli);
  registerDnsCommands(program, cli);
  registerKernelCommands(program, cli);
  registerHelperCommands(program, cli);
  registerCompareCommands(program, cli);
  registerHostsCommands(program, cli);
  registerHistoryCommands(program, cli);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const cli = createCliContext();
  // A one-shot run's own PID is gone by the time anyone reads advice about it (serve stays).
  if (argv[0] !== 'serve') noteOneShotCommand(process.argv.slice(1));
  const program = buildProgram(cli);
  program.exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return e.exitCode;
    }
    cli.fail(e);
  } finally {
    // serve keeps its runtime open until SIGINT; it disposes it itself.
    if (argv[0] !== 'serve') await cli.dispose();
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

const invokedDirectly = process.argv[1] !== undefined && /cli\.(js|ts|mjs)$/.test(process.argv[1]);
if (invokedDirectly) {
  // `hostdeck snapshot | head`: a reader that stops early is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`hostdeck: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
