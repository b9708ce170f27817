/**
 * Address parsing exactly as the C libraries do it for resolv.conf: glibc's inet_aton (the
 * "exact" variant res_init uses since 2.31: octal, hex, 1-4 parts, nothing after) and
 * inet_pton(AF_INET6). Ported by hand from glibc 2.36 resolv/inet_addr.c and resolv/inet_pton.c
 * because no library reproduces the legacy forms (`010.0.0.1` is 8.0.0.1) bit for bit.
 */

const MAX_PART = [0xffffffff, 0xffffff, 0xffff, 0xff];

/** glibc __inet_aton_exact: the IPv4 address as an unsigned 32-bit number, or null. */
export function inetAtonExact(s: string): number | null {
  const parts: number[] = [];
  let i = 0;
  let val = 0;
  for (;;) {
    const c = s[i];
    if (c === undefined || c < '0' || c > '9') return null;
    // strtoul(cp, &end, 0)
    let base = 10;
    if (c === '0') {
      const x = s[i + 1];
      if ((x === 'x' || x === 'X') && hexValue(s[i + 2]) >= 0) {
        base = 16;
        i += 2;
      } else base = 8;
    }
    let v = 0;
    let overflow = false;
    for (;;) {
      const d = base === 16 ? hexValue(s[i]) : s[i] !== undefined && s[i]! >= '0' && s[i]! <= (base === 8 ? '7' : '9') ? s.charCodeAt(i) - 48 : -1;
      if (d < 0) break;
      v = v * base + d;
      if (v > 0xffffffff) overflow = true;
      i++;
    }
    if (overflow) return null;
    val = v;
    if (s[i] === '.') {
      if (parts.length > 2 || val > 0xff) return null;
      parts.push(val);
      i++;
    } else break;
  }
  if (i !== s.length) return null; // "exact": nothing may follow
  if (val > MAX_PART[parts.length]!) return null;
  let word = 0;
  parts.forEach((p, k) => {
    word += p * 2 ** (24 - 8 * k);
  });
  return word + val;
}

export function ipv4ToString(word: number): string {
  return `${Math.floor(word / 2 ** 24) % 256}.${Math.floor(word / 2 ** 16) % 256}.${Math.floor(word / 2 ** 8) % 256}.${word % 256}`;
}

function hexValue(c: string | undefined): number {
  if (c === undefined) return -1;
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  if (c >= 'a' && c <= 'f') return c.charCodeAt(0) - 87;
  if (c >= 'A' && c <= 'F') return c.charCodeAt(0) - 55;
  return -1;
}

/** glibc inet_pton4 (strict dotted quad, no leading zeros) into out[at..at+3]. */
function pton4(s: string, out: number[], at: number): boolean {
  let sawDigit = false;
  let octets = 0;
  const tmp = [0, 0, 0, 0];
  let tp = 0;
  for (const ch of s) {
    if (ch >= '0' && ch <= '9') {
      const nv = tmp[tp]! * 10 + (ch.charCodeAt(0) - 48);
      if (sawDigit && tmp[tp] === 0) return false;
      if (nv > 255) return false;
      tmp[tp] = nv;
      if (!sawDigit) {
        if (++octets > 4) return false;
        sawDigit = true;
      }
    } else if (ch === '.' && sawDigit) {
      if (octets === 4) return false;
      tp++;
      tmp[tp] = 0;
      sawDigit = false;
    } else return false;
  }
  if (octets < 4) return false;
  for (let k = 0; k < 4; k++) out[at + k] = tmp[k]!;
  return true;
}

