/**
 * The detached revert plan (shared/firewall/revert-plan.ts) against a real firewalld: for every
 * kind of safe change, apply it through HostDeck, run only the plan's commands with firewall-cmd,
 * and the runtime state equals the state before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SafeChange } from '../../shared/firewall/contract';
import type { FullState } from '../../shared/firewall/model';
import { firewallRevertPlan } from '../../shared/firewall/revert-plan';
import { firewallPlanError } from '../../shared/helper/revert-grammar';
import { firewallCmdBatch } from '../support/firewall-cmd-batch';
import { openSession, type FwSession } from './session';

let s: FwSession;
/**
 * firewalld's state as last read fresh (refresh: true): after the set-up, then after each case's
 * in-process revert. Nothing changes firewalld between two cases, so a case starts from the read
 * that ended the one before instead of reading the whole state once more.
 */
let latest: FullState;
beforeAll(async () => {
  s = await openSession({ sshdConfig: 'Port 22\n' });
  // One firewall-cmd process for the set-up: each call still is firewall-cmd with these arguments.
  await firewallCmdBatch(s.sb, [
    ['--permanent', '--new-policy=hdtest'],
    ['--permanent', '--policy=hdtest', '--add-ingress-zone=internal'],
    ['--permanent', '--policy=hdtest', '--add-egress-zone=HOST'],
    ['--permanent', '--policy=hdtest', '--add-service=ssh'],
    ['--zone=work', '--add-interface=hd1'],
    ['--zone=work', '--add-source=192.0.2.0/24'],
    ['--runtime-to-permanent'],
    ['--reload'],
  ]);
  latest = await s.api.state({ refresh: true });
});
afterAll(async () => {
  await s?.close();
});

/** Runtime and globals with every list sorted: order is not state (a re-added item goes last). */
function runtimeOf(st: FullState) {
  const sortLists = (o: object) =>
    Object.fromEntries(
      Object.entries(o)
        .filter(([k]) => k !== 'meta' && k !== 'version')
        .map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => JSON.stringify(x)).sort() : v]),
    );
  const { revision: _r, ...global } = { ...st.global, revision: 0 };
  return {
    zones: Object.fromEntries(Object.entries(st.runtime.zones).map(([n, z]) => [n, sortLists(z)])),
    policies: Object.fromEntries(Object.entries(st.runtime.policies).map(([n, p]) => [n, sortLists(p)])),
    global: { ...global, activeZones: sortLists(Object.fromEntries(Object.entries(global.activeZones).map(([z, b]) => [z, JSON.stringify(sortLists(b))]))) },
  };
}

const cases: Array<[string, SafeChange]> = [
  [
    'zone items',
    {
      type: 'zone',
      name: 'public',
      patch: {
        remove: { services: ['ssh', 'dhcpv6-client'] },
        add: {
          services: ['http'],
          ports: [{ port: '8080-8090', protocol: 'tcp' }],
          protocols: ['gre'],
          sourcePorts: [{ port: '5353', protocol: 'udp' }],
          icmpBlocks: ['echo-request'],
          forwardPorts: [{ port: '2222', protocol: 'tcp', toPort: '22', toAddr: '' }, { port: '80', protocol: 'tcp', toPort: '8080', toAddr: '192.0.2.9' }],
          richRules: ['rule family="ipv4" source address="198.51.100.0/24" service name="ssh" accept'],
        },
      },
    },
  ],
  ['zone toggles', { type: 'zone', name: 'public', patch: { masquerade: true, forward: true, icmpBlockInversion: true } }],
  ['zone bindings', { type: 'zone', name: 'drop', patch: { add: { interfaces: ['hd1', 'hd2'], sources: ['192.0.2.0/24', '203.0.113.0/24'] } } }],
  ['binding removed', { type: 'zone', name: 'work', patch: { remove: { interfaces: ['hd1'], sources: ['192.0.2.0/24'] } } }],
  ['zone target (permanent and reload)', { type: 'zone', name: 'public', patch: { target: 'DROP', remove: { services: ['ssh'] } } }],
  ['policy items', { type: 'policy', name: 'hdtest', patch: { remove: { services: ['ssh'] }, add: { ports: [{ port: '443', protocol: 'tcp' }], ingressZones: ['work'] } } }],
  ['panic mode', { type: 'panic', enabled: true }],
  ['default zone', { type: 'defaultZone', name: 'drop' }],
];

describe('revert plan', () => {
  it.each(cases)('%s: the plan alone restores the runtime state', async (_what, change) => {
    const before = latest;
    const plan = firewallRevertPlan(before, change);
    expect(plan.length).toBeGreaterThan(0);
    // the helper's grammar takes it: the host-side timer can run exactly this plan
    expect(firewallPlanError(plan)).toBeNull();
    const session = await s.api.safeApply({ change, seconds: 600, saveToPermanent: false });
    // The helper accepted the plan (its firewall-cmd allow-list knows every option plans use).
    expect(session.reasons.join(' ')).not.toMatch(/No revert could be scheduled/);
    const applied = await s.api.state({ refresh: true });
    expect(runtimeOf(applied)).not.toEqual(runtimeOf(before));
    // The plan's commands in order, each firewall-cmd's own code with that argv, in one process.
    await firewallCmdBatch(s.sb, plan);
    const after = await s.api.state({ refresh: true });
    expect(runtimeOf(after)).toEqual(runtimeOf(before));
    expect(after.global.panicMode).toBe(false);
    // The in-process revert afterwards finds nothing left to undo.
    await s.api.safeApplyRevert({ id: session.id });
    latest = await s.api.state({ refresh: true });
    expect(runtimeOf(latest)).toEqual(runtimeOf(before));
  });

  it('plans nothing for a change that changes nothing', () => {
    const st = { runtime: { zones: {}, policies: {} }, permanent: { zones: {} }, global: { defaultZone: 'public', panicMode: false } } as unknown as FullState;
    expect(firewallRevertPlan(st, { type: 'panic', enabled: false })).toEqual([]);
    expect(firewallRevertPlan(st, { type: 'defaultZone', name: 'public' })).toEqual([]);
    // never a host-side timer that turns panic mode on (the in-process revert undoes "panic off")
    expect(firewallRevertPlan({ ...st, global: { ...st.global, panicMode: true } }, { type: 'panic', enabled: false })).toEqual([]);
  });
});
