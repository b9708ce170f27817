import { readFileSync } from 'node:fs';
import { helperSource } from '../../helper/source';
import { isAgentPayload } from './agent-payload';

/**
 * The SSH read agent (hostdeck-agent.py, Python 3 standard library only), sent on stdin to
 * "/usr/bin/python3 -I -" on a remote host with the request appended: nothing is written there.
 * In the built bundle the build inlines the file (electron.vite.config.ts defines
 * __HOSTDECK_AGENT_SOURCE__), as it does the helper; run from the sources it is read from the
 * file next to this one.
 *
 * The rules the agent shares with the privileged helper (host paths, errno names, bounded reads,
 * reading a /proc/sys entry) live once, in the helper's section marked "shared with the read
 * agent": the program sent is that section followed by the agent.
 */
declare const __HOSTDECK_AGENT_SOURCE__: string | undefined;

export const AGENT_PROTOCOL = 1;

const agentFile: string =
  typeof __HOSTDECK_AGENT_SOURCE__ === 'string' ? __HOSTDECK_AGENT_SOURCE__ : readFileSync(new URL('./hostdeck-agent.py', import.meta.url), 'utf8');

const BEGIN = '# >>> shared with the read agent >>>\n';
const END = '# <<< shared with the read agent <<<\n';

/** The helper's section shared with the agent (throws when the markers are gone: a build that would send a broken agent). */
export function sharedRules(helper: string): string {
  const from = helper.indexOf(BEGIN);
  const to = helper.indexOf(END, from);
  if (from < 0 || to < 0) throw new Error('hostdeck-helper.py has no section "shared with the read agent": the read agent cannot be built');
  return helper.slice(from, to + END.length);
}

/** The agent program: the shared rules, then the agent (which defines run(request)). */
export const agentSource = `${sharedRules(helperSource)}\n${agentFile}`;

/** What follows the agent in a session's program: run() called with the request. */
const RUN_HEAD = "\nimport base64 as _b64\nrun(json.loads(_b64.b64decode('";
const RUN_TAIL = "').decode('utf-8')))\n";

/** The program one agent session is sent: the agent, then the call of run() with its request. */
export function agentProgram(payload: string): string {
  if (!isAgentPayload(payload)) throw new Error('an agent request must be base64');
  return agentSource + RUN_HEAD + payload + RUN_TAIL;
}

/** The request (base64) of a program agentProgram made, or null for any other text. */
export function agentPayloadOf(program: string): string | null {
  const head = agentSource + RUN_HEAD;
  if (!program.startsWith(head) || !program.endsWith(RUN_TAIL)) return null;
  const payload = program.slice(head.length, program.length - RUN_TAIL.length);
  return isAgentPayload(payload) ? payload : null;
}
