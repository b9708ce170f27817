import { spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost } from '../../electron/hosts/host';
import { ImageTransport } from '../../electron/hosts/image';
import { LocalTransport } from '../../electron/hosts/local';
import { resolveInRoot } from '../../electron/hosts/root-path';
import { HostRegistry } from '../../electron/hosts/registry';
import type { HostTransport } from '../../electron/hosts/transport';
import { Runtime } from '../../electron/api/runtime';

/**
 * The transports of hosts that are directory trees on this machine, against hostile trees:
 * every image here tries to make HostDeck read a canary file that lies outside the image.
 */

const CANARY = 'nameserver 203.0.113.66 # CANARY outside the image\n';
let dir: string;
let outside: string;
let canary: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-transport-'));
  outside = path.join(dir, 'outside');
  mkdirSync(path.join(outside, 'sysctl.d'), { recursive: true });
  canary = path.join(outside, 'resolv.conf');
  writeFileSync(canary, CANARY);
  writeFileSync(path.join(outside, 'sysctl.d/99-canary.conf'), 'kernel.canary = 1\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function image(name: string, build: (root: string) => void): ImageTransport {
  const root = path.join(dir, name);
  mkdirSync(path.join(root, 'etc'), { recursive: true });
  build(root);
  return new ImageTransport({ root });
}

const seesCanary = (f: { bytes?: Buffer; entries?: { name: string }[] }) =>
  !!f.bytes?.toString().includes('CANARY') || !!f.entries?.some((e) => e.name === '99-canary.conf');

describe('LocalTransport', () => {
  it('reads a file with its facts, follows links, lists directories', async () => {
    const t = new LocalTransport();
    const f = path.join(dir, 'local.txt');
    writeFileSync(f, 'hello\n');
    symlinkSync(f, path.join(dir, 'local-link'));
    const [file, link, listing, missing] = await t.read([
      { path: f, content: true },
      { path: path.join(dir, 'local-link'), content: true, follow: true },
      { path: dir, list: true },
      { path: path.join(dir, 'nope'), content: true },
    ]);
    expect(file).toMatchObject({ type: 'file', size: 6, uid: process.getuid!(), sha256: '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03' });
    expect(file!.bytes!.toString()).toBe('hello\n');
    expect(link).toMatchObject({ type: 'symlink', linkTarget: f, resolved: f, targetType: 'file' });
    expect(link!.bytes!.toString()).toBe('hello\n');
    expect(listing!.entries).toContainEqual({ name: 'local.txt', type: 'file' });
    expect(missing).toMatchObject({ type: 'missing', error: { code: 'ENOENT' } });
    const id = await t.describe();
    expect(id.kernel).toMatch(/^\d+\.\d+/);
    expect(id.hostname.length).toBeGreaterThan(0);
    const snap = await t.procSys();
    expect(snap.entries.find((e) => e.key === 'kernel.osrelease')?.value).toBe(id.kernel);
    expect(snap.dirs).toContain('net/ipv4');
    expect(snap.source?.kind).toBe('host');
  });

  it('registry: "/" is local, any other root an image; a bus address comes from the options', async () => {
    const reg = new HostRegistry({ systemBusAddress: 'unix:path=/nonexistent/bus' });
    expect(reg.get('local').transport).toBeInstanceOf(LocalTransport);
    expect(await reg.get('local').transport.busAddress()).toBe('unix:path=/nonexistent/bus');
    const img = new HostRegistry({ root: path.join(dir, 'img-reg') });
    expect(img.get('local').transport).toBeInstanceOf(ImageTransport);
    expect(createHost({ id: 'x', label: 'x', kind: 'local' }).transport).toBeInstanceOf(LocalTransport);
    await Promise.all([reg.dispose(), img.dispose()]);
  });
});

