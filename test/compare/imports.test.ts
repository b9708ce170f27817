import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ApiError } from '../../shared/api/errors';
import { compareSnapshots } from '../../shared/compare/diff';
import { ansiblePlaybook, defaultSelection, firewallCmdScript, planFix } from '../../shared/compare/fix';
import { detectFormat, importFiles } from '../../shared/compare/imports';
import { toCsv, toMarkdown } from '../../shared/compare/report';
import { SNAPSHOT_VERSION } from '../../shared/compare/snapshot';
import { unsafeTag } from '../../shared/compare/safe-text';

const SYSCTL = 'kernel.hostname = node-3\nkernel.osrelease = 6.1.0-18-amd64\nnet.core.somaxconn = 4096\nnet.ipv4.tcp_rmem = 4096\t131072\t6291456\n';
const ZONES = `public (active)
  target: default
  icmp-block-inversion: no
  interfaces: eth0
  sources: 
  services: dhcpv6-client ssh
  ports: 8080/tcp
  protocols: 
  forward: yes
  masquerade: no
  forward-ports: 
\tport=80:proto=tcp:toport=8080:toaddr=
  source-ports: 
  icmp-blocks: 
  rich rules: 
\trule family="ipv4" source address="192.0.2.0/24" accept

trusted
  target: ACCEPT
  icmp-block-inversion: no
  interfaces: 
  sources: 
  services: 
  ports: 
  protocols: 
  forward: yes
  masquerade: no
  forward-ports: 
  source-ports: 
  icmp-blocks: 
  rich rules: 
`;

