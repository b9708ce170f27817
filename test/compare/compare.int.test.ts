import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareSnapshots } from '../../shared/compare/diff';
import { importFiles } from '../../shared/compare/imports';
import { snapshotSchema, type Snapshot } from '../../shared/compare/snapshot';
import type { CompareResult } from '../../shared/compare/diff';
import { startFirewalldSandbox, type FirewalldSandbox } from '../support/firewalld-sandbox';
import { runHostdeck } from '../support/cli';
import { Runtime } from '../../electron/api/runtime';
import { addSnapshotHost } from '../../electron/compare/handlers';

/**
 * Compare against real kernels and a real firewalld: snapshots taken by `hostdeck snapshot`
 * inside private network namespaces (`unshare -n`, net.* keys only), and imports of real
 * `sysctl -a` / `firewall-cmd --list-all-zones` output checked against a live read of the same
 * sandbox.
 */
const repo = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(repo, 'node_modules/.bin/tsx');
const CLI = path.join(repo, 'electron/cli.ts');

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { cwd: repo, encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024, env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

const differing = (r: CompareResult) => r.sysctl.filter((x) => x.differs).map((x) => x.key);

describe('compare: snapshots of two private network namespaces', () => {
  let work: string;
  beforeAll(() => {
    if (process.getuid?.() !== 0) throw new Error('This test needs root (unshare -n), as CI runs it.');
    work = mkdtempSync(path.join(tmpdir(), 'hostdeck-compare-netns-'));
    writeFileSync(path.join(work, 'a.json'), run('unshare', ['-n', TSX, CLI, 'snapshot']));
    // The second namespace gets three net.* values changed before its snapshot (its own namespace only).
    const set = 'sysctl -q -w net.ipv4.tcp_fin_timeout=17 net.core.somaxconn=1234 net.ipv4.ip_local_port_range="20000 30000"';
    writeFileSync(path.join(work, 'b.json'), run('unshare', ['-n', 'sh', '-c', `${set} && exec ${TSX} ${CLI} snapshot`]));
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('exactly the changed keys differ', async () => {
    const r = await runHostdeck(['compare', path.join(work, 'a.json'), path.join(work, 'b.json'), '--json', '--all']);
    expect(r.err).toBe('');
    const res = JSON.parse(r.out) as CompareResult;
    expect(res.hosts.map((h) => h.label)).toEqual(['a', 'b']);
    expect(differing(res)).toEqual(['net.core.somaxconn', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_fin_timeout']);
    const range = res.sysctl.find((x) => x.key === 'net.ipv4.ip_local_port_range')!;
    expect(range.values[1]).toBe('20000\t30000');
    expect(res.sysctld.filter((x) => x.differs)).toEqual([]);
    expect(res.dns.rows.filter((x) => x.differs)).toEqual([]);
    // Counters differ between any two reads but are never reported.
    expect(res.sysctl.find((x) => x.key === 'fs.file-nr')).toMatchObject({ volatile: true, differs: false });
  });

  it('--json prints the differing rows only, as the text output does, unless --all', async () => {
    const r = await runHostdeck(['compare', path.join(work, 'a.json'), path.join(work, 'b.json'), '--json']);
    const res = JSON.parse(r.out) as CompareResult;
    expect(res.sysctl.map((x) => x.key)).toEqual(['net.core.somaxconn', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_fin_timeout']);
    expect([...res.sysctld, ...res.dns.rows, ...res.firewall].every((x) => x.differs)).toBe(true);
  });

  it('the fix for those keys is a sysctl profile with the baseline values', async () => {
    const r = await runHostdeck(['compare', path.join(work, 'b.json'), path.join(work, 'a.json'), '--fix', 'sysctl']);
    expect(r.out.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([
      'net.core.somaxconn = 1234',
      'net.ipv4.ip_local_port_range = 20000 30000',
      'net.ipv4.tcp_fin_timeout = 17',
    ]);
  });
});

describe('compare: imports of real tool output equal a live read of the same firewalld sandbox', () => {
  let sb: FirewalldSandbox;
  let live: Snapshot;
  let imported: Snapshot;
  beforeAll(async () => {
    sb = await startFirewalldSandbox();
    for (const args of [
      ['--zone=public', '--add-service=http'],
      ['--zone=public', '--add-port=8080/tcp'],
      ['--zone=public', '--add-rich-rule=rule family="ipv4" source address="192.0.2.0/24" service name="ssh" accept'],
      ['--zone=public', '--add-forward-port=port=80:proto=tcp:toport=8080'],
      ['--zone=dmz', '--add-masquerade'],
    ]) {
      sb.firewallCmd(...args);
      sb.firewallCmd('--permanent', ...args);
    }
    sb.firewallCmd('--zone=work', '--add-service=mdns'); // runtime only
    const pid = String(sb.firewalldPid());
    // Everything read inside the sandbox's network namespace: HostDeck live, and the anchor tools.
    live = snapshotSchema.parse(JSON.parse(run('nsenter', ['-t', pid, '-n', TSX, CLI, 'snapshot'], sb.env)));
    const sysctlA = spawnSync('nsenter', ['-t', pid, '-n', 'sysctl', '-a'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    imported = importFiles([
      { name: 'sysctl-a.txt', text: sysctlA.stdout },
      { name: 'zones.txt', text: sb.firewallCmd('--list-all-zones') },
      { name: 'zones-permanent.txt', text: sb.firewallCmd('--permanent', '--list-all-zones'), layer: 'permanent' },
    ]).snapshot;
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it('the live snapshot read the sandbox firewalld', () => {
    expect(live.firewall?.running).toBe(true);
    expect(live.firewall?.runtime?.zones.public?.services).toContain('http');
    expect(live.firewall?.runtime?.zones.work?.services).toContain('mdns');
    expect(live.firewall?.permanent?.zones.work?.services).not.toContain('mdns');
  });

  it('sysctl -a imports into the same values as the live read (counters aside)', () => {
    const r = compareSnapshots([
      { id: 'live', label: 'live', kind: 'snapshot', snapshot: live },
      { id: 'import', label: 'import', kind: 'snapshot', snapshot: imported },
    ]);
    expect(r.sysctl.length).toBeGreaterThan(500);
    expect(differing(r)).toEqual([]);
  });

  it('--list-all-zones (runtime and --permanent) imports into the same zones as the live read', () => {
    for (const layer of ['runtime', 'permanent'] as const) {
      const r = compareSnapshots(
        [
          { id: 'live', label: 'live', kind: 'snapshot', snapshot: live },
          { id: 'import', label: 'import', kind: 'snapshot', snapshot: imported },
        ],
        { layer, only: ['firewall'] },
      );
      expect(r.hosts[1]!.coverage.firewall).toEqual(['zones']);
      const zoneRows = r.firewall.filter((x) => x.kind === 'zone');
      expect(zoneRows.length).toBeGreaterThan(20);
      expect(r.firewall.filter((x) => x.differs), layer).toEqual([]);
      // Policies and services are not in the import: shown for the live host, never "missing" on the import.
      const notImported = r.firewall.filter((x) => x.kind === 'policy' || x.kind === 'service');
      expect(notImported.length).toBeGreaterThan(0);
      expect(notImported.every((x) => x.values[1] === null && !x.differs)).toBe(true);
    }
    // --list-all-zones never marks the default zone: unknown for the import, not "different".
    expect(imported.firewall?.defaultZone).toBeNull();
    expect(live.firewall?.defaultZone).toBe('public');
  });

  it('the firewall-cmd fix, run on the sandbox, makes its zone like the baseline again (runtime and permanent)', async () => {
    // The sandbox drifts from the snapshot taken above: ftp added, http removed, in both layers.
    for (const args of [['--zone=public', '--add-service=ftp'], ['--zone=public', '--remove-service=http']]) {
      sb.firewallCmd(...args);
      sb.firewallCmd('--permanent', ...args);
    }
    const rt = new Runtime({ mode: 'cli', local: { systemBusAddress: sb.busAddress } });
    try {
      const base = addSnapshotHost(rt, live, 'before').id;
      const q = { hosts: [base, 'local'], baseline: base, only: ['firewall' as const] };
      const fix = await rt.api.compare.fix({ ...q, selection: { sysctl: [], firewall: ['zone:public'] }, format: 'firewall-cmd', names: { local: 'fw' } });
      expect(fix.differing).toEqual(['fw']);
      writeFileSync(path.join(sb.dir, 'fix.sh'), fix.text);
      run('sh', [path.join(sb.dir, 'fix.sh'), 'fw'], sb.env);
      for (const layer of ['runtime', 'permanent'] as const) {
        const after = await rt.api.compare.run({ ...q, layer, refresh: true });
        expect(after.firewall.filter((x) => x.differs && x.kind === 'zone' && x.name === 'public'), layer).toEqual([]);
      }
    } finally {
      await rt.dispose();
    }
  });

  it('three-way: an image tree against the live runtime and permanent layers (a runtime-only and a permanent-only change)', async () => {
    // The image is the sandbox's permanent configuration as it is now, on disk as an OS tree.
    const img = path.join(sb.dir, 'image');
    cpSync('/usr/lib/firewalld', path.join(img, 'usr/lib/firewalld'), { recursive: true });
    cpSync(path.join(sb.dir, 'etc'), path.join(img, 'etc/firewalld'), { recursive: true });
    sb.firewallCmd('--zone=public', '--add-service=telnet'); // runtime only
    sb.firewallCmd('--permanent', '--zone=public', '--add-port=9090/tcp'); // permanent only
    const bus = process.env.DBUS_SYSTEM_BUS_ADDRESS;
    process.env.DBUS_SYSTEM_BUS_ADDRESS = sb.busAddress;
    try {
      // No --layer: files against a live firewalld are shown three-way by themselves.
      const r = await runHostdeck(['compare', `img=${img}`, 'local', '--only', 'firewall', '--json']);
      expect(r.err).toBe('');
      const res = JSON.parse(r.out) as CompareResult;
      expect(res.layer).toBe('both');
      expect(res.hosts.map((h) => [h.label, h.layer])).toEqual([
        ['img (configuration)', 'configuration'],
        ['Local (runtime)', 'runtime'],
        ['Local (permanent)', 'permanent'],
      ]);
      const row = (field: string, item: string) => res.firewall.find((x) => x.kind === 'zone' && x.name === 'public' && x.field === field && x.item === item);
      expect(row('services', 'telnet')?.values).toEqual([null, 'present', null]);
      expect(row('ports', '9090/tcp')?.values).toEqual([null, null, 'present']);
      // What is the same in all three is no difference: these two and the runtime-only mdns of the set-up are the only ones.
      expect(res.firewall.filter((x) => x.differs).map((x) => `${x.name} ${x.field} ${x.item}`)).toEqual(['public services telnet', 'public ports 9090/tcp', 'work services mdns']);
      expect(res.firewall.find((x) => x.name === 'work' && x.item === 'mdns')?.values).toEqual([null, 'present', null]);
      // The text output names the layer of every value.
      const text = await runHostdeck(['compare', `img=${img}`, 'local', '--only', 'firewall']);
      expect(text.out).toContain('[firewall] zone public · services · telnet');
      expect(text.out).toMatch(/≠ Local \(runtime\): present\n\s+= Local \(permanent\): \(absent\)/);
      // One layer when asked: the old two-way view, the image against the runtime only.
      const one = JSON.parse((await runHostdeck(['compare', `img=${img}`, 'local', '--only', 'firewall', '--json', '--layer', 'permanent'])).out) as CompareResult;
      expect(one.hosts.map((h) => h.label)).toEqual(['img', 'Local']);
      expect(one.firewall.filter((x) => x.differs).map((x) => `${x.name} ${x.field} ${x.item}`)).toEqual(['public ports 9090/tcp']);
      // A fix is planned on one layer: asked with both, it says so.
      const fix = await runHostdeck(['compare', `img=${img}`, 'local', '--only', 'firewall', '--layer', 'both', '--fix', 'ansible']);
      expect([fix.code, fix.err]).toEqual([1, expect.stringMatching(/one firewall layer/)]);
    } finally {
      if (bus === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
      else process.env.DBUS_SYSTEM_BUS_ADDRESS = bus;
    }
  });
});
