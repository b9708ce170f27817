import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../../electron/api/runtime';
import type { HostDeckEvent } from '../../../shared/api/contract';
import { startFakeHosts, type FakeHost, type FakeHosts } from '../../support/fake-hosts';
import { createHostApi } from '../../../renderer/src/app/api';
import { stage } from '../../../renderer/src/firewall/draft';
import { checkOffline, draftOps, failureOf } from '../../../renderer/src/firewall/offline-save';
import { draftKey, EMPTY_DRAFT } from '../../../renderer/src/firewall/store';
import { runHostdeck } from '../../support/cli';

// A fake SSH host whose firewalld is stopped: HostDeck reads its configuration files through the
// agent (the host's own /etc/firewalld, not this machine's), its capability `firewall` reads
// 'offline', and flips back to 'live' once firewalld starts there.

const ZONE = `<?xml version="1.0" encoding="utf-8"?>
<zone>
  <short>Public</short>
  <service name="ssh"/>
  <service name="imaps"/>
  <port port="8443" protocol="tcp"/>
</zone>
`;

async function until(cond: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('an SSH host with firewalld stopped is read offline', () => {
  let fh: FakeHosts;
  let h: FakeHost;
  let rt: Runtime;
  let configDir: string;
  const events: HostDeckEvent[] = [];

  beforeAll(async () => {
    fh = await startFakeHosts([{ name: 'stopped1', firewalld: false, etc: { 'firewalld/zones/public.xml': ZONE } }]);
    h = fh.hosts[0]!;
    configDir = mkdtempSync(join(tmpdir(), 'hostdeck-cfg-'));
    rt = new Runtime({ mode: 'cli', remote: { sshConfig: fh.sshConfig, configDir } });
    rt.events.subscribe((e) => events.push(e));
    await rt.api.hosts.add({ destination: 'stopped1' });
  });
  afterAll(async () => {
    await rt?.dispose();
    await fh?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  const caps = async () => (await rt.api.app.hosts({})).hosts.find((x) => x.id === 'stopped1')!.capabilities;

  it('says firewalld is not running and what its files would load; the capability reads offline', async () => {
    const st = await rt.api.firewall.status({ configuration: true }, { host: 'stopped1' });
    expect(st).toMatchObject({ running: false, problem: 'notRunning', configuration: { defaultZone: 'public', version: expect.stringMatching(/^\d+\.\d+/) } });
    expect(st.configuration!.versionFrom).toMatch(/package database|Python module|assumed/);
    const c = await caps();
    expect(c.firewall).toBe('offline');
    expect(c.missing.firewall).toMatch(/firewalld is not running on stopped1/);
  });

  it("reads the host's own /etc/firewalld through the agent (not this machine's)", async () => {
    const s = await rt.api.firewall.state({ refresh: true }, { host: 'stopped1' });
    expect(s.offline?.label).toBe('offline configuration');
    const pub = s.permanent.zones.public!;
    expect(pub.services.sort()).toEqual(['imaps', 'ssh']);
    expect(pub.ports).toEqual([{ port: '8443', protocol: 'tcp' }]);
    expect(pub.meta?.default).toBe(false);
    // A file changed on the host is seen on the next refresh.
    h.exec(['sh', '-c', `sed -i 's/imaps/pop3s/' /etc/firewalld/zones/public.xml`]);
    const again = await rt.api.firewall.state({ refresh: true }, { host: 'stopped1' });
    expect(again.permanent.zones.public!.services.sort()).toEqual(['pop3s', 'ssh']);
    // The other reads follow: a zone, an export, explain.
    expect((await rt.api.firewall.zone({ name: 'public', layer: 'permanent' }, { host: 'stopped1' })).services).toContain('pop3s');
    const x = await rt.api.firewall.export({ kind: 'zone', name: 'public', format: 'xml' }, { host: 'stopped1' });
    expect(x.text).toContain('<service name="pop3s"/>');
  });

  const RULE = 'rule family="ipv4" source address="198.51.100.0/24" port port="5432" protocol="tcp" accept';

  it("takes the Firewall page's offline save: staged zone edits checked (dry run), then written as one request against the digest read with the files", async () => {
    // The page's own module over the in-process API bound to the host, as the browser calls it.
    const api = createHostApi((channel, request) => rt.call(channel, request), 'stopped1');
    const basis = (await api.firewall.state({ refresh: true })).offline!.digest!;
    let d = stage(EMPTY_DRAFT, 'add', 'services', 'https');
    d = stage(d, 'remove', 'services', 'pop3s');
    d = stage(d, 'add', 'ports', '9090/tcp');
    d = stage(d, 'add', 'richRules', RULE);
    d = { ...d, scalars: { target: 'DROP' } };
    const { ops } = draftOps({ [draftKey('stopped1', 'zone', 'public')]: d }, 'stopped1');
    const before = h.readFile('/etc/firewalld/zones/public.xml');
    const dry = await checkOffline(api, ops, basis);
    expect(dry.failure).toBeUndefined();
    expect(dry.files!.map((f) => [f.path, f.action])).toEqual([['/etc/firewalld/zones/public.xml', 'write']]);
    expect(h.readFile('/etc/firewalld/zones/public.xml')).toBe(before);
    const r = await api.firewall.offlineWrite({ ops, basis });
    expect(r.written).toBe(true);
    // The old basis is stale now: the same save again is a CONFLICT, said as the page says it, and writes nothing.
    const written = h.readFile('/etc/firewalld/zones/public.xml');
    const again = await api.firewall.offlineWrite({ ops, basis }).catch((e: unknown) => failureOf(e, ops));
    expect(again).toMatchObject({ kind: 'conflict' });
    expect(h.readFile('/etc/firewalld/zones/public.xml')).toBe(written);
    expect((await api.firewall.state({ refresh: true })).offline!.digest).toBe(r.digest);
  });

  it("a zone rename names the host's NetworkManager profiles through the agent; a non-root login that cannot read them (0600) is told they were not checked, and the rename is not refused", async () => {
    // Issue #16: keyfiles are root's; the rename reads them the same way over the transport.
    h.exec(['sh', '-c', `printf '<?xml version="1.0" encoding="utf-8"?>\\n<zone>\\n  <short>Lab</short>\\n</zone>\\n' >/etc/firewalld/zones/lab.xml
      mkdir -p -m 0700 /etc/NetworkManager/system-connections
      printf '[connection]\\nid=Lab eth0\\nzone=lab\\n' >/etc/NetworkManager/system-connections/lab.nmconnection
      chmod 0600 /etc/NetworkManager/system-connections/lab.nmconnection`]);
    try {
      const ops = [{ op: 'zone.rename' as const, name: 'lab', to: 'office' }];
      const asRoot = await rt.api.firewall.offlineWrite({ ops, dryRun: true }, { host: 'stopped1' });
      expect(asRoot.nmProfiles).toEqual({
        warnings: [expect.objectContaining({ file: '/etc/NetworkManager/system-connections/lab.nmconnection', line: 3, id: 'Lab eth0', zone: 'lab', to: 'office', command: "nmcli connection modify id 'Lab eth0' connection.zone office" })],
        unchecked: [],
      });
      await rt.api.hosts.add({ destination: `${h.user}@stopped1` });
      const asUser = await rt.api.firewall.offlineWrite({ ops, dryRun: true }, { host: `${h.user}@stopped1` });
      expect(asUser.files.map((f) => f.path)).toContain('/etc/firewalld/zones/office.xml');
      expect(asUser.nmProfiles!.warnings).toEqual([]);
      expect(asUser.nmProfiles!.unchecked).toEqual([{ shown: '/etc/NetworkManager/system-connections', reason: expect.stringMatching(/may not read it.*not checked/) }]);
    } finally {
      h.exec(['rm', '-rf', '/etc/firewalld/zones/lab.xml', '/etc/NetworkManager']);
    }
  });

  it('hostdeck --host H firewall edit --offline changes the stopped host\'s files, says what it changed, and refuses a hostile value by name', async () => {
    const before = process.env.HOSTDECK_SSH_CONFIG;
    process.env.HOSTDECK_SSH_CONFIG = fh.sshConfig;
    try {
      const r = await runHostdeck(['--host', 'stopped1', 'firewall', 'edit', '--offline', '--zone', 'public', '--add-port', '7070/udp']);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/zones\/public\.xml/);
      expect(r.out).toMatch(/add-port 7070\/udp/);
      // firewall-offline-cmd on the host itself reads the change.
      expect(h.exec(['firewall-offline-cmd', '--zone=public', '--list-ports']).split(/\s+/)).toContain('7070/udp');
      // A value no firewalld takes (and a shell would): refused, named, nothing written.
      const file = h.readFile('/etc/firewalld/zones/public.xml');
      const bad = await runHostdeck(['--host', 'stopped1', 'firewall', 'edit', '--offline', '--zone', 'public', '--add-port', '80/tcp;reboot']);
      expect(bad.code).not.toBe(0);
      expect(bad.err).toContain('80/tcp;reboot');
      expect(h.readFile('/etc/firewalld/zones/public.xml')).toBe(file);
    } finally {
      if (before === undefined) delete process.env.HOSTDECK_SSH_CONFIG;
      else process.env.HOSTDECK_SSH_CONFIG = before;
    }
  });

  it('flips to live once firewalld starts on the host, and the host list is told', async () => {
    const n = events.length;
    h.exec(['sh', '-c', 'PYTHONUNBUFFERED=1 /usr/sbin/firewalld --nopid --log-target console >/run/firewalld.log 2>&1 </dev/null']);
    await until(async () => (await rt.api.firewall.status({}, { host: 'stopped1' })).running, 60_000, 'firewalld to start on stopped1');
    expect((await caps()).firewall).toBe('live');
    expect(events.slice(n).some((e) => e.name === 'app.hostsChanged')).toBe(true);
    // The running daemon loaded the files HostDeck read.
    const live = await rt.api.firewall.zone({ name: 'public', layer: 'runtime' }, { host: 'stopped1' });
    expect(live.services.sort()).toEqual(['https', 'ssh']);
    // firewall-cmd on the host: the configuration saved offline is what runs.
    const running = h.firewallCmd('--zone=public', '--list-all');
    expect(running).toMatch(/target: DROP/);
    expect(running).toMatch(/services: https ssh|services: ssh https/);
    expect(running).toMatch(/ports: .*\b8443\/tcp\b/);
    expect(running).toMatch(/ports: .*\b9090\/tcp\b/);
    expect(running).toMatch(/ports: .*\b7070\/udp\b/);
    expect(running).toContain(RULE);
    expect((await rt.api.firewall.state({ refresh: true }, { host: 'stopped1' })).offline).toBeUndefined();
  });
});
