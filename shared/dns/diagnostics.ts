import { showBytes } from './bytes';
import { cLine, parseDocument, type RcDocument } from './document';
import { FLAG_OPTIONS, MAXNS, MAXRESOLVSORT, readGlibc, type GlibcConf, type GlibcReadOptions } from './glibc';
import { readMusl, type MuslConf, type MuslReadOptions } from './musl';

/**
 * Every resolv.conf trap as a warning on its line, in plain words, with the fix. The facts come
 * from the glibc/musl ports in glibc.ts and musl.ts (so a warning never disagrees with what the
 * resolver does); `dangerous` ones make a save ask for explicit confirmation.
 */

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  /** 1-based line; 0 for the file as a whole. */
  line: number;
  code: string;
  severity: Severity;
  message: string;
  fix: string;
  /** Saving a file with this finding needs explicit confirmation. */
  dangerous?: boolean;
  /** The fix as a one-line edit (edits.ts), when it can be applied mechanically. */
  edit?: LineEdit;
}

/** A fix that touches exactly one line: replace its text (byte string, no "\n"), split it into several lines, or delete it. */
export type LineEdit = { kind: 'replaceLine'; line: number; text: string } | { kind: 'splitLine'; line: number; lines: string[] } | { kind: 'deleteLine'; line: number };

const KEYWORDS = ['nameserver', 'search', 'domain', 'options', 'sortlist'] as const;

/** Option names glibc 2.36 knows exactly (prefix matches of these work too, with a warning). */
const KNOWN_EXACT = new Set<string>([...FLAG_OPTIONS, 'no_tld_query', 'inet6']);
const VERSIONED: Record<string, string> = { 'no-reload': '2.26', 'trust-ad': '2.31', 'no-aaaa': '2.36' };
const IGNORED_OLD: Record<string, string> = {
  inet6: 'has had no effect since glibc 2.30',
  debug: 'is ignored since glibc 2.25',
  'no-check-names': 'is ignored since glibc 2.25',
  'ip6-dotint': 'was removed in glibc 2.25',
  'no-ip6-dotint': 'was removed in glibc 2.25',
  'ip6-bytestring': 'was removed in glibc 2.25',
  'strict-error': 'needs glibc 2.41 (ignored by 2.36)',
};

export interface Diagnosis {
  glibc: GlibcConf;
  musl: MuslConf;
  diagnostics: Diagnostic[];
  /** True when some finding is dangerous (a save needs confirmation). */
  dangerous: boolean;
}

