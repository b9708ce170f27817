import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SshLink } from '../../electron/hosts/ssh/link';
import { SshTransport } from '../../electron/hosts/ssh/transport';
import { parseDestination } from '../../shared/hosts/destination';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';
import { buildTree, SMALL } from './conformance-tree';
import { transportConformance } from './transport.conformance';

// A remote host over SSH: one fake host for the whole file (real sshd in its own namespaces,
// test/support/fake-hosts.ts), logged in as root. It sees this machine's /tmp, so the suite's
// tree is built there, and bind-mounted inside the host's own mount namespace; everything
// HostDeck learns of it goes through the read agent, one round trip per call.
let fh: FakeHosts | undefined;
afterAll(async () => {
  await fh?.stop();
});

transportConformance('ssh', async () => {
  fh = await startFakeHosts([{ name: 'conf1', firewalld: false, sysctls: { 'net.ipv4.ip_forward': '1' } }]);
  const hosts = fh;
  const host = hosts.hosts[0]!;
  const base = path.join(fh.dir, 'conformance');
  const tree = buildTree(base, base);
  host.exec(['/usr/bin/mount', '--bind', path.join(base, 'data/bound-source'), path.join(base, 'data/bound')]);
  const runtimeDir = mkdtempSync(path.join(fh.dir, 'rt-'));
  const linkTo = (dir: string) => new SshLink({ destination: parseDestination('conf1'), sshConfig: hosts.sshConfig, runtimeDir: dir });
  const link = linkTo(runtimeDir);
  let trips = 0;
  const exec = link.exec.bind(link);
  link.exec = (...args: Parameters<SshLink['exec']>) => {
    trips++;
    return exec(...args);
  };
  const transport = new SshTransport(link);
  await transport.privilege();
  const inHost = (script: string) => host.exec(['/bin/sh', '-c', script]);
  const mountPoint = (p: string) => host.execRaw(['/usr/bin/findmnt', '--mountpoint', p]).status === 0;
  const mounts = [path.join(base, 'data/bound'), path.join(base, 'data/plain'), path.join(base, 'data/dir'), '/etc', '/run', '/proc/sys'].map((p) => ({ path: p, mountPoint: mountPoint(p) }));
  return {
    transport,
    tree: { base, immutableSupported: tree.immutableSupported },
    mounts,
    files: [{ path: path.join(base, 'data/small.txt'), text: SMALL }],
    procSys: {
      'kernel/osrelease': { state: 'ok', value: inHost('cat /proc/sys/kernel/osrelease').trim() },
      'net/ipv4/ip_forward': { state: 'ok', value: '1' },
      'net/ipv4/route/flush': { state: 'write-only' },
      'vm/stat_refresh': { state: 'side-effect' },
    },
    identity: { hostname: inHost('hostname').trim(), os: inHost('. /etc/os-release && printf %s "$PRETTY_NAME"'), kernel: inHost('uname -r').trim() },
    roundTrips: () => trips,
    stall: async () => {
      // A silent link (an unplugged cable): nothing answers, nothing resets.
      const dir = mkdtempSync(path.join(hosts.dir, 'rt-stall-'));
      const stalled = new SshTransport(linkTo(dir), { readTimeoutMs: 1500 });
      await stalled.describe();
      host.blackhole(true);
      return {
        transport: stalled,
        deadlineMs: 1500,
        release: async () => {
          host.blackhole(false);
          await stalled.dispose();
        },
      };
    },
    helperWrite: { path: '/etc/resolv.conf', hostText: () => host.readFile('/etc/resolv.conf') },
    stop: async () => {
      await transport.dispose();
      tree.cleanup();
      mkdirSync(base, { recursive: true });
      rmSync(runtimeDir, { recursive: true, force: true });
    },
  };
});

// The built CLI (npm run -s build) carries the agent inlined: out/main has no hostdeck-agent.py to fall back on.
describe('the built CLI reads a remote host with the agent it carries', () => {
  it('hostdeck dns check --host conf1 answers with the host\'s resolv.conf', () => {
    const repo = path.resolve(import.meta.dirname, '../..');
    const cli = path.join(repo, 'out/main/cli.js');
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build (npm test builds first)`);
    expect(existsSync(path.join(repo, 'out/main/hostdeck-agent.py')) || existsSync(path.join(repo, 'out/main/chunks/hostdeck-agent.py'))).toBe(false);
    const config = mkdtempSync(path.join(fh!.dir, 'cfg-'));
    const r = spawnSync(process.execPath, [cli, 'dns', 'check', '--host', 'conf1', '--json'], {
      env: { ...process.env, HOSTDECK_SSH_CONFIG: fh!.sshConfig, XDG_CONFIG_HOME: config },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const ns = /^nameserver\s+(\S+)/m.exec(fh!.hosts[0]!.readFile('/etc/resolv.conf'))![1]!;
    expect(r.stdout).toContain(ns);
  });
});
