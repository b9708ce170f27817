import { readFileSync } from 'node:fs';
import { helperSource } from '../../helper/source';
import { agentPayload, isAgentPayload } from './agent-payload';

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

/**
 * The line that ends a program: FN(request) (run, or the Ansible bundle), the request in base64
 * (binascii is built into python3; the base64 module would import re, ~9 ms a run). Only base64
 * is ever placed there: it cannot end the string literal it sits in.
 */
const CALL_OPEN = "(json.loads(binascii.a2b_base64('";
const CALL_CLOSE = "').decode('utf-8')))\n";

function callLine(fn: 'run' | 'bundle', payload: string): string {
  if (!isAgentPayload(payload)) throw new Error('an agent request must be base64');
  return fn + CALL_OPEN + payload + CALL_CLOSE;
}

/** FN(request) for a request object. */
export const agentCall = (fn: 'run' | 'bundle', request: unknown): string => callLine(fn, agentPayload(request));

/** The program one agent session is sent: the agent, then run() with the request (base64). */
export const agentProgram = (payload: string): string => `${agentSource}\n${callLine('run', payload)}`;

/** The request (base64) of a program agentProgram made, or null for any other text. */
export function agentPayloadOf(program: string): string | null {
  const head = `${agentSource}\nrun${CALL_OPEN}`;
  if (!program.startsWith(head) || !program.endsWith(CALL_CLOSE)) return null;
  const payload = program.slice(head.length, program.length - CALL_CLOSE.length);
  return isAgentPayload(payload) ? payload : null;
}
