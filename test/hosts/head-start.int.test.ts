import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isApiError } from '../../shared/api/errors';
import { parseDestination } from '../../shared/hosts/destination';
import { SshLink, type SshLinkOptions } from '../../electron/hosts/ssh/link';
import { runHostdeck } from '../support/cli';
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
    for (const until = Date.now() + 15_000; Date.now() < until; ) {
      const r = fh.hosts[0]!.execRaw(['/bin/cat', path]);
      if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`${path} never appeared on the host: the session did not start (or did not answer) before a taker existed`);
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

  it('over a master an earlier run kept, the session starts at once (before any taker) and is taken', { timeout: 60_000 }, async () => {
    const o = options('hs1', 'w');
    // An earlier run: its master stays (ControlPersist).
    expect((await link(o).exec('echo first')).code).toBe(0);
    const cmd = marked('/run/hostdeck-head-w');
    SshLink.startHead(o, cmd);
    // The session is running on the host while no taker exists yet.
    const pid = await hostFile('/run/hostdeck-head-w');
    const l = link(o);
    const r = await l.exec(cmd, { input: 'warm\n' });
    expect(r.stdout.toString()).toBe(`${pid}\nwarm\n`);
    expect(l.status.state).toBe('connected');
  });

  /** A command that writes its pid, echoes its input, then marks the host: it has answered. */
  const answering = (file: string) => `/bin/sh -c 'echo $$ > ${file}; echo $$; /bin/cat; echo done > ${file}.done'`;

  it('a guessed input is answered before the taker comes, and the taker that gives exactly it gets that answer', { timeout: 60_000 }, async () => {
    const o = options('hs1', 'g');
    const cmd = answering('/run/hostdeck-head-g');
    const taken: string[] = [];
    SshLink.startHead(o, cmd, () => ({ input: Promise.resolve('guess\n'), taken: (i) => taken.push(i) }));
    const pid = await hostFile('/run/hostdeck-head-g');
    // Answered with no taker in this process yet: the guess was sent at once.
    expect(await hostFile('/run/hostdeck-head-g.done')).toBe('done');
    const l = link(o);
    const r = await l.exec(cmd, { input: 'guess\n' });
    expect(r.stdout.toString()).toBe(`${pid}\nguess\n`);
    expect(taken).toEqual(['guess\n']);
  });

  it('a wrong guess is never the answer: the taker runs its own input in a session of its own', { timeout: 60_000 }, async () => {
    const o = options('hs1', 'x');
    const cmd = answering('/run/hostdeck-head-x');
    const taken: string[] = [];
    SshLink.startHead(o, cmd, () => ({ input: Promise.resolve('stale request\n'), taken: (i) => taken.push(i) }));
    const guessedPid = await hostFile('/run/hostdeck-head-x');
    await hostFile('/run/hostdeck-head-x.done');
    const l = link(o);
    const r = await l.exec(cmd, { input: 'real request\n' });
    const [pid, line] = r.stdout.toString().split('\n');
    expect(line).toBe('real request');
    expect(pid).not.toBe(guessedPid);
    // What the taker really sent is what the next run guesses.
    expect(taken).toEqual(['real request\n']);
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

/**
 * `hostdeck compare` end to end (in process, masters kept between runs): each run records the
 * request it sent every host, and the next run of the same kind sends it while the rest loads;
 * a guess that is not the request (planted, or a run of another kind) changes nothing the user sees.
 */
describe('hostdeck compare guesses each host\'s request from its last run', () => {
  let fh: FakeHosts;
  let scratch: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    fh = await startFakeHosts([{ name: 'gs1', firewalld: false }]);
    scratch = mkdtempSync('/tmp/hdg-');
    mkdirSync(join(scratch, 'run'), { mode: 0o700 });
    Object.assign(process.env, { HOSTDECK_SSH_CONFIG: fh.sshConfig, XDG_CONFIG_HOME: join(scratch, 'config'), XDG_CACHE_HOME: join(scratch, 'cache'), XDG_RUNTIME_DIR: join(scratch, 'run'), HOSTDECK_SSH_PERSIST: '30' });
  }, 120_000);
  afterAll(async () => {
    for (const k of ['HOSTDECK_SSH_CONFIG', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_RUNTIME_DIR', 'HOSTDECK_SSH_PERSIST']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await fh?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const guesses = () => join(scratch, 'cache', 'hostdeck', 'head-requests');
  /** The host's live value of a key, as `hostdeck compare --json --all` shows it. */
  async function shown(key: string): Promise<string> {
    const r = await runHostdeck(['compare', 'gs1', 'local', '--only', 'sysctl', '--json', '--all']);
    expect(r.code, r.err).toBeLessThan(2);
    const rows = (JSON.parse(r.out) as { sysctl: { key: string; values: (string | null)[] }[] }).sysctl;
    return String(rows.find((x) => x.key === key)?.values[0]);
  }

  it('the request is recorded, the next run answers from it, and a planted request is not what the user sees', { timeout: 120_000 }, async () => {
    fh.hosts[0]!.execRaw(['/sbin/sysctl', '-w', 'net.ipv4.ip_default_ttl=61']);
    expect(await shown('net.ipv4.ip_default_ttl')).toBe('61');
    const [file] = readdirSync(guesses());
    const recorded = readFileSync(join(guesses(), file!), 'utf8');
    expect(JSON.parse(Buffer.from(recorded, 'base64').toString()).op).toBe('batch');
    // The next run (its session guessed from the record) still shows the host's value now; a
    // cold one with its masters elsewhere (another XDG_RUNTIME_DIR) asks the host the same, so
    // it guesses from the same record.
    mkdirSync(join(scratch, 'run2'), { mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = join(scratch, 'run2');
    fh.hosts[0]!.execRaw(['/sbin/sysctl', '-w', 'net.ipv4.ip_default_ttl=62']);
    expect(await shown('net.ipv4.ip_default_ttl')).toBe('62');
    expect(readdirSync(guesses())).toEqual([file]);
    expect(readFileSync(join(guesses(), file!), 'utf8')).toBe(recorded);
    // A planted request (valid base64, another read): the run reads what it needs itself.
    writeFileSync(join(guesses(), file!), Buffer.from(JSON.stringify({ op: 'batch', requests: [{ op: 'describe' }] })).toString('base64'), { mode: 0o600 });
    fh.hosts[0]!.execRaw(['/sbin/sysctl', '-w', 'net.ipv4.ip_default_ttl=63']);
    expect(await shown('net.ipv4.ip_default_ttl')).toBe('63');
    // ... and records its real request again.
    expect(readFileSync(join(guesses(), file!), 'utf8')).toBe(recorded);
  });
});
