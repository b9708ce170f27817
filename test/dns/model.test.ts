import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDocument, printDocument } from '../../shared/dns/document';
import { readGlibc } from '../../shared/dns/glibc';
import { readMusl } from '../../shared/dns/musl';
import { diagnose } from '../../shared/dns/diagnostics';
import { applyEdit } from '../../shared/dns/edits';
import { checkText, planText } from '../../shared/dns/check';
import { bytesToUtf8, utf8ToBytes } from '../../shared/dns/bytes';
import { corpus } from './corpus';

const byteString = fc.uint8Array({ maxLength: 600 }).map((a) => String.fromCharCode(...a));
const resolvish = fc
  .array(
    fc.oneof(
      fc.constantFrom('nameserver 192.0.2.1', 'search a.example # x', 'options ndots:2 rotate', 'sortlist 10.0.0.0/8', '# c', '', ' nameserver 1.1.1.1', 'domain d.example', 'options attempts:0'),
      fc.string({ maxLength: 40 }),
    ),
    { maxLength: 20 },
  )
  .chain((lines) => fc.constantFrom('\n', '\r\n').map((eol) => lines.join(eol)));

describe('round trip and robustness (property-based)', () => {
  it('any byte string parses, diagnoses and plans without throwing', () => {
    fc.assert(
      fc.property(byteString, fc.string({ maxLength: 20 }), (bytes, name) => {
        const d = diagnose(bytes);
        readMusl(bytes);
        planText(name || 'x', bytes, 'glibc');
        planText(name || 'x', bytes, 'musl');
        expect(Array.isArray(d.diagnostics)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
  it('unchanged files round-trip byte for byte', () => {
    fc.assert(fc.property(byteString, (bytes) => printDocument(parseDocument(bytes)) === bytes), { numRuns: 1000 });
    fc.assert(fc.property(resolvish, (bytes) => printDocument(parseDocument(bytes)) === bytes), { numRuns: 500 });
    for (const bytes of Object.values(corpus)) expect(printDocument(parseDocument(bytes))).toBe(bytes);
  });
  it('UTF-8 text survives the byte-string conversion', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 50 }), (s) => bytesToUtf8(utf8ToBytes(s)) === s));
    expect(bytesToUtf8('\xff')).toBeUndefined();
  });
  it('an edit changes only the lines it touches', () => {
    fc.assert(
      fc.property(resolvish, fc.array(fc.constantFrom('192.0.2.9', '2001:db8::1'), { minLength: 1, maxLength: 3 }), (bytes, ns) => {
        const doc = parseDocument(bytes);
        const edited = applyEdit(doc, { kind: 'setOption', name: 'timeout', value: 3 });
        const untouched = doc.lines.filter((l) => !l.text.startsWith('options ') && !l.text.startsWith('options\t'));
        for (const l of untouched) expect(edited.lines.some((e) => e.text === l.text)).toBe(true);
        const after = readGlibc(printDocument(edited));
        // A file on which glibc hangs (sortlist bug) never gets to its options.
        if (!after.hang) expect(after.timeout).toBe(3);
        const withNs = applyEdit(doc, { kind: 'setNameservers', nameservers: ns });
        const nsAfter = readGlibc(printDocument(withNs));
        if (!nsAfter.hang) expect(nsAfter.nameservers.map((s) => s.address)).toEqual(ns);
      }),
      { numRuns: 200 },
    );
  });
});

describe('glibc reading (reference cases)', () => {
  it('inline comments: one nameserver, domain wins, use-vc switched on', () => {
    const c = readGlibc(corpus.inlineComments!);
    expect(c.used.map((s) => s.address)).toEqual(['192.0.2.1']);
    expect(c.search).toEqual(['x.example']);
    expect(c.ndots).toBe(2);
    expect(c.flags['use-vc']).toBe(true);
  });
  it('four nameservers: three used, the fourth ignored', () => {
    const c = checkText(corpus.fourNameservers!);
    expect(c.nameservers).toEqual(['192.0.2.1', '192.0.2.2', '2001:db8::3']);
    expect(c.ignoredNameservers).toEqual(['192.0.2.4']);
    expect(c.warnings.find((w) => w.code === 'TOO_MANY_NAMESERVERS')?.line).toBe(4);
  });
  it('CRLF drops the nameserver, keeps \\r in the last search domain', () => {
    const c = readGlibc(corpus.crlf!);
    expect(c.defaultNameserver).toBe(true);
    expect(c.search).toEqual(['a.example', 'b.example\r']);
    expect(readMusl(corpus.crlf!).nameservers[0]?.address).toBe('192.0.2.1');
  });
  it('numbers: clamps, negatives, garbage', () => {
    expect(readGlibc(corpus.clamps!)).toMatchObject({ ndots: 15, timeout: 30, attempts: 5 });
    expect(readMusl(corpus.clamps!)).toMatchObject({ ndots: 15, timeout: 60, attempts: 10 });
    expect(readGlibc(corpus.negatives1!)).toMatchObject({ ndots: 15, timeout: -1, attempts: 0 });
    expect(readGlibc(corpus.negatives2!)).toMatchObject({ ndots: 14, timeout: 0, attempts: -3 });
    expect(readGlibc(corpus.garbageNumbers!)).toMatchObject({ ndots: 4, timeout: 3, attempts: 0 });
  });
  it('address forms', () => {
    expect(readGlibc(corpus.addressForms!).nameservers.map((s) => s.address)).toEqual(['8.0.0.1', '127.0.0.1', '127.0.0.1']);
  });
  it('musl: domain with two words gives two domains, glibc one', () => {
    expect(readMusl(corpus.domainTwoWords!).search).toEqual(['a.example', 'b.example']);
    expect(readGlibc(corpus.domainTwoWords!).search).toEqual(['a.example']);
  });
  it('musl ignores lines of 255 bytes or more', () => {
    expect(readMusl(corpus.longLine300!).search).toEqual([]);
    expect(diagnose(corpus.longLine300!).diagnostics.some((d) => d.code === 'MUSL_LONG_LINE' && d.line === 1)).toBe(true);
  });
});

describe('diagnostics', () => {
  const codes = (t: string) => diagnose(t).diagnostics.map((d) => `${d.line}:${d.code}`);
  it('flags each trap on its line', () => {
    expect(codes(corpus.inlineComments!)).toEqual(
      expect.arrayContaining(['1:INLINE_COMMENT_NAMESERVER', '2:INVALID_NAMESERVER', '3:INLINE_COMMENT_SEARCH', '3:SEARCH_OVERRIDDEN', '5:INLINE_COMMENT_OPTIONS']),
    );
    expect(codes(corpus.indentedUpper!)).toEqual(expect.arrayContaining(['1:INDENTED_KEYWORD', '2:UPPERCASE_KEYWORD', '3:KEYWORD_NO_BLANK', '5:INDENTED_KEYWORD']));
    expect(codes(corpus.crlf!)).toEqual(expect.arrayContaining(['1:CRLF', '2:CRLF']));
    expect(codes(corpus.prefixes!)).toEqual(expect.arrayContaining(['1:OPTION_PREFIX_MATCH', '1:OPTION_UNKNOWN']));
    expect(codes(corpus.sortlist!)).toContain('1:SORTLIST_CIDR');
  });
  it('dangerous settings need confirmation', () => {
    expect(diagnose(corpus.negatives1!).dangerous).toBe(true);
    expect(diagnose(corpus.sortlistHangBad!).diagnostics.some((d) => d.code === 'SORTLIST_HANG' && d.dangerous)).toBe(true);
    expect(diagnose(corpus.searchAbortFirst!).diagnostics.some((d) => d.code === 'SEARCH_ABORT')).toBe(true);
    expect(diagnose(corpus.plain!).dangerous).toBe(false);
  });
  it('a clean file has no findings', () => {
    expect(diagnose('nameserver 192.0.2.1\nsearch a.example\noptions ndots:2 timeout:2\n').diagnostics).toEqual([]);
  });
});

describe('query plans (reference examples)', () => {
  const q = (name: string, text: string, libc: 'glibc' | 'musl' = 'glibc') => planText(name, text, libc).queries.map((x) => x.name);
  const s = 'nameserver 127.0.0.1\nsearch a.example b.example\n';
  it('glibc', () => {
    expect(q('foo', s)).toEqual(['foo.a.example.', 'foo.b.example.', 'foo.']);
    expect(q('foo.bar', s)).toEqual(['foo.bar.', 'foo.bar.a.example.', 'foo.bar.b.example.']);
    expect(q('foo.bar.', s)).toEqual(['foo.bar.']);
    expect(q('foo', 'search a.example . b.example\n')).toEqual(['foo.a.example.', 'foo.', 'foo.b.example.']);
    expect(q('foo', 'search a.example b.example\noptions no-tld-query\n')).toEqual(['foo.a.example.', 'foo.b.example.']);
  });
  it('musl does not search names with enough dots', () => {
    expect(q('foo.bar', s, 'musl')).toEqual(['foo.bar.']);
  });
  it('Kubernetes ndots:5 amplification with advice', () => {
    const p = planText('api.example.com', corpus.k8sPod!);
    expect(p.queries).toHaveLength(5);
    expect(p.packets).toBe(10);
    expect(p.advice.join(' ')).toContain('api.example.com.');
    expect(planText('api.example.com.', corpus.k8sPod!).packets).toBe(2);
  });
});
