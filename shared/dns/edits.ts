import { cLine, type RcDocument, type RcLine } from './document';

/**
 * Line-preserving edits: each changes only the lines it must (the effective line of a setting),
 * leaves comments, order, unknown lines and line endings alone, and appends new lines at the
 * natural place. All text is in byte strings.
 */

export type Edit =
  | { kind: 'setNameservers'; nameservers: string[] }
  | { kind: 'setSearch'; domains: string[] }
  | { kind: 'setOption'; name: string; value: number | boolean | null }
  | { kind: 'replaceLine'; line: number; text: string }
  /** Replaces one line by several (a setting and its comment on a line of its own). */
  | { kind: 'splitLine'; line: number; lines: string[] }
  | { kind: 'deleteLine'; line: number };

function isKw(l: RcLine, kw: string): boolean {
  const t = cLine(l);
  return t.startsWith(kw) && (t[kw.length] === ' ' || t[kw.length] === '\t');
}

function clone(doc: RcDocument): RcLine[] {
  return doc.lines.map((l) => ({ ...l }));
}

function insertAt(lines: RcLine[], index: number, text: string): void {
  // A line added after a last line without a newline needs that newline first.
  if (index > 0 && lines[index - 1]!.eol === '') lines[index - 1]!.eol = '\n';
  lines.splice(index, 0, { text, eol: '\n' });
}

export function applyEdit(doc: RcDocument, edit: Edit): RcDocument {
  const lines = clone(doc);
  switch (edit.kind) {
    case 'replaceLine': {
      if (edit.line < 1 || edit.line > lines.length) throw new RangeError(`No line ${edit.line}`);
      lines[edit.line - 1]!.text = edit.text;
      break;
    }
    case 'splitLine': {
      if (edit.line < 1 || edit.line > lines.length) throw new RangeError(`No line ${edit.line}`);
      if (edit.lines.length === 0) throw new RangeError('splitLine needs at least one line');
      const old = lines[edit.line - 1]!;
      lines.splice(edit.line - 1, 1, ...edit.lines.map((text, i) => ({ ...old, text, eol: i === edit.lines.length - 1 ? old.eol : '\n' })));
      break;
    }
    case 'deleteLine': {
      if (edit.line < 1 || edit.line > lines.length) throw new RangeError(`No line ${edit.line}`);
      lines.splice(edit.line - 1, 1);
      break;
    }
    case 'setNameservers': {
      const idx = lines.map((l, i) => (isKw(l, 'nameserver') ? i : -1)).filter((i) => i >= 0);
      const want = edit.nameservers;
      // Reuse existing lines in order (unchanged addresses keep their line as is).
      for (let k = 0; k < Math.min(idx.length, want.length); k++) {
        const l = lines[idx[k]!]!;
        // Compare the raw token (a trailing \r makes glibc reject the line, so such a line is rewritten).
        const cur = l.text.slice(10).replace(/^[ \t]+/, '').split(/[ \t]/)[0];
        if (cur !== want[k]) l.text = `nameserver ${want[k]}`;
      }
      if (want.length < idx.length) {
        for (const i of idx.slice(want.length).reverse()) lines.splice(i, 1);
      } else {
        let at = idx.length ? idx[idx.length - 1]! + 1 : firstSettingIndex(lines);
        for (const a of want.slice(idx.length)) insertAt(lines, at++, `nameserver ${a}`);
      }
      break;
    }
    case 'setSearch': {
      const idx = lines.map((l, i) => (isKw(l, 'search') || isKw(l, 'domain') ? i : -1)).filter((i) => i >= 0);
      const text = `search ${edit.domains.join(' ')}`;
      if (edit.domains.length === 0) {
        for (const i of idx.reverse()) lines.splice(i, 1);
      } else if (idx.length) {
        // The last line is the effective one; the earlier ones are dead weight and go.
        lines[idx[idx.length - 1]!]!.text = text;
        for (const i of idx.slice(0, -1).reverse()) lines.splice(i, 1);
      } else {
        const ns = lines.map((l, i) => (isKw(l, 'nameserver') ? i : -1)).filter((i) => i >= 0);
        insertAt(lines, ns.length ? ns[ns.length - 1]! + 1 : firstSettingIndex(lines), text);
      }
      break;
    }
    case 'setOption': {
      setOption(lines, edit.name, edit.value);
      break;
    }
  }
  return { lines };
}

export function applyEdits(doc: RcDocument, edits: Edit[]): RcDocument {
  return edits.reduce(applyEdit, doc);
}

/** Index after the leading comment block (where a new setting line goes in a file without any). */
function firstSettingIndex(lines: RcLine[]): number {
  let i = 0;
  while (i < lines.length && (lines[i]!.text.startsWith('#') || lines[i]!.text.startsWith(';'))) i++;
  return i;
}

const NUMERIC = new Set(['ndots', 'timeout', 'attempts']);

function tokenName(tok: string): string {
  const c = tok.indexOf(':');
  return c >= 0 ? tok.slice(0, c) : tok;
}

function setOption(lines: RcLine[], name: string, value: number | boolean | null): void {
  const optIdx = lines.map((l, i) => (isKw(l, 'options') ? i : -1)).filter((i) => i >= 0);
  const wanted = value === null || value === false ? null : NUMERIC.has(name) ? `${name}:${value as number}` : name;
  let placed = false;
  // Walk from the last options line back: the last occurrence is the effective one.
  for (const i of [...optIdx].reverse()) {
    const l = lines[i]!;
    const cr = l.text.endsWith('\r') ? '\r' : '';
    const body = cr ? l.text.slice(0, -1) : l.text;
    const parts = body.slice(7).split(/([ \t]+)/); // keep separators
    let changed = false;
    for (let k = parts.length - 1; k >= 0; k--) {
      const p = parts[k]!;
      if (p === '' || /^[ \t]+$/.test(p) || tokenName(p) !== name) continue;
      if (wanted !== null && !placed) {
        if (p !== wanted) parts[k] = wanted;
        placed = true;
      } else {
        parts.splice(k, 1);
        if (k > 0 && /^[ \t]+$/.test(parts[k - 1] ?? '')) parts.splice(k - 1, 1);
      }
      changed = true;
    }
    if (changed) {
      const rest = parts.join('');
      if (rest.trim() === '') lines.splice(i, 1);
      else l.text = `options${/^[ \t]/.test(rest) ? '' : ' '}${rest}${cr}`;
    }
  }
  if (wanted !== null && !placed) {
    if (optIdx.length) {
      const l = lines[optIdx.filter((i) => i < lines.length).pop() ?? optIdx[0]!]!;
      if (l && isKw(l, 'options')) {
        const cr = l.text.endsWith('\r') ? '\r' : '';
        const body = (cr ? l.text.slice(0, -1) : l.text).replace(/[ \t]+$/, '');
        l.text = `${body} ${wanted}${cr}`;
        return;
      }
    }
    insertAt(lines, lines.length, `options ${wanted}`);
  }
}
