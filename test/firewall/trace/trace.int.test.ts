/**
 * firewall.trace against the firewalld sandbox as "the host": its own nftables ruleset (in its
 * own network namespace) read, copied into throwaway namespaces, one real packet per flow, the
 * kernel's path next to explain's prediction. Proves that the host's ruleset and this
 * machine's are left as they were, and that no process of a trace outlives it (not even one
 * killed at its deadline). Needs root and firewalld, dbus, nftables, util-linux, python3.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/api/errors';
import { traceOnce } from '../../../electron/firewall/trace/engine';
import { runHostdeck } from '../../support/cli';
import { firewallCmdBatch } from '../../support/firewall-cmd-batch';
import { openSession, type FwSession } from '../session';

let s: FwSession;
beforeAll(async () => {
  s = await openSession();
  // Forwarded traffic from public to internal: a policy opening 9191/tcp and masquerading.
  // One firewall-cmd process for the set-up: each call still is firewall-cmd with these arguments.
  await firewallCmdBatch(s.sb, [
    ['--permanent', '--new-policy=hd-fwd'],
    ['--permanent', '--policy=hd-fwd', '--add-ingress-zone=public'],
    ['--permanent', '--policy=hd-fwd', '--add-egress-zone=internal'],
    ['--permanent', '--policy=hd-fwd', '--add-port=9191/tcp'],
    ['--permanent', '--policy=hd-fwd', '--add-masquerade'],
    ['--reload'],
    ['--zone=public', '--add-interface=eth0'],
    ['--zone=public', '--add-port=8080/tcp'],
    ['--zone=public', '--add-rich-rule=rule family="ipv4" source address="10.8.0.3" port port="8080" protocol="tcp" drop'],
    ['--zone=internal', '--add-interface=eth1'],
    ['--zone=internal', '--add-rich-rule=rule family="ipv6" source address="fd08::3" port port="9090" protocol="tcp" reject type="tcp-reset"'],
  ]);
}, 120_000);
afterAll(async () => {
  await s?.close();
});

/** The sandbox's ruleset (the host's) and this machine's own, as text: read only. */
const hostRules = () => s.sb.inNetns('/usr/sbin/nft', 'list', 'ruleset');
const machineRules = () => {
  const r = spawnSync('/usr/sbin/nft', ['list', 'ruleset'], { encoding: 'utf8' });
  return `${r.status}\n${r.stdout}`;
};

