import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkEffective } from '../../shared/kernel/sysctld-check';
import { LONG_LINE_MAX, parseSysctlFile, resolveProcps, resolveSystemd, systemdLines, type EffectiveConfig } from '../../shared/kernel/sysctld';

/**
 * Hostile sysctl.d trees (glob syntax everywhere, binary garbage, up to the 1 MiB request limit)
 * never make the parser, the resolver, the glob matcher or the checks throw or hang; every
 * warning names a file and a line inside it; what is written is either a listed /proc/sys path
 * or the assignment's own key. Mostly small inputs (fast), a few of the maximal size.
 */

const ifaces = ['all', 'default', 'lo', 'eth0', 'eth0.100', '.hidden', 'br-1', 'v[1]', 'x{y}', 'a\\b'];
const listing = [
  'kernel',
  'kernel/msgmax',
  'kernel/shm_rmid_forced',
  'vm',
  'vm/swappiness',
  'net',
  'net/ipv4',
  'net/ipv4/conf',
  ...ifaces.flatMap((i) => [`net/ipv4/conf/${i}`, ...['rp_filter', 'arp_ignore', 'forwarding'].map((k) => `net/ipv4/conf/${i}/${k}`)]),
];
const files = new Map(listing.filter((p) => p.split('/').length > 1).map((p) => [p, { state: 'ok' as const, value: '1' }]));
const dirs = new Set(listing.filter((p) => !files.has(p)));

const globPart = fc.oneof(
  fc.constantFrom('net', 'ipv4', 'conf', 'kernel', 'msgmax', '*', '**', '?', '[a-z]*', '[!e]*', '[]]', '[', '\\*', '\\', '{lo,all}', '{a,{b,c}}', '{', '}', ',', '{,}', '.', '..', 'eth0/100', 'eth0.100'),
  fc.stringMatching(/^[a-z*?[\]{}!^\\,.-]{1,8}$/),
);
const keyArb = fc.oneof(
  fc.array(globPart, { minLength: 1, maxLength: 8 }).map((p) => p.join('.')),
  fc.array(globPart, { minLength: 1, maxLength: 8 }).map((p) => p.join('/')),
  fc.integer({ min: 1, max: 24 }).map((k) => `net.ipv4.conf.*.${'{a,b}'.repeat(k)}`),
  fc.integer({ min: 1, max: 40 }).map((k) => `net.ipv4.conf.${'*'.repeat(k)}x.rp_filter`),
);
const lineArb = fc.oneof(
  fc.tuple(fc.constantFrom('', '-', '- ', ' '), keyArb, fc.constantFrom(' = ', '=', ''), fc.string({ maxLength: 12 })).map(([pre, k, eq, v]) => `${pre}${k}${eq}${eq ? v : ''}`),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('#c', ';c', '', '=', '= 1', '-'),
);
const fileArb = fc.tuple(fc.array(lineArb, { maxLength: 25 }), fc.constantFrom('\n', '\r\n', '\r', '\0')).map(([ls, eol]) => ls.join(eol));
const binaryArb = fc.uint8Array({ maxLength: 600 }).map((b) => String.fromCharCode(...b));
const entryArb = fc.record({
  dir: fc.constantFrom('etc/sysctl.d', 'run/sysctl.d', 'usr/lib/sysctl.d'),
  name: fc.constantFrom('10-a.conf', '20-b.conf', '99-z.conf'),
  kind: fc.constant('file' as const),
  content: fc.oneof({ weight: 5, arbitrary: fileArb }, { weight: 1, arbitrary: binaryArb }),
});

function checkTree(eff: EffectiveConfig, contents: Map<string, string>): void {
  const lineCount = new Map([...contents].map(([f, text]) => [f, systemdLines(text).lines.length]));
  for (const w of eff.warnings) {
    const lines = lineCount.get(w.file);
    expect(lines, `${w.file}:${w.line}`).toBeDefined();
    expect(w.line).toBeGreaterThanOrEqual(0);
    expect(w.line).toBeLessThanOrEqual(lines! + 1);
    expect(w.message.length).toBeLessThan(2000);
  }
  const keys = new Set(eff.assignments.map((a) => a.path));
  for (const w of eff.writes) expect(files.has(w.path) || dirs.has(w.path) || keys.has(w.path), w.path).toBe(true);
  checkEffective(eff, { files, dirs });
}

describe('sysctl.d parser, resolver and glob matcher on hostile input', () => {
  it('trees of glob-heavy garbage resolve without throwing; warnings point into the files', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { minLength: 1, maxLength: 4 }), (entries) => {
        const eff = resolveSystemd(entries, { listing });
        // Only the file that wins per name is read.
        const contents = new Map<string, string>();
        for (const e of entries) if (!contents.has(`${e.dir}/${e.name}`)) contents.set(`${e.dir}/${e.name}`, e.content);
        checkTree(eff, contents);
        resolveProcps(entries, null, { listing });
      }),
      { numRuns: 2500 },
    );
  });

  it('single files parse without throwing; every assignment and warning is on a line of the file', () => {
    fc.assert(
      fc.property(fc.oneof(fileArb, binaryArb), (text) => {
        const r = parseSysctlFile(text, 'etc/sysctl.d/x.conf');
        const lines = systemdLines(text).lines.length;
        for (const a of r.assignments) expect(a.line).toBeLessThanOrEqual(lines);
        for (const w of r.warnings) expect(w.line).toBeLessThanOrEqual(lines + 1);
      }),
      { numRuns: 5000 },
    );
  });

  it('files up to the 1 MiB request limit: many glob lines, one maximal glob line, one line too long', () => {
    const MiB = 1024 * 1024;
    const manyLines = fc.sample(lineArb, { numRuns: 400, seed: 7 }).join('\n');
    const big: Record<string, string> = {
      'etc/sysctl.d/10-many.conf': manyLines.repeat(Math.ceil(MiB / manyLines.length)).slice(0, MiB),
      'etc/sysctl.d/20-stars.conf': `net.ipv4.conf.*.${'*{,}'.repeat((MiB - 40) / 4)} = 1\n`,
      'etc/sysctl.d/30-braces.conf': `net.ipv4.conf.*.${'{a,b}'.repeat((MiB - 40) / 5)} = 1\n`,
      'etc/sysctl.d/40-long.conf': `kernel.msgmax = 1\n${'x'.repeat(LONG_LINE_MAX)} = 1\n`,
    };
    const entries = Object.entries(big).map(([p, content]) => ({ dir: 'etc/sysctl.d', name: p.split('/').pop()!, kind: 'file' as const, content }));
    const eff = resolveSystemd(entries, { listing });
    checkTree(eff, new Map(Object.entries(big)));
    const at = (file: string) => eff.warnings.filter((w) => w.file === file && w.severity !== 'info').map((w) => w.line);
    expect(at('etc/sysctl.d/20-stars.conf')).toContain(1);
    expect(at('etc/sysctl.d/30-braces.conf')).toContain(1);
    expect(at('etc/sysctl.d/40-long.conf')).toEqual([2]);
  });
});
