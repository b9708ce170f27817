/**
 * One `firewall edit --root` reads the configuration once (electron/hosts/call-scope.ts,
 * electron/firewall/offline/call-reads.ts): the status, the writer and history's captures before
 * and after the change share the call's read, and after the write only what it changed is read
 * again. What is shared never outlives the call, and a file changed by someone else after the
 * call's read is still a CONFLICT when it is written (the helper checks its sha256).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Runtime } from '../../../electron/api/runtime';
import { TreeTransport } from '../../../electron/hosts/tree-transport';
import type { FileFacts, ReadRequest } from '../../../electron/hosts/transport';
import { runHostdeck } from '../../support/cli';

let work: string;
let root: string;
const etc = (p: string) => path.join(root, 'etc/firewalld', p);
const zone = (port: string) => `<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <short>Work</short>\n  <port port="${port}" protocol="tcp"/>\n</zone>\n`;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'hostdeck-one-read-'));
  root = path.join(work, 'root');
  mkdirSync(path.join(root, 'usr/lib'), { recursive: true });
  cpSync('/usr/lib/firewalld', path.join(root, 'usr/lib/firewalld'), { recursive: true });
  mkdirSync(etc('zones'), { recursive: true });
  writeFileSync(etc('firewalld.conf'), 'DefaultZone=public\n');
  writeFileSync(etc('zones/work.xml'), zone('1000'));
}, 60_000);
afterEach(() => vi.restoreAllMocks());
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every file content the image's transport is asked for, by path, while fn runs; `after` sees each answer. */
async function contentReads(fn: () => Promise<unknown>, after?: (reqs: ReadRequest[], facts: FileFacts[]) => void): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const read = TreeTransport.prototype.read;
  vi.spyOn(TreeTransport.prototype, 'read').mockImplementation(async function (this: TreeTransport, reqs: ReadRequest[]) {
    for (const r of reqs) if (r.content) counts.set(r.path, (counts.get(r.path) ?? 0) + 1);
    const facts = await read.call(this, reqs);
    after?.(reqs, facts);
    return facts;
  });
  await fn();
  return counts;
}

describe('one read of the configuration per edit', () => {
  it('reads each file once for `firewall edit --root` (status, write, history before and after); the written file once more', async () => {
    let r: Awaited<ReturnType<typeof runHostdeck>> | undefined;
    const counts = await contentReads(async () => (r = await runHostdeck(['firewall', 'edit', '--root', root, '--zone=work', '--add-port=2000/tcp'])));
    expect(r!.err).toBe('');
    expect(r!.code).toBe(0);
    expect(readFileSync(etc('zones/work.xml'), 'utf8')).toContain('port="2000"');
    const usrLib = [...counts].filter(([p]) => p.startsWith('/usr/lib/firewalld/'));
    expect(usrLib.length).toBeGreaterThan(100);
    expect(usrLib.filter(([, n]) => n !== 1)).toEqual([]);
    // Read for the change, then again after it was written (what history records and the digest says).
    expect(counts.get('/etc/firewalld/zones/work.xml')).toBe(2);
    expect(counts.get('/etc/firewalld/firewalld.conf')).toBe(1);
  }, 60_000);

  it("a zone file someone else changes after the edit's read is a CONFLICT, and their change is kept", async () => {
    writeFileSync(etc('zones/work.xml'), zone('1000'));
    let r: Awaited<ReturnType<typeof runHostdeck>> | undefined;
    let changed = false;
    await contentReads(
      async () => (r = await runHostdeck(['firewall', 'edit', '--root', root, '--zone=work', '--add-port=3000/tcp'])),
      (reqs) => {
        // Right after the call's one read, before the write: theirs lands in between.
        if (!changed && reqs.some((q) => q.path === '/etc/firewalld/zones/work.xml' && q.content)) {
          changed = true;
          writeFileSync(etc('zones/work.xml'), zone('7070'));
        }
      },
    );
    expect(changed).toBe(true);
    expect(r!.code).not.toBe(0);
    expect(r!.err).toMatch(/changed|CONFLICT/i);
    expect(readFileSync(etc('zones/work.xml'), 'utf8')).toBe(zone('7070'));
  }, 60_000);

  it('shares nothing across calls: a later call of the same runtime reads what changed since, and writes on it', async () => {
    writeFileSync(etc('zones/work.xml'), zone('1000'));
    const rt = new Runtime({ mode: 'cli', local: { root }, history: { dir: path.join(work, 'history') } });
    try {
      const first = await rt.api.firewall.offlineWrite({ ops: [{ op: 'zone.patch', name: 'work', patch: { add: { ports: [{ port: '4000', protocol: 'tcp' }] } } }] });
      expect(first.written).toBe(true);
      // Someone else's edit between two calls.
      writeFileSync(etc('zones/work.xml'), readFileSync(etc('zones/work.xml'), 'utf8').replace('</zone>', '  <service name="ssh"/>\n</zone>'));
      const st = await rt.api.firewall.state({ refresh: true });
      expect(st.permanent.zones.work!.services).toEqual(['ssh']);
      expect((await rt.api.firewall.offlineDigest({})).digest).not.toBe(first.digest);
      const second = await rt.api.firewall.offlineWrite({ ops: [{ op: 'zone.patch', name: 'work', patch: { add: { ports: [{ port: '5000', protocol: 'tcp' }] } } }] });
      expect(second.written).toBe(true);
      const text = readFileSync(etc('zones/work.xml'), 'utf8');
      expect(text).toContain('<service name="ssh"/>');
      expect(text).toContain('port="4000"');
      expect(text).toContain('port="5000"');
      // The digest a write answers is that of the files it left (a fresh call reads the same).
      expect((await rt.api.firewall.offlineDigest({})).digest).toBe(second.digest);
    } finally {
      await rt.dispose();
    }
  }, 60_000);
});
