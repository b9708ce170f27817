import { isCSpace, isDigit } from './bytes';
import { inetAtonExact, inetPton6, ipv4ToString, ipv6ToString, isLinkLocal6 } from './inet';

/**
 * How musl 1.2.3 reads resolv.conf (src/network/resolvconf.c), simulated over the bytes with the
 * same 256-byte fgets buffer so that long lines and NUL bytes behave exactly as in musl.
 * Differences from glibc: CRLF works, `domain` and `search` are the same thing and split at
 * lookup time, only ndots/attempts/timeout are understood (found anywhere on the line), and
 * lines of 255 bytes or more are ignored entirely.
 */

export interface MuslNameserver {
  family: 4 | 6;
  address: string;
  scope?: string;
  /** The scope id musl stores: 0 without a scope; null for an interface name whose index is unknown (no interface list given). */
  scopeId: number | null;
  line: number;
}

export interface MuslReadOptions {
  /**
   * The network interfaces (name -> ifindex) that a `%name` scope is looked up in, as
   * if_nametoindex() would. Without it a named scope on a link-local address is assumed to exist.
   */
  interfaces?: Record<string, number>;
}

/** Why musl skips a nameserver token that is otherwise an address, or null when it takes it. */
export type MuslScopeProblem = 'not-link-local' | 'unknown-interface' | 'empty' | 'too-large';

export interface MuslConf {
  /** The first 3 valid nameservers (127.0.0.1 if none). */
  nameservers: MuslNameserver[];
  defaultNameserver: boolean;
  search: string[];
  searchLine: number | null;
  ndots: number;
  timeout: number;
  attempts: number;
  /** Lines musl skipped because they do not fit its 256-byte buffer. */
  truncatedLines: number[];
  /** nameserver lines musl skips only because of their %scope. */
  scopeRejected: { line: number; token: string; problem: MuslScopeProblem }[];
}

const LINE_BUF = 256;

export function readMusl(bytes: string, opts: MuslReadOptions = {}): MuslConf {
  let ndots = 1;
  let timeout = 5;
  let attempts = 2;
  const ns: MuslNameserver[] = [];
  let searchRaw = '';
  let searchLine: number | null = null;
  const truncatedLines: number[] = [];
  const scopeRejected: MuslConf['scopeRejected'] = [];

  let pos = 0;
  // The file line where the current fgets() chunk starts, counted as the chunks go by (one pass
  // over the bytes: counting from the start for every chunk made large files quadratic).
  let lineNo = 1;
  let nextLineNo = 1;
  while (pos < bytes.length) {
    lineNo = nextLineNo;
    // fgets(line, 256, f): up to 255 bytes, stopping after a "\n".
    let end = pos;
    while (end < bytes.length && end - pos < LINE_BUF - 1) {
      end++;
      if (bytes[end - 1] === '\n') {
        nextLineNo++;
        break;
      }
    }
    const chunk = bytes.slice(pos, end);
    pos = end;
    // feof() is set only when fgets() itself ran into the end of the file.
    const eof = !chunk.endsWith('\n') && chunk.length < LINE_BUF - 1;
    // musl's strings end at NUL; strchr(line, '\n') only looks before it.
    const nul = chunk.indexOf('\0');
    const line = nul >= 0 ? chunk.slice(0, nul) : chunk;
    if (!line.includes('\n') && !eof) {
      truncatedLines.push(lineNo);
      // Skip the rest of the line: getc() until "\n" or EOF.
      while (pos < bytes.length) {
        pos++;
        if (bytes[pos - 1] === '\n') {
          nextLineNo++;
          break;
        }
      }
      continue;
    }
    if (line.startsWith('options') && isCSpace(line[7])) {
      const nd = line.indexOf('ndots:');
      if (nd >= 0 && isDigit(line[nd + 6])) ndots = Math.min(15, strtoul(line.slice(nd + 6)));
      const at = line.indexOf('attempts:');
      if (at >= 0 && isDigit(line[at + 9])) attempts = Math.min(10, strtoul(line.slice(at + 9)));
      const to = line.indexOf('timeout:');
      if (to >= 0 && (isDigit(line[to + 8]) || line[to + 8] === '.')) {
        if (isDigit(line[to + 8])) timeout = Math.min(60, strtoul(line.slice(to + 8)));
      }
      continue;
    }
    if (line.startsWith('nameserver') && isCSpace(line[10])) {
      if (ns.length >= 3) continue;
      let p = 11;
      while (isCSpace(line[p])) p++;
      let z = p;
      while (z < line.length && !isCSpace(line[z])) z++;
      const tok = line.slice(p, z);
      const a = parseMuslLiteral(tok, opts.interfaces);
      if (a && 'problem' in a) scopeRejected.push({ line: lineNo, token: tok, problem: a.problem });
      else if (a) ns.push({ ...a, line: lineNo });
      continue;
    }
    if ((line.startsWith('domain') || line.startsWith('search')) && isCSpace(line[6])) {
      let p = 7;
      while (isCSpace(line[p])) p++;
      searchRaw = line.slice(p);
      searchLine = lineNo;
    }
  }
  const defaultNameserver = ns.length === 0;
  return {
    nameservers: defaultNameserver ? [{ family: 4, address: '127.0.0.1', scopeId: 0, line: 0 }] : ns,
    defaultNameserver,
    search: searchRaw.split(/[ \t\n\v\f\r]+/).filter((s) => s !== ''),
    searchLine,
    ndots,
    timeout,
    attempts,
    truncatedLines,
    scopeRejected,
  };
}

