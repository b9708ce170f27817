import { isByteString } from './bytes';

/**
 * A resolv.conf file as lines, kept byte for byte: printing an unchanged document gives back the
 * exact input (comments, blank lines, unknown lines, CRLF, a missing final newline, NUL bytes).
 * Text is a byte string (see bytes.ts). Lines split on "\n" only, as getline() and fgets() do.
 */
export interface RcLine {
  /** The line's bytes without its "\n" (a "\r" before it stays here: the resolvers see it). */
  text: string;
  /** "\n", or "" for a last line without a newline. */
  eol: '\n' | '';
}

export interface RcDocument {
  lines: RcLine[];
}

export function parseDocument(bytes: string): RcDocument {
  if (!isByteString(bytes)) throw new Error('parseDocument expects a byte string (one code unit per byte)');
  const parts = bytes.split('\n');
  const lines: RcLine[] = parts.map((text, i) => ({ text, eol: i < parts.length - 1 ? '\n' : '' }));
  // A file ending in "\n" leaves an empty last piece that is not a line.
  if (lines.length > 0 && lines[lines.length - 1]!.text === '' && lines[lines.length - 1]!.eol === '') lines.pop();
  return { lines };
}

export function printDocument(doc: RcDocument): string {
  let out = '';
  for (const l of doc.lines) out += l.text + l.eol;
  return out;
}

/** The line's text as the C code sees it: C strings end at the first NUL byte. */
export function cLine(line: RcLine): string {
  const nul = line.text.indexOf('\0');
  return nul >= 0 ? line.text.slice(0, nul) : line.text + line.eol;
}
