import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { helperStatus } from '../../electron/helper/handlers';
import { createHost } from '../../electron/hosts/host';
import { ImageTransport } from '../../electron/hosts/image';
import { LocalTransport } from '../../electron/hosts/local';
import { createSnapshotHost } from '../../electron/hosts/snapshot';
import type { HostTransport } from '../../electron/hosts/transport';
import { hostLinks } from '../../electron/dns/interfaces';
import { importFiles } from '../../shared/compare/imports';
import { canWrite, hostCapabilitiesSchema } from '../../shared/hosts/capabilities';
import type { HostPrivilege } from '../../shared/hosts/contract';
import { parseDestination } from '../../shared/hosts/destination';
import { SshLink } from '../../electron/hosts/ssh/link';
import { SshTransport } from '../../electron/hosts/ssh/transport';

// Issue #19: features decide from capabilities(), so each declared value must be what the
// transport really does (the old kind checks decided the same things from the kind).

const scratch = mkdtempSync(join(tmpdir(), 'hostdeck-capabilities-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function image(procSys?: string): ImageTransport {
  const root = mkdtempSync(join(scratch, 'img-'));
  mkdirSync(join(root, 'etc'));
  return new ImageTransport({ root, procSys });
}

function procSysCopy(): string {
  const dir = mkdtempSync(join(scratch, 'proc-sys-'));
  mkdirSync(join(dir, 'kernel'));
  writeFileSync(join(dir, 'kernel/osrelease'), '6.1.0-copy\n');
  return dir;
}

describe('declared capabilities match what the transport does', () => {
  it('an image compared with this machine\'s kernel reads a live kernel and may run the fresh-namespace probe; with a copy it may not', async () => {
    for (const t of [image(), image(procSysCopy())]) {
      const c = hostCapabilitiesSchema.parse(t.capabilities());
      const running = await t.readsRunningKernel();
      const source = (await t.procSys(['kernel/osrelease'])).source;
      expect(c.liveKernel).toBe(running);
      // What kernel/fresh-namespace.ts asked before capabilities: a tree transport reading the running kernel.
      expect(c.freshNamespaceProbe).toBe(running);
      expect(source?.kind === 'procsys-copy').toBe(!running);
      if (!running) expect(c.missing.freshNamespaceProbe).toMatch(/copy/);
    }
  });

  it("an image's firewall is the firewalld on a bus given with it, else its configuration files (offline); files changed as this process", () => {
    const c = image().capabilities();
    expect(c).toMatchObject({ systemBus: true, firewall: 'offline', firewallWrites: 'none', localBus: true, interfaces: false, readOnly: false });
    expect(c.missing.firewallWrites).toMatch(/offline configuration/);
    expect(c.writes).toBe(process.getuid?.() === 0 ? 'root' : 'direct');
    const root = mkdtempSync(join(scratch, 'img-'));
    const withBus = new ImageTransport({ root, busAddress: 'unix:path=/nonexistent/bus.sock' }).capabilities();
    expect(withBus).toMatchObject({ firewall: 'live', firewallWrites: process.getuid?.() === 0 ? 'root' : 'polkit' });
  });

  it('helper status follows writes: root, direct for an image or a /proc/sys copy, none for a record', () => {
    const root = process.getuid?.() === 0;
    const img = createHost({ id: 'img', label: 'img', kind: 'local', root: '/img', transport: image() });
    expect(helperStatus(img)).toMatchObject({ via: root ? 'root' : 'direct', available: true });
    const copy = createHost({ id: 'copy', label: 'copy', kind: 'local', transport: new LocalTransport({ procSys: procSysCopy() }) });
    expect(copy.transport.capabilities().liveKernel).toBe(false);
    expect(helperStatus(copy)).toMatchObject({ via: root ? 'root' : 'direct', available: true });
    const { snapshot } = importFiles([{ name: 'node-3.sysctl', text: 'kernel.osrelease = 6.1.0-18-amd64\n' }]);
    expect(helperStatus(createSnapshotHost({ id: 'snapshot:n3', label: 'n3', snapshot }))).toMatchObject({ via: 'none', available: false });
  });

  it('paths are shown as the user knows them: under the image directory for an image, as they are elsewhere', () => {
    const t = image();
    expect(t.displayPath('/etc/resolv.conf')).toBe(join(t.root, 'etc/resolv.conf'));
    expect(new LocalTransport({}).displayPath('/etc/resolv.conf')).toBe('/etc/resolv.conf');
  });

  it('a host without interfaces of its own lists none', async () => {
    const img = createHost({ id: 'img', label: 'img', kind: 'local', root: '/img', transport: image() });
    expect(await hostLinks(img)).toBeUndefined();
  });
});

describe('the runtime decides from capabilities', () => {
  /** A host of a kind the runtime has never heard of, that declares itself read-only. */
  function recordLike(): { transport: HostTransport; helperCalls: string[] } {
    const helperCalls: string[] = [];
    const transport: HostTransport = {
      read: async (rs) => rs.map((r) => ({ path: r.path, type: 'missing' as const, error: { code: 'ENOENT', message: 'missing' } })),
      procSys: async () => ({ entries: [], dirs: [] }),
      describe: async () => ({ hostname: 'frozen', os: '', kernel: '', time: 0 }),
      helper: async (req) => (helperCalls.push(req.verb), { ok: true as const, result: {} }),
      busAddress: async () => undefined,
      systemBus: () => Promise.reject(new Error('no bus')),
      displayPath: (p) => p,
      capabilities: () => ({ liveKernel: false, freshNamespaceProbe: false, systemBus: false, firewall: 'none', writes: 'none', firewallWrites: 'none', interfaces: false, journal: false, userNamespaces: false, nftRuleset: 'none', readOnly: true, localBus: false, missing: { writes: 'frozen is a record', nftRuleset: 'frozen is a record' } }),
      dispose: async () => {},
    };
    return { transport, helperCalls };
  }

  it('refuses every change to a host whose transport declares itself read-only, whatever its kind label', async () => {
    const rt = new Runtime({ mode: 'cli', local: { systemBusAddress: 'unix:path=/nonexistent/bus' }, remote: { configDir: join(scratch, 'config') } });
    const { transport, helperCalls } = recordLike();
    rt.hosts.add(createHost({ id: 'frozen', label: 'frozen', kind: 'local', transport }));
    try {
      const code = await rt.api.dns.save({ text: 'nameserver 192.0.2.1\n', expectedSha256: null }, { host: 'frozen' }).then(
        () => null,
        (e: { code: string }) => e.code,
      );
      expect(code).toBe('READ_ONLY_HOST');
      expect(helperCalls).toEqual([]);
      const summary = (await rt.api.app.hosts({})).hosts.find((h) => h.id === 'frozen');
      expect(summary).toMatchObject({ readOnly: true, capabilities: { readOnly: true, writes: 'none' } });
    } finally {
      await rt.dispose();
    }
  });

  it("answers the firewall pages from a host's record when it declares no live firewall", async () => {
    const rt = new Runtime({ mode: 'cli', local: { systemBusAddress: 'unix:path=/nonexistent/bus' }, remote: { configDir: join(scratch, 'config') } });
    const { snapshot } = importFiles([{ name: 'node-3.sysctl', text: 'kernel.osrelease = 6.1.0-18-amd64\n' }]);
    rt.hosts.add(createSnapshotHost({ id: 'snapshot:n3', label: 'n3', snapshot }));
    try {
      const st = await rt.api.firewall.status({}, { host: 'snapshot:n3' });
      expect(st).toMatchObject({ running: false, busAddress: 'snapshot' });
      expect((await rt.api.firewall.safeApplyStatus({}, { host: 'snapshot:n3' })).sessions).toEqual([]);
    } finally {
      await rt.dispose();
    }
  });
});

describe('changes are gated per route: files and kernel parameters (the helper) apart from the firewall (firewalld)', () => {
  it('an SSH login firewalld lets change the firewall (polkit) but that may not run the helper: firewall changes on, file changes off, each with its reason', async () => {
    const link = new SshLink({ destination: parseDestination('deck@web9.example.test'), runtimeDir: join(scratch, 'ssh') });
    const t = new SshTransport(link);
    try {
      // What the privilege probe learns of such a login (privilege.int.test.ts checks the probe itself against a real polkitd).
      const probed: HostPrivilege = {
        mode: 'none',
        user: 'deck',
        message: 'sudo -n of the helper is refused: add the sudoers line',
        sudoersLine: 'deck ALL=(root) NOPASSWD: /usr/libexec/hostdeck/hostdeck-helper',
        helperInstalled: true,
        helperOutdated: null,
        firewall: { route: 'polkit', polkit: null, actions: [], message: null, polkitRule: null },
      };
      (t as unknown as { lastPrivilege: HostPrivilege }).lastPrivilege = probed;
      const c = hostCapabilitiesSchema.parse(t.capabilities());
      expect(c).toMatchObject({ writes: 'none', firewallWrites: 'polkit' });
      expect(canWrite(c)).toBe(false);
      expect(canWrite(c, 'firewall')).toBe(true);
      expect(c.missing.writes).toMatch(/sudoers/);
      expect(c.missing.firewallWrites).toBeUndefined();
      // And the reverse: helper through sudo, firewalld says no.
      (t as unknown as { lastPrivilege: HostPrivilege }).lastPrivilege = { ...probed, mode: 'sudo', message: null, firewall: { ...probed.firewall, route: 'none', message: 'firewalld refuses deck: add the polkit rule' } };
      const d = t.capabilities();
      expect([canWrite(d), canWrite(d, 'firewall')]).toEqual([true, false]);
      expect(d.missing.firewallWrites).toMatch(/polkit rule/);
    } finally {
      await t.dispose();
      await link.dispose();
    }
  });

  it('a record takes changes by neither route; this machine by both', () => {
    const { snapshot } = importFiles([{ name: 'node-3.sysctl', text: 'kernel.osrelease = 6.1.0-18-amd64\n' }]);
    const rec = createSnapshotHost({ id: 'snapshot:n4', label: 'n4', snapshot }).summary().capabilities;
    expect([canWrite(rec), canWrite(rec, 'firewall')]).toEqual([false, false]);
    expect(rec.missing.firewallWrites).toBeTruthy();
    const local = new LocalTransport().capabilities();
    expect([canWrite(local), canWrite(local, 'firewall')]).toEqual([true, true]);
  });
});