export function diagnose(input: string | RcDocument, opts: GlibcReadOptions & MuslReadOptions = {}): Diagnosis {
  const doc = typeof input === 'string' ? parseDocument(input) : input;
  const bytes = typeof input === 'string' ? input : doc.lines.map((l) => l.text + l.eol).join('');
  const glibc = readGlibc(doc, opts);
  const musl = readMusl(bytes, opts);
  const out: Diagnostic[] = [];
  const add = (d: Diagnostic) => out.push(d);

  let lastSearchLine = 0;
  const searchLines: number[] = [];
  const optionLines: number[] = [];
  // Per-line indexes of what the resolver ports found, so each line looks up its own entries
  // instead of scanning every entry of the file (which made the analysis quadratic).
  const nsByLine = byLine(glibc.nameservers);
  const optionTokensByLine = groupByLine(glibc.optionTokens);
  const sortlistByLine = groupByLine(glibc.sortlist);

  doc.lines.forEach((l, i) => {
    const n = i + 1;
    const raw = l.text;
    // The line as the C code sees it (up to a NUL), without its newline: cLine() minus the "\n".
    const nul = raw.indexOf('\0');
    const line = nul >= 0 ? raw.slice(0, nul) : raw;
    if (raw.includes('\0')) {
      add({ line: n, code: 'NUL_BYTE', severity: 'warning', message: 'This line contains a NUL byte: the resolvers stop reading the line there.', fix: 'Remove the NUL byte.' });
    }
    if (raw.endsWith('\r')) {
      const kw = KEYWORDS.find((k) => line.startsWith(k));
      const effect =
        kw === 'nameserver'
          ? 'glibc rejects this nameserver because of the carriage return (musl accepts it)'
          : kw === 'search' || kw === 'domain'
            ? 'the last search domain ends with an invisible carriage return in glibc, so lookups through it fail'
            : kw === 'sortlist'
              ? 'glibc hangs forever reading this sortlist line'
              : 'the line ends with a carriage return';
      add({ line: n, code: 'CRLF', severity: kw === 'nameserver' || kw === 'sortlist' ? 'error' : 'warning', message: `Windows line ending (CRLF): ${effect}.`, fix: 'Save the file with Unix line endings (LF only), e.g. `sed -i "s/\\r$//" /etc/resolv.conf`.', dangerous: kw === 'nameserver' || kw === 'sortlist' });
    }
    if (line === '' || line.trim() === '') return;
    if (line[0] === '#' || line[0] === ';') return;
    const trimmed = line.replace(/^[ \t]+/, '');
    const kwExact = KEYWORDS.find((k) => line.startsWith(k) && (line[k.length] === ' ' || line[k.length] === '\t'));
    if (!kwExact) {
      const lower = trimmed.toLowerCase();
      const near = KEYWORDS.find((k) => lower.startsWith(k));
      if (trimmed[0] === '#' || trimmed[0] === ';') {
        add({ line: n, code: 'INDENTED_COMMENT', severity: 'info', message: 'Indented comment: glibc only treats # or ; in the first column as a comment (this line is ignored as unknown, which is harmless).', fix: 'Start the comment in the first column.' });
      } else if (near && trimmed !== line) {
        add({ line: n, code: 'INDENTED_KEYWORD', severity: 'error', message: `"${near}" is indented: glibc only recognises keywords in the first column, so this line is ignored.`, fix: `Remove the leading whitespace: "${trimmed.slice(0, 60)}".` });
      } else if (near && !trimmed.startsWith(near)) {
        add({ line: n, code: 'UPPERCASE_KEYWORD', severity: 'error', message: `"${trimmed.slice(0, near.length)}" is not "${near}": keywords are case-sensitive, so this line is ignored.`, fix: `Write "${near}" in lower case.` });
      } else if (near) {
        const next = trimmed[near.length];
        add({ line: n, code: 'KEYWORD_NO_BLANK', severity: 'error', message: next === undefined || next === '\r' ? `"${near}" without a value is ignored.` : `"${near}" must be followed by a space or tab, not "${showBytes(next)}": this line is ignored.`, fix: next === undefined || next === '\r' ? 'Add a value or remove the line.' : `Write "${near} ${trimmed.slice(near.length + 1).trim()}".` });
      } else {
        add({ line: n, code: 'UNKNOWN_LINE', severity: 'info', message: `Unknown line "${showBytes(trimmed.slice(0, 40))}": the resolvers ignore it.`, fix: 'Remove it or make it a comment starting with #.' });
      }
      return;
    }
    const rest = line.slice(kwExact.length).replace(/^[ \t]+/, '');
    const tokens = rest.split(/[ \t]+/).filter((t) => t !== '');
    const commentAt = tokens.findIndex((t) => t.startsWith('#') || t.startsWith(';'));
    switch (kwExact) {
      case 'nameserver': {
        const tok = tokens[0] ?? '';
        const ok = nsByLine.has(n);
        if (!ok && tok !== '') {
          const why = /^\[.*\]$/.test(tok)
            ? 'brackets are not allowed'
            : /^[\d.]+:\d+$/.test(tok)
              ? 'a port cannot be given (nameservers always use port 53)'
              : tok.includes('#') || tok.includes(';')
                ? 'a comment must be separated from the address by a space'
                : tok.endsWith('\r')
                  ? 'the line ends with a carriage return'
                  : 'it is not an IPv4 or IPv6 address';
          add({ line: n, code: 'INVALID_NAMESERVER', severity: 'error', message: `"${showBytes(tok)}" is not a usable nameserver address (${why}); glibc skips this line.`, fix: 'Write a plain IPv4 or IPv6 address, e.g. "nameserver 192.0.2.53".' });
        } else if (tok === '') {
          add({ line: n, code: 'INVALID_NAMESERVER', severity: 'error', message: 'nameserver without an address is ignored.', fix: 'Add an address or remove the line.' });
        }
        if (tokens.length > 1 && ok) {
          add({ line: n, code: 'INLINE_COMMENT_NAMESERVER', severity: 'info', message: 'Text after the address is ignored (harmless here, but resolv.conf has no inline comments).', fix: 'Put comments on their own line starting with #.' });
        }
        if (/^0\d/.test(tok) || /(^|\.)0\d/.test(tok)) {
          const s = nsByLine.get(n);
          if (s) add({ line: n, code: 'OCTAL_ADDRESS', severity: 'warning', message: `A leading zero makes a part octal: "${tok}" means ${s.address}.`, fix: `Write ${s.address} if that is what you meant, without leading zeros otherwise.` });
        }
        break;
      }
      case 'search':
      case 'domain': {
        searchLines.push(n);
        lastSearchLine = n;
        if (commentAt >= 0) {
          const words = kwExact === 'domain' ? [] : tokens.slice(commentAt);
          add({
            line: n,
            code: 'INLINE_COMMENT_SEARCH',
            severity: 'error',
            message:
              kwExact === 'search'
                ? `resolv.conf has no inline comments: ${words.map((w) => `"${showBytes(w)}"`).join(', ')} become search domains, so lookups try names like foo.${words[0]}.`
                : `resolv.conf has no inline comments: glibc ignores the text after the domain, but musl turns ${tokens.slice(1).map((w) => `"${w}"`).join(', ')} into search domains.`,
            fix: `Move the comment to its own line: "${kwExact} ${tokens.slice(0, commentAt).join(' ')}".`,
          });
        }
        if (kwExact === 'domain' && tokens.length > 1 && commentAt !== 1) {
          add({ line: n, code: 'DOMAIN_MULTIPLE', severity: 'warning', message: `"domain" takes one name: glibc uses only "${tokens[0]}", musl uses all ${tokens.length} words as search domains.`, fix: `Use "search ${tokens.join(' ')}" for several domains.` });
        }
        for (const t of tokens.slice(0, commentAt >= 0 ? commentAt : undefined)) {
          if (t.length > 253) add({ line: n, code: 'SEARCH_DOMAIN_TOO_LONG', severity: 'warning', message: `Search domain "${t.slice(0, 30)}…" is longer than 253 characters: no name under it can be looked up.`, fix: 'Remove it.' });
        }
        break;
      }
      case 'options': {
        optionLines.push(n);
        if (commentAt >= 0) {
          const after = (optionTokensByLine.get(n) ?? []).slice(commentAt);
          const effective = after.filter((t) => t.effect.kind !== 'unknown');
          add({
            line: n,
            code: 'INLINE_COMMENT_OPTIONS',
            severity: effective.length ? 'error' : 'warning',
            message: effective.length
              ? `resolv.conf has no inline comments: the words after "${tokens[commentAt]}" are read as options and ${effective.map((t) => `"${t.token}" sets ${t.effect.kind === 'unknown' ? '' : t.effect.name}`).join(', ')}.`
              : 'resolv.conf has no inline comments: the words after the # are read as (unknown) options.',
            fix: `Move the comment to its own line: "options ${tokens.slice(0, commentAt).join(' ')}".`,
          });
        }
        const edits = { left: tokenEditBudget(raw.length) };
        for (const t of (optionTokensByLine.get(n) ?? []).slice(0, commentAt >= 0 ? commentAt : undefined)) {
          diagnoseOption(t, n, raw, add, edits);
        }
        break;
      }
      case 'sortlist': {
        if (tokens.some((t) => /\/\d+(;|$)/.test(t))) {
          const ex = (sortlistByLine.get(n) ?? []).find((s) => s.mask.startsWith('0.0.0.'));
          add({ line: n, code: 'SORTLIST_CIDR', severity: 'warning', message: `sortlist masks are dotted addresses, not prefix lengths: "/24" means the mask 0.0.0.24${ex ? ` (${ex.address}/${ex.mask})` : ''}.`, fix: 'Write the mask in dotted form, e.g. "192.0.2.0/255.255.255.0".' });
        }
        break;
      }
    }
  });

  if (glibc.hang) {
    add({ line: glibc.hang.line, code: 'SORTLIST_HANG', severity: 'error', dangerous: true, message: 'glibc 2.36 loops forever on this sortlist line (an entry it cannot parse, a mask after a bad address, a non-ASCII byte or a carriage return): every program that resolves a name hangs.', fix: 'Fix or remove the sortlist line; entries must be "a.b.c.d" or "a.b.c.d/m.m.m.m" separated by spaces.' });
  }
  if (glibc.abort) {
    add({ line: glibc.searchSource.line ?? 0, code: 'SEARCH_ABORT', severity: 'error', dangerous: true, message: `glibc 2.36 aborts every program that resolves a name (assertion failure in res_init) because the search domain "${glibc.abort.domain.slice(0, 40)}…" does not fit its 256-byte legacy buffer.`, fix: 'Remove or shorten the long search domain (a domain name has at most 253 characters).' });
  }
  for (const s of glibc.ignored) {
    add({ line: s.line, code: 'TOO_MANY_NAMESERVERS', severity: 'warning', message: `Only the first ${MAXNS} nameservers are used: ${s.address} is never queried.`, fix: 'Remove it, or put a local caching resolver (such as systemd-resolved or dnsmasq) in front of more servers.' });
  }
  if (glibc.defaultNameserver && doc.lines.length > 0) {
    add({ line: 0, code: 'NO_NAMESERVER', severity: 'error', dangerous: true, message: 'No usable nameserver line: glibc and musl fall back to 127.0.0.1, which only works if a resolver runs on this machine.', fix: 'Add "nameserver <address>".' });
  }
  if (searchLines.length > 1) {
    for (const l of searchLines.slice(0, -1)) {
      const kw = cLine(doc.lines[l - 1]!).startsWith('domain') ? 'domain' : 'search';
      add({ line: l, code: 'SEARCH_OVERRIDDEN', severity: 'warning', message: `This "${kw}" line has no effect: "search" and "domain" share one list and the last one (line ${lastSearchLine}) wins.`, fix: 'Keep one "search" line listing every domain.' });
    }
  }
  if (optionLines.length > 1) {
    add({ line: optionLines[optionLines.length - 1]!, code: 'SPLIT_OPTIONS', severity: 'info', message: `Options are spread over ${optionLines.length} lines (${optionLines.join(', ')}). glibc combines them, musl reads each line, older kubelets keep only the last line.`, fix: 'Put all options on one "options" line.' });
  }
  for (const r of musl.scopeRejected) {
    const why =
      r.problem === 'not-link-local'
        ? 'musl accepts an interface name after % only on link-local (fe80::/10) addresses'
        : r.problem === 'unknown-interface'
          ? 'there is no such network interface here'
          : r.problem === 'empty'
            ? 'nothing follows the %'
            : 'the scope number is too large';
    const glibcUses = nsByLine.has(r.line);
    add({ line: r.line, code: 'MUSL_SCOPE_REJECTED', severity: 'warning', message: `musl (Alpine) skips "${showBytes(r.token)}": ${why}${glibcUses ? '; glibc ignores the scope and uses the address' : ''}.`, fix: 'Drop the %scope, or use a link-local address with an existing interface name or a numeric scope.' });
  }
  for (const t of musl.truncatedLines) {
    add({ line: t, code: 'MUSL_LONG_LINE', severity: 'warning', message: 'This line is 255 bytes or longer: musl (Alpine) ignores it entirely.', fix: 'Shorten it (fewer or shorter search domains).' });
  }
  if (glibc.search.length > 6 || glibc.search.join(' ').length > 255) {
    add({ line: glibc.searchSource.line ?? 0, code: 'SEARCH_LEGACY_LIMIT', severity: 'info', message: `${glibc.search.length} search domains: glibc >= 2.26 uses them all, but glibc <= 2.25 and the legacy _res.dnsrch keep only 6 (256 bytes).`, fix: 'Keep at most 6 search domains if older systems read this file.' });
  }
  if (glibc.sortlist.length > MAXRESOLVSORT) {
    add({ line: glibc.sortlist[MAXRESOLVSORT]!.line, code: 'SORTLIST_TOO_MANY', severity: 'warning', message: `Only the first ${MAXRESOLVSORT} sortlist entries are used.`, fix: 'Remove the extra entries.' });
  }
  // Differences between the glibc and the musl reading that the line checks above do not name.
  const gNs = glibc.used.map((s) => s.address).join(' ');
  const mNs = musl.nameservers.map((s) => s.address).join(' ');
  if (gNs !== mNs && !out.some((d) => d.code === 'CRLF')) {
    add({ line: 0, code: 'MUSL_NAMESERVERS_DIFFER', severity: 'info', message: `glibc queries ${gNs}; musl (Alpine) queries ${mNs}.`, fix: 'Keep the nameserver lines plain so both agree.' });
  }
  if (musl.ndots !== glibc.ndots || musl.attempts !== glibc.attempts || musl.timeout !== glibc.timeout) {
    add({ line: optionLines[optionLines.length - 1] ?? 0, code: 'MUSL_OPTIONS_DIFFER', severity: 'info', message: `musl reads ndots ${musl.ndots}, timeout ${musl.timeout}, attempts ${musl.attempts}; glibc reads ndots ${glibc.ndots}, timeout ${glibc.timeout}, attempts ${glibc.attempts}.`, fix: 'Use plain values in range (ndots 0-15, timeout 1-30, attempts 1-5) on one options line.' });
  }
  if (glibc.search.length === 0 && musl.search.length === 0 && searchLines.length === 0) {
    // nothing to say: no search list at all is a valid choice
  }
  for (const d of out) {
    if (d.edit || d.line < 1) continue;
    const e = lineFix(d.code, doc.lines[d.line - 1]!.text, d.line);
    if (e) d.edit = e;
  }
  out.sort((a, b) => a.line - b.line || severityRank(a.severity) - severityRank(b.severity));
  return { glibc, musl, diagnostics: out, dangerous: out.some((d) => d.dangerous) };
}

