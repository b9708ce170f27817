import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { isApiError } from '../../shared/api/errors';
import { parseDestination } from '../../shared/hosts/destination';
import { SshLink } from '../../electron/hosts/ssh/link';
import { SshTransport } from '../../electron/hosts/ssh/transport';
import { startFakeHosts, type FakeHost, type FakeHosts } from '../support/fake-hosts';

/**
 * The app and `serve` keep one read agent per SSH host (electron/hosts/ssh/kept-agent.ts): a
 * refresh is a request to a python3 already running on the host, not a new one. Real sshd hosts
 * in namespaces. Which remote process answered is proved on the host itself: the kept agent's pid
 * (its greeting) must be a live process there whose read count (/proc/PID/io rchar) grows by a
 * /proc/sys read when a refresh is answered, and the refresh must show the value changed on the
 * host since the last one.
 */

const KEY = 'net.ipv4.tcp_keepalive_time';

describe('kept read agents over SSH', () => {
  let fh: FakeHosts;
  let work: string;
  const runtimes: Runtime[] = [];

  beforeAll(async () => {
    fh = await startFakeHosts([
      { name: 'ka1', firewalld: false },
      { name: 'ka2', firewalld: false },
      { name: 'ka3', firewalld: false },
    ]);
    work = mkdtempSync(join(tmpdir(), 'hostdeck-kept-agent-'));
    chmodSync(work, 0o755);
  }, 120_000);
  // Each test's runtimes end with it: a link left up would reconnect after a later test's cut and read (and keep an agent) on its own.
  afterEach(async () => {
    for (const rt of runtimes.splice(0)) await rt.dispose();
  });
  afterAll(async () => {
    await fh?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** A runtime as the app makes it: read agents kept `keep` seconds. */
  function runtime(keep: number): Runtime {
    const rt = new Runtime({ mode: 'cli', remote: { sshConfig: fh.sshConfig, configDir: join(work, `config-${runtimes.length}`), keepAgents: keep } });
    runtimes.push(rt);
    return rt;
  }
  const transport = (rt: Runtime, name: string) => rt.remote.transportOf(rt.hostFor(name).id) as SshTransport;
  const setKey = (h: FakeHost, value: number) => h.exec(['/usr/sbin/sysctl', '-w', `${KEY}=${value}`]);
  const alive = (h: FakeHost, pid: number) => h.execRaw(['/bin/kill', '-0', String(pid)]).status === 0;
  /** Bytes the process has read so far (read(2) of any kind: its requests and every /proc/sys entry). */
  const rchar = (h: FakeHost, pid: number) => Number(/^rchar: (\d+)$/m.exec(h.exec(['/bin/cat', `/proc/${pid}/io`]))![1]);
  /** Waits for the process to be gone from the host (the test's own timeout bounds the wait). */
  async function gone(h: FakeHost, pid: number): Promise<void> {
    while (alive(h, pid)) await new Promise((r) => setTimeout(r, 100));
  }
  /** compare.run refresh --only sysctl of the hosts (compare takes 2 or more: the second is company), the first one's value of KEY. */
  async function refresh(rt: Runtime, names: string[]): Promise<string | null | undefined> {
    const r = await rt.api.compare.run({ hosts: names.map((n) => rt.hostFor(n).id), refresh: true, only: ['sysctl'] });
    expect(r.hosts.map((h) => [h.status, h.error ?? null])).toEqual(names.map(() => ['ok', null]));
    return r.sysctl.find((row) => row.key === KEY)?.values[0];
  }

  it('two refreshes in a row are answered by the same python3 on the host, each with the host current value', { timeout: 120_000 }, async () => {
    const rt = runtime(60);
    const h = fh.hosts[0]!;
    const t = transport(rt, 'ka1');
    setKey(h, 7001);
    expect(await refresh(rt, ['ka1', 'ka3'])).toBe('7001');
    const pid = t.keptAgentPid!;
    expect(pid).toBeGreaterThan(0);
    expect(h.exec(['/bin/cat', `/proc/${pid}/cmdline`])).toContain('hostdeck-agent');
    const readBefore = rchar(h, pid);
    setKey(h, 7002);
    expect(await refresh(rt, ['ka1', 'ka3'])).toBe('7002');
    expect(t.keptAgentPid).toBe(pid);
    expect(alive(h, pid)).toBe(true);
    // That process read the host's /proc/sys again (1,000+ entries), not some other one.
    expect(rchar(h, pid) - readBefore).toBeGreaterThan(10_000);
  });

  it('a kept agent killed on the host is replaced and the read still succeeds', { timeout: 120_000 }, async () => {
    const rt = runtime(60);
    const h = fh.hosts[0]!;
    const t = transport(rt, 'ka1');
    setKey(h, 7011);
    expect(await refresh(rt, ['ka1', 'ka3'])).toBe('7011');
    const pid = t.keptAgentPid!;
    h.exec(['/bin/kill', '-9', String(pid)]);
    setKey(h, 7012);
    expect(await refresh(rt, ['ka1', 'ka3'])).toBe('7012');
    const next = t.keptAgentPid!;
    expect(next).toBeGreaterThan(0);
    expect(next).not.toBe(pid);
    expect(alive(h, next)).toBe(true);
    expect(alive(h, pid)).toBe(false);
  });

  it('a kept agent that dies under a request is replaced once, transparently: the refresh is answered by the new one', { timeout: 120_000 }, async () => {
    const rt = runtime(60);
    const h = fh.hosts[0]!;
    const t = transport(rt, 'ka1');
    await refresh(rt, ['ka1', 'ka3']);
    const pid = t.keptAgentPid!;
    // Stopped, the agent cannot answer; killed once the refresh's request was written to it.
    h.exec(['/bin/kill', '-STOP', String(pid)]);
    setKey(h, 7015);
    const runs = t.agentRuns.length;
    const pending = refresh(rt, ['ka1', 'ka3']);
    while (t.agentRuns.length === runs) await new Promise((r) => setTimeout(r, 20));
    h.exec(['/bin/kill', '-9', String(pid)]);
    expect(await pending).toBe('7015');
    expect(t.agentRuns.length - runs).toBe(1);
    const next = t.keptAgentPid!;
    expect(next).toBeGreaterThan(0);
    expect(next).not.toBe(pid);
    expect(alive(h, next)).toBe(true);
  });

  it('an idle kept agent ends on the host after the keep time', { timeout: 120_000 }, async () => {
    const rt = runtime(1);
    const h = fh.hosts[1]!;
    const t = transport(rt, 'ka2');
    await refresh(rt, ['ka2', 'ka3']);
    const pid = t.keptAgentPid!;
    expect(pid).toBeGreaterThan(0);
    await gone(h, pid);
    expect(t.keptAgentPid).toBeNull();
    // The next read starts a fresh one.
    setKey(h, 7021);
    expect(await refresh(rt, ['ka2', 'ka3'])).toBe('7021');
    expect(t.keptAgentPid).not.toBe(pid);
  });

  it('dispose ends every kept agent on its host', { timeout: 120_000 }, async () => {
    const rt = new Runtime({ mode: 'cli', remote: { sshConfig: fh.sshConfig, configDir: join(work, 'config-dispose'), keepAgents: 60 } });
    await refresh(rt, ['ka1', 'ka2']);
    const pids = [transport(rt, 'ka1').keptAgentPid!, transport(rt, 'ka2').keptAgentPid!];
    expect(pids.every((p) => p > 0)).toBe(true);
    expect(alive(fh.hosts[0]!, pids[0]!) && alive(fh.hosts[1]!, pids[1]!)).toBe(true);
    await rt.dispose();
    await gone(fh.hosts[0]!, pids[0]!);
    await gone(fh.hosts[1]!, pids[1]!);
  });

  it('a link lost under a kept agent is HOST_UNREACHABLE naming the host, as a one-shot read reports it', { timeout: 120_000 }, async () => {
    const rt = runtime(60);
    const h = fh.hosts[1]!;
    const t = transport(rt, 'ka2');
    await t.read([{ path: '/etc/passwd', content: true }]);
    expect(t.keptAgentPid).toBeGreaterThan(0);
    h.blackhole(true);
    try {
      const e: unknown = await t.read([{ path: '/etc/passwd', content: true }]).then(() => null, (x: unknown) => x);
      expect(isApiError(e) && e.code).toBe('HOST_UNREACHABLE');
      expect((e as Error).message).toContain('ka2');
    } finally {
      h.blackhole(false);
    }
  });

  it('the one-shot CLI (no keepAgents) keeps none: no agent stays on the host after a refresh', { timeout: 120_000 }, async () => {
    // ka1, not ka2: an agent whose link was cut (the test above) waits out its own idle time on the host.
    const rt = runtime(0);
    const t = transport(rt, 'ka1');
    setKey(fh.hosts[0]!, 7031);
    expect(await refresh(rt, ['ka1', 'ka3'])).toBe('7031');
    expect(t.keptAgentPid).toBeNull();
    const agents = fh.hosts[0]!.execRaw(['/bin/sh', '-c', 'grep -l hostdeck-agen[t] /proc/[0-9]*/cmdline']).stdout.trim();
    expect(agents).toBe('');
  });

  describe('a host whose python3 does not speak the protocol', () => {
    const h = () => fh.hosts[2]!;
    const made: SshTransport[] = [];
    afterAll(async () => {
      for (const t of made) await t.dispose();
    });

    /** A transport of its own (no kept agent yet), reads given 3 s. */
    function fresh(): SshTransport {
      const dir = join(work, `link-${made.length}`);
      mkdirSync(dir, { mode: 0o700 });
      const t = new SshTransport(new SshLink({ destination: parseDestination('ka3'), sshConfig: fh.sshConfig, runtimeDir: dir }), { keepAgentS: 60, readTimeoutMs: 3000 });
      made.push(t);
      return t;
    }
    /** Puts a shell script in place of the host's /usr/bin/python3 (a bind mount in the host's own mount namespace) while fn runs. */
    async function withPython(script: string, fn: () => Promise<void>): Promise<void> {
      const file = join(work, `python3-${Math.random().toString(36).slice(2)}`);
      writeFileSync(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
      h().exec(['/bin/mount', '--bind', file, '/usr/bin/python3']);
      try {
        await fn();
      } finally {
        h().exec(['/bin/umount', '/usr/bin/python3']);
      }
    }
    const readError = (t: SshTransport) => t.read([{ path: '/etc/passwd', content: true }]).then(() => null, (e: unknown) => e);

    it('garbage instead of the greeting is a clear error naming the host; the next read starts a fresh agent', { timeout: 60_000 }, async () => {
      const t = fresh();
      await withPython('exec /usr/bin/yes garbage', async () => {
        const e = await readError(t);
        expect(isApiError(e) && e.code).toBe('PARSE_ERROR');
        expect((e as Error).message).toMatch(/read agent on ka3 sent .*without its greeting/);
      });
      const [facts] = await t.read([{ path: '/etc/passwd', content: true }]);
      expect(facts!.bytes!.toString()).toContain('deck:');
      expect(t.keptAgentPid).toBeGreaterThan(0);
    });

    it('an oversize frame is refused before it is read: a clear error, and the session ends', { timeout: 60_000 }, async () => {
      const t = fresh();
      await withPython(`printf 'hostdeck-agent serve 1 pid=%d\\n\\377\\377\\377\\377' $$; exec /bin/cat >/dev/null`, async () => {
        const e = await readError(t);
        expect(isApiError(e) && e.code).toBe('TOO_LARGE');
        expect((e as Error).message).toMatch(/read agent on ka3 announced an answer of 4294967295 bytes/);
        expect(t.keptAgentPid).toBeNull();
      });
    });

    it('an agent that answers nothing is a TIMEOUT naming the host within the request deadline, not a hang', { timeout: 60_000 }, async () => {
      const t = fresh();
      await withPython('exec /bin/cat >/dev/null', async () => {
        const e = await readError(t);
        expect(isApiError(e) && e.code).toBe('TIMEOUT');
        expect((e as Error).message).toMatch(/^ka3: no answer from the read agent within 3 s/);
      });
      const [facts] = await t.read([{ path: '/etc/passwd', content: true }]);
      expect(facts!.bytes!.toString()).toContain('deck:');
    });
  });
});
