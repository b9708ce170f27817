import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { timelineText } from '../../electron/history/cli';
import { directHelperStarts } from '../../electron/helper/local';

/**
 * Recording through the Runtime on a host made of a scratch tree (a root with its resolv.conf
 * and a /proc/sys copy, written directly as HostDeck writes an image): a change through
 * HostDeck, a hand edit and a value written behind HostDeck's back, a failed change, and back
 * to a point, checked by reading the files themselves.
 */
let work: string;
let rt: Runtime;
const resolv = () => path.join(work, 'root/etc/resolv.conf');
const somaxconn = () => path.join(work, 'proc/net/core/somaxconn');

beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'hostdeck-history-rec-'));
  mkdirSync(path.join(work, 'root/etc'), { recursive: true });
  mkdirSync(path.join(work, 'proc/net/core'), { recursive: true });
  mkdirSync(path.join(work, 'proc/net/ipv4'), { recursive: true });
  writeFileSync(resolv(), 'nameserver 192.0.2.1\nsearch example.org\n');
  writeFileSync(somaxconn(), '128\n');
  writeFileSync(path.join(work, 'proc/net/ipv4/tcp_fin_timeout'), '60\n');
  rt = new Runtime({ mode: 'cli', local: { root: path.join(work, 'root'), procSys: path.join(work, 'proc') }, history: { dir: path.join(work, 'history') } });
});
afterEach(async () => {
  await rt.dispose();
  rmSync(work, { recursive: true, force: true });
});

async function points() {
  return (await rt.api.history.list({})).points;
}

describe('history recording', () => {
  it('a change through HostDeck, changes behind its back and a failed change are the right kinds of point', async () => {
    await rt.api.kernel.list({});
    const d = await rt.api.dns.read({});
    const firsts = await points();
    expect(firsts.map((p) => p.kind)).toEqual(['first', 'first']);

    await rt.api.dns.save({ text: 'nameserver 192.0.2.2\nsearch example.org\n', expectedSha256: d.sha256 });
    let p = (await points()).at(-1)!;
    expect(p).toMatchObject({ kind: 'change', what: 'Save /etc/resolv.conf', operation: 'dns.save', result: 'applied', features: ['dns'], who: { user: userInfo().username, machine: hostname(), login: null } });
    expect(p.changes).toEqual([{ section: 'dns', layer: null, key: 'nameservers', from: '192.0.2.1', to: '192.0.2.2' }]);

    // A hand edit, then a page load: changed outside HostDeck between the last point and now.
    writeFileSync(resolv(), 'nameserver 192.0.2.2\nsearch example.org\noptions ndots:2\n');
    await rt.api.dns.read({});
    p = (await points()).at(-1)!;
    const before = (await points()).at(-2)!;
    expect(p).toMatchObject({ kind: 'outside', since: before.time, who: null, result: null });
    expect(p.changes).toEqual([{ section: 'dns', layer: null, key: 'options ndots', from: '1', to: '2' }]);

    // sysctl -w behind HostDeck's back; a counter changing at the same time never counts.
    writeFileSync(path.join(work, 'proc/net/ipv4/tcp_fin_timeout'), '17\n');
    await rt.api.kernel.list({});
    p = (await points()).at(-1)!;
    expect(p).toMatchObject({ kind: 'outside', features: ['kernel'], changes: [{ section: 'sysctl', key: 'net.ipv4.tcp_fin_timeout', from: '60', to: '17' }] });

    // A read that finds nothing new records nothing.
    const n = (await points()).length;
    await rt.api.kernel.list({});
    expect(await points()).toHaveLength(n);

    // A change that fails is recorded as failed, with the error and no difference.
    await expect(rt.api.dns.save({ text: 'nameserver 192.0.2.9\n', expectedSha256: 'f'.repeat(64) })).rejects.toThrow();
    p = (await points()).at(-1)!;
    expect(p).toMatchObject({ kind: 'change', result: 'failed', changes: [] });
    expect(p.error).toMatch(/changed|conflict/i);

    const text = timelineText(await points());
    expect(text).toMatch(/changed outside HostDeck between \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ and/);
    expect(text).toContain('resolv.conf nameservers: 192.0.2.1 → 192.0.2.2');
  }, 30_000);

  it('back to a point returns the files and the kernel value to exactly what they were, and is a point itself', async () => {
    await rt.api.kernel.list({});
    await rt.api.dns.read({});
    const first = (await points()).at(-1)!;
    const resolvBefore = readFileSync(resolv(), 'utf8');
    const d = await rt.api.dns.read({});
    await rt.api.dns.save({ text: 'nameserver 198.51.100.7\n', expectedSha256: d.sha256 });
    await rt.api.kernel.apply({ settings: [{ key: 'net.core.somaxconn', value: '4096' }] });

    const preview = await rt.api.history.restorePreview({ point: first.id });
    expect(preview.steps.map((s) => s.operation).sort()).toEqual(['dns.save', 'kernel.apply']);
    expect(readFileSync(somaxconn(), 'utf8').trim()).toBe('4096');
    const diff = await rt.api.history.diff({ from: first.id, to: 'now' });
    expect(diff.runtime.sysctl.map((r) => [r.key, r.values])).toEqual([['net.core.somaxconn', ['128', '4096']]]);

    const starts = directHelperStarts.run;
    const r = await rt.api.history.restore({ point: first.id, confirm: true });
    expect(r.results.every((x) => x.ok)).toBe(true);
    // Both steps' helper calls went through one helper (one authorization through pkexec).
    expect(directHelperStarts.run - starts).toBe(1);
    expect(readFileSync(resolv(), 'utf8')).toBe(resolvBefore);
    expect(readFileSync(somaxconn(), 'utf8').trim()).toBe('128');
    const last = (await points()).at(-1)!;
    expect(last).toMatchObject({ kind: 'change', operation: 'history.restore', what: `Back to point ${first.id}`, result: 'applied' });
    expect(last.changes.map((c) => c.key).sort()).toEqual(['nameservers', 'net.core.somaxconn', 'query plan for "example"', 'search'].sort());
    expect((await rt.api.history.restorePreview({ point: first.id })).steps).toEqual([]);
  }, 30_000);
});
