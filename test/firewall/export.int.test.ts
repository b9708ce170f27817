/**
 * Export checked by firewalld itself: a zone, a policy and a service are built with firewall-cmd,
 * read back, exported; the XML goes into the sandbox's /etc/firewalld (its --system-config) under
 * a new name and the script runs against the sandbox; after a reload, firewalld must report the
 * copies exactly like the originals.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyToScript, policyToXml, serviceToScript, serviceToXml, zoneToScript, zoneToXml } from '../../shared/firewall/export';
import { firewallCmdBatch } from '../support/firewall-cmd-batch';
import { runFirewallCmdScript } from '../support/firewall-cmd-script';
import { startFirewalldSandbox, type FirewalldSandbox } from '../support/firewalld-sandbox';
import { fw } from './fw-cmd';
import { policyFromInfo, serviceFromInfo, zoneFromListAll } from './list-all';

let sb: FirewalldSandbox;

const DESCRIPTION = `It's <special> & "quoted" — ünïcode`;
const ZONE_RULES = [
  'rule family="ipv4" source address="192.0.2.0/24" service name="ssh" log prefix="ssh in" level="info" limit value="3/m" accept',
  'rule family="ipv6" source NOT address="2001:db8::/32" port port="8080-8090" protocol="tcp" reject type="icmp6-adm-prohibited"',
  'rule source ipset="allow4" audit limit value="2/h" drop',
  'rule priority="-10" source mac="52:54:00:AA:BB:CC" nflog group="3" prefix="mac" queue-size="5" drop',
  'rule family="ipv4" forward-port port="2222" protocol="tcp" to-port="22" to-addr="192.0.2.9"',
  'rule family="ipv4" destination ipset="allow4" masquerade',
  'rule protocol value="gre" mark set=0x10/0xff limit value="5/s"',
  'rule icmp-block name="echo-request"',
  'rule tcp-mss-clamp value="1400"',
];

/** The exported script as sh runs it, its firewall-cmd calls through one firewall-cmd process (runFirewallCmdScript). */
async function runScript(script: string): Promise<void> {
  await runFirewallCmdScript(sb, script);
}

/** Sorted lists, so that two objects that firewalld lists in different orders compare equal. */
function norm<T extends object>(o: T, name: string): T {
  const out: Record<string, unknown> = { ...o, name };
  for (const [k, v] of Object.entries(out)) if (Array.isArray(v)) out[k] = [...v].map((x) => JSON.stringify(x)).sort();
  return out as T;
}

/** The object's info (`info`: the firewall-cmd arguments that print it), short name and description, read by one firewall-cmd process. */
async function read(kind: 'zone' | 'policy' | 'service', name: string, info: string[]) {
  const [listed, short, description] = await firewallCmdBatch(sb, [info, ['--permanent', `--${kind}=${name}`, '--get-short'], ['--permanent', `--${kind}=${name}`, '--get-description']]);
  return { info: listed!.stdout, text: { short: short!.stdout.replace(/\n$/, ''), description: description!.stdout.replace(/\n$/, '') } };
}
const readZone = async (name: string) => {
  const r = await read('zone', name, ['--permanent', `--zone=${name}`, '--list-all']);
  return zoneFromListAll(r.info, r.text);
};
const readPolicy = async (name: string) => {
  const r = await read('policy', name, ['--permanent', `--info-policy=${name}`]);
  return policyFromInfo(r.info, r.text);
};
const readService = async (name: string) => {
  const r = await read('service', name, ['--permanent', `--info-service=${name}`]);
  return serviceFromInfo(r.info, r.text);
};

