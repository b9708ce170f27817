import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../electron/history/store';
import { syntheticSnapshot, withSysctl } from './synthetic';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-history-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const read = { kind: 'outside' as const, what: 'read', sections: ['sysctl' as const, 'sysctl.d' as const, 'dns' as const, 'firewall' as const] };

describe('history store', () => {
  it('a point that changes one key costs about that key, and gives back exactly the facts recorded', () => {
    const h = new HistoryStore({ dir }).host('node-7');
    const a = syntheticSnapshot({ time: 1000 });
    expect(h.record(read, a).point).toMatchObject({ kind: 'first', changes: [] });
    const before = h.bytes();
    const b = withSysctl(a, 'vm.param_1', '5');
    const p = h.record({ kind: 'change', what: 'Set vm.param_1 to 5', operation: 'kernel.apply', result: 'applied', sections: ['sysctl'] }, b).point!;
    expect(h.bytes() - before).toBeLessThan(2048);
    expect(p.changes).toEqual([{ section: 'sysctl', layer: null, key: 'vm.param_1', from: '1', to: '5' }]);
    expect(p.features).toEqual(['kernel']);
    const back = h.snapshotAt(p.id);
    expect(back.sysctl!.entries.find((e) => e.key === 'vm.param_1')!.value).toBe('5');
    expect(back.firewall!.permanent!.zones.zone3).toEqual(a.firewall!.permanent!.zones.zone3);
    expect(back.dns).toEqual(a.dns);
    // A counter never counts and keeps no value.
    expect(back.sysctl!.entries.find((e) => e.key === 'fs.file-nr')).toEqual({ key: 'fs.file-nr', state: 'ok', writable: false });
  });

  it('a read that finds nothing new records nothing; counters and the hostname never count', () => {
    const h = new HistoryStore({ dir }).host('node-7');
    const a = syntheticSnapshot();
    h.record(read, a);
    const again = withSysctl(withSysctl(syntheticSnapshot(), 'fs.file-nr', '9\t0\t1'), 'kernel.hostname', 'other');
    expect(h.record(read, again).point).toBeNull();
    expect(h.read().points).toHaveLength(1);
  });

  it('a section not read (or read with an error) is carried over from the point before', () => {
    const h = new HistoryStore({ dir }).host('node-7');
    const a = syntheticSnapshot();
    h.record(read, a);
    const fwOnly = { ...a, sysctl: null, dns: { ...a.dns!, error: 'timed out' }, firewall: { ...a.firewall!, defaultZone: 'zone1' } };
    const p = h.record({ ...read, sections: ['firewall', 'dns'] }, fwOnly).point!;
    expect(p).toMatchObject({ kind: 'outside', changes: [{ section: 'firewall', key: 'global default zone', from: 'zone0', to: 'zone1' }] });
    const back = h.snapshotAt(p.id);
    expect(back.sysctl!.entries).toHaveLength(a.sysctl!.entries.length);
    expect(back.dns).toEqual(a.dns);
  });

  it('two processes (two stores) on one directory see each other\'s points; ids are found by a unique prefix', () => {
    const one = new HistoryStore({ dir }).host('node-7');
    const two = new HistoryStore({ dir }).host('node-7');
    const a = syntheticSnapshot();
    one.record(read, a);
    const p = two.record({ ...read, kind: 'change', what: 'x' }, withSysctl(a, 'vm.param_4', '9')).point!;
    expect(one.read().points.map((x) => x.id)).toEqual([expect.any(String), p.id]);
    expect(one.snapshotAt(p.id.slice(0, 6)).sysctl!.entries.find((e) => e.key === 'vm.param_4')!.value).toBe('9');
    expect(() => one.find('nope')).toThrow(/No point "nope"/);
  });

  it('retention drops points past the age and the size, says so, and keeps every kept point whole', () => {
    let now = Date.UTC(2026, 0, 1);
    const store = new HistoryStore({ dir, retention: { maxAgeDays: 10 }, now: () => now });
    const h = store.host('node-7');
    let s = syntheticSnapshot();
    for (let i = 0; i < 5; i++) {
      s = withSysctl(s, 'vm.param_1', String(100 + i));
      h.record({ ...read, kind: 'change', what: `step ${i}` }, s);
      now += 3 * 86_400_000;
    }
    // When step 4 was recorded (day 12), step 0 was past 10 days; step 1 (day 3) was not.
    let r = h.read();
    expect(r.points.map((p) => p.what)).toEqual(['step 1', 'step 2', 'step 3', 'step 4']);
    expect(r.notices.at(-1)!.message).toBe('1 point (2026-01-01T00:00:00Z) was dropped (older than 10 days; retention: 10 days, 200 MiB)');
    now += 6 * 86_400_000;
    h.record({ ...read, kind: 'change', what: 'step 5' }, withSysctl(s, 'vm.param_1', '200'));
    r = h.read();
    expect(r.points.map((p) => p.what)).toEqual(['step 4', 'step 5']);
    expect(r.notices.map((n) => n.message.replace(/ \(older.*/, ''))).toEqual(['1 point (2026-01-01T00:00:00Z) was dropped', '3 points from 2026-01-04T00:00:00Z to 2026-01-10T00:00:00Z were dropped']);
    expect(h.snapshotAt(r.points[0]!.id).sysctl!.entries.find((e) => e.key === 'vm.param_1')!.value).toBe('104');
    // Size: a limit the store is over drops the oldest points.
    const small = new HistoryStore({ dir: path.join(dir, 'small'), retention: { maxBytes: 300 * 1024 } }).host('n');
    let t = syntheticSnapshot();
    for (let i = 0; i < 40; i++) {
      t = withSysctl(t, `kernel.knob_${3 * i + 2}`, 'x'.repeat(2000));
      small.record({ ...read, kind: 'change', what: `big ${i}` }, t);
    }
    expect(small.bytes()).toBeLessThanOrEqual(300 * 1024);
    const kept = small.read();
    expect(kept.points.at(-1)!.what).toBe('big 39');
    expect(kept.notices.some((n) => /dropped \(to keep the history under 0\.3 MiB/.test(n.message))).toBe(true);
    expect(small.snapshotAt(kept.points[0]!.id).sysctl!.entries).toHaveLength(t.sysctl!.entries.length);
  });
});
