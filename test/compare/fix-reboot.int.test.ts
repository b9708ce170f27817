import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../shared/compare/snapshot';
import { runHostdeck } from '../support/cli';
import { runAnsiblePlaybook } from '../support/ansible';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';

/**
 * Issue #21 item 2, as the user finds it: the host has its own /etc/sysctl.d/90-web1.conf. The
 * Compare fix (Ansible) must write a file that sorts after it, so that systemd-sysctl at boot
 * applies the fixed value, not the old one. "Boot" here: the live value set back, then the real
 * systemd-sysctl run inside the fake host for that key (its own network namespace).
 */
const KEY = 'net.ipv4.tcp_fin_timeout';

describe('the compare fix survives a reboot', () => {
  let fh: FakeHosts;
  let work: string;
  const before = process.env.HOSTDECK_SSH_CONFIG;

  beforeAll(async () => {
    fh = await startFakeHosts([{ name: 'web1', etc: { 'sysctl.d/90-web1.conf': `${KEY} = 30\n` }, sysctls: { [KEY]: '30' } }]);
    process.env.HOSTDECK_SSH_CONFIG = fh.sshConfig;
    work = mkdtempSync(path.join(tmpdir(), 'hd-reboot-'));
  });
  afterAll(async () => {
    process.env.HOSTDECK_SSH_CONFIG = before;
    await fh?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('after the playbook, systemd-sysctl on the host applies the baseline value', async () => {
    const snap = await runHostdeck(['snapshot', '--host', 'web1']);
    expect(snap.err).toBe('');
    const doc = JSON.parse(snap.out) as Snapshot;
    expect(doc.sysctld!.settings.find((s) => s.key === KEY)).toMatchObject({ value: '30', file: expect.stringMatching(/^\/?etc\/sysctl\.d\/90-web1\.conf$/) });
    doc.sysctl!.entries.find((e) => e.key === KEY)!.value = '17';
    writeFileSync(path.join(work, 'base.json'), JSON.stringify(doc));

    const fix = await runHostdeck(['compare', `base=${path.join(work, 'base.json')}`, 'web1', '--baseline', 'base', '--fix', 'ansible', '--keys', KEY]);
    expect(fix.err).toBe('');
    writeFileSync(path.join(work, 'play.yml'), fix.out);
    const run = runAnsiblePlaybook({ sshConfig: fh.sshConfig, work, inventory: 'web1,', playbook: path.join(work, 'play.yml') });
    expect(run.status, run.out).toBe(0);
    const web1 = fh.hosts[0]!;
    expect(web1.readFile('/proc/sys/net/ipv4/tcp_fin_timeout').trim()).toBe('17');

    // Boot: the kernel starts from its default, systemd-sysctl applies sysctl.d in order.
    web1.exec(['sysctl', '-q', '-w', `${KEY}=60`]);
    web1.exec(['/usr/lib/systemd/systemd-sysctl', `--prefix=${KEY}`]);
    expect(web1.readFile('/proc/sys/net/ipv4/tcp_fin_timeout').trim()).toBe('17');
  });
});
