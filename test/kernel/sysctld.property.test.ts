import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catalogEntry, validateValue } from '../../shared/kernel/catalog';
import { parseSysctlFile, resolveSystemd, systemdLines, type DirEntryInput } from '../../shared/kernel/sysctld';
import { parseTunedSysctl } from '../../shared/kernel/tuned';
import { checkEffective } from '../../shared/kernel/sysctld-check';

// Bad sysctl.d input of every kind: never a throw, every warning names file:line inside the file.
const lineArb = fc.oneof(
  fc.string(),
  fc.constantFrom('no equals here', '-', '=', ' = ', '-key', 'a = 1 = 2', 'k =', '#c', ';c', '\t- k = v', 'x\ry', 'a\u0000b = c'),
  fc.tuple(fc.stringMatching(/^[a-z_./*?[\]-]{1,20}$/), fc.string()).map(([k, v]) => `${k} = ${v}`),
);
const fileArb = fc.array(lineArb, { maxLength: 40 }).map((ls) => ls.join(fc.sample(fc.constantFrom('\n', '\r\n', '\r'), 1)[0]));
const binaryArb = fc.uint8Array({ maxLength: 2000 }).map((b) => String.fromCharCode(...b));

describe('sysctl.d parser on bad input', () => {
  it('never throws; warnings carry file and a line number within the file', () => {
    fc.assert(
      fc.property(fc.oneof(fileArb, binaryArb), (text) => {
        const r = parseSysctlFile(text, 'etc/sysctl.d/x.conf');
        const lines = systemdLines(text).lines.length;
        for (const w of r.warnings) {
          expect(w.file).toBe('etc/sysctl.d/x.conf');
          expect(w.line).toBeGreaterThanOrEqual(1);
          expect(w.line).toBeLessThanOrEqual(lines + 1);
        }
        for (const a of r.assignments) expect(a.line).toBeGreaterThanOrEqual(1);
        expect(r.failed).toBe(r.warnings.some((w) => w.severity !== 'info'));
      }),
      { numRuns: 400 },
    );
  });

  it('resolves whole trees of garbage (with globs against a listing) without throwing; one setting per key', () => {
    const entry = fc.record({
      dir: fc.constantFrom('etc/sysctl.d', 'run/sysctl.d', 'usr/lib/sysctl.d'),
      name: fc.constantFrom('10-a.conf', '20-b.conf', 'x.conf', '.h.conf', 'README'),
      kind: fc.constantFrom<DirEntryInput['kind']>('file', 'mask', 'error'),
      content: fc.oneof(fileArb, binaryArb),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), (entries) => {
        const r = resolveSystemd(entries, { listing: ['kernel', 'kernel/msgmax', 'net/ipv4/conf/lo/rp_filter', 'net/ipv4/conf/all/rp_filter'] });
        const keys = r.settings.map((s) => s.path);
        expect(new Set(keys).size).toBe(keys.length);
        for (const s of r.settings) expect(s.file).toMatch(/\.conf$/);
      }),
      { numRuns: 300 },
    );
  });

  it('catalog and host checks of the effective assignments never throw; each warning points at an assignment and names its key and value', () => {
    const live = new Map<string, { state: 'ok' | 'unreadable'; value?: string }>([
      ['kernel/msgmax', { state: 'ok', value: '8192' }],
      ['vm/swappiness', { state: 'ok', value: '60' }],
      ['net/ipv4/tcp_rmem', { state: 'ok', value: '4096\t131072\t6291456' }],
      ['net/ipv4/conf/lo/rp_filter', { state: 'ok', value: '0' }],
      ['net/ipv4/conf/all/rp_filter', { state: 'ok', value: '0' }],
      ['net/ipv6/conf/all/stable_secret', { state: 'unreadable' }],
    ]);
    const dirs = new Set(['kernel', 'vm', 'net', 'net/ipv4', 'net/ipv4/conf', 'net/ipv4/conf/lo', 'net/ipv4/conf/all', 'net/ipv6', 'net/ipv6/conf', 'net/ipv6/conf/all']);
    const listing = [...dirs, ...live.keys()];
    const keyArb = fc.oneof(
      fc.constantFrom('vm.swappiness', 'kernel.msgmax', 'net.ipv4.tcp_rmem', 'net.ipv4.conf.*.rp_filter', 'net.ipv6.conf.all.stable_secret', 'net.ipv4', 'no.such.key', 'net.ipv4.tcp_wmem', 'kernel.nope_*'),
      fc.stringMatching(/^-?[a-z_./*?[\]-]{1,20}$/),
    );
    const valueArb = fc.oneof(fc.string(), fc.constantFrom('abc', '250', '-1', '0x10', '4096 87380', '1 2 3 4', 'yes', '', '10 # c'));
    const fileArb2 = fc.array(fc.tuple(keyArb, valueArb).map(([k, v]) => `${k} = ${v}`), { maxLength: 20 }).map((ls) => ls.join('\n'));
    fc.assert(
      fc.property(fc.array(fc.record({ name: fc.constantFrom('10-a.conf', '20-b.conf'), content: fc.oneof(fileArb2, binaryArb) }), { maxLength: 3 }), (files) => {
        const eff = resolveSystemd(files.map((f) => ({ dir: 'etc/sysctl.d', name: f.name, kind: 'file' as const, content: f.content })), { listing });
        const failedBefore = eff.failed;
        const warnings = checkEffective(eff, { files: live, dirs });
        expect(eff.failed).toBe(failedBefore);
        for (const w of warnings) {
          const a = eff.assignments.find((x) => x.file === w.file && x.line === w.line);
          expect(a, `${w.file}:${w.line} ${w.message}`).toBeDefined();
          expect(w.message).toContain(a!.key);
          if (w.severity === 'warning') expect(w.message).toContain(`${a!.value}`);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('a huge file (over 1 MiB on one line) stops with an error at that line, no crash', () => {
    const text = `kernel.msgmax = 1\n${'x'.repeat(1024 * 1024 + 10)}\nkernel.msgmnb = 2\n`;
    const r = parseSysctlFile(text, 'etc/sysctl.d/huge.conf');
    expect(r.assignments.map((a) => a.key)).toEqual(['kernel.msgmax']);
    expect(r.warnings).toEqual([expect.objectContaining({ line: 2, severity: 'error' })]);
  });

  it('value validation by the catalog never throws and names the key', () => {
    fc.assert(
      fc.property(fc.constantFrom('vm.swappiness', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_rmem', 'kernel.core_pattern', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.ip_forward', 'x.unknown'), fc.string(), (key, v) => {
        const r = validateValue(catalogEntry(key), v);
        if (!r.ok) expect(r.error).toContain(key);
      }),
      { numRuns: 500 },
    );
    expect(validateValue(catalogEntry('vm.swappiness'), '250')).toEqual({ ok: false, error: 'vm.swappiness = 250 is above the maximum 200' });
    expect(validateValue(catalogEntry('net.ipv4.ip_local_port_range'), '50000 40000').ok).toBe(false);
    expect(validateValue(catalogEntry('net.ipv4.tcp_rmem'), '4096\t87380  6291456')).toEqual({ ok: true, value: '4096 87380 6291456' });
    expect(validateValue(catalogEntry('net.ipv4.ip_forward'), 'yes')).toEqual({ ok: false, error: 'net.ipv4.ip_forward is a boolean: use 0 or 1, not "yes"' });
  });

  it('TuneD import never throws', () => {
    fc.assert(fc.property(fc.oneof(fileArb, binaryArb).map((t) => `[sysctl]\n${t}`), (t) => void parseTunedSysctl(t)), { numRuns: 300 });
  });
});

describe('catalog', () => {
  it('documents keys by kernel page and section, and describes at least 150 keys', async () => {
    expect(catalogEntry('vm.max_map_count').doc).toEqual({ page: 'Documentation/admin-guide/sysctl/vm.rst', section: 'max_map_count:' });
    expect(catalogEntry('net.ipv4.conf.eth0.rp_filter').doc?.page).toBe('Documentation/networking/ip-sysctl.rst');
    expect(catalogEntry('net.ipv4.tcp_rmem').type).toEqual({ kind: 'vector', count: 3, min: 1, max: undefined });
    const { describedKeys } = await import('../../shared/kernel/catalog');
    expect(describedKeys().length).toBeGreaterThanOrEqual(150);
  });
});