describe('handlers talk to the host, never to this machine', () => {
  it('a host of another transport: reads go to it; file and sysctl writes go to its helper; apply previews its values', async () => {
    const asked: string[] = [];
    const helperCalls: { verb: string; path?: string }[] = [];
    // A host that is not this machine: it has exactly one file and a two-key kernel.
    const other: HostTransport = {
      read: async (rs) => rs.map((r) => (asked.push(r.path), r.path === '/etc/resolv.conf' ? { path: r.path, type: 'file' as const, resolved: r.path, bytes: Buffer.from('nameserver 198.51.100.7\n') } : { path: r.path, type: 'missing' as const, error: { code: 'ENOENT', message: 'missing' } })),
      procSys: async () => ({ entries: [{ key: 'kernel.osrelease', path: 'kernel/osrelease', state: 'ok' as const, value: '9.9.9-other', writable: false, mode: 0o444 }, { key: 'vm.swappiness', path: 'vm/swappiness', state: 'ok' as const, value: '33', writable: true, mode: 0o644 }], dirs: ['kernel', 'vm'] }),
      describe: async () => ({ hostname: 'other', os: 'Other OS', kernel: '9.9.9-other', time: 0 }),
      // The host's own helper (over SSH in real life): it records the request and says no.
      helper: async (req) => (helperCalls.push({ verb: req.verb, path: 'path' in req ? req.path : undefined }), { ok: false as const, error: { code: 'NOT_AUTHORIZED', message: 'sudo: a password is required' } }),
      busAddress: async () => 'unix:path=/nonexistent/other-bus',
      capabilities: () => ({ liveKernel: true, freshNamespaceProbe: false, systemBus: true, firewall: 'live', writes: 'sudo', firewallWrites: 'polkit', interfaces: true, journal: false, userNamespaces: false, nftRuleset: 'helper', readOnly: false, localBus: false, missing: {} }),
      systemBus: () => Promise.reject(new Error('no bus in this test')),
      displayPath: (p) => p,
      dispose: async () => {},
    };
    const rt = new Runtime({ mode: 'cli', local: { systemBusAddress: 'unix:path=/nonexistent/bus' } });
    rt.hosts.add(createHost({ id: 'other', label: 'Other', kind: 'remote', transport: other }));
    const on = { host: 'other' };
    try {
      expect(await rt.api.dns.read({}, on)).toMatchObject({ text: 'nameserver 198.51.100.7\n', hostname: 'other' });
      expect((await rt.api.kernel.list({ k8s: '1.33' }, on)).entries.map((e) => `${e.key}=${e.value}`)).toEqual(['kernel.osrelease=9.9.9-other', 'vm.swappiness=33']);
      expect((await rt.api.kernel.describe({ key: 'vm.swappiness' }, on)).key).toBe('vm.swappiness');
      expect(asked).toContain('/etc/sysctl.d');
      // The two saves run at once (each refusal handled from the start): which reaches the helper first is not the point.
      const codes = await Promise.all(
        [
          rt.api.dns.save({ text: 'nameserver 192.0.2.1\n', expectedSha256: null }, on),
          rt.api.kernel.saveProfile({ name: 'x', settings: [{ key: 'vm.swappiness', value: '10' }], expectedSha256: null }, on),
        ].map((p) => p.then(() => null, (e: { code: string }) => e.code)),
      );
      expect(codes).toEqual(['NOT_AUTHORIZED', 'NOT_AUTHORIZED']);
      expect([...helperCalls].sort((a, b) => (a.path ?? '').localeCompare(b.path ?? ''))).toEqual([{ verb: 'write-file', path: '/etc/resolv.conf' }, { verb: 'write-file', path: '/etc/sysctl.d/x.conf' }]);
      // Apply compares with the host's own values and writes through its helper.
      const dry = await rt.api.kernel.apply({ settings: [{ key: 'vm.swappiness', value: '10' }], dryRun: true }, on);
      expect(dry.results).toEqual([expect.objectContaining({ key: 'vm.swappiness', previous: '33', value: '10', outcome: 'planned' })]);
      expect(await rt.api.kernel.apply({ settings: [{ key: 'vm.swappiness', value: '10' }], dryRun: false }, on).then(() => null, (e: { code: string }) => e.code)).toBe('NOT_AUTHORIZED');
      expect(helperCalls.at(-1)).toEqual({ verb: 'sysctl-set', path: undefined });
    } finally {
      await rt.dispose();
    }
  });
});

