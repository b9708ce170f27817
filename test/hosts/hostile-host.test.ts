import { spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { startServer } from '../../electron/serve/server';
import type { ApiError } from '../../shared/api/errors';

/**
 * Hostile `--root` images and hostile inputs through the real API (and browser mode's HTTP):
 * nothing outside the image is read, reported or written; special files get a clear error and
 * never block; the next normal call answers.
 */

const root = process.getuid?.() === 0;
let dir: string;
let outside: string;
const CANARY_RESOLV = 'nameserver 203.0.113.66\n# CANARY\n';
const CANARY_SYSCTL = 'kernel.canary_key = 66\n';

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-hostile-'));
  outside = path.join(dir, 'real-etc');
  mkdirSync(path.join(outside, 'sysctl.d'), { recursive: true });
  writeFileSync(path.join(outside, 'resolv.conf'), CANARY_RESOLV);
  writeFileSync(path.join(outside, 'sysctl.d/99-canary.conf'), CANARY_SYSCTL);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function makeImage(name: string, build: (r: string) => void): string {
  const r = path.join(dir, name);
  mkdirSync(path.join(r, 'etc'), { recursive: true });
  build(r);
  return r;
}

const err = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as ApiError);
const canaryIntact = () => {
  expect(readFileSync(path.join(outside, 'resolv.conf'), 'utf8')).toBe(CANARY_RESOLV);
  expect(readdirSync(path.join(outside, 'sysctl.d'))).toEqual(['99-canary.conf']);
  expect(readdirSync(outside).sort()).toEqual(['resolv.conf', 'sysctl.d']);
};

const images: [string, (r: string) => void][] = [
  ['symlinked etc (absolute)', (r) => (rmSync(path.join(r, 'etc'), { recursive: true }), symlinkSync(outside, path.join(r, 'etc')))],
  ['symlinked etc (../ climbing)', (r) => (rmSync(path.join(r, 'etc'), { recursive: true }), symlinkSync(`../../../../../../..${outside}`, path.join(r, 'etc')))],
  ['links to the real files', (r) => (symlinkSync(path.join(outside, 'resolv.conf'), path.join(r, 'etc/resolv.conf')), symlinkSync(path.join(outside, 'sysctl.d'), path.join(r, 'etc/sysctl.d')))],
  ['relative links climbing out', (r) => (symlinkSync(`../../../../../../..${outside}/resolv.conf`, path.join(r, 'etc/resolv.conf')), symlinkSync(`../../../../../..${outside}/sysctl.d`, path.join(r, 'etc/sysctl.d')))],
];

