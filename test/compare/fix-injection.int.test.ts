import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../shared/compare/snapshot';
import { runHostdeck } from '../support/cli';
import { runAnsiblePlaybook } from '../support/ansible';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';

/**
 * Issue #20 item 2, as the attacker: a compromised node's rich rule log prefix and sysctl value
 * (here: an imported baseline snapshot) carry Jinja. The admin generates the Ansible fix and runs
 * the real ansible-playbook against a fake SSH host: no lookup runs on the admin's machine, and
 * the rich rule arrives on the host as the literal text.
 */
describe('compare --fix ansible never templates host data', () => {
  let fh: FakeHosts;
  let work: string;
  const before = process.env.HOSTDECK_SSH_CONFIG;
  const marker = (n: number) => path.join(work, `pwned-${n}`);

  beforeAll(async () => {
    if (!spawnSync('/usr/bin/ansible-playbook', ['--version']).stdout) throw new Error('ansible-playbook is missing: apt-get install -y --no-install-recommends ansible');
    fh = await startFakeHosts([{ name: 'node2' }]);
    process.env.HOSTDECK_SSH_CONFIG = fh.sshConfig;
    work = mkdtempSync(path.join(tmpdir(), 'hd-inj-'));
  });
  afterAll(async () => {
    process.env.HOSTDECK_SSH_CONFIG = before;
    await fh?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const playbook = (file: string) => runAnsiblePlaybook({ sshConfig: fh.sshConfig, work, inventory: 'node2,', playbook: file });

  it('a Jinja rich rule and sysctl value from the baseline run nothing and arrive literally', async () => {
    const snap = await runHostdeck(['snapshot', '--host', 'node2']);
    expect(snap.err).toBe('');
    const doc = JSON.parse(snap.out) as Snapshot;
    const rule = `rule family="ipv4" source address="192.0.2.7" log prefix="{{ lookup('pipe','touch ${marker(1)}') }}" level="info" accept`;
    doc.firewall!.runtime!.zones.public!.richRules.push(rule);
    const fin = doc.sysctl!.entries.find((e) => e.key === 'net.ipv4.tcp_fin_timeout')!;
    fin.value = `{% if lookup('pipe','touch ${marker(2)}') %}7{% endif %}{{ lookup('pipe','touch ${marker(3)}') }}`;
    writeFileSync(path.join(work, 'base.json'), JSON.stringify(doc));
    const args = ['compare', `base=${path.join(work, 'base.json')}`, 'node2', '--baseline', 'base', '--fix', 'ansible'];

    // Sysctl: the kernel refuses the text as a number; what matters is that it got there as text.
    const sys = await runHostdeck([...args, '--keys', 'net.ipv4.tcp_fin_timeout']);
    expect(sys.err).toBe('');
    expect(sys.out).toContain('!unsafe');
    writeFileSync(path.join(work, 'sysctl.yml'), sys.out);
    const a = playbook(path.join(work, 'sysctl.yml'));
    expect(a.out).toContain("{% if lookup('pipe','touch");
    expect(a.out).not.toMatch(/changed=1/);

    const fw = await runHostdeck([...args, '--zones', 'public']);
    expect(fw.err).toBe('');
    writeFileSync(path.join(work, 'fw.yml'), fw.out);
    const b = playbook(path.join(work, 'fw.yml'));
    expect(b.status, b.out).toBe(0);
    expect(fh.hosts[0]!.firewallCmd('--zone=public', '--list-rich-rules')).toContain(`log prefix="{{ lookup('pipe','touch ${marker(1)}') }}"`);
    expect(fh.hosts[0]!.firewallCmd('--permanent', '--zone=public', '--list-rich-rules')).toContain(`{{ lookup('pipe','touch ${marker(1)}') }}`);

    for (const n of [1, 2, 3]) expect(existsSync(marker(n)), `marker ${n}`).toBe(false);
  });
});
