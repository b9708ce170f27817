import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { sha256 } from '../support/sha256';
import { HELPER_INSTALL_PATH } from '../../electron/helper/source';
import type { SshTransport } from '../../electron/hosts/ssh/transport';
import type { HostDeckEvent } from '../../shared/api/contract';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';
import { runHostdeck } from '../support/cli';

// Remote hosts over SSH against real sshd, dbus-daemon, firewalld and sudo in their own
// namespaces (test/support/fake-hosts.ts). One set of hosts for the whole file.
const SUDOERS = `deck ALL=(root) NOPASSWD: ${HELPER_INSTALL_PATH}`;

describe('remote hosts over ssh', () => {
  let fh: FakeHosts;
  let rt: Runtime;
  let configDir: string;
  const events: HostDeckEvent[] = [];
  const localResolv = readFileSync('/etc/resolv.conf', 'utf8');
  const localForward = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');

  beforeAll(async () => {
    fh = await startFakeHosts([
      { name: 'fake1', sudoers: SUDOERS },
      { name: 'fake2' },
      { name: 'fake3', known: false, firewalld: false },
    ]);
    configDir = mkdtempSync(join(tmpdir(), 'hostdeck-cfg-'));
    rt = new Runtime({ mode: 'cli', remote: { sshConfig: fh.sshConfig, configDir } });
    rt.events.subscribe((e) => events.push(e));
  });
  afterAll(async () => {
    await rt?.dispose();
    await fh?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
    // The local machine is untouched.
    expect(readFileSync('/etc/resolv.conf', 'utf8')).toBe(localResolv);
    expect(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8')).toBe(localForward);
  });

  const transport = (id: string) => rt.remote.transportOf(id) as SshTransport;

  it('adds a root host: connected, root, firewalld running, saved in hosts.json', async () => {
    const { host } = await rt.api.hosts.add({ destination: 'fake1' });
    expect(host).toMatchObject({ id: 'fake1', state: 'connected', privilege: { mode: 'root' }, firewalld: 'running', identity: { hostname: 'fake1', user: 'root' } });
    const saved = JSON.parse(readFileSync(join(configDir, 'hosts.json'), 'utf8')) as { hosts: { id: string; destination: string }[] };
    expect(saved.hosts).toEqual([{ id: 'fake1', destination: 'fake1' }]);
    expect((await rt.api.app.hosts({})).hosts.map((h) => h.id)).toContain('fake1');
  });

  it('reads files, /proc/sys and identity of the remote host in one round trip each', async () => {
    const t = transport('fake1');
    const [resolv, dir, missing] = await t.read([
      { path: '/etc/resolv.conf', content: true },
      { path: '/etc/sysctl.d', list: true },
      { path: '/etc/nope', content: true },
    ]);
    expect(resolv!.bytes!.toString()).toBe(fh.hosts[0]!.readFile('/etc/resolv.conf'));
    expect(resolv!.sha256).toBe(sha256(resolv!.bytes!));
    expect(dir!.type).toBe('dir');
    expect(missing).toMatchObject({ type: 'missing', error: { code: 'ENOENT' } });
    const live = await t.procSys();
    expect(live.entries.find((e) => e.key === 'net.ipv4.ip_forward')?.value).toBe(fh.hosts[0]!.readFile('/proc/sys/net/ipv4/ip_forward').trim());
    expect(live.dirs).toContain('net/ipv4');
    expect((await t.describe()).hostname).toBe('fake1');
  });

  it('talks to the remote firewalld over the bridge, both ways: a change and a signal', async () => {
    const before = await rt.api.firewall.zone({ name: 'public', layer: 'runtime' }, { host: 'fake1' });
    expect(before.services).not.toContain('http');
    await rt.api.firewall.updateZone({ name: 'public', layer: 'runtime', patch: { add: { services: ['http'] } }, acknowledgeRisk: true }, { host: 'fake1' });
    expect(fh.hosts[0]!.firewallCmd('--zone=public', '--list-services')).toMatch(/\bhttp\b/);
    // A change made on the host itself arrives as a signal through systemd-stdio-bridge.
    await rt.api.firewall.state({}, { host: 'fake1' });
    const n = events.length;
    fh.hosts[0]!.firewallCmd('--zone=public', '--add-port=8443/tcp');
    await waitFor(() => events.slice(n).some((e) => e.host === 'fake1' && e.name.startsWith('firewall.')), 10_000);
    const after = await rt.api.firewall.zone({ name: 'public', layer: 'runtime' }, { host: 'fake1' });
    expect(after.ports).toContainEqual(expect.objectContaining({ port: '8443', protocol: 'tcp' }));
  });

  it('keeps at most 6 sessions per host open at once (sshd MaxSessions, bus bridges aside), queueing the rest', async () => {
    const link = rt.remote.linkOf('fake1')!;
    const runs = await Promise.all(Array.from({ length: 12 }, (_, i) => link.exec(`/bin/sleep 0.2; echo ${i}`, { timeoutMs: 30_000 })));
    expect(runs.map((r) => r.stdout.toString().trim())).toEqual(Array.from({ length: 12 }, (_, i) => String(i)));
    expect(link.peakSessions).toBeLessThanOrEqual(6);
  });

  it('writes through the helper as root, on the remote host only', async () => {
    const t = transport('fake1');
    const [cur] = await t.read([{ path: '/etc/resolv.conf', content: true }]);
    const next = '# written by HostDeck over ssh\nnameserver 192.0.2.99\n';
    const r = await t.helper({ verb: 'write-file', path: '/etc/resolv.conf', content: Buffer.from(next).toString('base64'), expectedSha256: cur!.sha256! }, { elevate: true });
    expect(r.ok).toBe(true);
    expect(fh.hosts[0]!.readFile('/etc/resolv.conf')).toBe(next);
    const s = await t.helper({ verb: 'sysctl-set', settings: [{ key: 'net.ipv4.ip_forward', value: '1' }] }, { elevate: true });
    expect(s.ok).toBe(true);
    expect(fh.hosts[0]!.exec(['/usr/sbin/sysctl', '-n', 'net.ipv4.ip_forward']).trim()).toBe('1');
  });

  it('kernel.apply and undo on a remote host: the preview shows the remote value, apply and undo change the remote only', async () => {
    const key = 'net.ipv4.tcp_fin_timeout';
    const local = readFileSync('/proc/sys/net/ipv4/tcp_fin_timeout', 'utf8').trim();
    const remoteSysctl = () => fh.hosts[0]!.exec(['/usr/sbin/sysctl', '-n', key]).trim();
    const before = String(Number(local) + 7);
    const next = String(Number(local) + 13);
    fh.hosts[0]!.exec(['/usr/sbin/sysctl', '-w', `${key}=${before}`]);
    expect(remoteSysctl()).toBe(before);

    const dry = await rt.api.kernel.apply({ settings: [{ key, value: next }], dryRun: true }, { host: 'fake1' });
    expect(dry.results).toEqual([expect.objectContaining({ key, path: 'net/ipv4/tcp_fin_timeout', previous: before, value: next, outcome: 'planned' })]);
    expect(remoteSysctl()).toBe(before);

    const applied = await rt.api.kernel.apply({ settings: [{ key, value: next }], dryRun: false }, { host: 'fake1' });
    expect(applied.results).toEqual([expect.objectContaining({ key, previous: before, outcome: 'applied', readBack: next })]);
    expect(applied.undo).toEqual([{ key, previous: before, applied: next }]);
    expect(remoteSysctl()).toBe(next);
    expect(readFileSync('/proc/sys/net/ipv4/tcp_fin_timeout', 'utf8').trim()).toBe(local);

    const undone = await rt.api.kernel.undo({ entries: applied.undo, force: false }, { host: 'fake1' });
    expect(undone.results).toEqual([expect.objectContaining({ key, outcome: 'restored', live: before })]);
    expect(remoteSysctl()).toBe(before);
    expect(readFileSync('/proc/sys/net/ipv4/tcp_fin_timeout', 'utf8').trim()).toBe(local);
  });

  it('a non-root login with the sudoers line works once the helper is installed', async () => {
    const { host } = await rt.api.hosts.add({ destination: 'deck@fake1' });
    expect(host).toMatchObject({ state: 'connected', privilege: { mode: 'sudo', user: 'deck', helperInstalled: false, message: expect.stringContaining('not installed') }, firewalld: 'running' });
    const inst = await rt.api.hosts.installHelper({ id: 'fake1' });
    expect(inst).toMatchObject({ installed: true, path: HELPER_INSTALL_PATH });
    const t = transport('deck@fake1');
    const r = await t.helper({ verb: 'sysctl-set', settings: [{ key: 'net.ipv4.conf.all.forwarding', value: '1' }] }, { elevate: true });
    expect(r.ok).toBe(true);
    expect(fh.hosts[0]!.readFile('/proc/sys/net/ipv4/conf/all/forwarding').trim()).toBe('1');
    // The bus bridge runs as deck (never through sudo). No polkit on this host: firewalld serves
    // root only, even reads, and HostDeck says so with the rule to add once polkit is there.
    const { host: checked } = await rt.api.hosts.check({ id: 'deck@fake1' });
    expect(checked.privilege.firewall).toMatchObject({ route: 'none', polkit: false, polkitRule: { path: '/etc/polkit-1/rules.d/49-hostdeck-firewalld.rules' } });
    expect(checked.privilege.firewall.message).toMatch(/polkit is not running on deck@fake1: firewalld then answers only root/);
    await expect(rt.api.firewall.zone({ name: 'public', layer: 'runtime' }, { host: 'deck@fake1' })).rejects.toMatchObject({ code: 'NOT_AUTHORIZED', message: expect.stringContaining('polkit.addRule') });
    expect(checked.privilege.helperOutdated).toBeNull();
  });

  it("a sudo login's installed helper that is not this HostDeck's is named, and gets no change until reinstalled", async () => {
    const host = fh.hosts[0]!;
    // An older helper: another file at the same path (one more line changes its sha256).
    host.exec(['/bin/sh', '-c', `printf '\n# an older build\n' >> ${HELPER_INSTALL_PATH}`]);
    const { host: checked } = await rt.api.hosts.check({ id: 'deck@fake1' });
    expect(checked.privilege.helperOutdated).toMatch(/installed helper at \/usr\/libexec\/hostdeck\/hostdeck-helper on deck@fake1 is older than this HostDeck/);
    expect(checked.privilege.message).toContain('reinstall it with hostdeck hosts install-helper deck@fake1');
    const before = host.readFile('/proc/sys/net/ipv4/conf/all/forwarding').trim();
    await expect(transport('deck@fake1').helper({ verb: 'sysctl-set', settings: [{ key: 'net.ipv4.conf.all.forwarding', value: before === '1' ? '0' : '1' }] }, { elevate: true })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    expect(host.readFile('/proc/sys/net/ipv4/conf/all/forwarding').trim()).toBe(before);
    // Reinstalled (a root login), the same login works again.
    await rt.api.hosts.installHelper({ id: 'fake1' });
    const { host: again } = await rt.api.hosts.check({ id: 'deck@fake1' });
    expect(again.privilege.helperOutdated).toBeNull();
    expect((await transport('deck@fake1').helper({ verb: 'sysctl-set', settings: [{ key: 'net.ipv4.conf.all.forwarding', value: before }] }, { elevate: true })).ok).toBe(true);
  });

  it('a non-root login without the sudoers line gets the exact line to add', async () => {
    const { host } = await rt.api.hosts.add({ destination: 'deck@fake2' });
    expect(host.privilege.mode).toBe('none');
    expect(host.privilege.sudoersLine).toBe(SUDOERS);
    expect(host.privilege.message).toContain(SUDOERS);
    const e = await transport('deck@fake2')
      .helper({ verb: 'sysctl-set', settings: [{ key: 'net.ipv4.ip_forward', value: '1' }] }, { elevate: true })
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'NEEDS_SUDO', detail: { sudoersLine: SUDOERS } });
    expect(fh.hosts[1]!.readFile('/proc/sys/net/ipv4/ip_forward').trim()).toBe('0');
  });

  it('a refused login says so (keys and agent only, no password prompt)', async () => {
    const { host } = await rt.api.hosts.add({ destination: 'nobody@fake1', name: 'nobody' });
    expect(host.state).toBe('auth-failed');
    expect(host.message).toMatch(/refused the login \(publickey\)/);
    await expect(rt.api.firewall.status({}, { host: 'nobody' })).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await rt.api.hosts.remove({ id: 'nobody' });
  });

  it('an unknown host key: fingerprint shown, nothing written until accepted', async () => {
    const knownBefore = readFileSync(fh.knownHosts, 'utf8');
    const { host } = await rt.api.hosts.add({ destination: 'fake3' });
    expect(host).toMatchObject({ state: 'host-key-unknown', fingerprint: fh.hosts[2]!.fingerprint(), keyType: 'ED25519' });
    expect(readFileSync(fh.knownHosts, 'utf8')).toBe(knownBefore);
    // A different fingerprint than the host shows is never accepted.
    const wrong = `SHA256:${'A'.repeat(43)}`;
    await expect(rt.api.hosts.acceptHostKey({ id: 'fake3', fingerprint: wrong })).rejects.toMatchObject({ code: 'HOST_KEY_CHANGED' });
    expect(readFileSync(fh.knownHosts, 'utf8')).toBe(knownBefore);
    const ok = await rt.api.hosts.acceptHostKey({ id: 'fake3', fingerprint: host.fingerprint! });
    expect(ok.host).toMatchObject({ state: 'connected', firewalld: 'not-running' });
    expect(readFileSync(fh.knownHosts, 'utf8')).not.toBe(knownBefore);
    expect(fh.ssh(['fake3', '/bin/true']).status).toBe(0);
  });

  it('a changed host key is refused with ssh\'s warning in plain words', async () => {
    await fh.hosts[1]!.changeHostKey();
    const { host } = await rt.api.hosts.check({ id: 'deck@fake2' });
    expect(host.state).toBe('host-key-changed');
    expect(host.message).toMatch(/different host key/);
    expect(host.sshSays).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED/);
    // Every call on that host is refused the same way, never sent over a new connection.
    await expect(rt.api.firewall.status({}, { host: 'deck@fake2' })).rejects.toMatchObject({ code: 'HOST_KEY_CHANGED' });
    await expect(rt.api.dns.read({}, { host: 'deck@fake2' })).rejects.toMatchObject({ code: 'HOST_KEY_CHANGED' });
  });

  it('link loss: pending calls fail with HOST_UNREACHABLE, the link comes back, signals resume', async () => {
    const link = rt.remote.linkOf('fake1')!;
    // Killing the master mid-call.
    const pending = link.exec('/bin/sleep 30', { timeoutMs: 60_000 }).catch((e: unknown) => e);
    await waitFor(() => link.sessionsInUse > 0, 5000);
    link.killMaster();
    expect(await pending).toMatchObject({ code: 'HOST_UNREACHABLE' });
    await waitFor(() => link.status.state === 'connected', 15_000);
    // A black-holed link: nothing answers, nothing resets; ServerAlive notices within the deadline.
    await rt.api.firewall.status({}, { host: 'fake1' });
    fh.hosts[0]!.blackhole(true);
    try {
      const r = await rt.api.firewall.state({ refresh: true }, { host: 'fake1' }).catch((e: unknown) => e);
      expect(r).toMatchObject({ code: 'HOST_UNREACHABLE' });
      expect(link.status.state).not.toBe('connected');
    } finally {
      fh.hosts[0]!.blackhole(false);
    }
    await link.reconnect();
    // The firewalld client reconnects through the bridge with its own backoff.
    await waitForAsync(async () => (await rt.api.firewall.status({}, { host: 'fake1' })).running, 20_000);
    const n = events.length;
    fh.hosts[0]!.firewallCmd('--zone=public', '--add-port=9443/tcp');
    await waitFor(() => events.slice(n).some((e) => e.host === 'fake1' && e.name.startsWith('firewall.')), 10_000);
  });

  it('a dead host is named, with when it was last seen and the next reconnect; its last known facts are marked stale (#21 item 3)', async () => {
    const link = rt.remote.linkOf('fake1')!;
    await link.reconnect();
    expect((await rt.api.firewall.status({}, { host: 'fake1' })).running).toBe(true);
    const seen = Date.now();
    // The host goes away: its sshd refuses everything (as a stopped host's port would).
    fh.hosts[0]!.exec(['/usr/sbin/nft', '-f', '-'], 'table inet hostdeck_down {\n chain input { type filter hook input priority -300; tcp dport 22 reject with tcp reset; }\n}\n');
    try {
      await waitFor(() => link.status.state !== 'connected' && link.status.state !== 'connecting', 20_000);
      const st = (await rt.api.firewall.status({}, { host: 'fake1' }).catch((e: unknown) => e)) as { code: string; message: string };
      expect(st.code).toBe('HOST_UNREACHABLE');
      expect(st.message).toMatch(/^fake1 is unreachable \(last seen \d\d:\d\d:\d\d \(\d+ s ago\), (next reconnect in \d+ s|no reconnect scheduled)\)/);
      expect(st.message).not.toMatch(/D-Bus|system bus/);
      const h = (await rt.api.hosts.list({})).hosts.find((x) => x.id === 'fake1')!;
      expect(h).toMatchObject({ stale: true, privilege: { mode: 'root' }, message: expect.stringContaining('last seen') });
      expect(h.state).not.toBe('connected');
      expect(h.lastSeen).toBeGreaterThanOrEqual(seen - 60_000);
      expect(h.lastSeen).toBeLessThanOrEqual(Date.now());
    } finally {
      fh.hosts[0]!.execRaw(['/usr/sbin/nft', 'delete', 'table', 'inet', 'hostdeck_down']);
    }
    await link.reconnect();
    expect((await rt.api.hosts.list({})).hosts.find((x) => x.id === 'fake1')).toMatchObject({ state: 'connected', stale: false });
  });

  it('dozens of calls at once across a reconnect add no status listeners to the link (#21 item 22)', async () => {
    const link = rt.remote.linkOf('fake1')!;
    await link.reconnect();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      await rt.api.dns.read({}, { host: 'fake1' });
      const base = link.listenerCount('status');
      let peak = base;
      const sample = setInterval(() => (peak = Math.max(peak, link.listenerCount('status'))), 5);
      // The link drops under the calls, as when a Firewall page reloads after a reconnect.
      const calls = Array.from({ length: 30 }, () => rt.api.dns.read({}, { host: 'fake1' }).catch((e: unknown) => e));
      peak = Math.max(peak, link.listenerCount('status'));
      link.killMaster();
      const more = Array.from({ length: 30 }, () => rt.api.dns.read({}, { host: 'fake1' }).catch((e: unknown) => e));
      peak = Math.max(peak, link.listenerCount('status'));
      await Promise.all([...calls, ...more]);
      clearInterval(sample);
      await waitFor(() => link.status.state === 'connected', 20_000);
      await rt.api.dns.read({}, { host: 'fake1' });
      expect(peak).toBeLessThanOrEqual(base + 1);
      expect(link.listenerCount('status')).toBeLessThanOrEqual(base + 1);
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('CLI: --host takes a saved name or any ssh destination; hosts list and check', async () => {
    const env = { HOSTDECK_SSH_CONFIG: fh.sshConfig, XDG_CONFIG_HOME: join(configDir, 'cli') };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      // No set-up step: an ssh_config alias and user@host work as they are.
      const st = await runHostdeck(['firewall', 'status', '--host', 'fake1', '--json']);
      expect(st.code).toBe(0);
      expect(JSON.parse(st.out)).toMatchObject({ running: true, defaultZone: 'public' });
      const z = await runHostdeck(['--host', 'root@fake1', 'firewall', 'zone', 'public', '--json']);
      expect(JSON.parse(z.out).ports).toContainEqual(expect.objectContaining({ port: '8443' }));
      const add = await runHostdeck(['hosts', 'add', 'deck@fake1', '--name', 'web']);
      expect(add.code).toBe(0);
      expect(add.out).toMatch(/web \(deck@fake1\): connected/);
      expect(add.out).toMatch(/files and kernel parameters: yes, through "sudo -n" of HostDeck's helper/);
      expect(add.out).toMatch(/firewall: no - polkit is not running/);
      const list = await runHostdeck(['hosts', 'list', '--json']);
      expect(JSON.parse(list.out).hosts.map((h: { id: string }) => h.id)).toEqual(['web']);
      // deck may not use firewalld on this host (no polkit there): the status says what to add.
      const denied = await runHostdeck(['firewall', 'status', '--host', 'web', '--json']);
      expect(JSON.parse(denied.out)).toMatchObject({ running: false, problem: 'notAuthorized', reason: expect.stringContaining('/etc/polkit-1/rules.d/49-hostdeck-firewalld.rules') });
      // A changed key: refused, in plain words, non-zero exit.
      const bad = await runHostdeck(['firewall', 'zone', 'public', '--host', 'fake2']);
      expect(bad.code).not.toBe(0);
      expect(bad.err).toMatch(/different host key.*HOST_KEY_CHANGED/s);
      const nope = await runHostdeck(['firewall', 'status', '--host', '-oProxyCommand=x']);
      expect(nope.err).toMatch(/UNKNOWN_HOST/);
    } finally {
      for (const k of Object.keys(env)) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });

  it('safe apply on a remote host: the revert is scheduled on the host and runs with the link cut', async () => {
    const link = rt.remote.linkOf('fake1')!;
    await link.reconnect();
    const session = await rt.api.firewall.safeApply(
      { change: { type: 'zone', name: 'public', patch: { add: { ports: [{ port: '7777', protocol: 'tcp' }] } } }, seconds: 5, saveToPermanent: false },
      { host: 'fake1' },
    );
    expect(session.status).toBe('pending');
    expect(session.reasons.join(' ')).not.toMatch(/No revert could be scheduled/);
    expect(fh.hosts[0]!.firewallCmd('--zone=public', '--list-ports')).toContain('7777/tcp');
    // Cut the cable mid-countdown: HostDeck can no longer reach the host at all.
    fh.hosts[0]!.blackhole(true);
    link.killMaster();
    try {
      await waitFor(() => !fh.hosts[0]!.firewallCmd('--zone=public', '--list-ports').includes('7777/tcp'), 30_000);
    } finally {
      fh.hosts[0]!.blackhole(false);
    }
    expect(fh.hosts[0]!.firewallCmd('--zone=public', '--list-ports')).toContain('8443/tcp');
  });

  it('removes a host: forgotten in hosts.json and the registry', async () => {
    expect(await rt.api.hosts.remove({ id: 'fake3' })).toEqual({ removed: true });
    expect((await rt.api.hosts.list({})).hosts.map((h) => h.id)).not.toContain('fake3');
    const saved = JSON.parse(readFileSync(join(configDir, 'hosts.json'), 'utf8')) as { hosts: { id: string }[] };
    expect(saved.hosts.map((h) => h.id)).toEqual(['fake1', 'deck@fake1', 'deck@fake2']);
  });
});

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitForAsync(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