describe('a hostile --root image never reaches the real machine', () => {
  for (const [name, build] of images) {
    it(`${name}: reads and writes stay inside the image`, async () => {
      const img = makeImage(name.replace(/\W+/g, '-'), build);
      const rt = new Runtime({ mode: 'cli', local: { root: img } });
      try {
        const read = await rt.api.dns.read({});
        expect(read.text).not.toContain('CANARY');
        expect(read.exists).toBe(false);
        expect(JSON.stringify(read.owner)).not.toContain('203.0.113.66');
        const eff = await rt.api.kernel.effective({});
        expect(JSON.stringify(eff)).not.toMatch(/canary/i);
        const prof = await rt.api.kernel.readProfile({ name: '99-canary' });
        expect(prof).toMatchObject({ exists: false, settings: [] });
        if (root) {
          // Writes resolve their directory inside the image: the link is not followed out of it.
          const saved = await err(rt.api.dns.save({ text: 'nameserver 192.0.2.7\n', expectedSha256: null, overrideOwner: true }));
          const prof2 = await err(rt.api.kernel.saveProfile({ name: '50-x', settings: [{ key: 'vm.swappiness', value: '10' }], expectedSha256: null }));
          for (const e of [saved, prof2]) if (e) expect(e.code).toMatch(/IO_ERROR|CONFLICT|INVALID_VALUE/); // the helper refuses a linked directory (SYMLINK)
        }
        canaryIntact();
      } finally {
        await rt.dispose();
      }
    });
  }

  it.runIf(root)('a directory swapped for a link to the real machine while saving: every write lands in the image or is refused', async () => {
    const img = makeImage('write-race', (r) => {
      mkdirSync(path.join(r, 'etc/sysctl.d'));
      symlinkSync(outside, path.join(r, 'etc.link'));
    });
    // renameat2(RENAME_EXCHANGE) flips image/etc and the link to the real directory, atomically.
    const swapper = spawn('python3', ['-c', 'import ctypes,os,sys\nlibc=ctypes.CDLL(None)\nos.chdir(sys.argv[1])\nfor _ in range(3000000):\n  libc.renameat2(-100,b"etc",-100,b"etc.link",2)', img], { stdio: 'ignore' });
    const rt = new Runtime({ mode: 'cli', local: { root: img } });
    try {
      while (!lstatSync(path.join(img, 'etc')).isSymbolicLink()) await new Promise((r) => setTimeout(r, 5));
      const codes = new Set<string>();
      // 60 saves: each one is a helper round trip (a python3 process) now
      for (let i = 0; i < 60; i++) {
        const e = await err(rt.api.kernel.saveProfile({ name: `race-${i}`, settings: [{ key: 'vm.swappiness', value: '10' }], expectedSha256: null }));
        codes.add(e ? e.code : 'written');
      }
      for (const c of codes) expect(['written', 'IO_ERROR', 'INVALID_VALUE']).toContain(c); // INVALID_VALUE: the helper's SYMLINK refusal
    } finally {
      swapper.kill('SIGKILL');
      await rt.dispose();
    }
    canaryIntact();
  }, 120_000);

  it('a link loop in the image is a clear error, not a hang or a crash', async () => {
    const img = makeImage('loop', (r) => {
      symlinkSync('resolv.b', path.join(r, 'etc/resolv.conf'));
      symlinkSync('resolv.conf', path.join(r, 'etc/resolv.b'));
      symlinkSync('sysctl.d', path.join(r, 'etc/sysctl.d'));
    });
    const rt = new Runtime({ mode: 'cli', local: { root: img } });
    try {
      const e = await err(rt.api.dns.read({}));
      expect(e).toMatchObject({ code: 'IO_ERROR', message: expect.stringMatching(/link loop/) });
      expect((await rt.api.kernel.effective({})).files).toEqual([]);
    } finally {
      await rt.dispose();
    }
  });
});

describe('special files and hostile keys get clear errors; the next call answers', () => {
  it('sysctl.d with a FIFO, a socket, a device, a directory and a huge file', async () => {
    const img = makeImage('special-sysctl', (r) => {
      const d = path.join(r, 'etc/sysctl.d');
      mkdirSync(path.join(d, '30-dir.conf'), { recursive: true });
      expect(spawnSync('mkfifo', [path.join(d, '10-fifo.conf')]).status).toBe(0);
      if (root) expect(spawnSync('mknod', [path.join(d, '20-null.conf'), 'c', '1', '3']).status).toBe(0);
      writeFileSync(path.join(d, '40-huge.conf'), Buffer.alloc(17 * 1024 * 1024, 0x23));
      writeFileSync(path.join(d, '50-ok.conf'), 'vm.swappiness = 7\n');
    });
    const sock = createServer().listen(path.join(img, 'etc/sysctl.d/15-sock.conf'));
    await new Promise((r) => sock.once('listening', r));
    const rt = new Runtime({ mode: 'cli', local: { root: img } });
    try {
      const eff = await rt.api.kernel.effective({});
      const by = new Map(eff.files.map((f) => [f.name, f]));
      expect(by.get('10-fifo.conf')).toMatchObject({ status: 'unreadable', error: expect.stringContaining('a FIFO') });
      expect(by.get('15-sock.conf')).toMatchObject({ status: 'unreadable', error: expect.stringContaining('a socket') });
      if (root) expect(by.get('20-null.conf')?.status).toBe('masked'); // a device masks, as in systemd
      expect(by.get('30-dir.conf')).toMatchObject({ status: 'unreadable', error: 'Is a directory' });
      expect(by.get('40-huge.conf')).toMatchObject({ status: 'unreadable', error: expect.stringContaining('more than the') });
      expect(eff.settings.find((s) => s.key === 'vm.swappiness')).toMatchObject({ value: '7', file: 'etc/sysctl.d/50-ok.conf' });
    } finally {
      sock.close();
      await rt.dispose();
    }
  });

  it('kernel operations refuse keys that would leave /proc/sys', async () => {
    const rt = new Runtime({ mode: 'cli' });
    try {
      for (const key of ['a/../../../tmp/x', '../../etc/passwd', 'kernel..', 'net.core.somaxconn\nvm.x', 'kernel/./osrelease', 'kernel.os\0release']) {
        const e = await err(rt.api.kernel.describe({ key }));
        expect(e, key).toMatchObject({ code: 'INVALID_VALUE', message: expect.stringContaining('is not a sysctl name') });
      }
      expect((await err(rt.api.kernel.saveProfile({ name: 'x', settings: [{ key: 'vm.swappiness\nkernel.x', value: '1' }], expectedSha256: null })))?.code).toMatch(/INVALID_VALUE|NOT_AUTHORIZED/);
      const check = await rt.api.kernel.checkProfile({ settings: [{ key: 'net/../../../tmp/x', value: '1' }, { key: 'kernel.osrelease', value: 'x' }] });
      expect(check.entries[0]).toMatchObject({ error: expect.stringContaining('is not a sysctl name'), live: null });
      expect(check.entries[1]!.live).toMatch(/^\d+\./);
      const ok = await rt.api.kernel.describe({ key: 'kernel.osrelease' });
      expect(ok.key).toBe('kernel.osrelease');
    } finally {
      await rt.dispose();
    }
  });
});

