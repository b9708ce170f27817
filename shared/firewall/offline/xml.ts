/**
 * The XML of a firewalld configuration file, read the way a hostile file cannot abuse: no
 * DOCTYPE (so no entities, internal or external, and no entity bombs; firewalld's own files
 * never carry one), well-formedness checked by fast-xml-parser's validator (which reports
 * line and column), then a flat scan of the elements that keeps each one's line so that every
 * problem can name file:line and element. firewalld's files are small trees of empty elements
 * with attributes plus the text of <short>/<description>/<entry>; this is all they need.
 */
import { XMLValidator } from 'fast-xml-parser';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside the element (entities decoded). */
  text: string;
  /** 1-based line of the start tag. */
  line: number;
}

export class XmlError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The five predefined entities and character references; anything else is an error (no DTD, so no other entity exists). */
function decode(s: string, line: number): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z_][\w.-]*);?/g, (all, ref: string) => {
    if (!all.endsWith(';')) throw new XmlError(`"&" not followed by an entity reference ending in ";"`, line);
    if (ref.startsWith('#')) {
      const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!(cp > 0 && cp <= 0x10ffff)) throw new XmlError(`invalid character reference &${ref};`, line);
      return String.fromCodePoint(cp);
    }
    const v = PREDEFINED[ref];
    if (v === undefined) throw new XmlError(`undefined entity &${ref};`, line);
    return v;
  });
}

/** Parses one file's text into its root element, or throws XmlError naming the line. */
export function parseXml(text: string): XmlElement {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const doctype = /<!DOCTYPE/i.exec(text);
  if (doctype) throw new XmlError('a DOCTYPE is not allowed (firewalld files have none; entities are refused)', lineAt(text, doctype.index));
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) throw new XmlError(`not well-formed XML: ${valid.err.msg}`, valid.err.line);
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const token = /<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<\?[\s\S]*?\?>|<\/([^\s>]+)\s*>|<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  const attrRe = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  for (let m = token.exec(text); m; m = token.exec(text)) {
    const [, cdata, close, open, attrText, selfClose, chars] = m;
    const top = stack[stack.length - 1];
    if (open !== undefined) {
      const line = lineOf(m.index);
      const attrs: Record<string, string> = {};
      for (let a = attrRe.exec(attrText ?? ''); a; a = attrRe.exec(attrText ?? '')) attrs[a[1]!] = decode(a[2] ?? a[3] ?? '', line);
      attrRe.lastIndex = 0;
      const el: XmlElement = { name: open, attrs, children: [], text: '', line };
      if (top) top.children.push(el);
      else if (root) throw new XmlError('more than one root element', line);
      else root = el;
      if (!selfClose) stack.push(el);
    } else if (close !== undefined) {
      stack.pop();
    } else if (top && chars !== undefined) {
      top.text += decode(chars, lineOf(m.index));
    } else if (top && cdata !== undefined) {
      top.text += cdata;
    }
  }
  if (!root) throw new XmlError('no root element', 1);
  return root;
}

function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