/** glibc inet_pton(AF_INET6): 16 bytes, or null. */
export function inetPton6(src: string): number[] | null {
  const tmp = new Array<number>(16).fill(0);
  let tp = 0;
  let colonp = -1;
  let i = 0;
  if (src.length === 0) return null;
  if (src[0] === ':') {
    i++;
    if (i === src.length || src[i] !== ':') return null;
  }
  let curtok = i;
  let xdigits = 0;
  let val = 0;
  while (i < src.length) {
    const ch = src[i++]!;
    const d = hexValue(ch);
    if (d >= 0) {
      if (xdigits === 4) return null;
      val = (val << 4) | d;
      xdigits++;
      continue;
    }
    if (ch === ':') {
      curtok = i;
      if (xdigits === 0) {
        if (colonp >= 0) return null;
        colonp = tp;
        continue;
      } else if (i === src.length) return null;
      if (tp + 2 > 16) return null;
      tmp[tp++] = (val >> 8) & 0xff;
      tmp[tp++] = val & 0xff;
      xdigits = 0;
      val = 0;
      continue;
    }
    if (ch === '.' && tp + 4 <= 16 && pton4(src.slice(curtok), tmp, tp)) {
      tp += 4;
      xdigits = 0;
      break;
    }
    return null;
  }
  if (xdigits > 0) {
    if (tp + 2 > 16) return null;
    tmp[tp++] = (val >> 8) & 0xff;
    tmp[tp++] = val & 0xff;
  }
  if (colonp >= 0) {
    if (tp === 16) return null;
    const n = tp - colonp;
    const moved = tmp.slice(colonp, tp);
    for (let k = colonp; k < 16; k++) tmp[k] = 0;
    for (let k = 0; k < n; k++) tmp[16 - n + k] = moved[k]!;
    tp = 16;
  }
  if (tp !== 16) return null;
  return tmp;
}

/** inet_ntop(AF_INET6) as glibc prints it (longest zero run as ::, embedded IPv4 forms). */
export function ipv6ToString(b: number[]): string {
  const words: number[] = [];
  for (let k = 0; k < 8; k++) words.push((b[2 * k]! << 8) | b[2 * k + 1]!);
  let best = { base: -1, len: 0 };
  let cur = { base: -1, len: 0 };
  for (let k = 0; k < 8; k++) {
    if (words[k] === 0) {
      if (cur.base === -1) cur = { base: k, len: 1 };
      else cur.len++;
    } else if (cur.base !== -1) {
      if (best.base === -1 || cur.len > best.len) best = cur;
      cur = { base: -1, len: 0 };
    }
  }
  if (cur.base !== -1 && (best.base === -1 || cur.len > best.len)) best = cur;
  if (best.base !== -1 && best.len < 2) best = { base: -1, len: 0 };
  let out = '';
  for (let k = 0; k < 8; k++) {
    if (best.base !== -1 && k >= best.base && k < best.base + best.len) {
      if (k === best.base) out += ':';
      continue;
    }
    if (k !== 0) out += ':';
    if (k === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff))) {
      out += `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
      break;
    }
    out += words[k]!.toString(16);
  }
  if (best.base !== -1 && best.base + best.len === 8) out += ':';
  return out;
}

/** Parses an address as a nameserver line does (IPv4 legacy forms, else IPv6 with %scope). */
export function parseNameserverAddress(token: string): { family: 4 | 6; address: string; scope?: string } | null {
  if (token !== '') {
    const v4 = inetAtonExact(token);
    if (v4 !== null) return { family: 4, address: ipv4ToString(v4) };
  }
  const pct = token.indexOf('%');
  const head = pct >= 0 ? token.slice(0, pct) : token;
  if (head === '') return null;
  const v6 = inetPton6(head);
  if (!v6) return null;
  return pct >= 0 ? { family: 6, address: ipv6ToString(v6), scope: token.slice(pct + 1) } : { family: 6, address: ipv6ToString(v6) };
}

/** IPv6 link-local (fe80::/10) or link-local multicast (ff02::/16-ish), where a scope name is meaningful. */
export function isLinkLocal6(b: number[]): boolean {
  return (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) || (b[0] === 0xff && (b[1]! & 0x0f) === 0x02);
}

/** True for 127.0.0.0/8 and ::1 (test fixtures must only name loopback servers). */
export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}