/** Raw HTTP against browser mode. */
function post(port: number, token: string, channel: string, input: unknown): Promise<{ status: number; body: { ok: boolean; result?: unknown; error?: { code: string; message: string } } }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ input });
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: `/api/${channel}`, headers: { host: `127.0.0.1:${port}`, authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('browser mode with an image whose resolv.conf is a FIFO', () => {
  it('refuses the FIFO with a clear error, many times at once, and keeps answering everything else', async () => {
    const img = makeImage('fifo-serve', (r) => {
      expect(spawnSync('mkfifo', [path.join(r, 'etc/resolv.conf')]).status).toBe(0);
      writeFileSync(path.join(r, 'etc/hostname'), 'imagehost\n');
    });
    const ui = path.join(dir, 'ui');
    mkdirSync(ui, { recursive: true });
    writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>HostDeck</title>');
    const rt = new Runtime({ mode: 'browser', local: { root: img, systemBusAddress: 'unix:path=/nonexistent/bus' } });
    const srv = await startServer({ runtime: rt, staticDir: ui, port: 0 });
    try {
      // More than libuv's 4 pool threads: a blocking open would starve every later file call.
      const hostile = await Promise.all(Array.from({ length: 12 }, (_, i) => post(srv.port, srv.token, i % 2 ? 'dns.read' : 'dns.check', {})));
      for (const r of hostile) {
        expect(r.body.ok).toBe(false);
        expect(r.body.error).toMatchObject({ code: 'IO_ERROR', message: `${img}/etc/resolv.conf is a FIFO (named pipe), not a regular file: it is not read` });
      }
      const [info, check, describe] = await Promise.all([
        post(srv.port, srv.token, 'app.info', {}),
        post(srv.port, srv.token, 'dns.check', { text: 'nameserver 192.0.2.1\n' }),
        post(srv.port, srv.token, 'kernel.describe', { key: 'a/../../../tmp/x' }),
      ]);
      expect(info.body.ok).toBe(true);
      expect(check.body).toMatchObject({ ok: true, result: { nameservers: ['192.0.2.1'] } });
      expect(describe.body.error?.code).toBe('INVALID_VALUE');
      const plan = await post(srv.port, srv.token, 'dns.plan', { name: 'db', text: 'search corp.example\n' });
      expect(plan.body).toMatchObject({ ok: true, result: { queries: ['db.corp.example.', 'db.'] } });
    } finally {
      await srv.close();
      await rt.dispose();
    }
  });
});
