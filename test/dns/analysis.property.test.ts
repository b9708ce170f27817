import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkText, planText } from '../../shared/dns/check';
import { beforeInlineComment } from '../../shared/dns/diagnostics';
import { parseDocument } from '../../shared/dns/document';

/**
 * The resolv.conf analysis (glibc view, musl view, diagnostics, query plans) on hostile input,
 * mostly small and a few up to the 1 MiB request limit: never an exception; every finding and
 * every fix points at a line of the file; the views keep their resolver limits.
 */

const token = fc.oneof(
  fc.constantFrom('192.0.2.1', '010.0.0.1', '0x7f000001', '::1', 'fe80::1%lo', 'fe80::1%', '2001:db8::1%99999999999', '[::1]', '1.2.3.4:53', '#', ';', '#c', 'a.example', '.', '', 'ndots:', 'ndots:-1', 'ndots:99', 'timeout:0', 'attempts:0', 'attempts:9', 'rotate', 'rotatex', 'edns0', 'no-aaaa', 'inet6', '-edns0', '10.0.0.0/24', '10.0.0.0&255.0.0.0', '\r', '\0', '\xa0'),
  fc.stringMatching(/^[a-z0-9.:%#;/&-]{1,12}$/),
);
const keyword = fc.constantFrom('nameserver', 'search', 'domain', 'options', 'sortlist', 'Nameserver', ' nameserver', '#', ';', 'nameserver:', 'options\t', '');
const lineArb = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(keyword, fc.array(token, { maxLength: 8 }), fc.constantFrom(' ', '\t', '  ', ' \t ')).map(([k, ts, sep]) => [k, ...ts].join(sep)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => String.fromCharCode(...b).replace(/\n/g, ' ')) },
);
const fileArb = fc.tuple(fc.array(lineArb, { maxLength: 30 }), fc.constantFrom('\n', '\r\n'), fc.boolean()).map(([ls, eol, last]) => ls.join(eol) + (last ? eol : ''));
const nameArb = fc.oneof(fc.constantFrom('api', 'api.example.com', 'api.example.com.', 'a..b', '.', '', 'x'.repeat(300)), fc.stringMatching(/^[a-z.]{1,20}$/));

function analyse(bytes: string, name: string): void {
  const lines = parseDocument(bytes).lines.length;
  // dns.check for glibc runs the whole diagnosis (both resolver views and every finding).
  const g = checkText(bytes, 'glibc', { hostname: 'host.corp.example' });
  const off = g.warnings.filter((w) => w.line < 0 || w.line > lines || (w.edit && w.edit.line !== w.line));
  expect(off).toEqual([]);
  expect(g.dangerous).toBe(g.warnings.some((w) => w.dangerous));
  const m = checkText(bytes, 'musl');
  expect(g.nameservers.length).toBeGreaterThanOrEqual(1);
  expect(g.nameservers.length).toBeLessThanOrEqual(3);
  expect(m.nameservers.length).toBeLessThanOrEqual(3);
  for (const libc of ['glibc', 'musl'] as const) {
    const p = planText(name, bytes, libc);
    expect(p.packets).toBeGreaterThanOrEqual(0);
    expect(p.queries.every((q) => q.name.endsWith('.'))).toBe(true);
  }
}

describe('resolv.conf analysis on hostile input (property-based)', () => {
  it('resolv.conf-shaped garbage: no exception, findings on real lines', () => {
    fc.assert(
      fc.property(fileArb, nameArb, (bytes, name) => analyse(bytes, name)),
      { numRuns: 5000 },
    );
  });

  it('raw bytes: no exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }).map((b) => String.fromCharCode(...b)), (bytes) => analyse(bytes, 'api.example.com')),
      { numRuns: 2000 },
    );
  });

  it('files up to the 1 MiB request limit: no exception', () => {
    const MiB = 1024 * 1024;
    const seeds = fc.sample(fileArb, { numRuns: 2, seed: 11 }).map((f) => f || 'nameserver 192.0.2.1');
    const shapes = [
      ...seeds.map((f) => `${f}\n`.repeat(Math.ceil(MiB / (f.length + 1))).slice(0, MiB)),
      `options ${'ndots:20 '.repeat(MiB / 9)}`.slice(0, MiB),
      `search ${'a.example '.repeat(MiB / 10)}`.slice(0, MiB),
    ];
    for (const s of shapes) analyse(s, 'api.example.com');
  });

  it('the inline-comment fix finds what its regular expression found (without its quadratic backtracking)', () => {
    const re = /^(\S+[ \t]+.*?)[ \t]+[#;]/;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(' ', '\t', '#', ';', 'a', 'b', '\r', '\v', '\xa0', 'options'), { maxLength: 14 }).map((a) => a.join('')), (body) => {
        expect(beforeInlineComment(body), JSON.stringify(body)).toBe(re.exec(body)?.[1]);
      }),
      { numRuns: 5000 },
    );
  });
});
