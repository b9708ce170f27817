import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHostdeck } from '../support/cli';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';

/**
 * Live compare reaches each host in one round trip (issue #17, "Reading live hosts"), against
 * real sshd hosts in namespaces. One set of hosts for the file.
 */

/** Command lines of the processes whose parent is `pid`. */
function childrenOf(pid: number): string[] {
  const r = spawnSync('/usr/bin/ps', ['-o', 'args=', '--ppid', String(pid)], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l && !l.startsWith('/usr/bin/ps '));
}

describe('live compare over ssh, one round trip per host', () => {
  let fh: FakeHosts;
  const before = process.env.HOSTDECK_SSH_CONFIG;

  beforeAll(async () => {
    fh = await startFakeHosts([{ name: 'r1', firewalld: false }, { name: 'r2', firewalld: false }]);
    process.env.HOSTDECK_SSH_CONFIG = fh.sshConfig;
  });
  afterAll(async () => {
    process.env.HOSTDECK_SSH_CONFIG = before;
    await fh?.stop();
  });

  it('a CLI command leaves no timer, child or master behind when its work is done', { timeout: 120_000 }, async () => {
    const count = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length;
    // The fake hosts are children of this process too: compare with what was there before.
    const [timers0, pipes0] = [count('Timeout'), count('PipeWrap')];
    const r = await runHostdeck(['compare', 'r1', 'r2', '--only', 'sysctl']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // What closes in the next turns of the event loop (pipes of children just reaped) does not keep a process alive.
    for (let i = 0; i < 5; i++) await new Promise((res) => setImmediate(res));
    // Nothing that keeps the process alive after its work: no pending (ref'd) timer, no ssh child.
    expect(count('Timeout')).toBeLessThanOrEqual(timers0);
    // No child process left (the fake hosts' own unshare processes aside).
    expect(childrenOf(process.pid).filter((l) => !l.includes('/usr/bin/unshare '))).toEqual([]);
    expect(count('PipeWrap')).toBeLessThanOrEqual(pipes0);
  });
});
