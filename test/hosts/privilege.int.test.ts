import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Message, type MessageBus } from '@jellybrick/dbus-next';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { connectBus } from '../../electron/hosts/bus';
import { sha256 } from '../support/sha256';
import { HELPER_INSTALL_PATH } from '../../electron/helper/source';
import { sudoersLine, type SshTransport } from '../../electron/hosts/ssh/transport';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';

/**
 * Issue #20 item 1, as the attack: a sudo-limited user `deck` on a real fake host (sshd, sudo,
 * dbus-daemon, polkitd, firewalld) with exactly the sudoers line HostDeck documents, and a
 * root-only D-Bus service of the test's own on that host's system bus (it runs any command as
 * root, as systemd's StartTransientUnit would). Through everything HostDeck asks the admin to
 * allow (sudo -n of what sudoers allows, HostDeck's bus bridge, the helper's verbs with hostile
 * JSON, the polkit rule) deck reaches neither that service nor a root shell.
 */

const ROOT_ONLY = 'test.hostdeck.RootOnly';
const POLICY = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <policy user="root">
    <allow own="${ROOT_ONLY}"/>
    <allow send_destination="${ROOT_ONLY}"/>
  </policy>
  <policy context="default">
    <deny send_destination="${ROOT_ONLY}"/>
  </policy>
</busconfig>
`;
// Runs what it is sent as root: what a caller who reaches it can do.
const SERVICE = `import subprocess, dbus, dbus.service, dbus.mainloop.glib
from gi.repository import GLib
dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
bus = dbus.SystemBus()
name = dbus.service.BusName('${ROOT_ONLY}', bus)
class S(dbus.service.Object):
    @dbus.service.method('${ROOT_ONLY}', in_signature='s', out_signature='s')
    def Run(self, cmd):
        subprocess.run(['/bin/sh', '-c', cmd])
        return 'ran'
