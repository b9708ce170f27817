import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDestination } from '../../../shared/hosts/destination';
import { SshLink } from '../../../electron/hosts/ssh/link';
import { startFakeHosts, type FakeHosts } from '../../support/fake-hosts';

/**
 * A command's deadline is its own: the time the link took to come up is not taken from it. A
 * login that takes most of the deadline (here a ProxyCommand that waits 1.5 s first; in real use
 * 50 masters starting at once on a busy machine) used to leave the command 1 s, so every host of
 * a large live compare "timed out" while reading.
 */
describe('ssh link: a slow login does not eat the command\'s deadline', () => {
  let fh: FakeHosts;
  let dir: string;
  let config: string;
  beforeAll(async () => {
    fh = await startFakeHosts([{ name: 'slow1', firewalld: false }]);
    dir = mkdtempSync(path.join(fh.dir, 'slow-'));
    config = path.join(dir, 'ssh_config');
    writeFileSync(config, readFileSync(fh.sshConfig, 'utf8').replace(/ProxyCommand (.*)/, (_, cmd: string) => `ProxyCommand /bin/sh -c "sleep 1.5; exec ${cmd}"`));
  }, 120_000);
  afterAll(async () => {
    await fh?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a command that needs 3.6 s of a 5 s deadline answers though the login took over 1.5 s (the old deadline left it at most 3.5 s)', async () => {
    const link = new SshLink({ destination: parseDestination('slow1'), sshConfig: config, runtimeDir: path.join(dir, 'rt') });
    try {
      const r = await link.exec('/bin/sleep 3.6; echo answered', { timeoutMs: 5000, what: 'a slow read' });
      expect(r.stdout.toString().trim()).toBe('answered');
    } finally {
      await link.dispose();
    }
  }, 60_000);
});