function parseErr(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('compare imports', () => {
  it('detects each format', () => {
    expect(detectFormat('a', SYSCTL)).toBe('sysctl');
    expect(detectFormat('a', ZONES)).toBe('firewall-zones');
    expect(detectFormat('a', '# generated\nnameserver 10.0.0.2\nsearch corp.example\noptions ndots:5\n')).toBe('resolv.conf');
    expect(detectFormat('a', '{"format":"hostdeck-snapshot"}')).toBe('snapshot');
  });

  it('reads sysctl -a (vectors, permission-denied lines) and zones (multi-line lists, active)', () => {
    const { snapshot } = importFiles([
      { name: 's.txt', text: `${SYSCTL}sysctl: permission denied on key "fs.protected_regular"\n` },
      { name: 'z.txt', text: ZONES },
    ]);
    expect(snapshot.identity).toMatchObject({ hostname: 'node-3', kernel: '6.1.0-18-amd64' });
    expect(snapshot.sysctl?.entries.find((e) => e.key === 'fs.protected_regular')).toEqual({ key: 'fs.protected_regular', state: 'unreadable' });
    const pub = snapshot.firewall!.runtime!.zones.public!;
    expect(pub.services).toEqual(['dhcpv6-client', 'ssh']);
    expect(pub.forwardPorts).toEqual([{ port: '80', protocol: 'tcp', toPort: '8080', toAddr: '' }]);
    expect(pub.richRules).toEqual(['rule family="ipv4" source address="192.0.2.0/24" accept']);
    expect(snapshot.firewall!.activeZones).toEqual({ public: { interfaces: ['eth0'], sources: [] } });
  });

  it('refuses bad input with the file and line, and loads nothing', () => {
    const good = JSON.stringify({ format: 'hostdeck-snapshot', version: 1 }, null, 1);
    expect(parseErr(() => importFiles([{ name: 'cut.json', text: '{\n "format": "hostdeck-snapshot",\n "version": 1,\n "identity": {' }])).message).toMatch(
      /^cut\.json, line 4: the JSON ends early: the file is truncated/,
    );
    const newer = parseErr(() => importFiles([{ name: 'new.json', text: good.replace('1', String(SNAPSHOT_VERSION + 1)) }]));
    expect(newer.code).toBe('UNSUPPORTED');
    expect(newer.message).toMatch(/version 2 is newer than this HostDeck reads \(version 1\): update HostDeck/);
    const junk = parseErr(() => importFiles([{ name: 'junk.bin', text: 'net.core.somaxconn = 1\n\u0000\u0001\u00ff\ufffd' }]));
    expect(junk.message).toMatch(/^junk\.bin, line 2: binary data/);
    const cut = parseErr(() => importFiles([{ name: 's.txt', text: `${SYSCTL}net.ipv4.tcp_` }]));
    expect(cut.message).toMatch(/^s\.txt, line 5: expected "key = value"/);
    const zcut = parseErr(() => importFiles([{ name: 'z.txt', text: ZONES.slice(0, ZONES.indexOf('  rich rules: \n', 400)) }]));
    expect(zcut.message).toMatch(/^z\.txt, line 18: zone "trusted" has no "rich rules:" line: .*truncated/);
    expect(parseErr(() => importFiles([{ name: 'x', text: 'hello world\n' }])).message).toMatch(/^x, line 1: not a format HostDeck imports/);
  });
});

describe('compare, reports and fixes', () => {
  const a = importFiles([{ name: 'a', text: SYSCTL }, { name: 'za', text: ZONES }]).snapshot;
  const b = importFiles([
    { name: 'b', text: SYSCTL.replace('node-3', 'node-7').replace('4096\n', '128\n').replace('\t131072\t', '   131072 ') },
    { name: 'zb', text: ZONES.replace('dhcpv6-client ssh', 'ssh http') },
  ]).snapshot;
  const r = compareSnapshots([
    { id: 'a', label: 'node-3', kind: 'snapshot', snapshot: a },
    { id: 'b', label: 'node-7', kind: 'snapshot', snapshot: b },
  ]);

  it('differences only: whitespace is not a difference, list items are added/removed', () => {
    expect(r.sysctl.filter((x) => x.differs).map((x) => x.key)).toEqual(['net.core.somaxconn']); // kernel.hostname differs by design: shown, no difference
    expect(r.firewall.filter((x) => x.differs).map((x) => `${x.name} ${x.field} ${x.item}`)).toEqual(['public services dhcpv6-client', 'public services http']);
    expect(toMarkdown(r)).toContain('| zone public · services · http | no | added |');
    expect(toCsv(r).split('\r\n')[0]).toBe('section,fact,differs,node-3,node-7');
  });

  it('the default fix leaves identity keys out; playbook and script target the differing host', () => {
    const sel = defaultSelection(r);
    expect(sel).toEqual({ sysctl: ['net.core.somaxconn'], firewall: ['zone:public'] });
    const plan = planFix(r, sel);
    const play = ansiblePlaybook(plan);
    const doc = YAML.parse(play.playbook, { customTags: [unsafeTag] }) as { hosts: string[]; tasks: Record<string, Record<string, unknown>>[] }[];
    expect(doc[0]).toMatchObject({ hosts: ['node-7'], tasks: [{ 'ansible.posix.sysctl': { name: 'net.core.somaxconn', value: '4096', sysctl_set: true } }] });
    expect(doc[1]!.tasks.map((t) => t['ansible.posix.firewalld'])).toEqual([
      { zone: 'public', permanent: true, immediate: true, state: 'enabled', service: 'dhcpv6-client' },
      { zone: 'public', permanent: true, immediate: true, state: 'disabled', service: 'http' },
    ]);
    expect(firewallCmdScript(plan)).toContain("  node-7)\n    firewall-cmd --zone=public --add-service=dhcpv6-client\n    firewall-cmd --permanent --zone=public --add-service=dhcpv6-client\n");
  });

  it('DNS: nameservers, search, options and the query plan of a name, per host', () => {
    const dns = (text: string, name: string) => ({ id: name, label: name, kind: 'snapshot', snapshot: importFiles([{ name, text }]).snapshot });
    const d = compareSnapshots([dns('nameserver 10.0.0.2\nsearch corp.example\n', 'n3'), dns('nameserver 10.0.0.2\nsearch corp.example svc.example\noptions ndots:5\n', 'n7')], { dnsName: 'api' });
    expect(d.dns.rows.filter((x) => x.differs).map((x) => [x.field, ...x.values])).toEqual([
      ['search', 'corp.example', 'corp.example svc.example'],
      ['options ndots', '1', '5'],
      ['query plan for "api"', 'api.corp.example. → api. (4 packets)', 'api.corp.example. → api.svc.example. → api. (6 packets)'],
    ]);
  });
});
