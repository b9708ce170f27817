import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SafeChange } from '../../shared/firewall/contract';
import type { FullState, Policy, Zone } from '../../shared/firewall/model';
import { firewallRevertPlan } from '../../shared/firewall/revert-plan';
import { FW_GLOBAL, FW_MAX_ARGS, FW_MAX_COMMANDS, FW_OPTIONS, FW_VALUES, firewallPlanError } from '../../shared/helper/revert-grammar';
import { helperRequestSchema } from '../../shared/helper/protocol';
import { validRules } from '../firewall/rich-rule-corpus';
import { HELPER } from './support/run';

/**
 * The firewall-cmd revert grammar (security issue #20, item 5): HostDeck (shared/helper/revert-grammar.ts)
 * and the helper (hostdeck-helper.py) hold the same tables and judge every plan alike, and every
 * plan HostDeck builds to undo a safe-applied change (shared/firewall/revert-plan.ts) passes it.
 */
function python(program: string, input: unknown): unknown {
  const head = `
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location('helper', ${JSON.stringify(HELPER)})
h = importlib.util.module_from_spec(spec); spec.loader.exec_module(h)
req = json.loads(sys.stdin.read())
`;
  const r = spawnSync('/usr/bin/python3', ['-I', '-c', head + program], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}
const pythonVerdicts = (plans: unknown[]): (string | null)[] => python(`print(json.dumps([h.fw_plan_error(p) for p in req]))`, plans) as (string | null)[];

// --- what the product builds: states and changes as firewalld and the UI give them ---------------
const zoneName = fc.oneof(fc.constantFrom('public', 'drop', 'work', 'internal', 'trusted', 'block', 'dmz', 'nm-shared', 'libvirt'), fc.stringMatching(/^[a-z][a-z0-9_-]{0,16}$/));
const service = fc.oneof(fc.constantFrom('ssh', 'http', 'https', 'dhcpv6-client', 'cockpit', 'mdns', 'samba-client', 'kube-apiserver'), fc.stringMatching(/^[a-z][a-z0-9_-]{0,30}$/));
const portNumber = fc.oneof(fc.integer({ min: 0, max: 65535 }).map(String), fc.tuple(fc.integer({ min: 1, max: 30000 }), fc.integer({ min: 30001, max: 65535 })).map(([a, b]) => `${a}-${b}`), fc.constantFrom('https', 'ssh', 'http-alt'));
const protocol = fc.constantFrom('tcp', 'udp', 'sctp', 'dccp') as fc.Arbitrary<'tcp' | 'udp' | 'sctp' | 'dccp'>;
const port = fc.record({ port: portNumber, protocol });
const ipv4 = fc.ipV4();
const address = fc.oneof(ipv4, fc.ipV6());
const forwardPort = fc.record({ port: portNumber, protocol, toPort: fc.oneof(fc.constant(''), portNumber), toAddr: fc.oneof(fc.constant(''), address) });
const source = fc.oneof(
  fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })).map(([a, m]) => `${a}/${m}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([a, m]) => `${a}/${m}`),
  address,
  fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }).map((b) => b.map((x) => x.toString(16).padStart(2, '0')).join(':')),
  fc.stringMatching(/^[a-z][a-z0-9_-]{0,20}$/).map((n) => `ipset:${n}`),
);
const iface = fc.oneof(fc.constantFrom('eth0', 'ens3', 'eth0.100', 'veth-1@if2', 'br-4f2a', 'wg0', 'docker0'), fc.stringMatching(/^[a-z][a-z0-9._@-]{0,14}$/));
const text = fc.oneof(fc.constant(''), fc.constantFrom('Public', 'For use in public areas. You do not trust the other computers on networks to not harm your computer.'), fc.stringMatching(/^[\w .,()'/-]{0,80}$/));
const lists = {
  services: fc.array(service, { maxLength: 3 }),
  ports: fc.array(port, { maxLength: 3 }),
  protocols: fc.array(fc.constantFrom('gre', 'esp', 'icmp', 'ipv6-icmp', '47', 'ah'), { maxLength: 2 }),
  sourcePorts: fc.array(port, { maxLength: 2 }),
  icmpBlocks: fc.array(fc.constantFrom('echo-request', 'echo-reply', 'timestamp-request', 'destination-unreachable'), { maxLength: 2 }),
  forwardPorts: fc.array(forwardPort, { maxLength: 2 }),
  richRules: fc.array(fc.constantFrom(...validRules), { maxLength: 2 }),
};
const zoneLists = { ...lists, interfaces: fc.array(iface, { maxLength: 2 }), sources: fc.array(source, { maxLength: 2 }) };
const policyLists = { ...lists, ingressZones: fc.array(zoneName, { maxLength: 2 }), egressZones: fc.array(fc.oneof(zoneName, fc.constantFrom('HOST', 'ANY')), { maxLength: 2 }) };
const zoneTarget = fc.constantFrom('default', 'ACCEPT', 'DROP', '%%REJECT%%') as fc.Arbitrary<'default' | 'ACCEPT' | 'DROP' | '%%REJECT%%'>;
const priority = fc.integer({ min: -32768, max: 32767 });

const zoneOf = (name: string) =>
  fc.record({ ...zoneLists, target: zoneTarget, short: text, description: text, masquerade: fc.boolean(), forward: fc.boolean(), icmpBlockInversion: fc.boolean(), ingressPriority: priority, egressPriority: priority }).map((z) => ({ name, version: '', ...z }) as Zone);
const policyOf = (name: string) => fc.record({ ...policyLists, masquerade: fc.boolean() }).map((p) => ({ name, version: '', short: '', description: '', target: 'CONTINUE', priority: -1, ...p }) as Policy);

const scenario: fc.Arbitrary<{ before: FullState; change: SafeChange }> = fc
  .tuple(zoneName, zoneName, fc.boolean(), zoneName)
  .chain(([z1, z2, panic, def]) =>
    fc.record({
      z1: zoneOf(z1),
      z2: zoneOf(z2),
      pol: policyOf(`${z1}-to-${z2}`.slice(0, 18)),
      rz1: zoneOf(z1),
      change: fc.oneof(
        fc.record({
          type: fc.constant('zone' as const),
          name: fc.constant(z1),
          patch: fc.record(
            { add: fc.record(zoneLists, { requiredKeys: [] }), remove: fc.record(zoneLists, { requiredKeys: [] }), target: zoneTarget, short: text, description: text, masquerade: fc.boolean(), forward: fc.boolean(), icmpBlockInversion: fc.boolean(), ingressPriority: priority, egressPriority: priority },
            { requiredKeys: [] },
          ),
        }),
        fc.record({
          type: fc.constant('policy' as const),
          name: fc.constant(`${z1}-to-${z2}`.slice(0, 18)),
          patch: fc.record({ add: fc.record(policyLists, { requiredKeys: [] }), remove: fc.record(policyLists, { requiredKeys: [] }), masquerade: fc.boolean() }, { requiredKeys: [] }),
        }),
        fc.record({ type: fc.constant('panic' as const), enabled: fc.boolean() }),
        fc.record({ type: fc.constant('defaultZone' as const), name: zoneName }),
      ) as fc.Arbitrary<SafeChange>,
    }).map(({ z1: a, z2: b, pol, rz1, change }) => ({
      before: {
        runtime: { zones: { [a.name]: a, [b.name]: b }, policies: { [pol.name]: pol } },
        permanent: { zones: { [rz1.name]: rz1, [b.name]: b }, policies: { [pol.name]: pol } },
        global: { defaultZone: def, panicMode: panic },
      } as unknown as FullState,
      change,
    })),
  );

// --- hostile plans ---------------------------------------------------------------------------------
const hostile: unknown[] = [
  [['--add-entries-from-file=/etc/shadow']],
  [['--ipset=x', '--add-entries-from-file=/etc/shadow']],
  [['--permanent', '--ipset=x', '--add-entries-from-file=/etc/shadow']],
  [['--panic-on']],
  [['--direct', '--passthrough', 'ipv4', '-F']],
  [['--permanent', '--new-zone-from-file=/tmp/z.xml']],
  [['--permanent', '--new-zone=x']],
  [['--permanent', '--zone=public', '--path-zone']],
  [['--permanent', '--delete-zone=public']],
  [['--permanent', '--load-zone-defaults=public']],
  [['--runtime-to-permanent']],
  [['--complete-reload']],
  [['--reload']],
  [['--lockdown-on']],
  [['--set-log-denied=all']],
  [['--zone=public', '--add-port=22/tcp', '--panic-on']],
  [['--zone=public', '--add-port', '22/tcp']],
  [['--zone=public', '--add-port=-22/tcp']],
  [['--zone=public', '--add-service=--direct']],
  [['--zone=public', '--add-interface=-eth0']],
  [['--zone=public', '--add-source=--panic-on']],
  [['--zone=public', '--add-rich-rule=rule\u0000 accept']],
  [['--zone=public', '--set-description=x']],
  [['--zone=public', '--add-masquerade=yes']],
  [['--zone=public', '--add-masquerade', '--add-masquerade']],
  [['--zone=pub lic', '--add-port=22/tcp']],
  [['--zone=../x', '--add-port=22/tcp']],
  [['--zone=public']],
  [['--permanent', '--policy=p', '--add-service=ssh']],
  [['--policy=p', '--add-interface=eth0']],
  [['--zone=public', '--add-ingress-zone=x']],
  [['--ipset=s', '--add-port=22/tcp']],
  [['--set-default-zone=--panic-on']],
  [['--set-default-zone']],
  [['--panic-off', '--panic-on']],
  [['--zone=public', '--remove-port=22/tcp'], ['--reload']],
  [['--zone=public', '--query-port=22/tcp']],
  [['--get-zones']],
  [['--zone=public', '--list-all']],
  [['--info-zone=public']],
  [['--zone=public', '--add-port=22/tcp', '--timeout=1']],
  [['--zone=public', '--set-target=ACCEPT']],
  [['--permanent', '--zone=public', '--set-target=RETURN']],
  [['--permanent', '--zone=public', '--set-description=a\u001bb']],
  [['--permanent', '--zone=public', '--set-ingress-priority=1e5']],
  [[]],
  [],
  [[1]],
  [['--zone=public', '--add-port=22/tcp'], 'x'],
  'x',
  null,
  Array.from({ length: FW_MAX_COMMANDS + 1 }, () => ['--panic-off']),
  [Array.from({ length: FW_MAX_ARGS + 1 }, () => '--add-port=22/tcp')],
];
const allowedCorpus: string[][][] = [
  [['--panic-off']],
  [['--set-default-zone=public']],
  [['--zone=public', '--remove-port=7777/tcp', '--remove-port=8080-8090/tcp']],
  [['--permanent', '--zone=public', '--set-target=DROP'], ['--permanent', '--zone=public', '--add-service=ssh'], ['--reload']],
  [['--policy=allow-host-ipv6', '--add-ingress-zone=ANY']],
  [['--permanent', '--ipset=allow4', '--remove-entry=192.0.2.0/24']],
  [['--zone=work', '--change-interface=eth0.100']],
  [['--zone=public', '--add-forward-port=port=80:proto=tcp:toport=8080:toaddr=192.0.2.9']],
];

describe('firewall-cmd revert grammar', () => {
  it('HostDeck and the helper hold the same tables', () => {
    const py = python(`print(json.dumps({'values': h.FW_VALUES, 'options': h.FW_OPTIONS, 'global': h.FW_GLOBAL, 'maxCommands': h.FW_MAX_COMMANDS, 'maxArgs': h.FW_MAX_ARGS}))`, null);
    expect(py).toEqual({ values: FW_VALUES, options: FW_OPTIONS, global: FW_GLOBAL, maxCommands: FW_MAX_COMMANDS, maxArgs: FW_MAX_ARGS });
  });

  it('refuses every hostile plan and accepts the revert forms, on both sides', () => {
    const ts = hostile.map((p) => firewallPlanError(p as unknown[]));
    expect(ts.map((e, i) => (e === null ? JSON.stringify(hostile[i]).slice(0, 100) : null)).filter(Boolean)).toEqual([]);
    expect(pythonVerdicts(hostile).map((e, i) => (e === null ? JSON.stringify(hostile[i]).slice(0, 100) : null)).filter(Boolean)).toEqual([]);
    expect(allowedCorpus.map(firewallPlanError)).toEqual(allowedCorpus.map(() => null));
    expect(pythonVerdicts(allowedCorpus)).toEqual(allowedCorpus.map(() => null));
  });

  it('every plan HostDeck builds passes (2,000 random states and safe changes), on both sides, and the request schema takes it', () => {
    const plans = fc.sample(scenario, { numRuns: 2000, seed: 20 }).map(({ before, change }) => firewallRevertPlan(before, change)).filter((p) => p.length > 0);
    expect(plans.length).toBeGreaterThan(1000);
    const ts = plans.map((p) => firewallPlanError(p));
    expect(ts.filter((e) => e !== null).slice(0, 3)).toEqual([]);
    expect(pythonVerdicts(plans).filter((e) => e !== null).slice(0, 3)).toEqual([]);
    for (const commands of plans.slice(0, 200)) expect(helperRequestSchema.safeParse({ verb: 'schedule-revert', seconds: 60, plan: { kind: 'firewall-cmd', commands } }).success).toBe(true);
    const forms = new Set(plans.flat().map((argv) => argv.filter((a) => a !== '--permanent').map((a) => a.split('=')[0]).join(' ')));
    console.log(`revert grammar: ${plans.length} product plans (${plans.flat().length} commands, ${forms.size} distinct option forms) all pass`);
  });

  it('both sides agree on 5,000 random and mutated plans', () => {
    const opt = fc.constantFrom(...Object.keys(FW_OPTIONS), '--permanent', '--zone', '--policy', '--ipset', '--panic-off', '--panic-on', '--reload', '--set-default-zone', '--direct', '--add-entries-from-file', '--new-zone');
    const val = fc.oneof(fc.constantFrom('public', '22/tcp', 'ssh', 'eth0', '192.0.2.0/24', 'rule family="ipv4" accept', 'port=80:proto=tcp:toport=8080', 'DROP', '-1', '--panic-on', '', '../x', 'a\nb', 'ipset:x', '%%REJECT%%'), fc.string({ maxLength: 12 }));
    const arg = fc.oneof(opt, fc.tuple(opt, val).map(([o, v]) => `${o}=${v}`), fc.string({ maxLength: 10 }));
    const random = fc.sample(fc.array(fc.array(arg, { minLength: 0, maxLength: 4 }), { minLength: 0, maxLength: 3 }), { numRuns: 2500, seed: 5 });
    // ... and product plans with one argument changed, inserted or dropped (most stay close to allowed)
    const product = fc.sample(scenario, { numRuns: 800, seed: 6 }).map(({ before, change }) => firewallRevertPlan(before, change)).filter((p) => p.length > 0);
    const mutated = fc.sample(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 3 }), arg, val), { numRuns: 2500, seed: 7 }).map(([pi, ci, ai, how, a, v]) => {
      const plan = product[pi % product.length]!.map((c) => [...c]);
      const cmd = plan[ci % plan.length]!;
      const at = ai % cmd.length;
      if (how === 0) cmd[at] = a;
      else if (how === 1) cmd.splice(at, 0, a);
      else if (how === 2) cmd.splice(at, 1);
      else cmd[at] = cmd[at]!.includes('=') ? `${cmd[at]!.split('=')[0]}=${v}` : `${cmd[at]}=${v}`;
      return plan;
    });
    const plans = [...random, ...mutated];
    const ts = plans.map((p) => firewallPlanError(p) === null);
    const py = pythonVerdicts(plans).map((e) => e === null);
    expect(py).toEqual(ts);
    console.log(`revert grammar: both sides agree on ${plans.length} mutated plans (${ts.filter(Boolean).length} allowed)`);
  });
});
