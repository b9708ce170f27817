import type { RegisterCommands } from '../cli/context';

/** `hostdeck dns ...` subcommands. */
export const registerDnsCommands: RegisterCommands = (_program, _cli) => {};
