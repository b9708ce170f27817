import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { CompareResult } from '../../shared/compare/diff';
import { unsafeTag } from '../../shared/compare/safe-text';
import { runHostdeck } from '../support/cli';
import { runAnsiblePlaybook } from '../support/ansible';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';

/**
 * "Make them the same" through the engine fleets run: HostDeck compares three fake SSH hosts
 * (real sshd, firewalld, their own network namespaces) over its SSH transport, prints an Ansible
 * playbook for the differing net.* keys and the public zone, the real ansible-playbook runs it
 * against the hosts named on the command line, and a second compare finds no difference; a
 * second run changes nothing. Only net.* keys: the fake hosts share this machine's kernel.
 */
const KEYS = 'net.ipv4.tcp_fin_timeout,net.core.somaxconn,net.ipv4.ip_local_port_range';

describe('compare --fix ansible against fake SSH hosts', () => {
  let fh: FakeHosts;
  let work: string;
  const before = process.env.HOSTDECK_SSH_CONFIG;

  beforeAll(async () => {
    if (!spawnSync('/usr/bin/ansible-playbook', ['--version']).stdout) throw new Error('ansible-playbook is missing: apt-get install -y --no-install-recommends ansible');
    fh = await startFakeHosts([
      { name: 'node1', sysctls: { 'net.ipv4.tcp_fin_timeout': '17', 'net.core.somaxconn': '1234', 'net.ipv4.ip_local_port_range': '20000 30000' } },
      { name: 'node2' },
      { name: 'node3', sysctls: { 'net.ipv4.tcp_fin_timeout': '17' } },
    ]);
    process.env.HOSTDECK_SSH_CONFIG = fh.sshConfig;
    for (const args of [['--zone=public', '--add-service=http'], ['--zone=public', '--add-port=8443/tcp']]) {
      fh.hosts[0]!.firewallCmd(...args);
      fh.hosts[0]!.firewallCmd('--permanent', ...args);
    }
    fh.hosts[2]!.firewallCmd('--zone=public', '--add-service=mdns');
    work = mkdtempSync(path.join(tmpdir(), 'hostdeck-ansible-'));
  });
  afterAll(async () => {
    process.env.HOSTDECK_SSH_CONFIG = before;
    await fh?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const compare = async () => {
    const r = await runHostdeck(['compare', 'node1', 'node2', 'node3', '--baseline', 'node1', '--json']);
    expect(r.err).toBe('');
    return JSON.parse(r.out) as CompareResult;
  };
  const chosenDiffs = (r: CompareResult) => [
    ...r.sysctl.filter((x) => x.differs && KEYS.split(',').includes(x.key)).map((x) => x.key),
    ...r.firewall.filter((x) => x.differs && x.kind === 'zone' && x.name === 'public').map((x) => `${x.field} ${x.item}`),
  ];
  const playbook = () => runAnsiblePlaybook({ sshConfig: fh.sshConfig, work, inventory: 'node2,node3,', playbook: path.join(work, 'play.yml') });
  const recap = (out: string) => Object.fromEntries([...out.matchAll(/^(node\d)\s*: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm)].map((m) => [m[1], { ok: +m[2]!, changed: +m[3]!, unreachable: +m[4]!, failed: +m[5]! }]));

  it('the first compare, over SSH, sees the differences', async () => {
    const r = await compare();
    expect(r.hosts.map((h) => [h.label, h.status, h.hostname])).toEqual([
      ['node1', 'ok', 'node1'],
      ['node2', 'ok', 'node2'],
      ['node3', 'ok', 'node3'],
    ]);
    expect(chosenDiffs(r).sort()).toEqual(['net.core.somaxconn', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_fin_timeout', 'ports 8443/tcp', 'services http', 'services mdns'].sort());
  });

  it('an unreachable host is reported as such and does not stop the others', async () => {
    const r = await runHostdeck(['compare', 'node1', 'node2', 'root@no-such-host.invalid', '--json', '--only', 'sysctl']);
    expect(r.code).toBe(2);
    const res = JSON.parse(r.out) as CompareResult;
    expect(res.hosts.map((h) => h.status)).toEqual(['ok', 'ok', 'unreachable']);
    expect(res.hosts[2]!.error).toMatch(/no-such-host\.invalid/);
    expect(res.sysctl.filter((x) => x.differs && x.key !== 'kernel.hostname').map((x) => x.key).sort()).toEqual(KEYS.split(',').sort());
  });

  it('ansible-playbook runs the generated playbook, the hosts then match, and a second run changes nothing', async () => {
    const fix = await runHostdeck(['compare', 'node1', 'node2', 'node3', '--baseline', 'node1', '--fix', 'ansible', '--keys', KEYS, '--zones', 'public']);
    expect(fix.err).toBe('');
    const plays = YAML.parse(fix.out, { customTags: [unsafeTag] }) as { hosts: string[]; tasks: unknown[] }[];
    expect(plays.map((p) => p.hosts)).toEqual([['node2', 'node3'], ['node2'], ['node3']]);
    writeFileSync(path.join(work, 'play.yml'), fix.out);

    const first = playbook();
    expect(first.status, first.out).toBe(0);
    const r1 = recap(first.out);
    expect(r1.node2!.changed).toBeGreaterThan(0);
    expect(r1.node3!.changed).toBeGreaterThan(0);

    const after = await compare();
    expect(chosenDiffs(after)).toEqual([]);
    expect(fh.hosts[1]!.readFile('/proc/sys/net/ipv4/ip_local_port_range').trim()).toBe('20000\t30000');
    expect(fh.hosts[2]!.firewallCmd('--permanent', '--zone=public', '--list-services')).not.toMatch(/mdns/);

    const second = playbook();
    expect(second.status, second.out).toBe(0);
    expect(recap(second.out)).toEqual({
      node2: { ok: r1.node2!.ok, changed: 0, unreachable: 0, failed: 0 },
      node3: { ok: r1.node3!.ok, changed: 0, unreachable: 0, failed: 0 },
    });
  });
});