/**
 * A long options line can carry thousands of bad tokens; each token fix is the whole rewritten
 * line, so only the first few findings of a line get one (the rest keep their advice in words)
 * and the output stays proportional to the input: at most 16, and no more than 64 KiB of
 * rewritten text per line (but always the first).
 */
function tokenEditBudget(lineLength: number): number {
  return Math.min(16, Math.max(1, Math.floor(65536 / Math.max(1, lineLength))));
}

function byLine<T extends { line: number }>(items: readonly T[]): Map<number, T> {
  const m = new Map<number, T>();
  for (const it of items) if (!m.has(it.line)) m.set(it.line, it);
  return m;
}

function groupByLine<T extends { line: number }>(items: readonly T[]): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const it of items) {
    const list = m.get(it.line);
    if (list) list.push(it);
    else m.set(it.line, [it]);
  }
  return m;
}

/** s without trailing spaces and tabs (by hand: /[ \t]+$/ backtracks quadratically on inner runs). */
function trimBlanksEnd(s: string): string {
  let e = s.length;
  while (e > 0 && (s[e - 1] === ' ' || s[e - 1] === '\t')) e--;
  return s.slice(0, e);
}

/** s without trailing "\r"/"\n" (by hand: /[\r\n]+$/ backtracks quadratically on inner runs). */
function trimLineEnds(s: string): string {
  let e = s.length;
  while (e > 0 && (s[e - 1] === '\r' || s[e - 1] === '\n')) e--;
  return s.slice(0, e);
}

