import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isApiError } from '../../shared/api/errors';
import { parseDestination } from '../../shared/hosts/destination';
import { SshLink, type SshLinkOptions } from '../../electron/hosts/ssh/link';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';

/**
 * A CLI compare starts each host's first ssh session before the runtime is loaded
 * (SshLink.startHead, electron/hosts/head-start.ts); the link the runtime makes later takes that
 * session over. Real sshd hosts in namespaces. The remote command writes its own pid on the host
 * (/run is the host's own tmpfs) before any link exists: the answer must come from that process.
 */
describe('a head start is taken over by the link made later', () => {
  let fh: FakeHosts;
  let scratch: string;
  const links: SshLink[] = [];

  beforeAll(async () => {
    fh = await startFakeHosts([{ name: 'hs1', firewalld: false }, { name: 'hs2', firewalld: false, known: false }]);
    // Short: a unix socket path must fit in 108 bytes.
    scratch = mkdtempSync('/tmp/hdh-');
  }, 120_000);
  afterAll(async () => {
    for (const l of links) {
      l.killMaster();
      await l.dispose();
    }
    await SshLink.endHeadStarts();
    await fh?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** Link options as the CLI's (masters kept between runs) in a control directory of their own: a cold start. */
  function options(host: string, dir: string): SshLinkOptions {
    const runtimeDir = join(scratch, dir);
    mkdirSync(runtimeDir, { mode: 0o700 });
    return { destination: parseDestination(host), sshConfig: fh.sshConfig, runtimeDir, persistS: 30 };
  }
  const link = (o: SshLinkOptions) => {
    const l = new SshLink(o);
    links.push(l);
    return l;
  };
  /** Waits until the host has the file (the remote command is running), and returns its content. */
  async function hostFile(path: string): Promise<string> {
    for (;;) {
      const r = fh.hosts[0]!.execRaw(['/bin/cat', path]);
      if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
      await new Promise((res) => setTimeout(res, 50));
    }
  }
  const marked = (file: string) => `/bin/sh -c 'echo $$ > ${file}; echo $$; exec /bin/cat'`;

  it('the command that answers is the one started before the link existed, and the link is up on its master', { timeout: 60_000 }, async () => {
    const o = options('hs1', 'a');
    const cmd = marked('/run/hostdeck-head-a');
    SshLink.startHead(o, cmd);
    const pid = await hostFile('/run/hostdeck-head-a');
    const l = link(o);
    const r = await l.exec(cmd, { input: 'hello\n' });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe(`${pid}\nhello\n`);
    expect(l.status.state).toBe('connected');
    // Later sessions run over the master the head start brought up.
    expect((await l.exec('echo again')).stdout.toString()).toBe('again\n');
  });

  it('a head start nobody takes is ended (its command ends), and its master serves the next link', { timeout: 60_000 }, async () => {
    const o = options('hs1', 'b');
    SshLink.startHead(o, marked('/run/hostdeck-head-b'));
    const pid = await hostFile('/run/hostdeck-head-b');
    await SshLink.endHeadStarts();
    expect(fh.hosts[0]!.execRaw(['/bin/kill', '-0', pid]).status).not.toBe(0);
    const l = link(o);
    expect((await l.exec('echo next')).stdout.toString()).toBe('next\n');
    expect(l.status.state).toBe('connected');
  });

  it("a host whose key is unknown: the taker is refused with ssh's reason, as if it had connected itself", { timeout: 60_000 }, async () => {
    const o = options('hs2', 'c');
    SshLink.startHead(o, 'echo hi');
    const l = link(o);
    const e: unknown = await l.exec('echo hi').catch((x: unknown) => x);
    expect(isApiError(e) && e.code).toBe('HOST_KEY_UNKNOWN');
    expect(l.status.state).toBe('host-key-unknown');
    expect(l.lastRefusal?.code).toBe('HOST_KEY_UNKNOWN');
  });
});