beforeAll(async () => {
  sb = await startFirewalldSandbox();
  const P = '--permanent';
  const z = [P, '--zone=exz'];
  const p = [P, '--policy=expol'];
  const s = [P, '--service=exsvc'];
  // One firewall-cmd process for all of it: each call still is firewall-cmd with these arguments.
  await firewallCmdBatch(sb, [
    [P, '--new-ipset=allow4', '--type=hash:net'],
    [P, '--new-zone=exz'],
    [...z, '--set-target=DROP'],
    [...z, `--set-description=${DESCRIPTION}`],
    [...z, '--set-short=Export test'],
    [...z, '--add-service=ssh', '--add-service=https', '--add-service=dns'],
    [...z, '--add-port=8080/tcp', '--add-port=7000-7100/udp', '--add-port=5000/sctp'],
    [...z, '--add-protocol=gre', '--add-protocol=esp'],
    [...z, '--add-source-port=68/udp'],
    [...z, '--add-icmp-block=echo-request', '--add-icmp-block=timestamp-request'],
    [...z, '--add-icmp-block-inversion'],
    [...z, '--add-masquerade'],
    [...z, '--add-forward'],
    [...z, '--add-forward-port=port=80:proto=tcp:toport=8080', '--add-forward-port=port=443:proto=tcp:toport=8443:toaddr=192.0.2.10'],
    [...z, ...ZONE_RULES.map((r) => `--add-rich-rule=${r}`)],
    [...z, '--add-interface=exif0', '--add-interface=exif1'],
    [...z, '--add-source=198.51.100.0/24', '--add-source=52:54:00:12:34:56'],

    [P, '--new-policy=expol'],
    [...p, '--set-target=REJECT'],
    [...p, '--set-priority=-20'],
    [...p, `--set-description=${DESCRIPTION}`],
    [...p, '--add-ingress-zone=exz'],
    [...p, '--add-egress-zone=public'],
    ...['--add-service=http', '--add-port=9000-9010/tcp', '--add-protocol=icmp', '--add-source-port=53/udp', '--add-icmp-block=echo-reply', '--add-masquerade'].map((opt) => [...p, opt]),
    [...p, '--add-rich-rule=rule family="ipv4" source address="10.0.0.0/8" service name="ssh" accept', '--add-rich-rule=rule tcp-mss-clamp'],

    [P, '--new-service=exsvc'],
    [...s, '--set-short=Exported service'],
    [...s, `--set-description=${DESCRIPTION}`],
    [...s, '--add-port=4000/tcp', '--add-port=4001-4005/udp'],
    [...s, '--add-protocol=gre'],
    [...s, '--add-source-port=1000/tcp'],
    [...s, '--add-helper=ftp'],
    [...s, '--add-include=ssh'],
    [...s, '--set-destination=ipv4:224.0.0.251', '--set-destination=ipv6:ff02::fb'],
    ['--reload'],
  ]);
});

afterAll(async () => {
  await sb?.stop();
});

describe('export (checked by firewalld 1.3.3)', () => {
  it('zone XML loads back into the same zone', async () => {
    const zone = await readZone('exz');
    expect(zone.richRules).toHaveLength(ZONE_RULES.length);
    expect(zone.description).toBe(DESCRIPTION);
    // Interfaces and sources belong to one zone only: the copy gets its own.
    const bindings = { interfaces: ['exif2'], sources: ['203.0.113.0/24', 'ipset:allow4'] };
    writeFileSync(join(sb.dir, 'etc/zones/exzxml.xml'), zoneToXml({ ...zone, name: 'exzxml', ...bindings }));
    await fw(sb, '--reload');
    const copy = await readZone('exzxml');
    expect(norm(copy, 'x')).toEqual(norm({ ...zone, ...bindings }, 'x'));
  });

  it('zone script recreates the same zone', async () => {
    const zone = await readZone('exz');
    const bindings = { interfaces: ['exif3'], sources: ['2001:db8:1::/48', '52:54:00:12:34:99'] };
    await runScript(zoneToScript({ ...zone, name: 'exzsh', ...bindings }, { create: true, reload: true }));
    const copy = await readZone('exzsh');
    expect(norm(copy, 'x')).toEqual(norm({ ...zone, ...bindings }, 'x'));
  });

  it('policy XML and script recreate the same policy', async () => {
    const policy = await readPolicy('expol');
    expect(policy.priority).toBe(-20);
    writeFileSync(join(sb.dir, 'etc/policies/expolxml.xml'), policyToXml({ ...policy, name: 'expolxml' }));
    await fw(sb, '--reload');
    expect(norm(await readPolicy('expolxml'), 'x')).toEqual(norm(policy, 'x'));
    await runScript(policyToScript({ ...policy, name: 'expolsh' }, { create: true, reload: true }));
    expect(norm(await readPolicy('expolsh'), 'x')).toEqual(norm(policy, 'x'));
  });

  it('service XML and script recreate the same service', async () => {
    const service = await readService('exsvc');
    expect(service.destination).toEqual({ ipv4: '224.0.0.251', ipv6: 'ff02::fb' });
    writeFileSync(join(sb.dir, 'etc/services/exsvcxml.xml'), serviceToXml({ ...service, name: 'exsvcxml' }));
    await fw(sb, '--reload');
    expect(norm(await readService('exsvcxml'), 'x')).toEqual(norm(service, 'x'));
    await runScript(serviceToScript({ ...service, name: 'exsvcsh' }, { create: true, reload: true }));
    expect(norm(await readService('exsvcsh'), 'x')).toEqual(norm(service, 'x'));
  });
});
