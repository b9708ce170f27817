#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { createCliContext, type CliContext, type RegisterCommands } from './cli/context';
import { hostdeckVersion } from './app/version';

/**
 * The top-level commands and where each one's registration lives, in help order. A run loads
 * only the one it names (its runtime, schemas and packages come with its first API call):
 * loading all of them cost every command ~0.3 s before any work (issue #22).
 */
const COMMANDS: { names: readonly string[]; load: () => Promise<RegisterCommands> }[] = [
  { names: ['serve'], load: async () => (await import('./serve/command')).registerServeCommand },
  { names: ['firewall'], load: async () => (await import('./firewall/cli')).registerFirewallCommands },
  { names: ['dns'], load: async () => (await import('./dns/cli')).registerDnsCommands },
  { names: ['kernel'], load: async () => (await import('./kernel/cli')).registerKernelCommands },
  { names: ['helper'], load: async () => (await import('./helper/cli')).registerHelperCommands },
  { names: ['snapshot', 'compare'], load: async () => (await import('./compare/cli')).registerCompareCommands },
  { names: ['hosts'], load: async () => (await import('./hosts/cli')).registerHostsCommands },
  { names: ['history'], load: async () => (await import('./history/cli')).registerHistoryCommands },
];

/**
 * Which top-level commands `argv` needs registered: the one it names; none for a bare
 * --version; every one otherwise (help, a mistyped name that commander suggests a fix for).
 */
export function commandsNeeded(argv: readonly string[]): ReadonlySet<string> | 'all' {
  let versionOnly = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--host') {
      i++;
      continue;
    }
    if (a.startsWith('--host=')) continue;
    if (a === '-V' || a === '--version') {
      versionOnly = true;
      continue;
    }
    if (a.startsWith('-')) return 'all';
    const c = COMMANDS.find((x) => x.names.includes(a));
    return c ? new Set(c.names) : 'all';
  }
  return versionOnly ? new Set() : 'all';
}

/** Builds the `hostdeck` command line (all commands unless `only`); exported so tests can run it in-process. */
export async function buildProgram(cli: CliContext = createCliContext(), only: ReadonlySet<string> | 'all' = 'all'): Promise<Command> {
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
  const wanted = COMMANDS.filter((c) => only === 'all' || c.names.some((n) => only.has(n)));
  const registers = await Promise.all(wanted.map((c) => c.load()));
  for (const register of registers) register(program, cli);
  if (wanted.length && oneShot) {
    // A one-shot run's own PID is gone by the time anyone reads advice about it (serve stays).
    const { noteOneShotCommand } = await import('./helper/one-shot');
    noteOneShotCommand(oneShot);
  }
  return program;
}

/** What runCli notes for the helper's advice (null: serve, or a run inside a test). */
let oneShot: string[] | null = null;

export async function runCli(argv: string[]): Promise<number> {
  const cli = createCliContext();
  oneShot = argv[0] !== 'serve' ? process.argv.slice(1) : null;
  const program = await buildProgram(cli, commandsNeeded(argv));
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