/** strtoul(s, 10) for a string starting with a digit (saturating at ULONG_MAX). */
function strtoul(s: string): number {
  let v = 0;
  for (let i = 0; i < s.length && isDigit(s[i]); i++) v = Math.min(v * 10 + (s.charCodeAt(i) - 48), Number.MAX_SAFE_INTEGER);
  return v;
}

/**
 * __lookup_ipliteral (src/network/lookup_ipliteral.c) for a nameserver token: inet_aton forms;
 * else IPv6 with an optional %scope. A scope that starts with a digit is a number (strtoull);
 * anything else after the % (a name, "1x", nothing at all) is looked up with if_nametoindex(),
 * which musl only allows on link-local addresses; a failed lookup drops the nameserver.
 */
function parseMuslLiteral(tok: string, interfaces: Record<string, number> | undefined): Omit<MuslNameserver, 'line'> | { problem: MuslScopeProblem } | null {
  if (tok !== '') {
    const v4 = inetAtonExact(tok);
    if (v4 !== null) return { family: 4, address: ipv4ToString(v4), scopeId: 0 };
  }
  const pct = tok.indexOf('%');
  // musl copies the part before the % into a 64-byte buffer; a later % stays in the text and inet_pton fails.
  const head = pct >= 0 && pct < 64 ? tok.slice(0, pct) : tok;
  const b = inetPton6(head);
  if (!b) return null;
  const address = ipv6ToString(b);
  if (pct < 0) return { family: 6, address, scopeId: 0 };
  const scope = tok.slice(pct + 1);
  const digits = /^[0-9]+/.exec(scope)?.[0] ?? '';
  // strtoull saturates; anything above UINT_MAX is refused below.
  let id: number | null = digits === '' ? 0 : digits.replace(/^0+/, '').length > 10 ? Infinity : Number(digits);
  if (digits === '' || digits.length < scope.length) {
    if (!isLinkLocal6(b)) return { problem: 'not-link-local' };
    if (scope === '') return { problem: 'empty' };
    if (interfaces) {
      id = interfaces[scope] ?? 0;
      if (!id) return { problem: 'unknown-interface' };
    } else {
      id = null;
    }
  }
  if (id !== null && id > 0xffffffff) return { problem: 'too-large' };
  return { family: 6, address, scope, scopeId: id };
}