/** Processes still carrying a trace's mark (HOSTDECK_TRACE=<its table> in their environment). */
function leftovers(traceTable: string): number[] {
  const found: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/environ`, 'latin1').split('\0').includes(`HOSTDECK_TRACE=${traceTable}`)) found.push(Number(p));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return found;
}

describe('firewall.trace through the API', () => {
  it('accepted, dropped and rejected flows: the kernel agrees with explain and with the client, and neither the host nor this machine changes', async () => {
    const host0 = hostRules();
    const machine0 = machineRules();

    const accepted = await s.api.trace({ flow: { protocol: 'tcp', src: '10.8.0.2', dst: '10.8.0.1', dport: 8080, iface: 'eth0' } });
    expect(accepted).toMatchObject({
      verdict: 'accept',
      agreement: true,
      client: { outcome: 'connected' },
      decidedBy: { family: 'inet', table: 'firewalld', chain: 'filter_IN_public_allow', kind: 'rule', rule: 'tcp dport 8080 accept' },
      prediction: { verdict: 'accept', decidedBy: { kind: 'port', chain: 'filter_IN_public_allow' } },
    });
    expect(accepted.disagreement).toBeUndefined();
    expect(accepted.decidedBy!.handle).toBeGreaterThan(0);
    // The kernel's own order: dispatch by interface before the zone's chains.
    const chains = accepted.kernelPath.map((p) => p.chain);
    expect(chains.indexOf('filter_INPUT_ZONES')).toBeLessThan(chains.indexOf('filter_IN_public_allow'));
    expect(accepted.kernelPath.find((p) => p.chain === 'filter_INPUT_ZONES')).toMatchObject({ rule: 'iifname "eth0" goto filter_IN_public', outcome: 'jump' });

    const dropped = await s.api.trace({ flow: { protocol: 'tcp', src: '10.8.0.3', dst: '10.8.0.1', dport: 8080, iface: 'eth0' } });
    expect(dropped).toMatchObject({
      verdict: 'drop',
      agreement: true,
      client: { outcome: 'timeout' },
      decidedBy: { chain: 'filter_IN_public_deny', rule: 'ip saddr 10.8.0.3 tcp dport 8080 drop' },
      prediction: { verdict: 'drop', decidedBy: { kind: 'rich-rule' } },
    });

    const rejected = await s.api.trace({ flow: { protocol: 'udp', src: '10.8.0.2', dst: '10.8.0.1', dport: 9999, iface: 'eth0' } });
    expect(rejected).toMatchObject({
      verdict: 'reject',
      rejectWith: 'icmpx admin-prohibited',
      agreement: true,
      client: { outcome: 'unreachable' },
      decidedBy: { chain: 'filter_IN_public', rule: 'reject with icmpx admin-prohibited' },
      prediction: { verdict: 'reject', rejectWith: 'icmpx admin-prohibited', decidedBy: { kind: 'target' } },
    });

    const reset = await s.api.trace({ flow: { protocol: 'tcp', src: 'fd08::3', dst: 'fd08::1', dport: 9090, iface: 'eth1' } });
    expect(reset).toMatchObject({ verdict: 'reject', rejectWith: 'tcp reset', agreement: true, client: { outcome: 'refused' }, flow: { family: 'ipv6' } });

    expect(hostRules()).toBe(host0);
    expect(machineRules()).toBe(machine0);
  }, 90_000);

  it('forwarded flows (--out-iface): in on eth0, out on eth1 to a third namespace; the policy, masquerade and the zone target as the kernel runs them', async () => {
    const host0 = hostRules();
    const through = await s.api.trace({ flow: { protocol: 'tcp', src: '10.8.0.2', dst: '10.20.0.9', dport: 9191, iface: 'eth0', outIface: 'eth1' } });
    expect(through).toMatchObject({
      flow: { outIface: 'eth1' },
      verdict: 'accept',
      agreement: true,
      client: { outcome: 'connected' },
      decidedBy: { chain: 'filter_FWD_policy_hd-fwd_allow', rule: 'tcp dport 9191 accept' },
      prediction: { verdict: 'accept', decidedBy: { kind: 'port', policy: 'hd-fwd' } },
    });
    // Masqueraded on the way out: the destination answered the egress end's own address.
    expect(through.kernelPath.some((p) => p.chain.startsWith('nat_POST') && /masquerade/.test(p.rule ?? ''))).toBe(true);
    expect(through.notes.join(' ')).toMatch(/Forwarded: the copy routes 10\.20\.0\.9 out of eth1/);

    // Not opened by the policy: public's target (default) rejects forwarded traffic.
    const closed = await s.api.trace({ flow: { protocol: 'tcp', src: '10.8.0.2', dst: '10.20.0.9', dport: 9192, iface: 'eth0', outIface: 'eth1' } });
    expect(closed).toMatchObject({ verdict: 'reject', agreement: true, client: { outcome: 'unreachable' }, prediction: { verdict: 'reject' } });
    expect(closed.decidedBy!.chain).toMatch(/^filter_FWD_public/);

    const cli = await runHostdeck(['firewall', 'trace', '--bus', s.sb.busAddress, '--from', '10.8.0.2', '--to', '10.20.0.9', '--to-port', '9191/tcp', '--iface', 'eth0', '--out-iface', 'eth1', '--json']);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.out)).toMatchObject({ verdict: 'accept', agreement: true, flow: { iface: 'eth0', outIface: 'eth1' } });
    expect(hostRules()).toBe(host0);
  }, 90_000);

  it("says loudly when the kernel disagrees with explain: a rule no firewalld element made (nft by hand in the host's namespace)", async () => {
    s.sb.inNetns('/usr/sbin/nft', 'add table inet handmade { chain input { type filter hook input priority 100; tcp dport 8080 drop; }; }');
    try {
      const r = await s.api.trace({ flow: { protocol: 'tcp', src: '10.8.0.2', dst: '10.8.0.1', dport: 8080, iface: 'eth0' } });
      expect(r.prediction.verdict).toBe('accept');
      expect(r).toMatchObject({ verdict: 'drop', agreement: false, client: { outcome: 'timeout' }, decidedBy: { table: 'handmade', chain: 'input', rule: 'tcp dport 8080 drop' } });
      expect(r.disagreement).toMatch(/explain predicts ACCEPT by port 8080\/tcp \[filter_IN_public_allow\], but the kernel DROPPED it at inet handmade input: tcp dport 8080 drop \(handle \d+\)/);
      const text = await runHostdeck(['firewall', 'trace', '--bus', s.sb.busAddress, '--from', '10.8.0.2', '--to', '10.8.0.1', '--to-port', '8080/tcp', '--iface', 'eth0']);
      expect(text.code).toBe(5);
      expect(text.out.split('\n')[0]).toMatch(/^!!! DISAGREEMENT: explain predicts ACCEPT/);
    } finally {
      s.sb.inNetns('/usr/sbin/nft', 'delete', 'table', 'inet', 'handmade');
    }
  }, 60_000);

  it('refuses what it cannot trace, naming the field', async () => {
    const err = (p: Promise<unknown>) => p.then(() => undefined, (e: ApiError) => `${e.code}: ${e.message}`);
    expect(await err(s.api.trace({ flow: { protocol: 'tcp', src: '10.8.0.2', dport: 8080, iface: 'eth0' }, layer: 'permanent' }))).toMatch(/^INVALID_INPUT: layer: a trace runs the rules the kernel has now/);
    expect(await err(s.api.trace({ flow: { protocol: 'tcp', src: '10.8.0.2', dport: 8080, iface: 'eth0', outIface: 'eth0' } }))).toMatch(/^INVALID_INPUT: outIface: "eth0" is also the ingress interface/);
    expect(await err(s.api.trace({ flow: { protocol: 'tcp', src: '10.8.0.2', iface: 'eth0' } }))).toMatch(/^INVALID_INPUT: dport:/);
  });

  it('a snapshot of the host cannot be traced (no kernel behind it), and says so; explain answers it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostdeck-trace-snap-'));
    const before = process.env.DBUS_SYSTEM_BUS_ADDRESS;
    try {
      process.env.DBUS_SYSTEM_BUS_ADDRESS = s.sb.busAddress;
      const snap = await runHostdeck(['snapshot']);
      expect(snap.code).toBe(0);
      writeFileSync(join(dir, 'node.json'), snap.out);
      const flow = ['--from', '10.8.0.2', '--to-port', '8080/tcp', '--iface', 'eth0'];
      const r = await runHostdeck(['--host', join(dir, 'node.json'), 'firewall', 'trace', ...flow]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/A trace needs the host's running firewall/);
      expect((await runHostdeck(['--host', join(dir, 'node.json'), 'firewall', 'explain', ...flow])).code).toBe(0);
    } finally {
      if (before === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
      else process.env.DBUS_SYSTEM_BUS_ADDRESS = before;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('hostdeck firewall trace', () => {
  it('--json: verdict, deciding rule, kernel path, prediction and agreement; exit 0 on accept, 5 on reject', async () => {
    const ok = await runHostdeck(['firewall', 'trace', '--bus', s.sb.busAddress, '--icmp', '--from', '10.8.0.2', '--to', '10.8.0.1', '--iface', 'eth0', '--json']);
    expect(ok.code).toBe(0);
    const j = JSON.parse(ok.out);
    expect(j).toMatchObject({ verdict: 'accept', agreement: true, client: { outcome: 'connected', detail: 'echo reply' }, prediction: { verdict: 'accept' }, flow: { protocol: 'icmp', icmpType: 'echo-request' } });
    expect(j.decidedBy.rule).toMatch(/icmp/);
    expect(j.kernelPath.length).toBeGreaterThan(3);
    const no = await runHostdeck(['firewall', 'trace', '--bus', s.sb.busAddress, '--from', '10.8.0.2', '--to-port', '9999/udp', '--iface', 'eth0']);
    expect(no.code).toBe(5);
    expect(no.out).toMatch(/^REJECT \(icmpx admin-prohibited\): what the kernel did to one real packet/);
    expect(no.out).toMatch(/explain predicted: REJECT/);
    expect(no.out).toMatch(/agreement: yes/);
    expect(no.out).toMatch(/note: No destination given: the host's end carries 192\.0\.2\.1\./);
    const bad = await runHostdeck(['firewall', 'trace', '--bus', s.sb.busAddress, '--to-port', '8080/sctp']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/protocol: "sctp": trace sends TCP, UDP or ICMP echo packets only/);
  }, 60_000);
});

describe('the trace engine', () => {
  const ruleset = () => JSON.parse(s.sb.inNetns('/usr/sbin/nft', '-j', 'list', 'ruleset')) as unknown;

  it('runs in an unprivileged user namespace too (unshare -rn), and leaves no process behind', async () => {
    let table = '';
    const r = await traceOnce(ruleset(), { family: 'ipv4', protocol: 'tcp', src: '10.8.0.3', dst: '10.8.0.1', sport: 41000, dport: 8080, iface: 'eth0' }, { privilege: 'userns', onStart: (x) => (table = x.traceTable) });
    expect(r).toMatchObject({ verdict: 'drop', traced: true, client: { outcome: 'timeout' }, decidedBy: { chain: 'filter_IN_public_deny' } });
    expect(table).toMatch(/^hostdeck_trace_/);
    expect(leftovers(table)).toEqual([]);
  }, 30_000);

  it('a trace over its deadline is stopped with TIMEOUT, and every process it started goes with it', async () => {
    let table = '';
    // A dropped packet keeps the client waiting its full time-out (5 s), far past a 600 ms deadline:
    // whatever of the trace still runs 2 s after the deadline was left behind.
    const e = await traceOnce(ruleset(), { family: 'ipv4', protocol: 'tcp', src: '10.8.0.3', dst: '10.8.0.1', sport: 41001, dport: 8080, iface: 'eth0' }, {
      privilege: 'root',
      deadlineMs: 600,
      clientTimeoutMs: 5000,
      onStart: (x) => (table = x.traceTable),
    }).then(() => undefined, (x: ApiError) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e!.code).toBe('TIMEOUT');
    expect(e!.message).toMatch(/did not finish within 600 ms/);
    await s.until(() => leftovers(table).length === 0, 2000, `the processes of ${table} to end`);
  }, 30_000);

  it('a table nft cannot load back is left out and named, the rest is traced', async () => {
    const rs = ruleset() as { nftables: unknown[] };
    // A flowtable on a device the copy does not have: nft refuses that table alone.
    rs.nftables.push({ table: { family: 'inet', name: 'broken', handle: 99 } }, { flowtable: { family: 'inet', table: 'broken', name: 'ft', handle: 1, hook: 'ingress', prio: 0, dev: ['nosuchdev0'] } });
    const r = await traceOnce(rs, { family: 'ipv4', protocol: 'tcp', src: '10.8.0.2', dst: '10.8.0.1', sport: 41002, dport: 8080, iface: 'eth0' }, { privilege: 'root' });
    expect(r.notLoaded.map((t) => t.table)).toEqual(['inet broken']);
    expect(r.notLoaded[0]!.error).not.toBe('');
    expect(r).toMatchObject({ verdict: 'accept', client: { outcome: 'connected' }, decidedBy: { chain: 'filter_IN_public_allow' } });
  }, 30_000);
});
