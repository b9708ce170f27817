/**
 * firewall.rules and `hostdeck firewall rules` against a real firewalld in its own network
 * namespace: zones with services, ports, sources, rich rules of every action, icmp blocks,
 * masquerade, forward ports, a policy; plus a rule added by hand into firewalld's chain and a
 * foreign table, both added with `nft` inside the sandbox's namespace. The ruleset is read
 * through the helper's verb nft-ruleset, in firewalld's namespace (found by its pid on the bus),
 * never this machine's. Needs root and firewalld, dbus, nftables, util-linux, python3.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../../electron/api/runtime';
import { helperSource } from '../../../electron/helper/source';
import { parseNftRuleset } from '../../../shared/firewall/rules';
import { richRuleKey } from '../../../shared/firewall/rich-rule';
import type { RulesReport } from '../../../shared/firewall/rules';
import { runHostdeck } from '../../support/cli';
import { openSession, type FwSession } from '../session';
import { addForeignRules, configureRules, WORK_RICH_RULES } from './configure';

let s: FwSession;
// This machine as the host (root "/"), its bus pointed at the sandbox: the session's own runtime reads an image root.
let rt: Runtime;
let api: Runtime['api']['firewall'];
beforeAll(async () => {
  s = await openSession();
  configureRules(s.sb);
  addForeignRules(s.sb);
  rt = new Runtime({ mode: 'cli', local: { root: '/', procSys: '/proc/sys', systemBusAddress: s.sb.busAddress } });
  api = rt.api.firewall;
});
afterAll(async () => {
  await rt?.dispose();
  await s?.close();
});

const madeBy = (r: RulesReport, chain: string, text: string) => r.chains.find((c) => c.name === chain)?.rules.find((x) => x.text === text)?.madeBy ?? [];

describe('firewall.rules on a live firewalld', () => {
  it("reads firewalld's own namespace and attributes every rule of its table but the hand-added one", async () => {
    const r = await api.rules({});
    // The same rules nft lists inside firewalld's namespace (this machine's own ruleset is another).
    const direct = parseNftRuleset(s.sb.inNetns('nft', '-j', 'list', 'ruleset'));
    const got = [...r.chains.flatMap((c) => c.rules), ...r.foreignTables.flatMap((t) => t.chains.flatMap((c) => c.rules))].map((x) => x.text).sort();
    expect(got).toEqual(direct.rules.map((x) => x.text).sort());
    expect(r.chains.flatMap((c) => c.rules.filter((x) => x.foreign).map((x) => `${c.name}: ${x.text}`))).toEqual(['filter_IN_work_allow: tcp dport 31337 accept']);
    expect(r.foreignTables.map((t) => `${t.family} ${t.name}`)).toEqual(['ip hd_docker']);
    expect(r.totals.foreign).toBe(2);
    expect(r.layout).toBe('1.x');
  });

  it('each element lands on its own rules: services with their port, ports, sources, interfaces, rich rules, targets, icmp blocks, masquerade, forward ports, the policy', async () => {
    const r = await api.rules({});
    expect(madeBy(r, 'filter_IN_work_allow', 'tcp dport 139 accept')).toEqual([expect.objectContaining({ kind: 'service', service: 'samba', port: '139/tcp', zone: 'work' })]);
    expect(madeBy(r, 'filter_IN_work_allow', 'udp dport 7000-7010 accept')[0]).toMatchObject({ kind: 'port' });
    expect(madeBy(r, 'filter_INPUT_ZONES', 'ip saddr 10.20.0.0/16 goto filter_IN_work')[0]).toMatchObject({ kind: 'source', zone: 'work' });
    expect(madeBy(r, 'filter_INPUT_ZONES', 'iifname "eth8" goto filter_IN_dmz')[0]).toMatchObject({ kind: 'interface', zone: 'dmz' });
    expect(madeBy(r, 'filter_IN_dmz', 'drop')[0]).toMatchObject({ kind: 'target' });
    expect(madeBy(r, 'filter_IN_work_deny', 'icmp type timestamp-request reject with icmpx admin-prohibited')[0]).toMatchObject({ kind: 'icmp-block' });
    expect(madeBy(r, 'nat_POST_work_allow', 'meta nfproto ipv4 oifname != "lo" masquerade')[0]).toMatchObject({ kind: 'masquerade' });
    expect(madeBy(r, 'nat_PRE_work_allow', 'meta nfproto ipv4 tcp dport 8081 redirect to :80')[0]).toMatchObject({ kind: 'forward-port' });
    expect(madeBy(r, 'filter_OUT_policy_hd-out_deny', 'ip daddr 192.0.2.99 reject with icmp port-unreachable')[0]).toMatchObject({ kind: 'rich-rule', policy: 'hd-out' });
    const rich = new Set(r.chains.flatMap((c) => c.rules.flatMap((x) => x.madeBy.filter((m) => m.zone === 'work' && m.richRule).map((m) => richRuleKey(m.richRule!)))));
    expect([...rich].sort()).toEqual(WORK_RICH_RULES.map(richRuleKey).sort());
  });

  it('a change made while HostDeck looks is seen at the next read (the model and the ruleset are read together)', async () => {
    s.sb.firewallCmd('--zone=work', '--add-port=4444/tcp');
    const r = await api.rules({ zone: 'work' });
    expect(madeBy(r, 'filter_IN_work_allow', 'tcp dport 4444 accept')[0]).toMatchObject({ kind: 'port', port: '4444/tcp' });
    expect(r.chains.every((c) => c.zone === 'work' || (!c.zone && !c.firewallPolicy))).toBe(true);
  });

  it('--policy, and names a zone that does not exist', async () => {
    const p = await api.rules({ policy: 'hd-out' });
    expect(new Set(p.chains.map((c) => c.firewallPolicy ?? c.name))).toEqual(new Set(['hd-out', 'nat_OUTPUT_POLICIES_pre', 'filter_OUTPUT_POLICIES_pre']));
    await expect(api.rules({ zone: 'nosuch' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'There is no zone "nosuch" in the runtime configuration' });
  });
});

describe('hostdeck firewall rules', () => {
  it('prints the zone\'s chains with each rule\'s element, and the foreign rules apart', async () => {
    const r = await runHostdeck(['firewall', 'rules', '--bus', s.sb.busAddress, '--zone', 'work']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('    tcp dport 8080 accept\n         ← Port 8080/tcp is open in zone work  [port 8080/tcp]');
    expect(r.out).toMatch(/!! tcp dport 31337 accept {2}\[\d+ packets, \d+ bytes\]\n\s+NOT MADE BY FIREWALLD/);
    expect(r.out).toMatch(/Not made by firewalld:[\s\S]*table ip hd_docker:[\s\S]*ip daddr 172\.17\.0\.0\/16 accept/);
    const j = JSON.parse((await runHostdeck(['firewall', 'rules', '--bus', s.sb.busAddress, '--json'])).out) as RulesReport;
    expect(j.totals.foreign).toBe(2);
  });

  it('an image (its own files) and an imported file have no ruleset: the answer says why; an image given a bus has its firewalld\'s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostdeck-rules-'));
    try {
      writeFileSync(join(dir, 'sysctl-a.txt'), 'vm.swappiness = 7\n');
      const imp = await runHostdeck(['--host', `web9=${join(dir, 'sysctl-a.txt')}`, 'firewall', 'rules']);
      expect(imp.code).toBe(1);
      expect(imp.err).toMatch(/No nftables ruleset: a snapshot .* is a record of a host/);
      const img = await runHostdeck(['firewall', 'rules', '--root', dir]);
      expect(img.code).toBe(1);
      expect(img.err).toContain(`${dir} is an image: it has no running nftables ruleset`);
      // With a bus, the image's firewall is the firewalld on it: its ruleset is that firewalld's (as for a trace).
      const withBus = await runHostdeck(['firewall', 'rules', '--root', dir, '--bus', s.sb.busAddress, '--json']);
      expect(withBus.code, withBus.err).toBe(0);
      expect(withBus.out).toContain('filter_IN_public');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the helper verb nft-ruleset', () => {
  const helper = (req: unknown) => JSON.parse(spawnSync('/usr/bin/python3', ['-I', '-c', helperSource], { input: JSON.stringify(req), encoding: 'utf8' }).stdout) as { ok: boolean; result?: { ruleset: unknown }; error?: { code: string; message: string } };

  it("reads the ruleset of firewalld's namespace by its pid, and nothing else's", () => {
    const ok = helper({ verb: 'nft-ruleset', pid: s.sb.firewalldPid() });
    expect(ok.ok).toBe(true);
    expect(parseNftRuleset(ok.result!.ruleset).tables).toContainEqual({ family: 'inet', name: 'firewalld' });
    const other = helper({ verb: 'nft-ruleset', pid: process.pid });
    expect(other).toMatchObject({ ok: false, error: { code: 'NOT_ALLOWED', message: expect.stringMatching(/^process \d+ is ".*", not firewalld/) } });
    expect(helper({ verb: 'nft-ruleset', pid: 'x' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(helper({ verb: 'nft-ruleset', path: '/etc/shadow' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: 'unknown field(s) for nft-ruleset: path' } });
  });
});
