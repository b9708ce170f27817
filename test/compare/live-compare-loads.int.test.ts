import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';

/**
 * What `hostdeck compare h1 h2 --only sysctl` loads (issue #17: its fixed cost is CPU above
 * plain ssh): the CLI run from source in its own process, every module it resolves recorded.
 * Fixes (YAML, firewalld's XML), summaries, Ansible runs and the firewall's D-Bus reader are
 * loaded by the runs that ask for them, never by a plain live compare.
 */

describe('a live compare of sysctls loads what it uses', () => {
  let fh: FakeHosts;
  let work: string;

  beforeAll(async () => {
    fh = await startFakeHosts([{ name: 'm1', firewalld: false }, { name: 'm2', firewalld: false }]);
    work = mkdtempSync(join(tmpdir(), 'hostdeck-loads-'));
  });
  afterAll(async () => {
    await fh?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('compares, and loads no fix, summary, Ansible, YAML, XML or D-Bus code', { timeout: 120_000 }, () => {
    const trace = join(work, 'modules.txt');
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--import', join(__dirname, 'support/module-trace.mjs'), 'electron/cli.ts', 'compare', 'm1', 'm2', '--only', 'sysctl', '--json'],
      {
        encoding: 'utf8',
        timeout: 100_000,
        env: { ...process.env, HOSTDECK_SSH_CONFIG: fh.sshConfig, XDG_CONFIG_HOME: join(work, 'config'), XDG_RUNTIME_DIR: work, HOSTDECK_TEST_MODULE_TRACE: trace },
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { hosts: { status: string }[] };
    expect(out.hosts.map((h) => h.status)).toEqual(['ok', 'ok']);
    const loaded = [...new Set(readFileSync(trace, 'utf8').split('\n').filter(Boolean))];
    // The run itself is seen (the trace works): the capture and the SSH transport.
    expect(loaded.some((u) => u.endsWith('/electron/compare/capture.ts'))).toBe(true);
    expect(loaded.some((u) => u.endsWith('/electron/hosts/ssh/transport.ts'))).toBe(true);
    const unwanted = /\/node_modules\/(yaml|fast-xml-parser|fast-xml-builder|@jellybrick\/dbus-next)\/|\/shared\/compare\/(fix|fix-inventory|unsafe-scalar)\.ts$|\/electron\/compare\/(summary-op|summary-cli|collect|ansible-[a-z]+|fix-target)\.ts$|\/electron\/firewall\/(bulk-read|client)\.ts$/;
    expect(loaded.filter((u) => unwanted.test(u))).toEqual([]);
  });
});
