import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { mergeJournal } from '../../shared/history/journal';
import type { HistoryPoint } from '../../shared/history/model';
import { b64, helper } from '../helper/support/run';

/**
 * The helper's journal: a change made through a second HostDeck configuration (its own history
 * store) is written by the real helper to the journal next to its backups, and the first
 * HostDeck's timeline shows it as HostDeck's change with the journal's who, not as an outside
 * change; a hand edit stays an outside change.
 */
let work: string;
let root: string;
let first: Runtime;
let second: Runtime;
const RESOLV = () => path.join(root, 'etc/resolv.conf');
const last = async () => (await first.api.history.list({ feature: 'dns' })).points.at(-1)!;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'hostdeck-history-journal-'));
  root = path.join(work, 'root');
  mkdirSync(path.join(root, 'etc'), { recursive: true });
  writeFileSync(RESOLV(), 'nameserver 192.0.2.53\n');
  // Two configurations of HostDeck on the same host, each with its own history store.
  first = new Runtime({ mode: 'cli', local: { root }, history: { dir: path.join(work, 'first') } });
  second = new Runtime({ mode: 'cli', local: { root }, history: { dir: path.join(work, 'second') } });
});
afterAll(async () => {
  await first?.dispose();
  await second?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the helper's journal in the timeline", () => {
  it('a change made through a second HostDeck shows as HostDeck\'s change with the journal\'s who; a hand edit stays outside', async () => {
    await first.api.dns.read({});
    expect((await last()).kind).toBe('first');

    const cur = await second.api.dns.read({});
    await second.api.dns.save({ text: 'nameserver 198.51.100.9\n', expectedSha256: cur.sha256 });
    const journal = path.join(root, 'var/lib/hostdeck/backups/journal');
    const st = statSync(journal);
    expect({ uid: st.uid, mode: (st.mode & 0o777).toString(8) }).toEqual({ uid: 0, mode: '600' });
    const lines = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([expect.objectContaining({ verb: 'write-file', path: '/etc/resolv.conf', uid: 0, login: 'root', result: 'changed' })]);
    // No content in the journal.
    expect(readFileSync(journal, 'utf8')).not.toContain('198.51.100.9');

    await first.api.dns.read({});
    expect(await last()).toMatchObject({ kind: 'change', operation: 'helper.write-file', who: { user: 'root' }, result: 'applied' });
    expect((await last()).what).toContain("helper's journal");
    // Not listed as an outside change.
    expect((await first.api.history.list({ kind: 'outside', feature: 'dns' })).points).toEqual([]);

    writeFileSync(RESOLV(), 'nameserver 203.0.113.7\n');
    await first.api.dns.read({});
    expect(await last()).toMatchObject({ kind: 'outside', who: null });
  }, 60_000);

  it('a point is attributed only when every change it has is in the journal, in its time window', () => {
    const point = (changes: HistoryPoint['changes']): HistoryPoint => ({ id: 'ab12', time: 2000, kind: 'outside', what: 'read', operation: null, who: null, result: null, error: null, since: 1000, sections: ['sysctl'], features: ['kernel'], changes, changesTotal: changes.length });
    const entry = { time: 1500, verb: 'sysctl-set', uid: 1000, login: 'ada', result: 'applied', keys: ['net.core.somaxconn'] };
    const a = { section: 'sysctl' as const, layer: null, key: 'net.core.somaxconn', from: '128', to: '4096' };
    const b = { ...a, key: 'net.ipv4.ip_forward' };
    expect(mergeJournal([point([a])], [entry], 'h')[0]).toMatchObject({ kind: 'change', who: { user: 'ada' } });
    expect(mergeJournal([point([a, b])], [entry], 'h')[0]!.kind).toBe('outside');
    expect(mergeJournal([point([a])], [{ ...entry, time: 2500 }], 'h')[0]!.kind).toBe('outside');
    expect(mergeJournal([point([a])], [{ ...entry, result: 'failed' }], 'h')[0]!.kind).toBe('outside');
  });

  it("a read of another section in between does not close a change's window: it opens at the last point that read the change's section", () => {
    const base = { kind: 'outside' as const, what: 'read', operation: null, who: null, result: null, error: null, changesTotal: 1 };
    const c = { section: 'sysctl' as const, layer: null, key: 'net.core.somaxconn', from: '128', to: '4096' };
    const kernelRead: HistoryPoint = { ...base, id: 'k1', time: 1000, since: 500, sections: ['sysctl'], features: ['kernel'], changes: [{ ...c, key: 'vm.swappiness' }] };
    // The DNS page read at 2000 (a DNS change of its own); the kernel change made elsewhere at 1500 is found at 3000.
    const dnsRead: HistoryPoint = { ...base, id: 'd1', time: 2000, since: 1000, sections: ['dns'], features: ['dns'], changes: [{ section: 'dns', layer: null, key: 'nameservers', from: 'a', to: 'b' }] };
    const found: HistoryPoint = { ...base, id: 'k2', time: 3000, since: 2000, sections: ['sysctl'], features: ['kernel'], changes: [c] };
    const entry = { time: 1500, verb: 'sysctl-set', uid: 1000, login: 'ada', result: 'applied', keys: ['net.core.somaxconn'] };
    expect(mergeJournal([kernelRead, dnsRead, found], [entry], 'h')[2]).toMatchObject({ kind: 'change', who: { user: 'ada' } });
    // Before the last read of its section it is not this change's cause.
    expect(mergeJournal([kernelRead, dnsRead, found], [{ ...entry, time: 900 }], 'h')[2]!.kind).toBe('outside');
  });
});

describe("the helper's journal file", () => {
  it('is bounded: past 512 KiB it becomes journal.1 and a new journal starts; the read verb returns both, skipping damaged lines', () => {
    const r = path.join(work, 'rotate');
    const dir = path.join(r, 'var/lib/hostdeck/backups');
    mkdirSync(path.join(r, 'etc'), { recursive: true });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const old = { time: 1000, verb: 'sysctl-set', uid: 0, login: 'root', result: 'applied', keys: ['net.core.somaxconn'] };
    const line = `${JSON.stringify(old)}\n`;
    // Just under the bound, ending in a torn line (a crash mid-append).
    writeFileSync(path.join(dir, 'journal'), line.repeat(Math.floor((512 * 1024 - 80) / line.length)) + '{"time": 12, "ver\n', { mode: 0o600 });
    const write = helper({ verb: 'write-file', path: '/etc/resolv.conf', content: b64('nameserver 192.0.2.1\n'), expectedSha256: null }, ['--root', r]);
    expect(write).toMatchObject({ ok: true });
    expect(statSync(path.join(dir, 'journal.1')).size).toBeGreaterThan(500 * 1024);
    expect(readFileSync(path.join(dir, 'journal'), 'utf8').trim().split('\n')).toHaveLength(1);
    const read = helper({ verb: 'journal', since: 2000 }, ['--root', r]) as { ok: boolean; result: { entries: { verb: string }[]; truncated: boolean } };
    expect(read.result.entries.map((e) => e.verb)).toEqual(['write-file']);
    const all = helper({ verb: 'journal', since: 0 }, ['--root', r]) as { ok: boolean; result: { entries: unknown[]; truncated: boolean } };
    expect(all.result).toMatchObject({ truncated: true });
    expect(all.result.entries).toHaveLength(2000);
    expect(helper({ verb: 'journal', since: 'yesterday' }, ['--root', r])).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});
