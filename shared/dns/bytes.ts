/**
 * resolv.conf is bytes, and the C resolvers read it as bytes (a `\r` or a NUL changes the
 * meaning of a line). The model therefore works on "byte strings": JS strings whose every code
 * unit is one byte (0-255). These helpers convert between that form and the UTF-8 text people
 * edit. Hand-written because shared/ has no TextEncoder/TextDecoder in its type library.
 */

/** Encodes text as UTF-8 and returns it as a byte string. */
export function utf8ToBytes(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out += ch;
    else if (cp < 0x800) out += String.fromCharCode(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out += String.fromCharCode(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out += String.fromCharCode(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return out;
}

/** Decodes a byte string as strict UTF-8; undefined when it is not valid UTF-8. */
export function bytesToUtf8(bytes: string): string | undefined {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes.charCodeAt(i);
    if (b < 0x80) {
      out += bytes[i];
      i++;
      continue;
    }
    const n = b >= 0xf0 && b <= 0xf4 ? 3 : b >= 0xe0 ? (b <= 0xef ? 2 : -1) : b >= 0xc2 && b <= 0xdf ? 1 : -1;
    if (n < 0 || i + n >= bytes.length) return undefined;
    let cp = b & (n === 1 ? 0x1f : n === 2 ? 0x0f : 0x07);
    for (let k = 1; k <= n; k++) {
      const c = bytes.charCodeAt(i + k);
      if ((c & 0xc0) !== 0x80) return undefined;
      cp = (cp << 6) | (c & 63);
    }
    const min = n === 1 ? 0x80 : n === 2 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
    out += String.fromCodePoint(cp);
    i += n + 1;
  }
  return out;
}

/** True when every code unit is a byte. */
export function isByteString(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 255) return false;
  return true;
}

/** Renders a byte string for messages: printable ASCII as is, the rest as \r, \t, \xNN. */
export function showBytes(s: string): string {
  let first = 0;
  while (first < s.length && isPrintable(s.charCodeAt(first))) first++;
  if (first === s.length) return s;
  // Char codes go into a buffer turned into a string every few KiB. Appending per byte (out +=)
  // built a rope of one piece per byte, and String.replace() over many matches is no better: on
  // a long run of "\r" both were superlinear (mostly garbage collection).
  const out: string[] = [s.slice(0, first)];
  let codes: number[] = [];
  for (let i = first; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isPrintable(c)) codes.push(c);
    else if (c === 13) codes.push(92, 114); // \r
    else if (c === 9) codes.push(92, 116); // \t
    else if (c === 10) codes.push(92, 110); // \n
    else for (const ch of `\\x${c.toString(16).padStart(2, '0')}`) codes.push(ch.charCodeAt(0));
    if (codes.length >= 8192) {
      out.push(String.fromCharCode(...codes));
      codes = [];
    }
  }
  out.push(String.fromCharCode(...codes));
  return out.join('');
}

function isPrintable(c: number): boolean {
  return c >= 0x20 && c < 0x7f;
}

/** C isspace() in the C locale. */
export function isCSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

export function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
