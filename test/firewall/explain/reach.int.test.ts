/**
 * Explain on every host kind (issue #15 part 1, "reach"), through the real command line: one
 * fake SSH host (real sshd and firewalld in namespaces), the same host's firewalld as the bus of
 * an image (`--root DIR --bus`), a HostDeck snapshot of it, and its `firewall-cmd
 * --list-all-zones` text. A record answers what it can and says what it cannot know. Every
 * firewall read command takes a snapshot or import file as --host.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHostdeck } from '../../support/cli';
import { startFakeHosts, type FakeHost, type FakeHosts } from '../../support/fake-hosts';

interface Answer {
  verdict: string;
  decidedBy: { firewalld: string; kind: string };
  zone?: { name: string; by: string };
  assumptions: string[];
  alternatives: Array<{ when: string; verdict: string }>;
  fixes: Array<{ summary: string }>;
}

describe('explain on every host kind', () => {
  let fh: FakeHosts;
  let host: FakeHost;
  let work: string;
  const before = process.env.HOSTDECK_SSH_CONFIG;
  const files: Record<'snapshot' | 'zones' | 'permanentZones', string> = { snapshot: '', zones: '', permanentZones: '' };

  beforeAll(async () => {
    fh = await startFakeHosts([{ name: 'exp1' }]);
    host = fh.hosts[0]!;
    process.env.HOSTDECK_SSH_CONFIG = fh.sshConfig;
    work = mkdtempSync(path.join(tmpdir(), 'hd-explain-reach-'));
    // http as a service, 8443/tcp as a port, 192.0.2.66 dropped by a rich rule; the interface
    // hd9 in zone internal (runtime only), hd8 in public; 8444/tcp in permanent only.
    host.firewallCmd('--zone=public', '--add-service=http');
    host.firewallCmd('--zone=public', '--add-port=8443/tcp');
    host.firewallCmd('--zone=public', '--add-rich-rule=rule family="ipv4" source address="192.0.2.66" drop');
    host.firewallCmd('--zone=internal', '--add-interface=hd9');
    host.firewallCmd('--zone=public', '--add-interface=hd8');
    host.firewallCmd('--permanent', '--zone=public', '--add-interface=hd8');
    host.firewallCmd('--permanent', '--zone=public', '--add-port=8444/tcp');
    const snap = await runHostdeck(['snapshot', '--host', 'exp1']);
    expect(snap.err).toBe('');
    files.snapshot = path.join(work, 'exp1.json');
    writeFileSync(files.snapshot, snap.out);
    files.zones = path.join(work, 'exp1-zones.txt');
    writeFileSync(files.zones, host.firewallCmd('--list-all-zones'));
    files.permanentZones = path.join(work, 'exp1-permanent.txt');
    writeFileSync(files.permanentZones, host.firewallCmd('--permanent', '--list-all-zones'));
  });
  afterAll(async () => {
    process.env.HOSTDECK_SSH_CONFIG = before;
    await fh?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const explain = async (hostArgs: string[], flow: string[]): Promise<Answer & { code: number }> => {
    const r = await runHostdeck([...hostArgs, 'firewall', 'explain', ...flow, '--json']);
    expect(r.err).toBe('');
    return { ...(JSON.parse(r.out) as Answer), code: r.code };
  };
  const kinds = () => ({
    ssh: ['--host', 'exp1'],
    snapshot: ['--host', files.snapshot],
    import: ['--host', files.zones],
  });

  it('answers the same for the SSH host, its snapshot and its --list-all-zones text where the record holds the facts', async () => {
    for (const [kind, args] of Object.entries(kinds())) {
      const port = await explain(args, ['--from', '192.0.2.7', '--to-port', '8443/tcp', '--iface', 'hd8']);
      expect([kind, port.verdict, port.decidedBy.firewalld]).toEqual([kind, 'accept', 'port 8443/tcp']);
      const dropped = await explain(args, ['--from', '192.0.2.66', '--to-port', '8443/tcp', '--iface', 'hd8']);
      expect([kind, dropped.verdict, dropped.decidedBy.kind, dropped.code]).toEqual([kind, 'drop', 'rich-rule', 5]);
      const internal = await explain(args, ['--from', '192.0.2.7', '--to-port', '9999/tcp', '--iface', 'hd9']);
      expect([kind, internal.verdict, internal.zone?.name, internal.zone?.by]).toEqual([kind, 'reject', 'internal', 'interface']);
    }
  });

  it('the live SSH host answers without record caveats; the snapshot and the import say what they cannot know', async () => {
    const flow = ['--from', '192.0.2.7', '--to-port', '8443/tcp', '--iface', 'hd8'];
    const ssh = await explain(kinds().ssh, flow);
    expect(ssh.assumptions.join('\n')).not.toMatch(/record/);
    const snap = await explain(kinds().snapshot, flow);
    expect(snap.assumptions[0]).toMatch(/comes from a record of the host/);
    expect(snap.assumptions.join('\n')).toMatch(/number of entries of each ipset, not the entries/);
    expect(snap.assumptions.join('\n')).not.toMatch(/Policies are not in this record/);
    const imp = await explain(kinds().import, flow);
    const said = imp.assumptions.join('\n');
    expect(said).toMatch(/Policies are not in this record/);
    expect(said).toMatch(/Service definitions are not in this record/);
    expect(said).toMatch(/The default zone is not in this record/);
    expect(said).toMatch(/interfaces are not in this record/);
  });

  it('an import knows services by name only: port 80 is "depends on service http", the SSH host and the snapshot know it passes', async () => {
    const flow = ['--from', '192.0.2.7', '--to-port', '80/tcp', '--iface', 'hd8'];
    for (const args of [kinds().ssh, kinds().snapshot]) {
      const r = await explain(args, flow);
      expect([r.verdict, r.decidedBy.firewalld]).toEqual(['accept', 'service http']);
    }
    const imp = await explain(kinds().import, flow);
    // Not a false "rejected": the answer names the unknown and what it would change.
    expect(imp.alternatives.map((a) => [a.when, a.verdict])).toContainEqual([expect.stringContaining('service http'), 'accept']);
    expect(imp.assumptions.join('\n')).toMatch(/definition of service http is not known/);
  });

  it('an import names no default zone: an interface no zone takes depends on which zone that is', async () => {
    const flow = ['--from', '192.0.2.7', '--to-port', '8443/tcp', '--iface', 'eth7'];
    expect((await explain(kinds().ssh, flow)).verdict).toBe('accept');
    const imp = await explain(kinds().import, flow);
    expect(imp.verdict).toBe('depends');
    expect(imp.alternatives.map((a) => [a.when, a.verdict])).toContainEqual([expect.stringMatching(/^if the default zone is .*\bpublic\b/), 'accept']);
    expect(imp.alternatives.map((a) => a.verdict)).toContain('reject');
  });

  it('the permanent layer: from the SSH host, from its snapshot and from --permanent --list-all-zones', async () => {
    const flow = ['--from', '192.0.2.7', '--to-port', '8444/tcp', '--iface', 'hd8'];
    for (const args of [kinds().ssh, kinds().snapshot, ['--host', files.permanentZones]]) {
      expect((await explain(args, [...flow, '--layer', 'permanent'])).verdict).toBe('accept');
    }
    expect((await explain(kinds().ssh, flow)).verdict).toBe('reject');
    // A runtime-only import asked for the permanent layer says it answers from runtime.
    expect((await explain(kinds().import, [...flow, '--layer', 'permanent'])).assumptions.join('\n')).toMatch(/runtime configuration only/);
  });

  it('an image (--root DIR) explains with the firewalld of the bus given with it', async () => {
    const root = path.join(work, 'image');
    mkdirSync(path.join(root, 'etc/firewalld'), { recursive: true });
    // The fake host's own bus, reached through its root (root may cross mount namespaces this way).
    const bus = `unix:path=/proc/${host.pid}/root/run/dbus/system_bus_socket`;
    const r = await explain([], ['--root', root, '--bus', bus, '--from', '192.0.2.66', '--to-port', '8443/tcp', '--iface', 'hd8']);
    expect([r.verdict, r.decidedBy.kind]).toEqual(['drop', 'rich-rule']);
    // The image's own XML files are not what answered, and the answer says so.
    expect(r.assumptions.join('\n')).toContain(`not from the image's own files (${root}/etc/firewalld/*.xml are not read; --offline reads them)`);
  });

  it('every firewall read command takes a snapshot or import file as --host', async () => {
    for (const file of [files.snapshot, files.zones]) {
      const runs = {
        status: await runHostdeck(['--host', file, 'firewall', 'status', '--json']),
        dump: await runHostdeck(['--host', file, 'firewall', 'dump', '--json']),
        zone: await runHostdeck(['--host', file, 'firewall', 'zone', 'public', '--json']),
        diff: await runHostdeck(['--host', file, 'firewall', 'diff', '--json']),
        export: await runHostdeck(['--host', file, 'firewall', 'export', 'zone', 'public', '--format', 'xml', '--runtime']),
      };
      for (const [cmd, r] of Object.entries(runs)) expect([file, cmd, r.code, r.err]).toEqual([file, cmd, 0, '']);
      expect(JSON.parse(runs.zone.out)).toMatchObject({ name: 'public', services: expect.arrayContaining(['http']) });
      expect(runs.export.out).toContain('<port port="8443" protocol="tcp"/>');
    }
    // Entries: a record keeps none, and says so (not a crash, not an empty list).
    const entries = await runHostdeck(['--host', files.snapshot, 'firewall', 'entries', 'nosuchset']);
    expect(entries.code).toBe(1);
    expect(entries.err).toMatch(/nosuchset/);
  });
});
