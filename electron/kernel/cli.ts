import type { RegisterCommands } from '../cli/context';

/** `hostdeck kernel ...` subcommands. */
export const registerKernelCommands: RegisterCommands = (_program, _cli) => {};
