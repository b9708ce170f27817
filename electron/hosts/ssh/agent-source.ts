import { readFileSync } from 'node:fs';
import { helperSource } from '../../helper/source';

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
 * The line that ends the program: FN(request) (run, or the Ansible bundle), the request in
 * base64 (binascii is built into python3; the base64 module would import re, ~9 ms a run).
 */
export function agentCall(fn: 'run' | 'bundle', request: unknown): string {
  const payload = Buffer.from(JSON.stringify(request), 'utf8').toString('base64');
  return `${fn}(json.loads(binascii.a2b_base64('${payload}').decode('utf-8')))\n`;
}
