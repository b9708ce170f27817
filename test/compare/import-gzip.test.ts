import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inflateImportFiles, newInflateBudget } from '../../electron/compare/import-inflate';
import { IMPORT_MAX_BYTES } from '../../shared/compare/imports';
import { realSnapshotForFile } from '../support/fleet-file';
import type { Snapshot } from '../../shared/compare/snapshot';

/**
 * Issue #22: the Compare page uploads files gzip-compressed (base64 in the JSON request). The
 * HostDeck side inflates them within the import limit: a bomb is refused by name without being
 * inflated, and a compressed file imports exactly as its text does.
 */
let real: Snapshot;
const rt = realSnapshotForFile((s) => (real = s));

const gz = (text: string | Buffer) => gzipSync(text).toString('base64');
const sysctlA = 'kernel.hostname = node-3\nnet.ipv4.ip_forward = 1\nnet.core.somaxconn = 4096\nvm.swappiness = 60\n';
const resolv = '\ufeff# made by hand\nnameserver 10.0.0.2\nsearch corp.example\noptions ndots:2 timeout:1\n';

describe('compressed imports', () => {
  it('a gzip upload loads exactly what the same file as text loads (snapshot, sysctl -a, a resolv.conf with a BOM)', async () => {
    const snapshot = JSON.stringify(real);
    // `file`: the bytes on disk; `text`: what the page's File.text() makes of them (a BOM dropped), the plain upload.
    const cases: { name: string; file: string; text: string }[] = [
      { name: 'node-1.json', file: snapshot, text: snapshot },
      { name: 'node-3.txt', file: sysctlA, text: sysctlA },
      { name: 'resolv.conf', file: resolv, text: resolv.slice(1) },
    ];
    for (const c of cases) {
      const r = await rt.api.compare.importMany({
        hosts: [
          { files: [{ name: c.name, text: c.text }], label: `plain-${c.name.replace(/\W/g, '')}` },
          { files: [{ name: c.name, gzip: gz(c.file) }], label: `gz-${c.name.replace(/\W/g, '')}` },
        ],
      });
      expect(r.error, c.name).toBeNull();
      const [plain, packed] = r.hosts;
      expect(packed!.formats, c.name).toEqual(plain!.formats);
      // Only the host id and, for files without a time of their own, the import time may differ.
      expect({ ...packed!.capture, host: '', takenAt: 0 }, c.name).toEqual({ ...plain!.capture, host: '', takenAt: 0 });
      const run = await rt.api.compare.run({ hosts: [plain!.host.id, packed!.host.id] });
      // Same facts: nothing differs in any section, and both know the same sections.
      for (const rows of [run.sysctl, run.sysctld, run.dns.rows, run.firewall]) expect(rows.filter((x) => x.differs), c.name).toEqual([]);
      expect(run.sysctl.length + run.dns.rows.length, c.name).toBeGreaterThan(0);
    }
  });

  it('bad input in a compressed file is refused as in the plain one, naming the file', async () => {
    const cut = JSON.stringify(real).slice(0, 5000);
    const plain = await rt.api.compare.importMany({ hosts: [{ files: [{ name: 'cut.json', text: cut }] }] });
    const packed = await rt.api.compare.importMany({ hosts: [{ files: [{ name: 'cut.json', gzip: gz(cut) }] }] });
    expect(packed.error).toEqual(plain.error);
    expect(packed.error!.message).toMatch(/^cut\.json, line 1: the JSON ends early/);
    const proto = JSON.stringify(real).replace('{', '{"__proto__":{"polluted":1},');
    const p = await rt.api.compare.importMany({ hosts: [{ files: [{ name: 'proto.json', gzip: gz(proto) }] }] });
    expect(p.error).toEqual((await rt.api.compare.importMany({ hosts: [{ files: [{ name: 'proto.json', text: proto }] }] })).error);
    // A damaged stream (cut short) is named too, and nothing of it is loaded.
    const hostsBefore = (await rt.api.app.hosts({})).hosts.length;
    const damaged = await rt.api.compare.importMany({ hosts: [{ files: [{ name: 'node-5.json', gzip: gzipSync(JSON.stringify(real)).subarray(0, 3000).toString('base64') }] }] });
    expect(damaged.error).toMatchObject({ index: 0, code: 'PARSE_ERROR' });
    expect(damaged.error!.message).toMatch(/^node-5\.json: the compressed upload is damaged/);
    // Not base64 at all: refused by the contract.
    await expect(rt.api.compare.importMany({ hosts: [{ files: [{ name: 'x.json', gzip: 'not base64!' }] }] })).rejects.toThrow(/base64/);
    expect((await rt.api.app.hosts({})).hosts.length).toBe(hostsBefore);
  });

  it('an inflate bomb is refused naming the file, without inflating past the limit (peak RSS of its own process)', () => {
    const repo = path.resolve(import.meta.dirname, '../..');
    const p = spawnSync(process.execPath, ['--import', 'tsx', path.join(repo, 'test/compare/support/inflate-bomb-child.ts')], { cwd: repo, encoding: 'utf8' });
    expect(p.status, p.stderr).toBe(0);
    const r = JSON.parse(p.stdout) as { refusal: { code: string; message: string } | null; inflated: number; compressed: number; peakGrowthKiB: number };
    expect(r.refusal).toMatchObject({ code: 'TOO_LARGE' });
    expect(r.refusal!.message).toMatch(/^bomb node-9\.json inflates past 32 MiB: imports are limited to 32 MiB/);
    // ~1.4 MB of base64 that inflates to 1 GiB: the inflate keeps at most the 32 MiB bound (and a chunk), never the gigabyte.
    expect(r.compressed).toBeLessThan(2 * 1024 * 1024);
    expect(r.peakGrowthKiB * 1024).toBeLessThan(IMPORT_MAX_BYTES * 3);
  });

  it('the limit holds for the files of one call together: the file that passes it is named', () => {
    const MiB = 1024 * 1024;
    const member = gzipSync(Buffer.alloc(2 * MiB, 'a'), { level: 1 }).toString('base64');
    // A call whose plain files already hold 29 MiB: the first 2 MiB file fits, the second does not.
    const budget = newInflateBudget(29 * MiB);
    expect(inflateImportFiles([{ name: 'big-1.txt', gzip: member }], budget)[0]!.text).toHaveLength(2 * MiB);
    expect(() => inflateImportFiles([{ name: 'big-2.txt', gzip: member }], budget)).toThrow(/^big-2\.txt: with the files before it, this import inflates past 32 MiB/);
    // The files of one host count together too: 31 MiB of text, then a compressed file of 2 MiB.
    expect(() => inflateImportFiles([{ name: 'a.txt', text: 'x'.repeat(31 * MiB) }, { name: 'c.txt', gzip: member }], newInflateBudget(0))).toThrow(/^c\.txt: with the files before it/);
  });
});