describe('ImageTransport never leaves the image', () => {
  it('resolves paths as if chrooted: absolute links, ../ climbs and .. in the path stay inside', async () => {
    const root = path.join(dir, 'chroot');
    mkdirSync(path.join(root, 'etc'), { recursive: true });
    symlinkSync(`../../../../../../../..${outside}`, path.join(root, 'etc/up'));
    expect(await resolveInRoot(root, '/etc/up/resolv.conf')).toMatchObject({ ok: false, code: 'ENOENT' });
    expect(await resolveInRoot(root, '/../../..' + outside)).toMatchObject({ ok: false, code: 'ENOENT' });
    expect(await resolveInRoot(root, '/etc/../../etc')).toEqual({ ok: true, path: '/etc' });
  });

  const hostile: [string, (root: string) => void, string][] = [
    ['absolute link to the canary', (r) => symlinkSync(canary, path.join(r, 'etc/resolv.conf')), '/etc/resolv.conf'],
    ['relative ../ link climbing out', (r) => symlinkSync(`../../../../../../../../..${canary}`, path.join(r, 'etc/resolv.conf')), '/etc/resolv.conf'],
    ['symlinked etc', (r) => (rmSync(path.join(r, 'etc'), { recursive: true }), symlinkSync(outside, path.join(r, 'etc'))), '/etc/resolv.conf'],
    ['relative symlinked etc', (r) => (rmSync(path.join(r, 'etc'), { recursive: true }), symlinkSync(`../../../../../..${outside}`, path.join(r, 'etc'))), '/etc/resolv.conf'],
    ['symlinked etc/sysctl.d', (r) => symlinkSync(path.join(outside, 'sysctl.d'), path.join(r, 'etc/sysctl.d')), '/etc/sysctl.d'],
    ['relative symlinked etc/sysctl.d', (r) => symlinkSync(`../../../../../../..${outside}/sysctl.d`, path.join(r, 'etc/sysctl.d')), '/etc/sysctl.d'],
    ['link chain through a directory link', (r) => (symlinkSync('/', path.join(r, 'etc/top')), symlinkSync(`top/..${canary}`, path.join(r, 'etc/resolv.conf'))), '/etc/resolv.conf'],
  ];
  for (const [name, build, asked] of hostile) {
    it(`${name}: the outside file is never read or reported`, async () => {
      const t = image(name.replace(/\W+/g, '-'), build);
      const facts = await t.read([
        { path: asked, content: true, follow: true },
        { path: asked, list: true, follow: true },
        { path: asked, attrs: true },
      ]);
      for (const f of facts) {
        expect(seesCanary(f)).toBe(false);
        expect(f.size).not.toBe(CANARY.length);
        // Whatever it resolved to, it is a path inside the image (host-absolute), never the canary's directory.
        if (f.resolved) expect((await resolveInRoot(t.root, f.resolved)).ok).toBe(true);
      }
      expect(facts[0]!.error?.code).toMatch(/^(ENOENT|ENOTDIR|NOT_REGULAR)$/);
    });
  }

  it('link loops end with ELOOP in plain words', async () => {
    const t = image('loop', (r) => {
      symlinkSync('b', path.join(r, 'etc/a'));
      symlinkSync('a', path.join(r, 'etc/b'));
    });
    const [f] = await t.read([{ path: '/etc/a', content: true, follow: true }]);
    expect(f).toMatchObject({ type: 'symlink', linkTarget: 'b', error: { code: 'ELOOP' } });
    expect(f!.error!.message).toMatch(/link loop/);
  });

  it('a link swapped between resolution and read is caught where the file was opened', async () => {
    // A swapper flips image/etc between a real directory and a link to the outside (absolute on
    // this machine), as fast as it can, while we read. The kernel follows such a link on open;
    // /proc/self/fd then shows the file is outside the root, and it is refused.
    const root = path.join(dir, 'race');
    mkdirSync(path.join(root, 'etc'), { recursive: true });
    writeFileSync(path.join(root, 'etc/resolv.conf'), 'nameserver 192.0.2.1\n');
    symlinkSync(outside, path.join(root, 'etc.link'));
    // renameat2(RENAME_EXCHANGE) swaps the directory and the link atomically: etc always exists.
    const swapper = spawn('python3', ['-c', `
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
os.chdir(sys.argv[1])
for _ in range(2000000):
    if libc.renameat2(-100, b'etc', -100, b'etc.link', 2) != 0: sys.exit(ctypes.get_errno())
`, root], { stdio: 'ignore' });
    try {
      // Start reading once the swapper runs (etc has been a link at least once).
      while (!lstatSync(path.join(root, 'etc')).isSymbolicLink()) await new Promise((r) => setTimeout(r, 5));
      const t = new ImageTransport({ root });
      const codes = new Map<string, number>();
      for (let i = 0; i < 2000; i++) {
        const [f] = await t.read([{ path: '/etc/resolv.conf', content: true, follow: true }]);
        expect(seesCanary(f!)).toBe(false);
        const k = f!.bytes ? 'read' : f!.error!.code;
        codes.set(k, (codes.get(k) ?? 0) + 1);
      }
      for (const k of codes.keys()) expect(['read', 'ENOENT', 'OUTSIDE_ROOT', 'ENOTDIR', 'ELOOP']).toContain(k);
    } finally {
      swapper.kill('SIGKILL');
    }
  });
});

