/**
 * The command line of a one-shot CLI run (set by the CLI; null in the app and `serve`, whose
 * process keeps running). pkexec asks polkit for its parent, this process: an agent must be
 * registered for this very process, so the advice differs between the two (local.ts,
 * noAgentAdvice). Apart from local.ts so that noting it loads no helper code (issue #22).
 */
let oneShotCommand: readonly string[] | null = null;

export function noteOneShotCommand(argv: readonly string[] | null): void {
  oneShotCommand = argv;
}

export function oneShotCommandLine(): readonly string[] | null {
  return oneShotCommand;
}
