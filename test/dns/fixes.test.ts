import { describe, expect, it } from 'vitest';
import { diagnose } from '../../shared/dns/diagnostics';
import { parseDocument, printDocument } from '../../shared/dns/document';
import { applyEdit } from '../../shared/dns/edits';
import { corpus, muslCorpus } from './corpus';

/** Every mechanical fix a warning offers is a one-line edit that makes that warning go away. */

const extra: Record<string, string> = {
  uppercase: 'Nameserver 192.0.2.1\nSEARCH a.example\n',
  noBlank: 'nameserver:192.0.2.7\nsearch:a.example\n',
  bracketsAndPorts: 'nameserver [2001:db8::1]\nnameserver 192.0.2.1:53\nnameserver 192.0.2.2;x\n',
  optionCase: 'nameserver 192.0.2.1\noptions ROTATE Edns0 ndots:-3 timeout:0\n',
  onlyIgnored: 'nameserver 192.0.2.1\noptions inet6\n',
  e2e: '# test file\nnameserver 192.0.2.1\nsearch corp.example # our domain\noptions ndots:2\n',
};

const files = { ...corpus, ...muslCorpus, ...extra };

describe('warning fixes', () => {
  for (const [name, bytes] of Object.entries(files)) {
    it(`${name}: each fix changes only its line and removes its warning`, () => {
      const d = diagnose(bytes);
      const before = parseDocument(bytes).lines.map((l) => l.text + l.eol);
      for (const w of d.diagnostics.filter((x) => x.edit)) {
        const e = w.edit!;
        expect(e.line).toBe(w.line);
        const afterBytes = printDocument(applyEdit(parseDocument(bytes), e));
        const after = parseDocument(afterBytes).lines.map((l) => l.text + l.eol);
        if (e.kind === 'deleteLine') {
          expect(after).toEqual(before.filter((_, i) => i !== e.line - 1));
        } else if (e.kind === 'splitLine') {
          // The line becomes several; every other line stays, and no word of the old line is lost.
          const n = e.lines.length;
          expect(after.length).toBe(before.length + n - 1);
          expect([...after.slice(0, e.line - 1), ...after.slice(e.line - 1 + n)]).toEqual(before.filter((_, i) => i !== e.line - 1));
          const words = (t: string) => t.split(/[ \t\r\n#;]+/).filter(Boolean).sort();
          expect(words(after.slice(e.line - 1, e.line - 1 + n).join(' '))).toEqual(words(before[e.line - 1]!));
        } else {
          expect(after.length).toBe(before.length);
          after.forEach((l, i) => {
            if (i !== e.line - 1) expect(l).toBe(before[i]);
          });
          expect(after[e.line - 1]).not.toBe(before[e.line - 1]);
        }
        const shift = e.kind === 'splitLine' ? e.lines.length - 1 : 0;
        const count = (ds: typeof d.diagnostics, at: number) => ds.filter((x) => x.code === w.code && (e.kind === 'deleteLine' || x.line === at)).length;
        expect(count(diagnose(afterBytes).diagnostics, w.line + shift), `${w.code} on line ${w.line} after ${JSON.stringify(e)}`).toBeLessThan(count(d.diagnostics, w.line));
      }
    });
  }

  it('the traps the issue names come with a fix', () => {
    const codes = (b: string) => diagnose(b).diagnostics.filter((x) => x.edit).map((x) => x.code);
    expect(codes(corpus.fourNameservers!)).toContain('TOO_MANY_NAMESERVERS');
    expect(codes(corpus.inlineComments!)).toEqual(expect.arrayContaining(['INLINE_COMMENT_SEARCH', 'INLINE_COMMENT_OPTIONS', 'INVALID_NAMESERVER']));
    expect(codes(corpus.crlf!)).toContain('CRLF');
    expect(codes(corpus.negatives1!)).toEqual(expect.arrayContaining(['ATTEMPTS_ZERO', 'NDOTS_NEGATIVE']));
    expect(codes(corpus.sortlist!)).toContain('SORTLIST_CIDR');
    expect(codes(corpus.searchThenDomain!)).toContain('SEARCH_OVERRIDDEN');
  });

  it('the inline comment fix keeps the domain and moves the comment to its own line above', () => {
    const w = diagnose(extra.e2e!).diagnostics.find((x) => x.code === 'INLINE_COMMENT_SEARCH')!;
    expect(w.edit).toEqual({ kind: 'splitLine', line: 3, lines: ['# our domain', 'search corp.example'] });
    expect(printDocument(applyEdit(parseDocument(extra.e2e!), w.edit!))).toBe('# test file\nnameserver 192.0.2.1\n# our domain\nsearch corp.example\noptions ndots:2\n');
    const ns = diagnose('nameserver 192.0.2.2;backup\r\n').diagnostics.find((x) => x.code === 'INVALID_NAMESERVER')!;
    expect(ns.edit).toEqual({ kind: 'splitLine', line: 1, lines: [';backup', 'nameserver 192.0.2.2\r'] });
    expect(diagnose(corpus.sortlist!).diagnostics.find((x) => x.code === 'SORTLIST_CIDR')!.edit).toMatchObject({ text: expect.stringContaining('192.0.2.0/255.255.255.0 ') });
    expect(diagnose(corpus.negatives1!).diagnostics.find((x) => x.code === 'ATTEMPTS_ZERO')!.edit).toEqual({ kind: 'replaceLine', line: 1, text: 'options ndots:-1 timeout:-1 attempts:2' });
  });
});

describe('line diff for the review before save', () => {
  it('shows only the changed line, removed before added', async () => {
    const { diffLines } = await import('../../shared/dns/line-diff');
    const d = diffLines('# a\nnameserver 192.0.2.1\nsearch x # y\noptions ndots:2\n', '# a\nnameserver 192.0.2.1\nsearch x\noptions ndots:2\n');
    expect(d.filter((l) => l.kind !== 'same')).toEqual([
      { kind: 'del', text: 'search x # y', oldLine: 3, newLine: null },
      { kind: 'add', text: 'search x', oldLine: null, newLine: 3 },
    ]);
    expect(diffLines('a\nb\n', 'a\nb\n').every((l) => l.kind === 'same')).toBe(true);
    expect(diffLines('', 'x\n')).toEqual([{ kind: 'add', text: 'x', oldLine: null, newLine: 1 }]);
  });
});
