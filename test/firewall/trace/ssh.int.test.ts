/**
 * The rules view (#15 part 3) and the trace (#15 part 2) on a fake SSH host (real sshd, dbus and
 * firewalld in its own namespaces), through the real command line: the host's ruleset is read by
 * the helper over SSH (a root login: sent on stdin), in the network namespace of the host's own
 * firewalld, attributed with the host's firewalld model, and traced in a copy on this machine. A
 * login that may not run the helper is told what to grant. One host, a few seconds.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../../electron/api/runtime';
import type { RulesReport } from '../../../shared/firewall/rules';
import { runHostdeck } from '../../support/cli';
import { startFakeHosts, type FakeHost, type FakeHosts } from '../../support/fake-hosts';

interface TraceJson {
  verdict: string;
  agreement: boolean;
  decidedBy?: { chain: string; rule: string };
  client: { outcome: string };
  prediction: { verdict: string; decidedBy: { kind: string; firewalld: string } };
}

describe('rules and trace on a fake SSH host', () => {
  let fh: FakeHosts;
  let host: FakeHost;
  const before = process.env.HOSTDECK_SSH_CONFIG;

  beforeAll(async () => {
    fh = await startFakeHosts([{ name: 'trs1' }]);
    host = fh.hosts[0]!;
    process.env.HOSTDECK_SSH_CONFIG = fh.sshConfig;
    host.firewallCmd('--zone=public', '--add-interface=hd8');
    // A port only this host has: its rule can come from nowhere but the host's own firewalld.
    host.firewallCmd('--zone=public', '--add-port=8443/tcp');
  }, 120_000);
  afterAll(async () => {
    process.env.HOSTDECK_SSH_CONFIG = before;
    await fh?.stop();
  });

  const machineRules = () => {
    const r = spawnSync('/usr/sbin/nft', ['list', 'ruleset'], { encoding: 'utf8' });
    return `${r.status}\n${r.stdout}`;
  };

  it("firewall rules: the host's own ruleset, its port attributed to that port", async () => {
    const r = await runHostdeck(['--host', 'trs1', 'firewall', 'rules', '--zone', 'public', '--json']);
    expect([r.code, r.err]).toEqual([0, '']);
    const report = JSON.parse(r.out) as RulesReport;
    const allow = report.chains.find((c) => c.name === 'filter_IN_public_allow');
    const rule = allow?.rules.find((x) => x.text === 'tcp dport 8443 accept');
    expect(rule?.madeBy).toEqual([expect.objectContaining({ kind: 'port', zone: 'public', firewalld: 'port 8443/tcp' })]);
    // The dispatch by the host's interface: read in the far firewalld's namespace, not this machine's.
    const zones = report.chains.find((c) => c.name === 'filter_INPUT_ZONES');
    expect(zones?.rules.find((x) => x.text === 'iifname "hd8" goto filter_IN_public')?.madeBy[0]).toMatchObject({ kind: 'interface', zone: 'public' });
  });

  it('firewall trace: a rejected and an accepted flow through a copy of the host ruleset agree with explain; the host and this machine keep theirs', async () => {
    const host0 = host.exec(['/usr/sbin/nft', 'list', 'ruleset']);
    const machine0 = machineRules();
    const trace = async (port: string): Promise<TraceJson> => {
      const r = await runHostdeck(['--host', 'trs1', 'firewall', 'trace', '--from', '192.0.2.7', '--to-port', port, '--iface', 'hd8', '--json']);
      expect(r.err).toBe('');
      return JSON.parse(r.out) as TraceJson;
    };
    const rejected = await trace('9999/tcp');
    // The zone's default reject (icmpx admin-prohibited): the client sees "unreachable".
    expect(rejected).toMatchObject({ verdict: 'reject', agreement: true, client: { outcome: 'unreachable' }, prediction: { verdict: 'reject' } });
    expect(rejected.decidedBy?.chain).toBe('filter_IN_public');
    const accepted = await trace('8443/tcp');
    expect(accepted).toMatchObject({
      verdict: 'accept',
      agreement: true,
      client: { outcome: 'connected' },
      decidedBy: { chain: 'filter_IN_public_allow', rule: 'tcp dport 8443 accept' },
      prediction: { verdict: 'accept', decidedBy: { kind: 'port', firewalld: 'port 8443/tcp' } },
    });
    // Explain on its own says the same.
    const ex = await runHostdeck(['--host', 'trs1', 'firewall', 'explain', '--from', '192.0.2.7', '--to-port', '9999/tcp', '--iface', 'hd8', '--json']);
    expect((JSON.parse(ex.out) as { verdict: string }).verdict).toBe('reject');
    expect(host.exec(['/usr/sbin/nft', 'list', 'ruleset'])).toBe(host0);
    expect(machineRules()).toBe(machine0);
  });

  it('a login that may not run the helper is told what to grant, for rules and for trace', async () => {
    const line = 'deck ALL=(root) NOPASSWD: /usr/libexec/hostdeck/hostdeck-helper';
    const rules = await runHostdeck(['--host', 'deck@trs1', 'firewall', 'rules', '--zone', 'public', '--json']);
    const trace = await runHostdeck(['--host', 'deck@trs1', 'firewall', 'trace', '--from', '192.0.2.7', '--to-port', '8443/tcp', '--iface', 'hd8', '--json']);
    for (const r of [rules, trace]) {
      expect(r.code).not.toBe(0);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/nftables ruleset/);
      expect(r.err).toContain(line);
    }
    // The rules are attributed with firewalld's model too: what firewalld needs is said in the same answer.
    expect(rules.err).toContain('polkit.addRule');
    expect(rules.err.trimEnd()).toMatch(/\[NOT_AUTHORIZED\]$/);
    expect(trace.err.trimEnd()).toMatch(/\[NEEDS_SUDO\]$/);
    // The host's capability says the same before any attempt (the Rules button's reason).
    const configDir = mkdtempSync(join(tmpdir(), 'hd-trace-ssh-cfg-'));
    const rt = new Runtime({ mode: 'cli', remote: { sshConfig: fh.sshConfig, configDir } });
    try {
      await rt.api.hosts.add({ destination: 'deck@trs1' });
      const summary = (await rt.api.app.hosts({})).hosts.find((h) => h.id === 'deck@trs1');
      expect(summary?.capabilities.nftRuleset).toBe('none');
      expect(summary?.capabilities.missing.nftRuleset).toContain(line);
    } finally {
      await rt.dispose();
      rmSync(configDir, { recursive: true, force: true });
    }
  });
});