describe('special files never block or get read', () => {
  it('FIFO, socket, device, directory and huge files get clear errors; a normal read right after works', async () => {
    const root = path.join(dir, 'special');
    mkdirSync(path.join(root, 'etc'), { recursive: true });
    expect(spawnSync('mkfifo', [path.join(root, 'etc/fifo')]).status).toBe(0);
    expect(spawnSync('mknod', [path.join(root, 'etc/zero'), 'c', '1', '5']).status).toBe(0);
    const sock = createServer().listen(path.join(root, 'etc/sock'));
    await new Promise((r) => sock.once('listening', r));
    writeFileSync(path.join(root, 'etc/huge'), Buffer.alloc(5 * 1024 * 1024, 0x41));
    writeFileSync(path.join(root, 'etc/ok'), 'fine\n');
    try {
      const t = new ImageTransport({ root });
      const [fifo, zero, socket, etc, huge, small] = await t.read(
        ['/etc/fifo', '/etc/zero', '/etc/sock', '/etc', '/etc/huge', '/etc/huge'].map((p, i) => ({ path: p, content: true, follow: true, maxBytes: i === 5 ? 1024 : undefined })),
      );
      expect(fifo!.error).toEqual({ code: 'NOT_REGULAR', message: '/etc/fifo is a FIFO (named pipe), not a regular file: it is not read' });
      expect(zero!.error).toMatchObject({ code: 'NOT_REGULAR', message: expect.stringContaining('a character device') });
      expect(socket!.error).toMatchObject({ code: 'NOT_REGULAR', message: expect.stringContaining('a socket') });
      expect(etc!.error).toMatchObject({ code: 'NOT_REGULAR', message: expect.stringContaining('a directory') });
      expect(huge!.error).toMatchObject({ code: 'TOO_LARGE', message: expect.stringContaining('4194304') });
      expect(small!.error?.code).toBe('TOO_LARGE');
      // Many FIFO reads at once (more than libuv's pool has threads) and then a normal read.
      const many = await t.read(Array.from({ length: 16 }, () => ({ path: '/etc/fifo', content: true, follow: true })));
      expect(many.every((f) => f.error?.code === 'NOT_REGULAR')).toBe(true);
      const [ok] = await t.read([{ path: '/etc/ok', content: true }]);
      expect(ok!.bytes!.toString()).toBe('fine\n');
    } finally {
      sock.close();
    }
  });

  it('a /proc/sys copy with planted special files: listed as NOT_REGULAR, never followed or blocked on', async () => {
    const ps = path.join(dir, 'proc-sys');
    mkdirSync(path.join(ps, 'kernel'), { recursive: true });
    writeFileSync(path.join(ps, 'kernel/osrelease'), '6.1.0-test\n');
    expect(spawnSync('mkfifo', [path.join(ps, 'kernel/fifo')]).status).toBe(0);
    symlinkSync(canary, path.join(ps, 'kernel/link'));
    writeFileSync(path.join(ps, 'kernel/big'), Buffer.alloc(300 * 1024, 0x31));
    const t = new LocalTransport({ procSys: ps });
    const { entries, source } = await t.procSys();
    const by = new Map(entries.map((e) => [e.key, e]));
    expect(by.get('kernel.osrelease')).toMatchObject({ state: 'ok', value: '6.1.0-test' });
    expect(by.get('kernel.fifo')).toMatchObject({ state: 'unreadable', error: 'NOT_REGULAR' });
    expect(by.get('kernel.link')).toMatchObject({ state: 'unreadable', error: 'NOT_REGULAR' });
    expect(by.get('kernel.big')).toMatchObject({ state: 'unreadable', error: 'TOO_LARGE' });
    expect(source?.kind).toBe('procsys-copy');
    expect((await t.describe()).kernel).toBe('6.1.0-test');
    // Single entries: names that would leave the tree are never looked at.
    const some = await t.procSys(['kernel/osrelease', '../../etc', 'kernel/../kernel/osrelease', 'kernel', 'nope/x']);
    expect(some.entries.map((e) => e.key)).toEqual(['kernel.osrelease']);
    expect(some.dirs).toEqual(['kernel']);
  });
});
