import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { useAnsibleEnv } from '../support/ansible';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';
import { useFakeHostsConfig } from '../support/hosts-env';
import { pagesOf } from '../support/pages';

// "Collect with Ansible" on the Compare page (issue #17): fake SSH hosts (real sshd in their own
// namespaces) behind an INI inventory imported on the Hosts page; the real ansible-playbook
// reads them; the grid's values are each host's own `sysctl -n`; a down host is shown as not
// read with Ansible's reason; Cancel of a run waiting on a silent host leaves no process behind.

const FIN = 'net.ipv4.tcp_fin_timeout';

describe('Compare: Collect with Ansible', () => {
  let fh: FakeHosts;
  let env: ReturnType<typeof useFakeHostsConfig>;
  let app: E2eApp;
  let work: string;
  let hang: Server;
  const held: Socket[] = [];
  let hangPort = 0;
  let ansible: ReturnType<typeof useAnsibleEnv> | undefined;

  beforeAll(async () => {
    fh = await startFakeHosts([
      { name: 'node-a', firewalld: false, sysctls: { [FIN]: '23' } },
      { name: 'node-b', firewalld: false, sysctls: { [FIN]: '41' } },
    ]);
    env = useFakeHostsConfig(fh);
    work = mkdtempSync(path.join(tmpdir(), 'hostdeck-collect-e2e-'));
    // A host that accepts TCP and never answers: ssh waits for its banner while the test cancels.
    hang = createServer((c) => void held.push(c));
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    hangPort = (hang.address() as { port: number }).port;
    ansible = useAnsibleEnv(fh.sshConfig, work);
    writeFileSync(
      path.join(work, 'fleet.ini'),
      ['[web]', 'web-01 ansible_host=node-a', 'web-02 ansible_host=node-b', 'down-1 ansible_host=no-such-host.invalid', '[slow]', `hang-1 ansible_host=127.0.0.1 ansible_port=${hangPort}`, ''].join('\n'),
    );
    app = await openApp();
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    for (const c of held) c.destroy();
    hang?.close();
    ansible?.restore();
    env?.restore();
    await fh?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const sysctlN = (i: number, key: string) => fh.hosts[i]!.exec(['/usr/sbin/sysctl', '-n', key]).trim();
  /** ansible-playbook running HostDeck's play, or ssh to the silent host. */
  const leftovers = () =>
    execFileSync('/usr/bin/ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => (/ansible-playbook/.test(l) && l.includes('hostdeck-ansible-')) || l.includes(`Port=${hangPort}`));

  it('imports the inventory, collects @web: the grid holds each host\'s own sysctl -n, the down host is not read with Ansible\'s reason', async () => {
    const { shell, hosts, compare } = pagesOf(app.page);
    await shell.open('hosts');
    await hosts.importInventory(path.join(work, 'fleet.ini'));
    await hosts.importResult.waitFor({ timeout: 30_000 });
    await shell.open('compare');
    await compare.collectGroupPicker.waitFor();
    await compare.collectGroup('web');
    await compare.collectState('done').waitFor({ timeout: 90_000 });
    expect(await compare.collectCountsNow()).toMatchObject({ done: '3', total: '3', read: '2', failed: '1' });
    const failures = await compare.collectFailures();
    expect(failures.map((f) => f.host)).toEqual(['down-1']);
    expect(failures[0]!.text).toMatch(/^down-1: unreachable: .*no-such-host\.invalid/);
    await expect.poll(() => compare.gridHosts.allTextContents(), { timeout: 30_000 }).toEqual(['web-01 ★', 'web-02', 'down-1']);
    await compare.grid('sysctl').waitFor();
    await compare.filter(FIN);
    await expect.poll(() => compare.rowCells('sysctl', FIN), { timeout: 30_000 }).toEqual([`web-01: ${sysctlN(0, FIN)}`, `web-02: ${sysctlN(1, FIN)}`, 'down-1: (absent)']);
    expect([sysctlN(0, FIN), sysctlN(1, FIN)]).toEqual(['23', '41']);
  }, 180_000);

  it('Cancel of a run waiting on a silent host: the panel says cancelled, no ansible-playbook or ssh is left', async () => {
    const { compare } = pagesOf(app.page);
    await compare.collectGroup('slow');
    await compare.collectState('running').waitFor();
    // ssh is waiting for the silent host's banner.
    await expect.poll(() => leftovers().length, { timeout: 60_000 }).toBeGreaterThan(0);
    await compare.collectCancel.click();
    await compare.collectState('done').waitFor({ timeout: 30_000 });
    expect(await compare.collectPanel.textContent()).toContain('Collect with Ansible cancelled: 0 of 1 hosts read');
    expect((await compare.collectFailures()).map((f) => f.text)).toEqual(['hang-1: cancelled before it answered']);
    expect(leftovers()).toEqual([]);
  }, 120_000);
});
