import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHostdeck } from '../support/cli';
import { runAnsiblePlaybook } from '../support/ansible';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';

/**
 * Issue #21 item 17: ipset differences in a fix. Two live hosts whose ipset "blocked" holds other
 * entries; the fix (firewall-cmd script, Ansible playbook) gives node2 exactly node1's entries,
 * runtime and permanent, checked with firewall-cmd on node2; a second playbook run changes nothing.
 */
describe('compare fixes for ipset entries', () => {
  let fh: FakeHosts;
  let work: string;
  const before = process.env.HOSTDECK_SSH_CONFIG;
  const entries = (h: number, ...layer: string[]) => fh.hosts[h]!.firewallCmd(...layer, '--ipset=blocked', '--get-entries').split('\n').filter(Boolean).sort();

  beforeAll(async () => {
    fh = await startFakeHosts([{ name: 'node1' }, { name: 'node2' }]);
    process.env.HOSTDECK_SSH_CONFIG = fh.sshConfig;
    work = mkdtempSync(path.join(tmpdir(), 'hd-ipset-fix-'));
    const seed = (h: number, list: string[]) => {
      fh.hosts[h]!.firewallCmd('--permanent', '--new-ipset=blocked', '--type=hash:ip');
      for (const e of list) fh.hosts[h]!.firewallCmd('--permanent', '--ipset=blocked', `--add-entry=${e}`);
      fh.hosts[h]!.firewallCmd('--reload');
    };
    seed(0, ['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    seed(1, ['192.0.2.3', '198.51.100.9']);
  });
  afterAll(async () => {
    process.env.HOSTDECK_SSH_CONFIG = before;
    await fh?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the firewall-cmd script adds and removes exactly the differing entries, runtime and permanent', async () => {
    const fix = await runHostdeck(['compare', 'node1', 'node2', '--only', 'firewall', '--fix', 'firewall-cmd', '--zones', 'ipset:blocked']);
    expect(fix.err).toBe('');
    expect(fix.out).toContain('firewall-cmd --ipset=blocked --add-entry=192.0.2.1\n');
    expect(fix.out).toContain('firewall-cmd --permanent --ipset=blocked --remove-entry=198.51.100.9\n');
    expect(fix.out).not.toContain('192.0.2.3');
    const run = fh.hosts[1]!.execRaw(['/bin/sh', '-s', 'node2'], fix.out);
    expect(run.status, run.stderr).toBe(0);
    expect(entries(1)).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    expect(entries(1, '--permanent')).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
  });

  it('the Ansible playbook does the same, and a second run changes nothing', async () => {
    // node2 drifts again, in both layers (the fix is made from the runtime layer, the default).
    for (const layer of [[], ['--permanent']]) {
      fh.hosts[1]!.firewallCmd(...layer, '--ipset=blocked', '--add-entry=203.0.113.5');
      fh.hosts[1]!.firewallCmd(...layer, '--ipset=blocked', '--remove-entry=192.0.2.2');
    }
    const fix = await runHostdeck(['compare', 'node1', 'node2', '--only', 'firewall', '--fix', 'ansible', '--zones', 'ipset:blocked']);
    expect(fix.err).toBe('');
    writeFileSync(path.join(work, 'play.yml'), fix.out);
    const first = runAnsiblePlaybook({ sshConfig: fh.sshConfig, work, inventory: 'node2,', playbook: path.join(work, 'play.yml') });
    expect(first.status, first.out).toBe(0);
    expect(entries(1)).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    expect(entries(1, '--permanent')).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    const again = runAnsiblePlaybook({ sshConfig: fh.sshConfig, work, inventory: 'node2,', playbook: path.join(work, 'play.yml') });
    expect(again.status, again.out).toBe(0);
    expect(again.out).toMatch(/node2\s*: ok=\d+\s+changed=0/);
  });

  it('a host whose firewalld is stopped gets the fix offline (ansible.posix.firewalld offline: true, firewall-offline-cmd): converges, then changed=0', async () => {
    const node2 = fh.hosts[1]!;
    fh.hosts[0]!.firewallCmd('--permanent', '--zone=public', '--add-service=imaps');
    node2.firewallCmd('--permanent', '--ipset=blocked', '--add-entry=203.0.113.7');
    // firewalld stopped on node2 only (its own PID namespace); its files stay.
    node2.exec(['/bin/sh', '-c', 'kill $(pidof -x firewalld); while pidof -x firewalld >/dev/null; do sleep 0.1; done']);
    const fix = await runHostdeck(['compare', 'node1', 'node2', '--only', 'firewall', '--layer', 'permanent', '--fix', 'ansible', '--zones', 'zone:public,ipset:blocked']);
    expect(fix.err).toBe('');
    expect(fix.out).toMatch(/offline: true\n\s+immediate: false\n\s+state: enabled\n\s+service: !unsafe imaps/);
    expect(fix.out).toContain('- firewall-offline-cmd');
    writeFileSync(path.join(work, 'offline.yml'), fix.out);
    const first = runAnsiblePlaybook({ sshConfig: fh.sshConfig, work, inventory: 'node2,', playbook: path.join(work, 'offline.yml') });
    expect(first.status, first.out).toBe(0);
    const offline = (...args: string[]) => node2.exec(['/usr/bin/firewall-offline-cmd', ...args]).split(/\s+/).filter(Boolean).sort();
    expect(offline('--zone=public', '--list-services')).toContain('imaps');
    expect(offline('--ipset=blocked', '--get-entries')).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    const again = runAnsiblePlaybook({ sshConfig: fh.sshConfig, work, inventory: 'node2,', playbook: path.join(work, 'offline.yml') });
    expect(again.status, again.out).toBe(0);
    expect(again.out).toMatch(/node2\s*: ok=\d+\s+changed=0/);
  });
});
