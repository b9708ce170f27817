import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathToKey } from '../../shared/kernel/keys';
import { hostCapabilitiesSchema, capabilityNames, canWrite } from '../../shared/hosts/capabilities';
import type { FileFacts, HostTransport, ReadRequest } from '../../electron/hosts/transport';
import { BIG_BYTES, OWNER, SMALL, type ExpectedEntry } from './conformance-tree';

/**
 * One conformance suite for every host transport (issue #19 step 3): each host kind has a small
 * test file that starts a host of its kind with the suite's file tree and /proc/sys
 * (conformance-tree.ts) and calls `transportConformance`. The same cases run on every kind;
 * what a kind cannot do is declared, never skipped: by its capabilities (a read-only record
 * has no file tree, a host that takes no changes refuses the helper) or, for the one thing the
 * suite itself refuses (changing this machine's own /etc), by the subject, and the test title
 * says so. Adding a host kind = one transport file and one subject that passes this.
 */

export interface ConformanceSubject {
  transport: HostTransport;
  /** The suite's tree on this host; absent for a host that has no file tree (a record: its capabilities say readOnly, no live kernel). */
  tree?: {
    /** Host path of the tree (buildTree's base). */
    base: string;
    immutableSupported: boolean;
    /** A path of this machine that exists but lies outside the host's root (an image's), absent when the root is "/". */
    outside?: string;
  };
  /** Host paths and whether the system's own findmnt, run where the host is, calls them mount points. */
  mounts: { path: string; mountPoint: boolean }[];
  /** Files the host is known to have, with their text (snapshot: its record; others: a tree file). */
  files: { path: string; text: string }[];
  /** Relative /proc/sys paths and what procSys() must say of them (from the host's own kernel or the copy given). */
  procSys: Record<string, ExpectedEntry>;
  /** The host's identity as the system's own tools say it (hostname, PRETTY_NAME by sh, uname -r / the copy's osrelease). */
  identity: { hostname: string; os: string; kernel: string };
  /** Round trips to the host so far (transports that have them). */
  roundTrips?: () => number;
  /** Makes reads unable to finish (a hung file system, a silent link): a transport with a short deadline, and the way back. */
  stall?: () => Promise<{ transport: HostTransport; deadlineMs: number; release: () => Promise<void> }>;
  /** A file the helper may write on this host (an allowed path), and how to read it back without HostDeck. */
  helperWrite?: { path: string; hostText: () => string };
  stop(): Promise<void>;
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Cases a kind declares it cannot run as such, with the reason (shown in the test title; the case then checks what the kind answers instead). */
export type Declared = Partial<Record<'tree' | 'helperWrite' | 'stall' | 'roundTrips', string>>;

export function transportConformance(kind: string, start: () => Promise<ConformanceSubject>, declared: Declared = {}): void {
  const d = (what: keyof Declared, title: string) => (declared[what] ? `${title} [declared: ${declared[what]}]` : title);
  describe(`transport conformance: ${kind}`, () => {
    let s: ConformanceSubject;
    beforeAll(async () => {
      s = await start();
    });
    afterAll(async () => {
      await s?.stop();
    });
    const t = () => s.transport;
    const base = () => s.tree?.base ?? '/srv/conformance';
    const p = (rel: string) => `${base()}/${rel}`;
    const read1 = async (r: ReadRequest): Promise<FileFacts> => (await t().read([r]))[0]!;
    /** A host without a file tree is a record: its capabilities must say so, and every tree path is missing there. */
    const expectRecord = async (paths: string[]) => {
      const c = t().capabilities();
      expect(c.readOnly && !c.liveKernel).toBe(true);
      const got = await t().read(paths.map((path) => ({ path, content: true, follow: true, attrs: true })));
      for (const f of got) expect(f).toMatchObject({ type: 'missing', error: { code: 'ENOENT' } });
    };
    /** The subject and the declarations agree (titles are fixed before the host starts). */
    const agrees = () => {
      expect(!!declared.tree, 'declared.tree').toBe(s.tree === undefined);
      expect(!!declared.stall, 'declared.stall').toBe(s.stall === undefined);
      expect(!!declared.roundTrips, 'declared.roundTrips').toBe(s.roundTrips === undefined);
    };

    it(d('roundTrips', 'reads many paths in one round trip, answers in the order asked'), async () => {
      agrees();
      const known = s.files[0]!;
      const paths = [known.path, '/no/such/conformance/path', ...(s.tree ? [p('data/dir'), p('data/fifo'), p('data/small.txt')] : []), known.path];
      const before = s.roundTrips?.();
      const got = await t().read(paths.map((path) => ({ path, content: !path.endsWith('/dir'), list: path.endsWith('/dir'), follow: true })));
      if (before !== undefined) expect(s.roundTrips!() - before).toBe(1);
      expect(got.map((f) => f.path)).toEqual(paths);
      expect(got[0]!.bytes!.toString()).toBe(known.text);
      expect(got[0]!.sha256).toBe(sha(known.text));
      expect(got.at(-1)!.sha256).toBe(sha(known.text));
      expect(await t().read([])).toEqual([]);
    });

    it('missing paths: ENOENT when content was asked, type "missing" without an error for facts only', async () => {
      const [content, facts, list] = await t().read([
        { path: p('no-such-file'), content: true },
        { path: p('no-such-file') },
        { path: p('no-such-dir'), list: true },
      ]);
      expect(content).toMatchObject({ path: p('no-such-file'), type: 'missing', error: { code: 'ENOENT' } });
      expect(content!.error!.message).toMatch(/\S/);
      expect(facts).toMatchObject({ type: 'missing' });
      expect(facts!.error).toBeUndefined();
      expect(list).toMatchObject({ type: 'missing', error: { code: 'ENOENT' } });
    });

    it('a directory of the host: listed when asked, NOT_REGULAR when its content was; a file is not listed', async () => {
      const known = s.files[0]!.path;
      const dir = known.slice(0, known.lastIndexOf('/')) || '/';
      const [listed, content, fileListed] = await t().read([{ path: dir, list: true }, { path: dir, content: true }, { path: known, list: true }]);
      expect(listed).toMatchObject({ type: 'dir' });
      expect(listed!.entries).toContainEqual({ name: known.slice(dir.length + 1), type: 'file' });
      expect(content).toMatchObject({ type: 'dir', error: { code: 'NOT_REGULAR' } });
      expect(fileListed).toMatchObject({ type: 'file', error: { code: 'ENOTDIR' } });
      expect(fileListed!.entries).toBeUndefined();
    });

    it('invalid paths are answered per path (INVALID_PATH), never thrown', async () => {
      const [rel, nul, ok] = await t().read([{ path: 'etc/hostname', content: true }, { path: '/etc/host\0name', content: true }, { path: s.files[0]!.path, content: true }]);
      expect(rel).toMatchObject({ path: 'etc/hostname', error: { code: 'INVALID_PATH' } });
      expect(nul).toMatchObject({ error: { code: 'INVALID_PATH' } });
      expect(ok!.bytes!.toString()).toBe(s.files[0]!.text);
    });

    it(d('tree', 'unreadable paths carry their errno code: ENOTDIR through a file, ELOOP for a link loop, ENOENT for a dangling link'), async () => {
      if (!s.tree) return expectRecord([p('data/small.txt/x'), p('data/loop-a')]);
      const [notDir, loop, dangling] = await t().read([
        { path: p('data/small.txt/x'), content: true },
        { path: p('data/loop-a'), content: true, follow: true },
        { path: p('data/dangling'), content: true, follow: true },
      ]);
      expect(notDir!.error?.code).toBe('ENOTDIR');
      expect(loop).toMatchObject({ type: 'symlink', error: { code: 'ELOOP' } });
      expect(dangling).toMatchObject({ type: 'symlink', linkTarget: 'no-such-file', error: { code: 'ENOENT' } });
      expect(loop!.bytes ?? dangling!.bytes).toBeUndefined();
    });

    it(d('tree', 'a FIFO, device, socket or directory where a file was wanted: NOT_REGULAR, never opened (a FIFO never hangs)'), async () => {
      if (!s.tree) return expectRecord([p('data/fifo'), p('data/null')]);
      const names = ['data/fifo', 'data/null', 'data/sock', 'data/dir', 'data/link-to-fifo'];
      // More FIFOs than any pool has threads: none may wait for a writer.
      const got = await t().read([...names, ...Array.from({ length: 12 }, () => 'data/fifo')].map((n) => ({ path: p(n), content: true, follow: true })));
      const [fifo, dev, sock, dir, link] = got;
      expect(fifo).toMatchObject({ type: 'fifo', targetType: 'fifo', error: { code: 'NOT_REGULAR', message: expect.stringContaining(p('data/fifo')) } });
      expect(dev).toMatchObject({ type: 'char', error: { code: 'NOT_REGULAR' } });
      expect(sock).toMatchObject({ type: 'socket', error: { code: 'NOT_REGULAR' } });
      expect(dir).toMatchObject({ type: 'dir', error: { code: 'NOT_REGULAR' } });
      expect(link).toMatchObject({ type: 'symlink', targetType: 'fifo', error: { code: 'NOT_REGULAR' } });
      expect(got.every((f) => f.bytes === undefined)).toBe(true);
      expect(got.slice(5).every((f) => f.error?.code === 'NOT_REGULAR')).toBe(true);
      // Listing something that is not a directory.
      expect((await read1({ path: p('data/small.txt'), list: true })).error?.code).toBe('ENOTDIR');
    });

    it(d('tree', 'symlinks inside the root are followed when asked (relative, absolute, climbing), reported as links when not'), async () => {
      if (!s.tree) return expectRecord([p('data/link-rel')]);
      const [rel, abs, climb, notFollowed, facts, viaDir] = await t().read([
        { path: p('data/link-rel'), content: true, follow: true },
        { path: p('data/link-abs'), content: true, follow: true },
        { path: p('data/link-climb'), content: true, follow: true },
        { path: p('data/link-rel'), content: true },
        { path: p('data/link-rel') },
        { path: p('data/dir/up-link'), content: true, follow: true },
      ]);
      for (const f of [rel, abs, climb, viaDir]) {
        expect(f).toMatchObject({ type: 'symlink', resolved: p('data/small.txt'), targetType: 'file', sha256: sha(SMALL) });
        expect(f!.bytes!.toString()).toBe(SMALL);
      }
      expect(rel!.linkTarget).toBe('small.txt');
      expect(abs!.linkTarget).toBe(p('data/small.txt'));
      expect(notFollowed).toMatchObject({ type: 'symlink', error: { code: 'NOT_REGULAR' } });
      expect(notFollowed!.bytes).toBeUndefined();
      expect(facts).toMatchObject({ type: 'symlink', linkTarget: 'small.txt', resolved: p('data/small.txt') });
      // A listing follows a link to a directory when asked.
      const [listed] = await t().read([{ path: p('data/dir'), list: true }]);
      expect(listed!.entries).toEqual([
        { name: 'a', type: 'file' },
        { name: 'b', type: 'file' },
        { name: 'sub', type: 'dir' },
        { name: 'up-link', type: 'symlink' },
      ]);
    });

    it(d('tree', 'links never lead outside the host root: a climb stops at the root; an image never reaches this machine'), async () => {
      if (!s.tree) return expectRecord([p('data/link-climb')]);
      const climb = await read1({ path: `/${'../'.repeat(30)}${base().slice(1)}/data/small.txt`, content: true });
      expect(climb.bytes?.toString()).toBe(SMALL);
      if (s.tree.outside) {
        // Absolute targets start again at the host's root: this machine's file is not there.
        const outside = s.tree.outside;
        const viaPath = await read1({ path: outside, content: true, follow: true });
        const viaClimb = await read1({ path: `${base()}/${'../'.repeat(40)}${outside.slice(1)}`, content: true, follow: true });
        for (const f of [viaPath, viaClimb]) {
          expect(f.bytes).toBeUndefined();
          expect(f.error?.code).toBe('ENOENT');
        }
      }
    });

    it('size limits: over maxBytes is TOO_LARGE (nothing read), at the limit is read whole', async () => {
      const known = s.files[0]!;
      const len = Buffer.byteLength(known.text);
      const [over, exact] = await t().read([
        { path: known.path, content: true, follow: true, maxBytes: len - 1 },
        { path: known.path, content: true, follow: true, maxBytes: len },
      ]);
      expect(over).toMatchObject({ error: { code: 'TOO_LARGE' } });
      expect(over!.bytes).toBeUndefined();
      expect(exact!.bytes!.toString()).toBe(known.text);
      if (!s.tree) return;
      const [big, bigOk] = await t().read([
        { path: p('data/big.bin'), content: true, maxBytes: 1000 },
        { path: p('data/big.bin'), content: true },
      ]);
      expect(big).toMatchObject({ size: BIG_BYTES, error: { code: 'TOO_LARGE', message: expect.stringContaining('1000') } });
      expect(bigOk!.bytes!.length).toBe(BIG_BYTES);
    });

    it(d('tree', 'ownership facts: uid, gid, mode and size of the file, of a link itself (lstat)'), async () => {
      if (!s.tree) {
        const [f] = await t().read([{ path: s.files[0]!.path }]);
        expect(f).toMatchObject({ type: 'file', size: Buffer.byteLength(s.files[0]!.text) });
        return expectRecord([p('data/owned')]);
      }
      const [owned, link, empty] = await t().read([{ path: p('data/owned') }, { path: p('data/link-rel') }, { path: p('data/empty'), content: true }]);
      expect(owned).toMatchObject({ type: 'file', uid: OWNER.uid, gid: OWNER.gid, mode: OWNER.mode, size: 6 });
      expect(typeof owned!.mtimeMs).toBe('number');
      expect(link).toMatchObject({ type: 'symlink', uid: OWNER.uid, gid: OWNER.gid });
      expect(empty).toMatchObject({ type: 'file', size: 0 });
      expect(empty!.bytes!.length).toBe(0);
    });

    it(d('tree', 'immutable attribute (chattr +i) with attrs; never asked of a device'), async () => {
      if (!s.tree) return expectRecord([p('data/immutable')]);
      const [imm, plain, viaLink, dev, fifo, noAttrs] = await t().read([
        { path: p('data/immutable'), attrs: true },
        { path: p('data/plain'), attrs: true },
        { path: p('data/link-rel'), attrs: true, follow: true },
        { path: p('data/null'), attrs: true },
        { path: p('data/fifo'), attrs: true },
        { path: p('data/immutable') },
      ]);
      if (s.tree.immutableSupported) {
        expect(imm!.immutable).toBe(true);
        expect(plain!.immutable).toBe(false);
        expect(viaLink!.immutable).toBe(false);
      } else {
        // The file system keeps no attributes: unknown, never a guess.
        expect(imm!.immutable).toBeUndefined();
      }
      expect(dev!.immutable).toBeUndefined();
      expect(fifo!.immutable).toBeUndefined();
      expect(noAttrs!.immutable).toBeUndefined();
    });

    it(d('tree', 'bind mounts: bindMount says what findmnt says, where the host is'), async () => {
      if (!s.tree) return expectRecord([p('data/bound')]);
      expect(s.mounts.some((m) => !m.mountPoint)).toBe(true);
      const got = await t().read(s.mounts.map((m) => ({ path: m.path, attrs: true, follow: true })));
      expect(got.map((f) => [f.path, f.bindMount])).toEqual(s.mounts.map((m) => [m.path, m.mountPoint]));
    });

    it('procSys: entries with their state, directories, and `only`', async () => {
      const all = await t().procSys();
      const by = new Map(all.entries.map((e) => [e.path, e]));
      for (const [rel, want] of Object.entries(s.procSys)) {
        const e = by.get(rel);
        expect(e, rel).toMatchObject({ key: pathToKey(rel), path: rel, state: want.state });
        if (want.state === 'ok') expect(e!.value, rel).toBe(want.value);
        else expect(e!.value, rel).toBeUndefined();
      }
      expect(all.dirs).toEqual(expect.arrayContaining(['kernel', 'net', 'net/ipv4', 'vm']));
      expect(all.entries.every((e) => !all.dirs.includes(e.path))).toBe(true);
      const only = ['kernel/osrelease', 'net/ipv4/ip_forward', 'no/such/entry'];
      const some = await t().procSys(only);
      for (const rel of only.slice(0, 2)) expect(some.entries.find((e) => e.path === rel)).toEqual(by.get(rel));
      expect(some.entries.some((e) => e.path === 'no/such/entry')).toBe(false);
      // The source says whether these are a running kernel's values.
      expect(all.source === undefined || all.source.kind !== 'host' || t().capabilities().liveKernel).toBe(true);
      if (all.source?.kind === 'procsys-copy') expect(t().capabilities().liveKernel).toBe(false);
    });

    it('describe: hostname, OS and kernel as the system says them', async () => {
      const id = await t().describe();
      expect({ hostname: id.hostname, os: id.os, kernel: id.kernel }).toEqual(s.identity);
      expect(typeof id.time).toBe('number');
    });

    it('capabilities: valid, consistent, and each one lacking says why', async () => {
      const c = t().capabilities();
      expect(hostCapabilitiesSchema.parse(c)).toEqual(c);
      for (const name of capabilityNames) {
        const v = c[name];
        const lacking = v === false || v === 'none';
        if (lacking) expect(c.missing[name], `missing.${name}`).toMatch(/\S/);
        else expect(c.missing[name], `missing.${name} although ${name} is ${String(v)}`).toBeUndefined();
      }
      if (c.readOnly) expect(c.writes).toBe('none');
      if (c.firewall === 'live') expect(c.systemBus).toBe(true);
      if (c.freshNamespaceProbe) expect(c.liveKernel).toBe(true);
      // Synchronous and stable: asking twice costs nothing and answers the same.
      expect(t().capabilities()).toEqual(c);
      const before = s.roundTrips?.();
      t().capabilities();
      if (before !== undefined) expect(s.roundTrips!()).toBe(before);
    });

    it(d('helperWrite', 'helper: refused exactly when the host takes no changes; where writable, a write of an allowed file reads back'), async () => {
      const c = t().capabilities();
      if (!canWrite(c)) {
        await expect(t().helper({ verb: 'version' }, { elevate: true })).rejects.toMatchObject({ code: expect.stringMatching(/^(READ_ONLY_HOST|NEEDS_SUDO)$/) });
        await expect(t().helper({ verb: 'write-file', path: '/etc/resolv.conf', content: '', expectedSha256: null }, { elevate: true })).rejects.toMatchObject({
          code: expect.stringMatching(/^(READ_ONLY_HOST|NEEDS_SUDO)$/),
        });
        expect(s.helperWrite).toBeUndefined();
        return;
      }
      const v = await t().helper({ verb: 'version' }, { elevate: true });
      expect(v).toMatchObject({ ok: true, protocol: 1 });
      if (!s.helperWrite) {
        // Writable, but the suite never changes this machine's own /etc: said, not skipped.
        expect(declared.helperWrite).toMatch(/\S/);
        return;
      }
      const { path } = s.helperWrite;
      const [cur] = await t().read([{ path, content: true }]);
      const next = `# written by the conformance suite (${kind})\nnameserver 192.0.2.53\n`;
      const r = await t().helper({ verb: 'write-file', path, content: Buffer.from(next).toString('base64'), expectedSha256: cur!.sha256 ?? null }, { elevate: true });
      expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
      expect(s.helperWrite.hostText()).toBe(next);
      const [back] = await t().read([{ path, content: true }]);
      expect(back!.bytes!.toString()).toBe(next);
      expect(back!.sha256).toBe(sha(next));
      // A stale expectation is a conflict, not an overwrite.
      const stale = await t().helper({ verb: 'write-file', path, content: Buffer.from('x\n').toString('base64'), expectedSha256: cur!.sha256 ?? sha('') }, { elevate: true });
      expect(stale).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      expect(s.helperWrite.hostText()).toBe(next);
    });

    // Last: stalling a host may cost it its link.
    it(d('stall', 'deadlines: a read that cannot finish answers TIMEOUT (it answers)'), async () => {
      const known = s.files[0]!;
      if (!s.stall) {
        const got = await t().read([{ path: known.path, content: true }]);
        expect(got[0]!.bytes!.toString()).toBe(known.text);
        return;
      }
      const stalled = await s.stall();
      let answer: FileFacts[] | { code?: string };
      try {
        answer = await stalled.transport.read([{ path: known.path, content: true }, { path: p('data/small.txt'), content: true }]).catch((e: { code?: string }) => e);
      } finally {
        await stalled.release();
      }
      if (Array.isArray(answer)) {
        expect(answer.map((f) => f.error?.code)).toEqual(['TIMEOUT', 'TIMEOUT']);
        expect(answer[0]!.error!.message).toContain(String(stalled.deadlineMs));
        expect(answer.every((f) => f.bytes === undefined)).toBe(true);
      } else {
        // One round trip for the whole call: the trip itself timed out.
        expect(answer.code).toBe('TIMEOUT');
      }
    });
  });
}

