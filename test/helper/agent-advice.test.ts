import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { noAgentAdvice } from '../../electron/helper/local';

/** Prints the shell's PID and /proc/PID/stat field 22, the start time polkit identifies a process by (with its PID). */
const PROBE = 'echo "$$ $(cut -d" " -f22 /proc/$$/stat)" >&2';

describe('advice when no polkit agent can ask for the password', () => {
  it('a one-shot CLI run is never told to register an agent for its own PID (gone by then)', () => {
    const advice = noAgentAdvice(4242, ['/opt/hostdeck/cli.js', 'kernel', 'apply', '--from', "my file's.conf"]);
    expect(advice).not.toMatch(/--process \d/);
    expect(advice).toContain('ssh -t');
    expect(advice).toContain(`sh -c 'pkttyagent --process $$ & sleep 1; exec "$@"' hostdeck ${process.execPath} /opt/hostdeck/cli.js kernel apply --from 'my file'\\''s.conf'`);
  });

  it('a long-running HostDeck (app, serve) names its own PID, which is still there', () => {
    expect(noAgentAdvice(4242, null)).toContain('pkttyagent --process 4242 ');
  });

  it('the advised command runs the same argv, as the very process the agent was registered for (same PID and start time)', () => {
    // The advice's shell, with `pkttyagent` replaced by a probe that records what it would register for.
    const advice = noAgentAdvice(1, ['-e', `process.stdout.write(process.pid + ' ' + require('fs').readFileSync('/proc/self/stat','utf8').split(' ')[21] + ' ' + process.argv.length)`]);
    const cmd = advice.slice(advice.indexOf("sh -c '")).replace(/\.?$/, '').replace('pkttyagent --process $$ & sleep 1', () => PROBE);
    const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const [agentPid, agentStart] = r.stderr.trim().split(' ');
    const [pid, start] = r.stdout.trim().split(' ');
    expect([pid, start]).toEqual([agentPid, agentStart]);
  });
});
