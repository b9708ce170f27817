import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareResult } from '../../shared/compare/diff';
import { snapshotSchema } from '../../shared/compare/snapshot';
import { runHostdeck } from '../support/cli';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';
import { useFakeHostsConfig } from '../support/hosts-env';

/**
 * Fleets from an Ansible inventory, against fake SSH hosts (real sshd and sudo in their own
 * namespaces) named in INI and YAML inventories through ansible_host (each host's ssh_config
 * alias, whose ProxyCommand reaches it), one host down, one read through become. Import with
 * --limit (Ansible's own matching), compare by group over HostDeck's SSH transport, snapshot
 * through the real ansible-playbook, compare the snapshot directory; values are checked against
 * each host's own `sysctl -n`.
 */

const FIN = 'net.ipv4.tcp_fin_timeout';
const SOMAXCONN = 'net.core.somaxconn';

describe('hosts from an Ansible inventory', () => {
  let fh: FakeHosts;
  let env: ReturnType<typeof useFakeHostsConfig>;
  let work: string;
  const ansibleBefore = { ...process.env };

  beforeAll(async () => {
    fh = await startFakeHosts([
      { name: 'node-a', firewalld: false, sysctls: { [FIN]: '21' } },
      { name: 'node-b', firewalld: false, sysctls: { [FIN]: '33', [SOMAXCONN]: '777' } },
      { name: 'node-c', firewalld: false, sudoers: 'deck ALL=(root) NOPASSWD: ALL', etc: { 'sysctl.d/90-private.conf': 'net.core.somaxconn = 2222\n' } },
    ]);
    // Readable by root only: the become host shows it only when become really ran.
    fh.hosts[2]!.exec(['chmod', '0600', '/etc/sysctl.d/90-private.conf']);
    env = useFakeHostsConfig(fh);
    work = mkdtempSync(path.join(tmpdir(), 'hostdeck-inventory-'));
    // Ansible reaches the fake hosts through the same ssh_config; its state stays in the scratch directory.
    Object.assign(process.env, {
      ANSIBLE_SSH_ARGS: `-F ${fh.sshConfig}`,
      ANSIBLE_HOME: path.join(work, 'ansible-home'),
      ANSIBLE_LOCAL_TEMP: path.join(work, 'ansible-tmp'),
      ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
      ANSIBLE_HOST_KEY_CHECKING: 'True',
    });
    writeFileSync(
      path.join(work, 'fleet.ini'),
      [
        '[web]',
        'web-01 ansible_host=node-a',
        'web-02 ansible_host=node-b ansible_ssh_common_args="-o IdentitiesOnly=yes"',
        'web-07 ansible_host=node-c ansible_user=deck ansible_become=true',
        '[db]',
        "db-1 ansible_host=node-b ansible_ssh_common_args='-o ProxyCommand=\"sh -c touch\\ /tmp/hostdeck-pwned\"'",
        '[eu:children]',
        'web',
        '[web:vars]',
        'ansible_become_password=hunter2',
        '',
      ].join('\n'),
    );
  }, 120_000);

  afterAll(async () => {
    for (const k of ['ANSIBLE_SSH_ARGS', 'ANSIBLE_HOME', 'ANSIBLE_LOCAL_TEMP', 'ANSIBLE_PYTHON_INTERPRETER', 'ANSIBLE_HOST_KEY_CHECKING']) {
      if (ansibleBefore[k] === undefined) delete process.env[k];
      else process.env[k] = ansibleBefore[k];
    }
    env?.restore();
    await fh?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const sysctlN = (i: number, key: string) => fh.hosts[i]!.exec(['/usr/sbin/sysctl', '-n', key]).trim();

  it('imports an INI inventory: groups, ansible_host/user, become; refuses a ProxyCommand; never stores the password', async () => {
    const r = await runHostdeck(['hosts', 'import', '--inventory', path.join(work, 'fleet.ini'), '--json']);
    const d = JSON.parse(r.out) as { added: string[]; skipped: { host: string; reason: string }[]; notes: string[] };
    expect(d.added.sort()).toEqual(['web-01', 'web-02', 'web-07']);
    expect(d.skipped.map((s) => s.host)).toEqual(['db-1']);
    expect(d.skipped[0]!.reason).toMatch(/ansible_ssh_common_args.*ProxyCommand/);
    expect(r.code).toBe(2);
    const saved = readFileSync(path.join(env.configDir, 'hostdeck/hosts.json'), 'utf8');
    expect(saved).not.toMatch(/hunter2|ProxyCommand|pwned/);
    const hosts = (JSON.parse(saved) as { hosts: { id: string; destination: string; groups: string[]; sshOptions: string[]; become: unknown }[] }).hosts;
    expect(hosts.find((h) => h.id === 'web-07')).toEqual({ id: 'web-07', destination: 'deck@node-c', groups: ['eu', 'web'], sshOptions: [], become: { method: 'sudo', user: 'root' }, inventory: path.join(work, 'fleet.ini') });
    expect(hosts.find((h) => h.id === 'web-02')!.sshOptions).toEqual(['IdentitiesOnly=yes']);
    expect(existsSync('/tmp/hostdeck-pwned')).toBe(false);
  }, 60_000);

  it('a hand-edited ProxyCommand in hosts.json is refused as a whole, naming the entry', async () => {
    const file = path.join(env.configDir, 'hostdeck/hosts.json');
    const good = readFileSync(file, 'utf8');
    const bad = JSON.parse(good) as { hosts: { sshOptions: string[] }[] };
    bad.hosts[0]!.sshOptions = ['ProxyCommand=sh -c "touch /tmp/hostdeck-pwned"'];
    writeFileSync(file, JSON.stringify(bad));
    try {
      const r = await runHostdeck(['hosts', 'list']);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/hosts\[0\]\.sshOptions\[0\].*ProxyCommand/);
    } finally {
      writeFileSync(file, good);
    }
  });

  it('compare @web --limit "web:!web-07" reaches exactly web-01 and web-02, with their own sysctl -n values', async () => {
    const r = await runHostdeck(['compare', '@web', '--limit', 'web:!web-07', '--only', 'sysctl', '--json', '--all']);
    expect(r.err).toBe('');
    const c = JSON.parse(r.out) as CompareResult;
    expect(c.hosts.map((h) => [h.label, h.status])).toEqual([
      ['web-01 (node-a)', 'ok'],
      ['web-02 (node-b)', 'ok'],
    ]);
    const fin = c.sysctl.find((x) => x.key === FIN)!;
    expect(fin.values).toEqual([sysctlN(0, FIN), sysctlN(1, FIN)]);
    expect(fin.values).toEqual(['21', '33']);
  }, 60_000);

  it('snapshot --inventory (YAML) through ansible-playbook: one file per host, the down host reported, become where the inventory says, hostile names sanitised', async () => {
    writeFileSync(
      path.join(work, 'fleet.yml'),
      [
        'all:',
        '  children:',
        '    web:',
        '      hosts:',
        '        web-01: {ansible_host: node-a}',
        '        web-02: {ansible_host: node-b}',
        '        "../evil name": {ansible_host: node-a}',
        '        web-07: {ansible_host: node-c, ansible_user: deck, ansible_become: true}',
        '    gone:',
        '      hosts:',
        '        down-1: {ansible_host: no-such-host.invalid}',
        '',
      ].join('\n'),
    );
    const out = path.join(work, 'snaps');
    const r = await runHostdeck(['snapshot', '--inventory', path.join(work, 'fleet.yml'), '--out', out, '--forks', '5', '--json']);
    expect(r.code).toBe(2);
    const res = JSON.parse(r.out) as { hosts: { host: string; ok: boolean; file?: string; error?: string }[] };
    const by = Object.fromEntries(res.hosts.map((h) => [h.host, h]));
    expect(Object.keys(by).sort()).toEqual(['../evil name', 'down-1', 'web-01', 'web-02', 'web-07']);
    expect(by['down-1']!.ok).toBe(false);
    expect(by['down-1']!.error).toMatch(/unreachable/);
    expect(r.err).toMatch(/down-1: unreachable/);
    expect(readdirSync(out).sort()).toEqual(['__evil_name.json', 'web-01.json', 'web-02.json', 'web-07.json']);
    const snap = (f: string) => snapshotSchema.parse(JSON.parse(readFileSync(path.join(out, f), 'utf8')));
    const value = (f: string, key: string) => snap(f).sysctl!.entries.find((e) => e.key === key)?.value;
    for (const [f, i] of [['web-01.json', 0], ['web-02.json', 1], ['web-07.json', 2]] as const) {
      expect(value(f, FIN)).toBe(sysctlN(i, FIN));
      expect(value(f, SOMAXCONN)).toBe(sysctlN(i, SOMAXCONN));
      expect(snap(f).identity.hostname).toBe(fh.hosts[i]!.name);
    }
    // Only root reads 90-private.conf: the become host's sysctl.d has it, as root's own view does.
    const s7 = snap('web-07.json');
    expect(s7.sysctld!.settings.find((s) => s.key === SOMAXCONN)).toMatchObject({ value: '2222', file: 'etc/sysctl.d/90-private.conf' });
    expect(s7.firewall).toBeNull();
    expect(s7.dns!.text).toBe(fh.hosts[2]!.readFile('/etc/resolv.conf'));
  }, 120_000);

  it('a snapshot through Ansible holds what `hostdeck snapshot --host` reads over SSH (sysctl keys, sysctl.d, resolv.conf and its owner)', async () => {
    const viaAnsible = snapshotSchema.parse(JSON.parse(readFileSync(path.join(work, 'snaps', 'web-01.json'), 'utf8')));
    const r = await runHostdeck(['snapshot', '--host', 'web-01']);
    expect(r.err).toBe('');
    const viaSsh = snapshotSchema.parse(JSON.parse(r.out));
    expect(viaAnsible.sysctl!.entries.map((e) => [e.key, e.state, e.writable])).toEqual(viaSsh.sysctl!.entries.map((e) => [e.key, e.state, e.writable]));
    expect(viaAnsible.sysctld).toEqual(viaSsh.sysctld);
    expect(viaAnsible.dns).toEqual(viaSsh.dns);
    expect({ ...viaAnsible.identity, time: 0 }).toEqual({ ...viaSsh.identity, time: 0 });
  }, 60_000);

  it('compare DIR/ reads the snapshots Ansible wrote', async () => {
    const out = path.join(work, 'snaps');
    const r = await runHostdeck(['compare', `${out}/`, '--only', 'sysctl', '--json']);
    expect(r.err).toBe('');
    const c = JSON.parse(r.out) as CompareResult;
    expect(c.hosts.map((h) => h.hostname)).toEqual(['node-a', 'node-a', 'node-b', 'node-c']);
    expect(c.sysctl.find((x) => x.key === FIN)!.values).toEqual([sysctlN(0, FIN), sysctlN(0, FIN), sysctlN(1, FIN), sysctlN(2, FIN)]);
  });
});