S(bus, '/test/hostdeck/RootOnly')
open('/run/rootonly.ready', 'w').close()
GLib.MainLoop().run()
`;

const README = readFileSync(join(__dirname, '../../README.md'), 'utf8');

describe('a sudo-limited user gets no more than HostDeck needs', () => {
  let fh: FakeHosts;
  let rt: Runtime;
  let configDir: string;
  const servers: Server[] = [];
  const children: ChildProcess[] = [];
  // The line HostDeck produces and the README documents, for this user.
  const line = sudoersLine('deck');
  const rule = () => polkitRuleFromReadme('deck');

  beforeAll(async () => {
    fh = await startFakeHosts([
      {
        name: 'fake1',
        polkit: true,
        sudoers: line,
        etc: { [`dbus-1/system.d/${ROOT_ONLY}.conf`]: POLICY, 'polkit-1/rules.d/49-hostdeck-firewalld.rules': rule() },
      },
      { name: 'fake2', polkit: true, sudoers: line },
    ]);
    const h = fh.hosts[0]!;
    h.exec(['/bin/sh', '-c', 'cat > /run/rootonly.py'], SERVICE);
    h.exec(['/bin/sh', '-c', '/usr/bin/setsid /usr/bin/python3 /run/rootonly.py >/run/rootonly.log 2>&1 < /dev/null &']);
    for (let i = 0; i < 100 && h.execRaw(['/usr/bin/test', '-e', '/run/rootonly.ready']).status !== 0; i++) await sleep(100);
    // The service is there, and root reaches it (the control: deck's refusals below are the policy, not a missing service).
    expect(h.exec(['/usr/bin/busctl', 'call', ROOT_ONLY, '/test/hostdeck/RootOnly', ROOT_ONLY, 'Run', 's', 'true'])).toBe('s "ran"\n');
    configDir = mkdtempSync(join(tmpdir(), 'hostdeck-cfg-'));
    rt = new Runtime({ mode: 'cli', remote: { sshConfig: fh.sshConfig, configDir } });
    // The helper is installed the way HostDeck does it for a root login.
    await rt.api.hosts.add({ destination: 'root@fake1', name: 'root-fake1' });
    expect(await rt.api.hosts.installHelper({ id: 'root-fake1' })).toMatchObject({ installed: true, path: HELPER_INSTALL_PATH });
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const s of servers) s.close();
    await rt?.dispose();
    await fh?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  const pwned = (name: string) => fh.hosts[0]!.execRaw(['/usr/bin/test', '-e', `/run/pwned-${name}`]).status === 0;
  /** Calls the root-only service over `bus`: its marker appears only if the call went through. */
  const callRootOnly = async (bus: MessageBus, marker: string) =>
    Promise.race([
      bus.call(new Message({ destination: ROOT_ONLY, path: '/test/hostdeck/RootOnly', interface: ROOT_ONLY, member: 'Run', signature: 's', body: [`touch /run/pwned-${marker}`] })).then(
        () => 'called',
        (e: { type?: string; message?: string }) => e.type ?? e.message ?? String(e),
      ),
      sleep(15_000).then(() => 'no answer'),
    ]);

  /** A bus at a local socket whose every connection is `ssh deck@fake1 COMMAND` (what HostDeck's bridge did before). */
  const busOver = async (command: string, timeoutMs: number): Promise<MessageBus> => {
    const sock = join(configDir, `bus-${servers.length}.sock`);
    const server = createServer((c) => {
      const child = spawn('/usr/bin/ssh', ['-F', fh.sshConfig, 'deck@fake1', command], { stdio: ['pipe', 'pipe', 'ignore'] });
      children.push(child);
      child.stdout.pipe(c);
      c.pipe(child.stdin);
      child.stdin.on('error', () => c.destroy());
      c.on('error', () => child.kill());
      c.on('close', () => child.kill());
      child.on('exit', () => c.end());
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(sock, r));
    return connectBus(`unix:path=${sock}`, timeoutMs);
  };

  it('the README documents exactly the line HostDeck produces, and it names only the helper', () => {
    expect(line).toBe(`deck ALL=(root) NOPASSWD: ${HELPER_INSTALL_PATH}`);
    const documented = [...README.matchAll(/^\s*(\S+) ALL=\(root\) NOPASSWD: (.+)$/gm)].map((m) => `deck ALL=(root) NOPASSWD: ${m[2]}`);
    expect(documented.length).toBeGreaterThan(0);
    for (const d of documented) expect(d).toBe(line);
  });

  it('sudo -n of everything sudoers allows deck: no root shell', () => {
    const list = fh.ssh(['deck@fake1', '/usr/bin/sudo -n -l']);
    expect(list.status).toBe(0);
    const allowed = /NOPASSWD:\s*(.+)/.exec(list.stdout)?.[1]?.split(/,\s*/) ?? [];
    expect(allowed).toEqual([HELPER_INSTALL_PATH]);
    // The old line's bridge, as root, with a program of the attacker's choice.
    const bridge = fh.ssh(['deck@fake1', `/usr/bin/sudo -n /usr/bin/systemd-stdio-bridge -p 'unixexec:path=/bin/sh,argv1=-c,argv2=touch%20/run/pwned-unixexec' </dev/null`]);
    expect(bridge.status).not.toBe(0);
    expect(bridge.stderr).toMatch(/sudo: a password is required/);
    // Any other program, and the helper with arguments that would move its root (refused under sudo).
    for (const cmd of ['/bin/sh -c "touch /run/pwned-sh"', '/usr/bin/env touch /run/pwned-env', '/usr/bin/python3 -c "open(\'/run/pwned-py\',\'w\')"']) {
      expect(fh.ssh(['deck@fake1', `/usr/bin/sudo -n ${cmd} </dev/null`]).status).not.toBe(0);
    }
    const moved = fh.ssh(['deck@fake1', `/usr/bin/sudo -n ${HELPER_INSTALL_PATH} --root /tmp`], '{"verb":"list-backups","path":"/etc/resolv.conf"}');
    expect(moved.stdout).toMatch(/"NOT_ALLOWED"/);
    for (const m of ['unixexec', 'sh', 'env', 'py']) expect(pwned(m)).toBe(false);
  });

  it('the bus through "sudo -n systemd-stdio-bridge" (what HostDeck used to run) is refused', async () => {
    // With the old line this bus connects in well under a second; refused, nothing ever answers.
    const attempt = await busOver(`/usr/bin/sudo -n /usr/bin/systemd-stdio-bridge`, 5000).then(
      (bus) => callRootOnly(bus, 'sudo-bridge').finally(() => bus.disconnect()),
      (e: Error) => `no bus: ${e.message}`,
    );
    expect(attempt).not.toBe('called');
    expect(pwned('sudo-bridge')).toBe(false);
  });

  it("HostDeck's own bridge for deck runs as deck: the root-only service refuses it", async () => {
    const { host } = await rt.api.hosts.add({ destination: 'deck@fake1' });
    expect(host.state).toBe('connected');
    const t = rt.remote.transportOf('deck@fake1') as SshTransport;
    const bus = await connectBus(await t.busAddress(), 15_000);
    try {
      expect(await callRootOnly(bus, 'hostdeck-bridge')).toBe('org.freedesktop.DBus.Error.AccessDenied');
      // The bridge's peer on the host is deck, not root.
      const uid = await bus.call(new Message({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'GetConnectionUnixUser', signature: 's', body: [bus.name!] }));
      expect(uid?.body[0]).toBe(1500);
    } finally {
      bus.disconnect();
    }
    expect(pwned('hostdeck-bridge')).toBe(false);
  });

  it("the helper's verbs with hostile JSON: refused, no root shell, sudoers and the bus policy untouched", () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const zero = '0'.repeat(64);
    const resolvBefore = fh.hosts[0]!.readFile('/etc/resolv.conf');
    const hostile: unknown[] = [
      { verb: 'write-file', path: '/etc/sudoers.d/pwn', content: b64('deck ALL=(ALL) NOPASSWD: ALL\n'), expectedSha256: null },
      { verb: 'write-file', path: '/etc/sysctl.d/../sudoers.d/pwn', content: b64('deck ALL=(ALL) NOPASSWD: ALL\n'), expectedSha256: null },
      { verb: 'write-file', path: '/etc//sudoers', content: b64('deck ALL=(ALL) NOPASSWD: ALL\n'), expectedSha256: zero },
      { verb: 'write-file', path: `/etc/dbus-1/system.d/${ROOT_ONLY}.conf`, content: b64('<busconfig/>'), expectedSha256: null },
      { verb: 'write-file', path: '/etc/sysctl.d/99-pwn.conf', content: b64('kernel.core_pattern = |/bin/sh -c "touch /run/pwned-core"\n'), expectedSha256: null },
      { verb: 'write-file', path: '/etc/sysctl.d/99-pwn.conf', content: b64('kernel.modprobe = /run/pwned-modprobe\n'), expectedSha256: null },
      { verb: 'sysctl-set', settings: [{ key: 'kernel.core_pattern', value: '|/bin/sh -c "touch /run/pwned-core"' }] },
      { verb: 'sysctl-set', settings: [{ key: 'kernel/modprobe', value: '/run/pwned-modprobe' }] },
      { verb: 'restore-backup', path: '/etc/sudoers', backup: '../../../../etc/shadow', expectedSha256: null },
      { verb: 'schedule-revert', seconds: 5, plan: { kind: 'sysctl', settings: [{ key: 'kernel.core_pattern', value: '|/bin/sh', applied: 'core' }] } },
      { verb: 'schedule-revert', seconds: 5, plan: { kind: 'firewall-cmd', commands: [['/bin/sh', '-c', 'touch /run/pwned-fwcmd']] } },
      // firewall-cmd as root with options HostDeck never writes: iptables/ebtables passthrough
      // (--modprobe runs a program, --atomic-file writes any file) and files of the caller's choice.
      { verb: 'schedule-revert', seconds: 3600, plan: { kind: 'firewall-cmd', commands: [['--direct', '--passthrough', 'eb', '-A', 'INPUT', '--atomic-file', '/etc/sudoers.d/pwn', '--atomic-save']] } },
      { verb: 'schedule-revert', seconds: 3600, plan: { kind: 'firewall-cmd', commands: [['--direct', '--passthrough', 'ipv4', '-A', 'INPUT', '--modprobe=/run/pwned-modprobe', '-j', 'ACCEPT']] } },
      { verb: 'schedule-revert', seconds: 3600, plan: { kind: 'firewall-cmd', commands: [['--zone=public', '--dir', '--passthrough', 'ipv4', '-A', 'INPUT']] } },
      { verb: 'schedule-revert', seconds: 3600, plan: { kind: 'firewall-cmd', commands: [['--permanent', '--new-zone-from-file=/etc/shadow']] } },
      { verb: 'exec', argv: ['/bin/sh', '-c', 'touch /run/pwned-exec'] },
      { verb: 'write-file', path: '/etc/resolv.conf', content: b64('nameserver 192.0.2.1\n'), expectedSha256: sha256(Buffer.from(resolvBefore)), mode: 0o4777 },
    ];
    // One ssh session for all of them: each request through its own `sudo -n helper`.
    const script = hostile.map((req) => `echo ${Buffer.from(JSON.stringify(req)).toString('base64')} | /usr/bin/base64 -d | /usr/bin/sudo -n ${HELPER_INSTALL_PATH}; echo; echo @@@`).join('\n');
    const r = fh.ssh(['deck@fake1', '/bin/sh'], script);
    const answers = r.stdout.split('@@@\n').slice(0, -1);
    expect(answers).toHaveLength(hostile.length);
    answers.forEach((a, i) => {
      const answer = JSON.parse(a.trim().split('\n').pop() || '{}') as { ok?: boolean; error?: { code: string } };
      expect(answer, JSON.stringify(hostile[i])).toMatchObject({ ok: false });
    });
    expect(fh.hosts[0]!.readFile('/etc/resolv.conf')).toBe(resolvBefore);
    expect(fh.hosts[0]!.execRaw(['/usr/bin/test', '-e', '/etc/sudoers.d/pwn']).status).not.toBe(0);
    expect(fh.hosts[0]!.execRaw(['/usr/bin/test', '-e', '/etc/sysctl.d/99-pwn.conf']).status).not.toBe(0);
    expect(fh.hosts[0]!.readFile(`/etc/dbus-1/system.d/${ROOT_ONLY}.conf`)).toBe(POLICY);
    expect(fh.ssh(['deck@fake1', '/usr/bin/sudo -n -l']).stdout).not.toMatch(/\(ALL\)|systemd-stdio-bridge/);
    for (const m of ['core', 'modprobe', 'fwcmd', 'exec']) expect(pwned(m)).toBe(false);
  });

  it('with the polkit rule, deck is shown able to change the firewall, and a change over HostDeck works', async () => {
    const { host } = await rt.api.hosts.check({ id: 'deck@fake1' });
    expect(host.privilege).toMatchObject({ mode: 'sudo', user: 'deck', sudoersLine: null, helperInstalled: true, firewall: { route: 'polkit', polkit: true, message: null, polkitRule: null } });
    expect(host.privilege.firewall.actions).toContainEqual({ id: 'org.fedoraproject.FirewallD1.config', allowed: true });
    expect(host.privilege.firewall.actions).toContainEqual({ id: 'org.fedoraproject.FirewallD1.policies', allowed: true });
    // Not more than HostDeck needs: no raw iptables passthrough, nor .all, which polkit takes as implying it.
    expect(host.privilege.firewall.actions).toContainEqual({ id: 'org.fedoraproject.FirewallD1.direct', allowed: false });
    expect(host.privilege.firewall.actions).toContainEqual({ id: 'org.fedoraproject.FirewallD1.all', allowed: false });
    await rt.api.firewall.updateZone({ name: 'public', layer: 'runtime', patch: { add: { ports: [{ port: '8081', protocol: 'tcp' }] } }, acknowledgeRisk: true }, { host: 'deck@fake1' });
    expect(fh.hosts[0]!.firewallCmd('--zone=public', '--list-ports')).toContain('8081/tcp');
    // polkit's rule covers firewalld's API only: the root-only service still refuses deck.
    const t = rt.remote.transportOf('deck@fake1') as SshTransport;
    const bus = await connectBus(await t.busAddress(), 15_000);
    try {
      expect(await callRootOnly(bus, 'with-polkit')).toBe('org.freedesktop.DBus.Error.AccessDenied');
    } finally {
      bus.disconnect();
    }
    expect(pwned('with-polkit')).toBe(false);
  });

  it('without the polkit rule, hosts check and a firewall read say exactly what to add', async () => {
    const { host } = await rt.api.hosts.add({ destination: 'deck@fake2' });
    expect(host.privilege.firewall).toMatchObject({ route: 'none', polkit: true, polkitRule: { path: '/etc/polkit-1/rules.d/49-hostdeck-firewalld.rules', text: rule() } });
    expect(host.privilege.firewall.actions).toContainEqual({ id: 'org.fedoraproject.FirewallD1.config', allowed: false });
    expect(host.privilege.firewall.actions).toContainEqual({ id: 'org.fedoraproject.FirewallD1.info', allowed: true });
    expect(host.privilege.firewall.message).toMatch(/polkit does not allow deck org\.fedoraproject\.FirewallD1\.config, /);
    const read = await rt.api.firewall.zone({ name: 'public', layer: 'runtime' }, { host: 'deck@fake2' }).catch((e: unknown) => e);
    expect(read).toMatchObject({ code: 'NOT_AUTHORIZED', message: expect.stringContaining(rule().trim()), detail: { polkitRule: { text: rule() } } });
    const write = await rt.api.firewall
      .updateZone({ name: 'public', layer: 'runtime', patch: { add: { ports: [{ port: '8082', protocol: 'tcp' }] } }, acknowledgeRisk: true }, { host: 'deck@fake2' })
      .catch((e: unknown) => e);
    expect(write).toMatchObject({ code: 'NOT_AUTHORIZED', message: expect.stringContaining('/etc/polkit-1/rules.d/49-hostdeck-firewalld.rules') });
    expect(fh.hosts[1]!.firewallCmd('--zone=public', '--list-ports')).not.toContain('8082/tcp');
    // The admin adds the rule the README shows: hosts check sees it, and the change works.
    fh.hosts[1]!.exec(['/bin/sh', '-c', 'cat > /etc/polkit-1/rules.d/49-hostdeck-firewalld.rules'], rule());
    await waitForAsync(async () => (await rt.api.hosts.check({ id: 'deck@fake2' })).host.privilege.firewall.route === 'polkit', 20_000);
    await rt.api.firewall.updateZone({ name: 'public', layer: 'runtime', patch: { add: { ports: [{ port: '8082', protocol: 'tcp' }] } }, acknowledgeRisk: true }, { host: 'deck@fake2' });
    expect(fh.hosts[1]!.firewallCmd('--zone=public', '--list-ports')).toContain('8082/tcp');
  });

  it('hosts check on the CLI says per route what deck may do and what to add', async () => {
    const { describeHost } = await import('../../electron/hosts/cli');
    const text = describeHost((await rt.api.hosts.check({ id: 'deck@fake1' })).host);
    expect(text).toMatch(/files and kernel parameters: yes, through "sudo -n" of HostDeck's helper/);
    expect(text).toMatch(/firewall: yes, polkit allows deck firewalld's actions/);
  });
});

/** The polkit rule as the README shows it (for user "admin"), for another user. */
function polkitRuleFromReadme(user: string): string {
  const m = /```js\n(\/\/ HostDeck: admin may manage firewalld[\s\S]*?)```/.exec(README);
  if (!m) throw new Error('README shows no polkit rule for firewalld');
  return m[1]!.replace(/admin/g, user);
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitForAsync(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(500);
  }
}
