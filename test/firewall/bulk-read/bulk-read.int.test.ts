import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageBus } from '@jellybrick/dbus-next';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../../electron/api/runtime';
import { takeSnapshot } from '../../../electron/compare/capture';
import { BulkReads, firewalldReadPlan } from '../../../electron/firewall/bulk-read';
import { FirewalldClient, type FirewalldReads } from '../../../electron/firewall/client';
import { readDaemonConfig, readDaemonInfo, readGlobal, readPermanent, readRuntime } from '../../../electron/firewall/reader';
import type { SshTransport } from '../../../electron/hosts/ssh/transport';
import { startFakeHosts, type FakeHosts } from '../../support/fake-hosts';

/**
 * firewalld's full read made on an SSH host by the read agent in one round trip (bulk-read.ts)
 * equals the read call by call over the tunnelled bus, on a host with a firewall that is not the
 * default one: own zones and policies, rich rules, forward ports, ipsets with entries, a custom
 * service, runtime-only and permanent-only changes. One fake host for the file.
 */

/** Everything the state store reads, through `c`. */
async function fullRead(c: FirewalldReads) {
  const [daemon, config, global, runtime, permanent] = await Promise.all([readDaemonInfo(c), readDaemonConfig(c), readGlobal(c), readRuntime(c), readPermanent(c)]);
  return { daemon, config, global, runtime: { ...runtime, ipsetEntries: Object.fromEntries(runtime.ipsetEntries) }, permanent: { ...permanent, ipsetEntries: Object.fromEntries(permanent.ipsetEntries) } };
}

describe('firewalld bulk read through the SSH read agent', () => {
  let fh: FakeHosts;
  let rt: Runtime;
  let configDir: string;

  beforeAll(async () => {
    // The permanent firewall as files (one firewalld start reads them: quicker than ~40 firewall-cmd runs).
    const zone = `<?xml version="1.0" encoding="utf-8"?>
<zone target="DROP">
  <short>DMZ 2</short>
  <description>Hosts &quot;outside&quot; &lt;the&gt; LAN</description>
  <source address="192.0.2.0/24"/>
  <port protocol="tcp" port="8443"/>
  <masquerade/>
  <forward-port port="80" protocol="tcp" to-port="8080" to-addr="192.0.2.7"/>
  <rule family="ipv4"><source address="198.51.100.0/24"/><service name="ssh"/><log prefix="ssh &quot;x&quot;" level="info"/><accept/></rule>
  <rule family="ipv6"><source ipset="nets6"/><drop/></rule>
</zone>
`;
    const policy = `<?xml version="1.0" encoding="utf-8"?>
<policy target="CONTINUE" priority="-5">
  <ingress-zone name="dmz2"/>
  <egress-zone name="ANY"/>
  <rule family="ipv4"><destination address="203.0.113.9"/><reject/></rule>
</policy>
`;
    const ipset = (type: string, entries: string[], family?: string) =>
      `<?xml version="1.0" encoding="utf-8"?>\n<ipset type="${type}">${family ? `<option name="family" value="${family}"/>` : ''}${entries.map((e) => `<entry>${e}</entry>`).join('')}</ipset>\n`;
    fh = await startFakeHosts([
      {
        name: 'bulk1',
        etc: {
          'firewalld/zones/dmz2.xml': zone,
          'firewalld/policies/out-web.xml': policy,
          'firewalld/ipsets/blocked.xml': ipset('hash:ip', ['192.0.2.1', '192.0.2.2', '198.51.100.77']),
          'firewalld/ipsets/nets6.xml': ipset('hash:net', [], 'inet6'),
          'firewalld/services/app-x.xml': '<?xml version="1.0" encoding="utf-8"?>\n<service><short>App X</short><description>App "X" &lt;ports&gt;</description><port protocol="tcp" port="7000-7010"/></service>\n',
        },
      },
    ]);
    const fw = (...a: string[]) => fh.hosts[0]!.firewallCmd(...a);
    fw('--ipset=nets6', '--add-entry=2001:db8::/64'); // runtime only
    fw('--zone=public', '--add-service=mdns'); // runtime only
    fw('--permanent', '--zone=public', '--add-port=9090/udp'); // permanent only
    configDir = mkdtempSync(join(tmpdir(), 'hostdeck-cfg-'));
    rt = new Runtime({ mode: 'cli', remote: { sshConfig: fh.sshConfig, configDir } });
  }, 180_000);
  afterAll(async () => {
    await rt?.dispose();
    await fh?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it('answers every call of the full read in one agent run, equal to the reads over the bus', { timeout: 120_000 }, async () => {
    const host = rt.hostFor('bulk1');
    const t = rt.remote.transportOf('bulk1') as SshTransport;
    const viaBus = new FirewalldClient({ openBus: () => host.transport.systemBus(), authorizeAll: false });
    try {
      const byCall = await fullRead(viaBus);
      const runs = t.agentRuns.length;
      const answers = await t.busReads(firewalldReadPlan());
      expect(t.agentRuns.slice(runs)).toEqual([['busread']]);
      // Nothing may come from the bus: a call the plan missed would fail here.
      const none = {
        call: (key: string) => Promise.reject(new Error(`bus call ${key} not in the bulk read`)),
        getAllProperties: (iface: string, path?: string) => Promise.reject(new Error(`GetAll ${iface} ${path} not in the bulk read`)),
        rememberPath: () => {},
        configPath: () => Promise.reject(new Error('configPath not in the bulk read')),
      } as unknown as FirewalldClient;
      const bulk = await fullRead(new BulkReads(none, answers));
      expect(bulk).toEqual(byCall);
      // The firewall set up above is in it (not two empty reads that agree).
      expect(bulk.runtime.layer.zones.dmz2!.richRules).toHaveLength(2);
      expect(bulk.runtime.layer.zones.public!.services).toContain('mdns');
      expect(bulk.permanent.layer.zones.public!.services).not.toContain('mdns');
      expect(bulk.permanent.layer.zones.public!.ports).toContainEqual({ port: '9090', protocol: 'udp' });
      expect(bulk.runtime.layer.policies['out-web']!.priority).toBe(-5);
      expect(bulk.permanent.ipsetEntries.blocked).toHaveLength(3);
      expect(bulk.runtime.ipsetEntries.nets6).toEqual(['2001:db8::/64']);
      expect(bulk.permanent.layer.services['app-x']!.meta).toMatchObject({ builtin: false });
      expect(bulk.global.activePolicies).toEqual(byCall.global.activePolicies);
    } finally {
      viaBus.dispose();
    }
  });

  it('a live compare of the firewall reads firewalld in the same single agent run, not call by call over the bus', { timeout: 120_000 }, async () => {
    const t = rt.remote.transportOf('bulk1') as SshTransport;
    let calls = 0;
    const real = MessageBus.prototype.call;
    MessageBus.prototype.call = function (this: MessageBus, ...a: Parameters<MessageBus['call']>) {
      calls++;
      return real.apply(this, a);
    };
    try {
      const runs = t.agentRuns.length;
      const snap = await takeSnapshot(rt.api, rt.hostFor('bulk1'), ['firewall']);
      expect(snap.firewall?.runtime?.zones.dmz2?.sources).toEqual(['192.0.2.0/24']);
      expect(snap.firewall?.permanent?.ipsets.blocked?.entryCount).toBe(3);
      // The whole read: one agent run (with the identity) and a few bus calls (status, authorization), not ~900.
      expect(t.agentRuns.slice(runs)).toEqual([['describe', 'busread']]);
      expect(calls).toBeLessThan(30);
    } finally {
      MessageBus.prototype.call = real;
    }
  });
});