function severityRank(s: Severity): number {
  return s === 'error' ? 0 : s === 'warning' ? 1 : 2;
}

/**
 * The mechanical fix for a line-level finding, computed from the line's bytes. Only lines whose
 * fix is unambiguous get one; the rest keep their advice in words.
 */
function lineFix(code: string, raw: string, line: number): LineEdit | undefined {
  // Most findings have no line fix: return before touching the line (a long line with many
  // findings would otherwise be copied once per finding).
  if (!LINE_FIX_CODES.has(code)) return undefined;
  const cr = raw.endsWith('\r') ? '\r' : '';
  const body = cr ? raw.slice(0, -1) : raw;
  const replace = (text: string): LineEdit | undefined => (text === raw ? undefined : { kind: 'replaceLine', line, text });
  switch (code) {
    case 'TOO_MANY_NAMESERVERS':
    case 'SEARCH_OVERRIDDEN':
      return { kind: 'deleteLine', line };
    case 'CRLF':
      return replace(body);
    case 'NUL_BYTE':
      // What the resolvers read: the line up to the NUL.
      return replace(raw.slice(0, raw.indexOf('\0')));
    case 'INLINE_COMMENT_SEARCH':
    case 'INLINE_COMMENT_OPTIONS':
    case 'INLINE_COMMENT_NAMESERVER': {
      // The comment moves to a line of its own above the setting (in the first column, where it is one).
      const head = beforeInlineComment(body) ?? /^(\S+[ \t]+[^ \t#;]+)[#;]/.exec(body)?.[1];
      if (head === undefined) return undefined;
      let c = head.length;
      while (body[c] === ' ' || body[c] === '\t') c++;
      return moveComment(trimBlanksEnd(head) + cr, trimBlanksEnd(body.slice(c)), line);
    }
    case 'INDENTED_KEYWORD':
    case 'INDENTED_COMMENT':
      return replace(raw.replace(/^[ \t]+/, ''));
    case 'UPPERCASE_KEYWORD': {
      const t = body.replace(/^[ \t]+/, '');
      const kw = KEYWORDS.find((k) => t.toLowerCase().startsWith(k));
      return kw ? replace(kw + t.slice(kw.length) + cr) : undefined;
    }
    case 'KEYWORD_NO_BLANK': {
      const kw = KEYWORDS.find((k) => body.startsWith(k));
      if (!kw) return undefined;
      const value = body.slice(kw.length + 1).trim();
      return value ? replace(`${kw} ${value}${cr}`) : { kind: 'deleteLine', line };
    }
    case 'DOMAIN_MULTIPLE':
      return replace(`search ${body.slice(6).trim().split(/[ \t]+/).join(' ')}${cr}`);
    case 'INVALID_NAMESERVER': {
      const tok = body.slice(10).replace(/^[ \t]+/, '').split(/[ \t]/)[0] ?? '';
      const cand = /^\[(.+)\]$/.exec(tok)?.[1] ?? /^([\d.]+):\d+$/.exec(tok)?.[1] ?? /^([^#;]+)[#;]/.exec(tok)?.[1];
      if (!cand || readGlibc(`nameserver ${cand}\n`).nameservers.length !== 1) return undefined;
      const comment = /^[^#;]+([#;].*)$/.exec(body.slice(body.indexOf(tok)))?.[1];
      return comment && tok.startsWith(cand) && /[#;]/.test(tok) ? moveComment(`nameserver ${cand}${cr}`, trimBlanksEnd(comment), line) : replace(`nameserver ${cand}${cr}`);
    }
    case 'SORTLIST_CIDR':
      return replace(
        raw.replace(/\/(\d{1,2})(?=$|[ \t;\r])/g, (all, bits: string) => {
          const b = Number(bits);
          if (b > 32) return all;
          const m = b === 0 ? 0 : (0xffffffff << (32 - b)) >>> 0;
          return `/${[m >>> 24, (m >>> 16) & 255, (m >>> 8) & 255, m & 255].join('.')}`;
        }),
      );
    default:
      return undefined;
  }
}

/** The setting without its comment, and the comment on its own line just above (nothing is lost). */
function moveComment(setting: string, comment: string, line: number): LineEdit {
  return { kind: 'splitLine', line, lines: [comment, setting] };
}

const LINE_FIX_CODES = new Set([
  'TOO_MANY_NAMESERVERS',
  'SEARCH_OVERRIDDEN',
  'CRLF',
  'NUL_BYTE',
  'INLINE_COMMENT_SEARCH',
  'INLINE_COMMENT_OPTIONS',
  'INLINE_COMMENT_NAMESERVER',
  'INDENTED_KEYWORD',
  'INDENTED_COMMENT',
  'UPPERCASE_KEYWORD',
  'KEYWORD_NO_BLANK',
  'DOMAIN_MULTIPLE',
  'INVALID_NAMESERVER',
  'SORTLIST_CIDR',
]);

const isJsSpace = (c: string) => /\s/.test(c);
const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

/**
 * What /^(\S+[ \t]+.*?)[ \t]+[#;]/ captures, in one pass. The regex itself backtracks through
 * every blank run at every position (quadratic on a long line of spaces); this follows its
 * backtracking order: the keyword, its blanks, then the earliest later blank run that a # or ;
 * follows with no line terminator before it ('.' stops there); failing that, the keyword's own
 * blanks when a # or ; follows them and there are at least two.
 */
export function beforeInlineComment(body: string): string | undefined {
  let r = 0;
  while (r < body.length && !isJsSpace(body[r]!)) r++;
  if (r === 0 || !isBlank(body[r])) return undefined;
  let q = r;
  while (isBlank(body[q])) q++;
  for (let x = q; x < body.length; ) {
    const c = body[x]!;
    if (c === '\r' || c === '\n' || c === '\u2028' || c === '\u2029') break;
    if (!isBlank(c)) {
      x++;
      continue;
    }
    let e = x;
    while (isBlank(body[e])) e++;
    if (body[e] === '#' || body[e] === ';') return body.slice(0, x);
    x = e;
  }
  if (q - 1 >= r + 1 && (body[q] === '#' || body[q] === ';')) return body.slice(0, q - 1);
  return undefined;
}

/** The options line with one token replaced (or removed when `by` is null); the line goes when no option is left. */
function tokenFix(raw: string, line: number, token: string, by: string | null): LineEdit | undefined {
  const cr = raw.endsWith('\r') ? '\r' : '';
  const body = cr ? raw.slice(0, -1) : raw;
  const parts = body.slice(7).split(/([ \t]+)/);
  const k = parts.indexOf(token);
  if (k < 0) return undefined;
  if (by !== null) parts[k] = by;
  else parts.splice(k > 0 ? k - 1 : k, k > 0 ? 2 : 1);
  const rest = parts.join('');
  if (rest.trim() === '') return { kind: 'deleteLine', line };
  return { kind: 'replaceLine', line, text: `options${/^[ \t]/.test(rest) ? '' : ' '}${rest}${cr}` };
}

// Every finding about an option token can be fixed on the token itself.
const TOKEN_FIXES: Record<string, string | null> = {
  ATTEMPTS_ZERO: 'attempts:2',
  NDOTS_NEGATIVE: 'ndots:1',
  TIMEOUT_NOT_POSITIVE: 'timeout:1',
  OPTION_IGNORED: null,
};

function diagnoseOption(t: GlibcConf['optionTokens'][number], n: number, raw: string, addRaw: (d: Diagnostic) => void, edits: { left: number }): void {
  const tok = trimLineEnds(t.token);
  if (tok === '') return;
  const add = (d: Diagnostic) => {
    let by: string | null | undefined = d.code in TOKEN_FIXES ? TOKEN_FIXES[d.code] : undefined;
    if (d.code === 'OPTION_CLAMPED' && t.effect.kind === 'number') by = `${t.effect.name}:${t.effect.value}`;
    if (d.code === 'OPTION_PREFIX_MATCH' && t.effect.kind === 'flag') by = t.effect.name;
    if (d.code === 'OPTION_UNKNOWN') by = /^Write "(.+)"\.$/.exec(d.fix)?.[1];
    if (by === undefined || edits.left <= 0) return addRaw(d);
    edits.left--;
    const e = tokenFix(raw, n, tok, by);
    addRaw(e ? { ...d, edit: e } : d);
  };
  if (t.effect.kind === 'number') {
    const { name, raw, value } = t.effect;
    const after = tok.slice(name.length + 1);
    if (!/^-?\d+$/.test(after)) {
      add({ line: n, code: 'OPTION_BAD_NUMBER', severity: 'warning', message: `"${showBytes(tok)}" is not a plain number: glibc reads ${name} ${value}${name === 'attempts' && value <= 0 ? '' : ''}, musl ignores it.`, fix: `Write ${name}:<number>.` });
    }
    if (name === 'attempts' && raw <= 0) {
      add({ line: n, code: 'ATTEMPTS_ZERO', severity: 'error', dangerous: true, message: `attempts:${raw} means glibc never sends a query (every lookup fails at once)${raw === 0 && /^0+$/.test(after) ? ', and musl programs crash with SIGFPE on every lookup' : ''}.`, fix: 'Use attempts:1 or more (the default is 2).' });
    } else if (name === 'attempts' && raw > 5) {
      add({ line: n, code: 'OPTION_CLAMPED', severity: 'info', message: `attempts is capped at 5 by glibc (musl caps at 10): ${raw} acts as ${Math.min(raw, 5)}.`, fix: 'Use a value from 1 to 5.' });
    }
    if (name === 'ndots' && raw < 0) {
      add({ line: n, code: 'NDOTS_NEGATIVE', severity: 'error', message: `ndots:${raw} is not clamped by glibc: it becomes ${value}, so almost every name goes through the whole search list first.`, fix: 'Use a value from 0 to 15 (the default is 1).' });
    } else if (name === 'ndots' && raw > 15) {
      add({ line: n, code: 'OPTION_CLAMPED', severity: 'info', message: `ndots is capped at 15: ${raw} acts as 15.`, fix: 'Use a value from 0 to 15.' });
    } else if (name === 'ndots' && raw >= 5) {
      add({ line: n, code: 'NDOTS_HIGH', severity: 'info', message: `ndots:${raw}: names with fewer than ${raw} dots (like api.example.com) try every search domain first, multiplying DNS traffic.`, fix: 'Lower ndots (1 or 2) or look up full names with a trailing dot.' });
    }
    if (name === 'timeout' && raw <= 0) {
      add({ line: n, code: 'TIMEOUT_NOT_POSITIVE', severity: 'warning', message: `timeout:${raw}: glibc stores it as is and waits 1 second; c-ares (Node's dns.resolve) rejects it.`, fix: 'Use timeout:1 or more (the default is 5).' });
    } else if (name === 'timeout' && raw > 30) {
      add({ line: n, code: 'OPTION_CLAMPED', severity: 'info', message: `timeout is capped at 30 by glibc (musl: 60): ${raw} acts as ${Math.min(raw, 30)}.`, fix: 'Use a value from 1 to 30.' });
    }
    return;
  }
  if (t.effect.kind === 'flag') {
    const name = t.effect.name;
    const exactNames = name === 'no-tld-query' ? ['no-tld-query', 'no_tld_query'] : [name];
    if (!exactNames.includes(tok)) {
      add({ line: n, code: 'OPTION_PREFIX_MATCH', severity: 'warning', message: `"${showBytes(tok)}" is not an option, but glibc matches options by prefix and reads it as "${name}".`, fix: `Write "${name}" exactly.` });
    }
    if (name === 'inet6') add({ line: n, code: 'OPTION_IGNORED', severity: 'info', message: `"inet6" ${IGNORED_OLD.inet6}.`, fix: 'Remove it.' });
    const since = VERSIONED[name];
    if (since) add({ line: n, code: 'OPTION_NEEDS_VERSION', severity: 'info', message: `"${name}" needs glibc ${since} or later; older systems ignore it, and musl ignores it entirely.`, fix: 'Fine on current systems; remember it when copying this file to older ones.' });
    return;
  }
  const base = tok.replace(/^-/, '');
  if (IGNORED_OLD[base]) {
    add({ line: n, code: 'OPTION_IGNORED', severity: 'info', message: `"${tok}" ${IGNORED_OLD[base]}.`, fix: 'Remove it.' });
  } else if (tok.startsWith('-')) {
    add({ line: n, code: 'OPTION_UNKNOWN', severity: 'warning', message: `"${tok}": clearing an option with "-" needs glibc 2.41; glibc 2.36 ignores it.`, fix: 'Remove the option you do not want instead.' });
  } else if (!KNOWN_EXACT.has(tok)) {
    const lower = tok.toLowerCase();
    const hint = [...KNOWN_EXACT, 'ndots:', 'timeout:', 'attempts:'].find((k) => lower.startsWith(k));
    add({ line: n, code: 'OPTION_UNKNOWN', severity: 'warning', message: `Unknown option "${showBytes(tok)}": glibc ignores it${hint ? ' (options are case-sensitive)' : ''}.`, fix: hint ? `Write "${hint}${lower.slice(hint.length)}".` : 'Check the spelling (see man resolv.conf) or remove it.' });
  }
}
