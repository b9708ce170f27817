import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareResult } from '../../shared/compare/diff';
import { toCsv, toMarkdown } from '../../shared/compare/report';
import { human } from '../../electron/compare/cli-run';
import { runHostdeck } from '../support/cli';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';

/**
 * Issue #21 item 29, as the user met it: among healthy hosts, one whose firewalld is frozen
 * (SIGSTOP: it holds its D-Bus name and never answers). `--only firewall` must not say "No
 * differences" with exit 0: the section is "not read" in every output and the exit code is 2.
 */
describe('a host that does not answer a section', () => {
  let fh: FakeHosts;
  let frozen = '';
  const before = process.env.HOSTDECK_SSH_CONFIG;

  beforeAll(async () => {
    fh = await startFakeHosts([{ name: 'node1' }, { name: 'node2' }, { name: 'node3' }]);
    process.env.HOSTDECK_SSH_CONFIG = fh.sshConfig;
    frozen = fh.hosts[2]!.exec(['pgrep', '-x', 'firewalld']).trim().split('\n')[0]!;
    fh.hosts[2]!.exec(['kill', '-STOP', frozen]);
  });
  afterAll(async () => {
    process.env.HOSTDECK_SSH_CONFIG = before;
    if (frozen) fh?.hosts[2]!.execRaw(['kill', '-CONT', frozen]);
    await fh?.stop();
  });

  it('JSON and exit code, then text, Markdown and CSV of that result: not read, never a bare "No differences."', { timeout: 300_000 }, async () => {
    // One read of the three hosts (the frozen one costs its firewalld deadlines).
    const j = await runHostdeck(['compare', 'node1', 'node2', 'node3', '--only', 'firewall', '--json']);
    expect(j.code).toBe(2);
    const res = JSON.parse(j.out) as CompareResult;
    expect(res.hosts.map((h) => h.status)).toEqual(['ok', 'ok', 'ok']);
    expect(res.hosts.map((h) => h.notRead.map((n) => n.section))).toEqual([[], [], ['firewall']]);
    expect(res.hosts[2]!.notRead[0]!.reason).toMatch(/firewalld is not answering/);

    const text = human(res, false);
    expect(text).not.toMatch(/^No differences\.$/m);
    expect(text).toMatch(/node3: firewall not read \(firewalld is not answering/);
    expect(text).toMatch(/No differences in what was read; not read: node3 firewall\./);
    const md = toMarkdown(res);
    expect(md).toMatch(/\*\*node3\*\* .*\*\*firewall not read: /);
    expect(md).not.toMatch(/^No differences\.$/m);
    expect(toCsv(res)).toMatch(/^firewall,\(not read\),unknown,,,"?\(not read\) firewalld is not answering/m);
  });

  it('the healthy hosts alone: no differences, exit 0', { timeout: 60_000 }, async () => {
    const r = await runHostdeck(['compare', 'node1', 'node2', '--only', 'firewall']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^No differences\.$/m);
  });
});
