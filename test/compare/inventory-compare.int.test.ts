import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import YAML from 'yaml';
import type { CompareResult } from '../../shared/compare/diff';
import type { FleetSummary } from '../../shared/compare/summary';
import { unsafeTag } from '../../shared/compare/safe-text';
import { runHostdeck } from '../support/cli';
import { runAnsiblePlaybook, useAnsibleEnv } from '../support/ansible';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';
import { useFakeHostsConfig } from '../support/hosts-env';
import { Runtime } from '../../electron/api/runtime';
import type { HostDeckEvent } from '../../shared/api/contract';

/**
 * `compare --inventory` (issue #17): fake SSH hosts (real sshd and sudo in their own namespaces)
 * behind INI and YAML inventories (groups, ansible_host naming each host's ssh_config alias, a
 * host that is down, one read and fixed through become, one with a hostile inventory name),
 * collected by the real ansible-playbook into a run directory under the user's cache, compared
 * (grid and summary) against each host's own `sysctl -n`; the fix playbook runs with the same
 * inventory and --limit, converges, and a second run reports changed=0.
 */

const FIN = 'net.ipv4.tcp_fin_timeout';
const SOMAXCONN = 'net.core.somaxconn';

describe('compare --inventory through ansible-playbook, and the fix run against the same inventory', () => {
  let fh: FakeHosts;
  let env: ReturnType<typeof useFakeHostsConfig>;
  let work: string;
  let ansible: ReturnType<typeof useAnsibleEnv> | undefined;
  const marker = (n: number) => path.join(work, `pwned-${n}`);
  // Shell and host-pattern syntax. (Not `{{ }}`: Ansible's own ssh connection templates inventory host names, whatever playbook runs.)
  const EVIL = () => `evil $(touch ${marker(1)}) 'q' web-*:!x`;

  beforeAll(async () => {
    fh = await startFakeHosts([
      { name: 'node-a', firewalld: false, sysctls: { [FIN]: '21', [SOMAXCONN]: '4321' } },
      { name: 'node-b', firewalld: false, sysctls: { [FIN]: '33' } },
      { name: 'node-c', firewalld: false, sudoers: 'deck ALL=(root) NOPASSWD: ALL' },
    ]);
    env = useFakeHostsConfig(fh);
    work = mkdtempSync(path.join(tmpdir(), 'hostdeck-invcmp-'));
    ansible = useAnsibleEnv(fh.sshConfig, work);
    writeFileSync(
      path.join(work, 'fleet.ini'),
      ['[web]', 'web-01 ansible_host=node-a', 'web-02 ansible_host=node-b', 'web-07 ansible_host=node-c ansible_user=deck ansible_become=true', '[gone]', 'down-1 ansible_host=no-such-host.invalid', ''].join('\n'),
    );
    writeFileSync(
      path.join(work, 'fleet.yml'),
      YAML.stringify({ all: { children: { web: { hosts: { 'web-01': { ansible_host: 'node-a' }, [EVIL()]: { ansible_host: 'node-b' }, 'web-07': { ansible_host: 'node-c', ansible_user: 'deck', ansible_become: true } } }, gone: { hosts: { 'down-1': { ansible_host: 'no-such-host.invalid' } } } } } }),
    );
  }, 120_000);

  afterAll(async () => {
    ansible?.restore();
    env?.restore();
    await fh?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const sysctlN = (i: number, key: string) => fh.hosts[i]!.exec(['/usr/sbin/sysctl', '-n', key]).trim();
  const runs = () => readdirSync(path.join(work, 'cache', 'hostdeck', 'ansible-runs'));
  const recap = (out: string) => Object.fromEntries([...out.matchAll(/^(\S.*?)\s*: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm)].map((m) => [m[1], { ok: +m[2]!, changed: +m[3]!, unreachable: +m[4]!, failed: +m[5]! }]));

  it('compares every host of an INI inventory, the down host an unreachable column with Ansible\'s reason (exit 2), values as each host\'s sysctl -n; the run directory is removed', async () => {
    const r = await runHostdeck(['compare', '--inventory', path.join(work, 'fleet.ini'), '--only', 'sysctl', '--json', '--all']);
    expect(r.code).toBe(2);
    const c = JSON.parse(r.out) as CompareResult;
    expect(c.hosts.map((h) => [h.label, h.status])).toEqual([
      ['web-01', 'ok'],
      ['web-02', 'ok'],
      ['web-07', 'ok'],
      ['down-1', 'unreachable'],
    ]);
    expect(c.hosts[3]!.error).toMatch(/down-1 could not be read through Ansible: unreachable/);
    expect(c.sysctl.find((x) => x.key === FIN)!.values.slice(0, 3)).toEqual([sysctlN(0, FIN), sysctlN(1, FIN), sysctlN(2, FIN)]);
    expect(r.err).toMatch(/^hostdeck: 1 host could not be read: down-1 \(unreachable: /m);
    expect(r.err).toMatch(/\[\d\/4\] web-07: read/);
    expect(runs()).toEqual([]);
  }, 120_000);

  it('--summary --keep of a YAML inventory: the counts are the hosts\' own sysctl -n, the hostile name is one host, the down host is not read; the kept run can be compared again', async () => {
    const r = await runHostdeck(['compare', '--inventory', path.join(work, 'fleet.yml'), '--summary', '--only', 'sysctl', '--json', '--keep']);
    expect(r.code).toBe(2);
    const s = JSON.parse(r.out) as FleetSummary;
    expect(s.notRead.map((n) => n.host)).toEqual(['down-1']);
    const fin = s.keys.find((k) => k.key === FIN)!;
    const counts = Object.fromEntries(fin.values.map((v) => [v.value, v.count]));
    const expected: Record<string, number> = {};
    for (const i of [0, 1, 2]) expected[sysctlN(i, FIN)] = (expected[sysctlN(i, FIN)] ?? 0) + 1;
    expect(counts).toEqual(expected);
    const kept = runs();
    expect(kept).toHaveLength(1);
    const dir = path.join(work, 'cache', 'hostdeck', 'ansible-runs', kept[0]!);
    expect(r.err).toContain(`snapshots kept in ${dir}`);
    expect(existsSync(path.join(dir, '.keep'))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(3);
    rmSync(dir, { recursive: true });
  }, 120_000);

  it('the fix for an inventory compare runs with -i INVENTORY --limit PATTERN: the become host converges, the down host in scope is left alone, a second run changes nothing', async () => {
    const limit = 'web:gone:!web-02';
    const fix = await runHostdeck(['compare', '--inventory', path.join(work, 'fleet.ini'), '--limit', limit, '--baseline', 'web-01', '--fix', 'ansible', '--keys', `${FIN},${SOMAXCONN}`]);
    const plays = YAML.parse(fix.out.slice(fix.out.indexOf('---')), { customTags: [unsafeTag] }) as { hosts: string[] }[];
    expect(plays.map((p) => p.hosts)).toEqual([['web-07']]);
    expect(fix.out).toContain(`# Run: ansible-playbook -i ${path.join(work, 'fleet.ini')} --limit 'web:gone:!web-02' hostdeck-fix.yml`);
    writeFileSync(path.join(work, 'fix.yml'), fix.out);
    const play = () => runAnsiblePlaybook({ sshConfig: fh.sshConfig, work, inventory: path.join(work, 'fleet.ini'), limit, playbook: path.join(work, 'fix.yml') });
    const first = play();
    expect(first.status, first.out).toBe(0);
    // Only the differing host is in the run: the down host in the pattern is never contacted.
    expect(recap(first.out)).toEqual({ 'web-07': { ok: 2, changed: 2, unreachable: 0, failed: 0 } });
    expect([sysctlN(2, FIN), sysctlN(2, SOMAXCONN)]).toEqual([sysctlN(0, FIN), sysctlN(0, SOMAXCONN)]);
    expect(sysctlN(1, FIN)).toBe('33');
    const second = play();
    expect(second.status, second.out).toBe(0);
    expect(recap(second.out)).toEqual({ 'web-07': { ok: 2, changed: 0, unreachable: 0, failed: 0 } });
  }, 180_000);

  it('saved hosts imported from the inventory: compare @web --fix ansible points the playbook at that inventory and --limit', async () => {
    const imp = await runHostdeck(['hosts', 'import', '--inventory', path.join(work, 'fleet.ini'), '--limit', 'web']);
    expect(imp.code).toBe(0);
    const fix = await runHostdeck(['compare', '@web', '--limit', 'web:!web-07', '--only', 'sysctl', '--fix', 'ansible', '--keys', SOMAXCONN]);
    expect(fix.out).toContain(`# Run: ansible-playbook -i ${path.join(work, 'fleet.ini')} --limit 'web:!web-07' hostdeck-fix.yml`);
    const plays = YAML.parse(fix.out.slice(fix.out.indexOf('---')), { customTags: [unsafeTag] }) as { hosts: string[] }[];
    expect(plays.map((p) => p.hosts)).toEqual([['web-02']]);
  }, 120_000);

  describe('compare.collect: the Compare page\'s "Collect with Ansible"', () => {
    let rt: Runtime;
    let hang: Server;
    const held: Socket[] = [];
    let hangPort = 0;
    const seen: HostDeckEvent[] = [];
    beforeAll(async () => {
      // A host that accepts TCP and never says a word: ssh waits for its banner (Ansible's 10 s timeout) while the test cancels.
      hang = createServer((c) => void held.push(c));
      await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
      hangPort = (hang.address() as { port: number }).port;
      writeFileSync(path.join(work, 'slow.ini'), ['[slow]', `hang-1 ansible_host=127.0.0.1 ansible_port=${hangPort}`, 'web-01 ansible_host=node-a', ''].join('\n'));
      rt = new Runtime({ mode: 'browser' });
      rt.events.subscribe((e) => void seen.push(e));
      for (const inv of ['fleet.ini', 'slow.ini', 'fleet.yml']) await rt.api.hosts.importInventory({ inventory: path.join(work, inv) });
    }, 60_000);
    afterAll(async () => {
      for (const c of held) c.destroy();
      hang?.close();
      await rt?.dispose();
    });
    const progress = (run: string) => seen.flatMap((e) => (e.name === 'compare.collectProgress' && e.payload.run === run ? [e.payload] : []));
    /** Processes of this machine a run could leave: ansible-playbook of HostDeck's play, ssh to the silent host. */
    const leftovers = () =>
      execFileSync('/usr/bin/ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => (/ansible-playbook/.test(l) && l.includes('hostdeck-ansible-')) || l.includes(`Port=${hangPort}`) || l.includes(`-p ${hangPort}`));

    it('collects a group into the grid: values as each host\'s sysctl -n, the down host not read with Ansible\'s reason, one progress event per host', async () => {
      const r = await rt.api.compare.collect({ run: 'grid-1', inventory: path.join(work, 'fleet.ini'), only: ['sysctl'] });
      expect(r.view).toBe('grid');
      expect(r.hosts.map((h) => [h.host, h.ok])).toEqual([['web-01', true], ['web-02', true], ['web-07', true], ['down-1', false]]);
      expect(r.hosts[3]!.error).toMatch(/^unreachable: /);
      const p = progress('grid-1');
      expect(p.map((e) => e.host).sort()).toEqual(['down-1', 'web-01', 'web-02', 'web-07']);
      expect(p.map((e) => e.done)).toEqual([1, 2, 3, 4]);
      expect(p.every((e) => e.total === 4)).toBe(true);
      expect(p.find((e) => e.host === 'down-1')).toMatchObject({ ok: false, error: r.hosts[3]!.error });
      const c = await rt.api.compare.run({ hosts: r.ids, only: ['sysctl'] });
      expect(c.sysctl.find((x) => x.key === FIN)!.values.slice(0, 3)).toEqual([sysctlN(0, FIN), sysctlN(1, FIN), sysctlN(2, FIN)]);
      expect(c.hosts[3]).toMatchObject({ status: 'unreachable' });
      expect(c.hosts[3]!.error).toContain(r.hosts[3]!.error!);
      // The collected hosts' fix runs against the inventory they came from.
      const fix = await rt.api.compare.fix({ hosts: r.ids.slice(0, 3), only: ['sysctl'], format: 'ansible', selection: { sysctl: [SOMAXCONN] } });
      expect(fix.command).toContain(`ansible-playbook -i ${path.join(work, 'fleet.ini')}`);
      expect(runs()).toEqual([]);
    }, 120_000);

    it('a hostile inventory name stays data (one collection, two fixes): as the baseline it is only text; as a differing host it is left out with a note; the playbook runs against the YAML inventory and nothing runs on this machine', async () => {
      // One collection serves both fixes: the first fix changes fin_timeout only, the second is about somaxconn.
      const c = await rt.api.compare.collect({ run: 'evil-yml', inventory: path.join(work, 'fleet.yml'), limit: 'web', only: ['sysctl'] });
      expect(c.hosts.map((h) => [h.host, h.ok])).toEqual([['web-01', true], [EVIL(), true], ['web-07', true]]);
      const id = (host: string) => c.hosts.find((h) => h.host === host)!.id!;
      // The hostile host (node-b, fin_timeout 33) is the baseline: web-01 and web-07 (both 21 after the fix above) differ.
      const fix = await rt.api.compare.fix({ hosts: c.ids, baseline: id(EVIL()), only: ['sysctl'], format: 'ansible', selection: { sysctl: [FIN] } });
      expect(fix.command).toContain(`ansible-playbook -i ${path.join(work, 'fleet.yml')} --limit web`);
      const plays = YAML.parse(fix.text.slice(fix.text.indexOf('---')), { customTags: [unsafeTag] }) as { name: string; hosts: string[] }[];
      expect(plays.map((p) => [p.name, p.hosts])).toEqual([[`Kernel parameters as on ${EVIL()}`, ['web-01', 'web-07']]]);
      writeFileSync(path.join(work, 'evil.yml'), fix.text);
      const play = () => runAnsiblePlaybook({ sshConfig: fh.sshConfig, work, inventory: path.join(work, 'fleet.yml'), limit: 'web', playbook: path.join(work, 'evil.yml') });
      const first = play();
      expect(first.status, first.out).toBe(0);
      expect([sysctlN(0, FIN), sysctlN(2, FIN)]).toEqual(['33', '33']);
      expect(recap(play().out)).toEqual({ 'web-01': { ok: 1, changed: 0, unreachable: 0, failed: 0 }, 'web-07': { ok: 1, changed: 0, unreachable: 0, failed: 0 } });

      // Now web-01 is the baseline and the hostile host differs (somaxconn): left out, said in the header.
      const left = await rt.api.compare.fix({ hosts: c.ids, baseline: id('web-01'), only: ['sysctl'], format: 'ansible', selection: { sysctl: [SOMAXCONN] } });
      expect(left.text).toMatch(/^# Note: "evil \$\(touch .*web-\*:!x" is left out: its inventory name is not a plain host name/m);
      expect(left.text).toContain('\n---\n[]\n');
      expect(existsSync(marker(1))).toBe(false);
    }, 180_000);

    /**
     * ssh that ignores SIGTERM (a disposition kept across exec, and ssh keeps an ignored SIGTERM
     * ignored): Ansible's own clean-up on SIGTERM cannot end it, only a kill of the whole group can.
     */
    const stubbornSsh = (): { restore(): void } => {
      const wrapper = path.join(work, 'stubborn-ssh');
      writeFileSync(wrapper, `#!/bin/sh\ntrap '' TERM\nexec /usr/bin/ssh -o ConnectTimeout=300 "$@"\n`, { mode: 0o755 });
      const before = process.env.ANSIBLE_SSH_EXECUTABLE;
      process.env.ANSIBLE_SSH_EXECUTABLE = wrapper;
      return { restore: () => (before === undefined ? delete process.env.ANSIBLE_SSH_EXECUTABLE : (process.env.ANSIBLE_SSH_EXECUTABLE = before)) };
    };
    /** The ansible-playbook this process started (its workers are its own children). */
    const playbookPid = () =>
      execFileSync('/usr/bin/ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter((f) => Number(f[1]) === process.pid && f.slice(2).join(' ').includes('ansible-playbook') && f.join(' ').includes('hostdeck-ansible-'))
        .map((f) => Number(f[0]));

    it('Cancel ends ansible-playbook and every ssh it started, even an ssh that ignores SIGTERM; the silent host is reported cancelled, the answered one stays', async () => {
      const ssh = stubbornSsh();
      onTestFinished(() => ssh.restore());
      const pending = rt.api.compare.collect({ run: 'cancel-1', inventory: path.join(work, 'slow.ini'), only: ['sysctl'] });
      await expect.poll(() => progress('cancel-1').length, { timeout: 60_000 }).toBe(1);
      await expect.poll(() => leftovers().length, { timeout: 10_000 }).toBeGreaterThan(0);
      expect(await rt.api.compare.collectCancel({ run: 'cancel-1' })).toEqual({ cancelled: true });
      const r = await pending;
      expect(r.cancelled).toBe(true);
      expect(r.hosts).toEqual([
        { host: 'hang-1', ok: false, error: 'cancelled before it answered', id: expect.any(String) },
        { host: 'web-01', ok: true, error: null, id: expect.any(String) },
      ]);
      expect(leftovers()).toEqual([]);
      expect(await rt.api.compare.collectCancel({ run: 'cancel-1' })).toEqual({ cancelled: false });
    }, 120_000);

    it('ansible-playbook SIGKILLed by someone else mid-run (no clean-up of its own): the run ends and leaves no ssh behind', async () => {
      const ssh = stubbornSsh();
      onTestFinished(() => ssh.restore());
      const pending = rt.api.compare.collect({ run: 'killed-1', inventory: path.join(work, 'slow.ini'), only: ['sysctl'] });
      // web-01 answered, the silent host's ssh waits for a banner.
      await expect.poll(() => progress('killed-1').length, { timeout: 60_000 }).toBe(1);
      await expect.poll(() => leftovers().filter((l) => l.includes(`Port=${hangPort}`) && !/ansible-playbook/.test(l)).length, { timeout: 60_000 }).toBeGreaterThan(0);
      const pids = playbookPid();
      expect(pids).toHaveLength(1);
      process.kill(pids[0]!, 'SIGKILL');
      const r = await pending;
      expect(r.hosts.map((h) => [h.host, h.ok])).toEqual([['hang-1', false], ['web-01', true]]);
      expect(r.hosts[0]!.error).toBe('Ansible ended without an answer for it');
      expect(leftovers()).toEqual([]);
    }, 60_000);

    it('the deadline ends the run like Cancel, saying so', async () => {
      const r = await rt.api.compare.collect({ run: 'deadline-1', inventory: path.join(work, 'slow.ini'), limit: 'hang-1', timeoutSeconds: 2 });
      expect(r).toMatchObject({ timedOut: true, cancelled: false, view: 'none' });
      expect(r.hosts).toEqual([{ host: 'hang-1', ok: false, error: 'not answered within the deadline of 2 s', id: null }]);
      expect(leftovers()).toEqual([]);
    }, 60_000);

    it('runs only an inventory saved hosts came from: the page cannot make HostDeck execute any file as an inventory script', async () => {
      const script = path.join(work, 'not-saved.sh');
      writeFileSync(script, `#!/bin/sh\ntouch ${marker(2)}\necho '{}'\n`, { mode: 0o755 });
      await expect(rt.api.compare.collect({ run: 'evil-1', inventory: script })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('not an inventory saved hosts were imported from') });
      expect(existsSync(marker(2))).toBe(false);
    });
  });
});
