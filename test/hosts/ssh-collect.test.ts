import { describe, expect, it } from 'vitest';
import { collect } from '../../electron/hosts/ssh/link';

/**
 * The one spawn-and-collect the SSH link uses for its short runs (ssh -G, the fresh login of
 * verify, the askpass contact), here with local programs in place of ssh.
 */
const env = { PATH: '/usr/bin:/bin', LC_ALL: 'C' };

describe('ssh link: collect', () => {
  it('returns the exit code, stdout and stderr', async () => {
    const r = await collect('/bin/sh', ['-c', 'echo out; echo err >&2; exit 3'], { env, timeoutMs: 10_000 });
    expect(r).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false });
  });

  it('kills a program that outlives its deadline and says so', async () => {
    const r = await collect('/bin/sh', ['-c', 'echo started >&2; exec sleep 30'], { env, timeoutMs: 200 });
    expect(r).toMatchObject({ code: null, stderr: 'started\n', timedOut: true });
  });

  it('answers code -1 with the reason when the program cannot start', async () => {
    const r = await collect('/nonexistent/ssh', [], { env, timeoutMs: 10_000 });
    expect(r.code).toBe(-1);
    expect(r.stderr).toMatch(/ENOENT/);
  });

  it('keeps only the end of a flood on stderr (where ssh puts its verdict) and the start of stdout', async () => {
    const r = await collect('/bin/sh', ['-c', 'head -c 1000000 /dev/zero | tr "\\0" x >&2; echo verdict >&2; head -c 1000000 /dev/zero | tr "\\0" y'], { env, timeoutMs: 20_000 });
    expect(r.code).toBe(0);
    expect(r.stderr.length).toBe(65_536);
    expect(r.stderr.endsWith('xxverdict\n')).toBe(true);
    expect(r.stdout).toBe('y'.repeat(65_536));
  });

  it('runs a detached program in its own session, away from the caller\'s terminal', async () => {
    // /proc/self/stat: field 6 is the session id; a session leader's equals its pid.
    const r = await collect('/bin/sh', ['-c', 'read -r stat < /proc/self/stat; set -- $stat; echo "$1 $6"'], { env, timeoutMs: 10_000, detached: true });
    const [pid, sid] = r.stdout.trim().split(' ');
    expect(sid).toBe(pid);
  });
});
