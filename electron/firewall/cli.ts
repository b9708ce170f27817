import type { RegisterCommands } from '../cli/context';

/** `hostdeck firewall ...` subcommands. */
export const registerFirewallCommands: RegisterCommands = (_program, _cli) => {};
