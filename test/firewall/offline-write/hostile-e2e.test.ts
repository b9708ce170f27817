/**
 * Hostile image trees end to end (issue #16): `hostdeck firewall edit --root DIR ...` (the real
 * command line, in-process) and the op firewall.offlineWrite on an image host, each on a tree
 * with a link out of the root at each path component, a FIFO, a huge file, an entity bomb, a
 * malformed file, or a file changed after it was read. Each must fail (exit code not 0) with a
 * message naming the file and the reason, within the test's time (no hang), write nothing
 * outside the root (the link targets keep their contents and mtimes) and leave the image as it
 * was (its whole tree hashed before and after). One image per file, restored between cases.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Runtime } from '../../../electron/api/runtime';
import { ImageTransport } from '../../../electron/hosts/image';
import type { HelperRequest } from '../../../shared/helper/protocol';
import type { OfflineWriteOp } from '../../../shared/firewall/offline/write-contract';
import { runHostdeck } from '../../support/cli';
import { imageRuntimeForFile } from '../../support/image-runtime';

// Made at load: the cases below name files under it.
const work = mkdtempSync(path.join(tmpdir(), 'hostdeck-ohe-'));
const root = path.join(work, 'root');
const outside = path.join(work, 'outside');
let rt: Runtime;
const ZONES = 'etc/firewalld/zones';
const zoneXml = (port: string) => `<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <short>Public</short>\n  <service name="ssh"/>\n  <port port="${port}" protocol="tcp"/>\n</zone>\n`;
const ops: OfflineWriteOp[] = [{ op: 'zone.patch', name: 'public', patch: { add: { ports: [{ port: '8080', protocol: 'tcp' }] } } }];
const edit = () => runHostdeck(['firewall', 'edit', '--root', root, '--zone', 'public', '--add-port', '8080/tcp']);

/** Every entry under dir: type, mode, size, mtime, content hash (regular files) or link target; FIFOs are never opened. */
function treeHash(dir: string): string {
  const lines: string[] = [];
  const walk = (rel: string) => {
    const p = path.join(dir, rel);
    const st = lstatSync(p);
    const head = `${rel}\0${st.mode.toString(8)}\0${st.size}\0${st.mtimeMs}`;
    if (st.isSymbolicLink()) lines.push(`${head}\0->${readlinkSync(p)}`);
    else if (st.isFile()) lines.push(`${head}\0${createHash('sha256').update(readFileSync(p)).digest('hex')}`);
    else lines.push(head);
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(path.join(rel, e));
  };
  walk('.');
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** The image as it is before each case: /usr/lib/firewalld's public zone and ssh service, /etc/firewalld with a public zone. */
function restore(): void {
  rmSync(path.join(root, 'etc'), { recursive: true, force: true });
  mkdirSync(path.join(root, ZONES), { recursive: true });
  writeFileSync(path.join(root, 'etc/firewalld/firewalld.conf'), 'DefaultZone=public\n');
  writeFileSync(path.join(root, ZONES, 'public.xml'), zoneXml('443'));
  // The bait a link points at: the same layout outside the root, which must never change.
  rmSync(outside, { recursive: true, force: true });
  mkdirSync(path.join(outside, 'etc/firewalld/zones'), { recursive: true });
  writeFileSync(path.join(outside, 'etc/firewalld/firewalld.conf'), 'DefaultZone=public\n');
  writeFileSync(path.join(outside, 'etc/firewalld/zones/public.xml'), zoneXml('22'));
}

// Only what the cases use (the public zone's default and its ssh service): a small tree reads fast.
imageRuntimeForFile({ work, root, defaults: ['zones/public.xml', 'services/ssh.xml'], restore, set: (r) => (rt = r) });


/** A link at `at` (relative to the root) pointing at the same path outside, by absolute name. */
const linkOut = (at: string) => () => {
  rmSync(path.join(root, at), { recursive: true, force: true });
  symlinkSync(path.join(outside, at), path.join(root, at));
};

interface Case {
  name: string;
  plant: () => void;
  /** What the error must say: the file (as shown, under the root) and the reason. */
  says: RegExp[];
}
const shown = (rel: string) => new RegExp(path.join(root, rel).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
const CASES: Case[] = [
  ...['etc', 'etc/firewalld', ZONES, `${ZONES}/public.xml`].map((at) => ({ name: `a link out of the root at ${at}`, plant: linkOut(at), says: [shown(at), /symbolic link/] })),
  {
    name: 'a FIFO in place of the zone file',
    plant: () => {
      rmSync(path.join(root, ZONES, 'public.xml'));
      execFileSync('mkfifo', [path.join(root, ZONES, 'public.xml')]);
    },
    says: [shown(`${ZONES}/public.xml`), /not a regular file/],
  },
  {
    name: 'a zone file larger than firewalld files are read (9 MiB)',
    plant: () => writeFileSync(path.join(root, ZONES, 'public.xml'), `<?xml version="1.0" encoding="utf-8"?>\n<zone>\n${'  <port port="1" protocol="tcp"/>\n'.repeat(9 * 1024 * 1024 / 34)}</zone>\n`),
    says: [shown(`${ZONES}/public.xml`), /more than the \d+ bytes HostDeck reads/],
  },
  {
    name: 'an entity bomb',
    plant: () => {
      const ents = ['<!ENTITY a0 "aaaaaaaaaa">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY a${i + 1} "${`&a${i};`.repeat(10)}">`)];
      writeFileSync(path.join(root, ZONES, 'public.xml'), `<?xml version="1.0"?>\n<!DOCTYPE zone [\n${ents.join('\n')}\n]>\n<zone><short>&a9;</short></zone>\n`);
    },
    says: [shown(`${ZONES}/public.xml`), /DOCTYPE/],
  },
  {
    name: 'a malformed zone file',
    plant: () => writeFileSync(path.join(root, ZONES, 'public.xml'), '<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <port port="80" protocol="tcp">\n</zone>\n'),
    says: [shown(`${ZONES}/public.xml`), /line 4|:4\b|mismatch|malformed|not well-formed/i],
  },
];

function expectUnchanged(before: { root: string; outside: string }): void {
  expect(treeHash(outside), 'nothing outside the root changed (contents and mtimes)').toBe(before.outside);
  expect(treeHash(root), 'the image is unchanged').toBe(before.root);
}

describe('hostdeck firewall edit --root on a hostile tree', () => {
  for (const c of CASES) {
    it(`refuses ${c.name}, naming the file and why, and writes nothing`, async () => {
      c.plant();
      const before = { root: treeHash(root), outside: treeHash(outside) };
      const r = await edit();
      expect(r.code, r.out).not.toBe(0);
      for (const s of c.says) expect(r.err).toMatch(s);
      expectUnchanged(before);
    });
  }
});

describe('firewall.offlineWrite on an image host with a hostile tree', () => {
  for (const c of CASES) {
    it(`refuses ${c.name}, naming the file and why, and writes nothing`, async () => {
      c.plant();
      const before = { root: treeHash(root), outside: treeHash(outside) };
      const e = await rt.api.firewall.offlineWrite({ ops }).then(() => null, (x: unknown) => x as Error);
      expect(e, 'the write was refused').not.toBeNull();
      for (const s of c.says) expect(e!.message).toMatch(s);
      expectUnchanged(before);
    });
  }
});

describe('a file changed after it was read is a CONFLICT', () => {
  it('through the op: the digest read, the zone changed by someone else, the write refused with CONFLICT and theirs kept', async () => {
    const { digest } = await rt.api.firewall.offlineDigest({});
    const dry = await rt.api.firewall.offlineWrite({ ops, dryRun: true, basis: digest });
    expect(dry.files.map((f) => f.shown)).toEqual([path.join(root, ZONES, 'public.xml')]);
    writeFileSync(path.join(root, ZONES, 'public.xml'), zoneXml('9090'));
    const before = { root: treeHash(root), outside: treeHash(outside) };
    const e = await rt.api.firewall.offlineWrite({ ops, basis: digest }).then(() => null, (x: unknown) => x as Error & { code?: string });
    expect(e?.code).toBe('CONFLICT');
    expect(e!.message).toMatch(/changed since it was read; nothing was written/);
    expectUnchanged(before);
  });

  it('through the CLI: the zone changed between the read and the helper write is refused by the helper, theirs kept', async () => {
    const real = ImageTransport.prototype.helper;
    vi.spyOn(ImageTransport.prototype, 'helper').mockImplementation(function (this: ImageTransport, req: HelperRequest, opts) {
      // Someone else saves the zone after HostDeck read it, just before the write.
      if (req.verb === 'write-file') writeFileSync(path.join(root, ZONES, 'public.xml'), zoneXml('9090'));
      return real.call(this, req, opts);
    });
    const r = await edit();
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(shown(`${ZONES}/public.xml`));
    expect(r.err).toMatch(/CONFLICT/);
    expect(readFileSync(path.join(root, ZONES, 'public.xml'), 'utf8')).toBe(zoneXml('9090'));
    expect(readdirSync(path.join(root, ZONES))).toEqual(['public.xml']);
  });
});
