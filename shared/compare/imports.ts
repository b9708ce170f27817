import { ApiError } from '../api/errors';
import { exactCheck } from '../api/exact-check';
import type { ForwardPort, Port, PortProtocol, Zone } from '../firewall/model';
import { checkText } from '../dns/check';
import { keyProblem, normalizeKey } from '../kernel/keys';
import { KEY_MAX_BYTES, VALUE_MAX_BYTES } from '../helper/rules';
import { checkName } from '../firewall/validate';
import {
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  emptyLayer,
  snapshotSchema,
  type DnsSnapshot,
  type FirewallSnapshot,
  type Snapshot,
  type SnapshotSysctl,
} from './snapshot';

/**
 * Imports for hosts without HostDeck: a HostDeck snapshot, raw `sysctl -a` output, a
 * resolv.conf, `firewall-cmd --list-all-zones` output (runtime or --permanent). The format is
 * detected from the text. Every parser either returns complete facts or throws PARSE_ERROR
 * naming the file and line: nothing is ever half-loaded.
 */

export type ImportFormat = 'snapshot' | 'sysctl' | 'resolv.conf' | 'firewall-zones';

export const importFormatLabels: Record<ImportFormat, string> = {
  snapshot: 'HostDeck snapshot',
  sysctl: 'sysctl -a output',
  'resolv.conf': 'resolv.conf',
  'firewall-zones': 'firewall-cmd --list-all-zones output',
};

/** Largest text one import accepts (the UI checks the file size before reading it). */
export const IMPORT_MAX_BYTES = 32 * 1024 * 1024;
/**
 * Largest compare.import request (JSON): a file's text is a JSON string, where a quote, a
 * backslash, a tab or a newline takes 2 bytes, so twice the text limit plus room for the rest.
 */
export const IMPORT_REQUEST_MAX_BYTES = 2 * IMPORT_MAX_BYTES + 64 * 1024;
/** Most sysctl keys (or sysctl.d settings) one host may have: a node with 4,000 interfaces has about 45,000. */
export const IMPORT_MAX_KEYS = 100_000;
/** Deepest nesting a snapshot may have (a real one has 6 levels). */
export const IMPORT_MAX_DEPTH = 32;
/** Longest string a snapshot may hold (a resolv.conf, a sysctl.d file's text). */
export const IMPORT_MAX_STRING = 1024 * 1024;

export interface ImportFile {
  /** File name, for messages and the default host label. */
  name: string;
  text: string;
  /** For firewall-cmd output: which layer it shows (`--permanent` output cannot be told apart by its text). */
  layer?: 'runtime' | 'permanent';
}

export function parseError(file: string, line: number | null, message: string): ApiError {
  const where = line === null ? file : `${file}, line ${line}`;
  return new ApiError('PARSE_ERROR', `${where}: ${message}`, { file, line });
}

/** Refuses binary data (NUL, other control bytes, bytes that are not UTF-8) naming the first bad line. */
export function assertText(file: string, text: string): void {
  // eslint-disable-next-line no-control-regex
  const bad = /[\u0000-\u0008\u000e-\u001f\u007f\ufffd]/.exec(text);
  if (!bad) return;
  const line = lineAt(text, bad.index);
  const code = bad[0] === '\ufffd' ? 'bytes that are not UTF-8' : `control byte 0x${bad[0].charCodeAt(0).toString(16).padStart(2, '0')}`;
  throw parseError(file, line, `binary data (${code}): this is not a text file HostDeck can import`);
}

function lineAt(text: string, index: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** What detectFormat takes for a snapshot: `{` or `[` after blanks (String.prototype.trimStart's blanks are \s's). */
const LOOKS_JSON = /^\s*[{[]/;
const SYSCTL_LINE = /^([A-Za-z0-9_][A-Za-z0-9_\-:@+]*(?:[./][A-Za-z0-9_\-:@+*]+)+)\s*=\s?(.*)$/;
const SYSCTL_DIAG = /^sysctl: (?:permission denied on key|reading key|cannot stat|error reading key) ["'‘]?([^"'’:]+)["'’]?/;
const RESOLV_KEYWORD = /^(nameserver|search|domain|options|sortlist)(\s|$)/;
const ZONE_KEY = /^ {2}([a-z][a-z -]*):(?: (.*))?$/;
const ZONE_HEADER = /^([A-Za-z0-9_+\-.]{1,64})(?: \(([a-z, ]+)\))?\s*$/;

/** Which importable format the text is, or a PARSE_ERROR saying what it looks like instead. */
export function detectFormat(file: string, text: string): ImportFormat {
  assertText(file, text);
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return 'snapshot';
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const meaningful = lines.filter((l) => l.trim() !== '' && !/^\s*[#;]/.test(l));
  if (meaningful.length === 0) throw parseError(file, null, 'the file is empty (no sysctl, resolv.conf or firewall lines)');
  if (meaningful.some((l) => /^ {2}(target|services|rich rules):/.test(l))) return 'firewall-zones';
  const first = meaningful[0]!;
  if (SYSCTL_LINE.test(first) && !RESOLV_KEYWORD.test(first)) return 'sysctl';
  if (meaningful.some((l) => RESOLV_KEYWORD.test(l.trimStart()))) return 'resolv.conf';
  const at = lines.findIndex((l) => l === first) + 1;
  throw parseError(
    file,
    at,
    `not a format HostDeck imports (a HostDeck snapshot, sysctl -a output, a resolv.conf or firewall-cmd --list-all-zones output): "${first.slice(0, 60)}"`,
  );
}

/**
 * Why an imported sysctl name or value cannot be loaded, or null: the name as the Kernel pages
 * take names (shared/kernel/keys.ts: no blanks, "=", empty, "." or ".." components, globs) within
 * the helper's length (shared/helper/rules.ts); the value within the helper's length, with no NUL
 * or CR. A value may have newlines (sysctl prints dev.cdrom.info on several lines): it is shown,
 * and the helper's own rules keep it out of every fix.
 */
export function importedSysctlError(key: string, value?: string): string | null {
  if (!isCanonicalKey(key)) {
    const k = keyProblem(key);
    if (k) return k;
  }
  if (utf8Bytes(key) > KEY_MAX_BYTES) return `sysctl name longer than ${KEY_MAX_BYTES} bytes: "${key.slice(0, 60)}..."`;
  if (value === undefined) return null;
  if (utf8Bytes(value) > VALUE_MAX_BYTES) return `${key}: value longer than ${VALUE_MAX_BYTES} bytes`;
  if (/[\r\0]/.test(value)) return `${key}: a value cannot contain a carriage return or NUL`;
  return null;
}

function utf8Bytes(s: string): number {
  if (s.length * 3 <= Math.min(KEY_MAX_BYTES, VALUE_MAX_BYTES)) return s.length; // surely within both limits
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * A dot-form name with no "/", no empty, "." or ".." component and only the characters the
 * Kernel pages allow: valid, and its own canonical form (what normalizeKey would return). This
 * is almost every line of `sysctl -a`; checking it this way costs a fifth of the full path.
 */
const CANONICAL_KEY = /^[A-Za-z0-9_:@+-]+(?:\.[A-Za-z0-9_:@+-]+)*$/;
const isCanonicalKey = (key: string) => CANONICAL_KEY.test(key);
const canonical = (key: string) => (isCanonicalKey(key) ? key : normalizeKey(key));

const tooManyKeys = (file: string) => parseError(file, null, `more than ${IMPORT_MAX_KEYS.toLocaleString('en-US')} sysctl keys: no host has that many (limit ${IMPORT_MAX_KEYS.toLocaleString('en-US')} per host)`);

/** `sysctl -a` output (also with `2>&1`: "permission denied" lines mark the key unreadable). */
export function parseSysctlA(file: string, text: string): SnapshotSysctl[] {
  assertText(file, text);
  const out = new Map<string, SnapshotSysctl>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '' || /^\s*[#;]/.test(raw)) continue;
    const diag = SYSCTL_DIAG.exec(raw);
    if (diag) {
      const why = importedSysctlError(diag[1]!.trim());
      if (why) throw parseError(file, i + 1, why);
      const key = canonical(diag[1]!.trim());
      if (!out.has(key)) out.set(key, { key, state: 'unreadable' });
      if (out.size > IMPORT_MAX_KEYS) throw tooManyKeys(file);
      continue;
    }
    const m = SYSCTL_LINE.exec(raw);
    if (!m) throw parseError(file, i + 1, `expected "key = value" as sysctl -a prints it, found "${raw.slice(0, 80)}"`);
    const key = canonical(m[1]!);
    const value = m[2]!;
    const prev = out.get(key);
    // sysctl prints a multi-line value as one "key = line" per line.
    const joined = prev?.state === 'ok' ? `${prev.value}\n${value}` : value;
    const why = importedSysctlError(m[1]!, joined);
    if (why) throw parseError(file, i + 1, why);
    if (prev?.state === 'ok') prev.value = joined;
    else out.set(key, { key, state: 'ok', value });
    if (out.size > IMPORT_MAX_KEYS) throw tooManyKeys(file);
  }
  if (out.size === 0) throw parseError(file, null, 'no sysctl lines found');
  return [...out.values()];
}

/** A resolv.conf: glibc accepts any text, so this only refuses binary data and reads it as glibc 2.36 would. */
export function parseResolvConf(file: string, text: string, hostname?: string): DnsSnapshot {
  assertText(file, text);
  const c = checkText(text, 'glibc', { hostname });
  return {
    path: '/etc/resolv.conf',
    exists: true,
    text,
    owner: null,
    glibc: { nameservers: c.nameservers, ignoredNameservers: c.ignoredNameservers, search: c.search, options: c.options },
  };
}

const words = (v: string[] | undefined) => (v ?? []).flatMap((s) => s.split(/\s+/)).filter(Boolean);

function ports(file: string, line: number, v: string[] | undefined): Port[] {
  return words(v).map((p) => {
    const m = /^(\d+(?:-\d+)?)\/(tcp|udp|sctp|dccp)$/.exec(p);
    if (!m) throw parseError(file, line, `"${p}" is not a port/protocol`);
    return { port: m[1]!, protocol: m[2] as PortProtocol };
  });
}

function forwardPorts(file: string, line: number, v: string[] | undefined): ForwardPort[] {
  return (v ?? [])
    .flatMap((s) => s.split(/\s+/))
    .filter(Boolean)
    .map((s) => {
      const o = Object.fromEntries(s.split(':').map((kv) => kv.split('=') as [string, string]));
      if (!o.port || !o.proto) throw parseError(file, line, `"${s}" is not a forward port (port=..:proto=..:toport=..:toaddr=..)`);
      return { port: o.port, protocol: o.proto as PortProtocol, toPort: o.toport ?? '', toAddr: o.toaddr ?? '' };
    });
}

interface ZoneBlock {
  name: string;
  line: number;
  flags: string[];
  keys: Map<string, { line: number; values: string[] }>;
}

/**
 * `firewall-cmd [--permanent] [-v] --list-all-zones` output. Every zone block ends with its
 * "rich rules:" line; a block without one means the text was cut off. This output marks
 * "(active)" zones but never "(default)" (firewall-cmd passes no default zone to
 * print_zone_info for it; `--list-all` does): the default zone stays unknown.
 */
export function parseListAllZones(file: string, text: string, layer: 'runtime' | 'permanent' = 'runtime'): FirewallSnapshot {
  assertText(file, text);
  const blocks: ZoneBlock[] = [];
  let cur: ZoneBlock | undefined;
  let lastKey: { line: number; values: string[] } | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const n = i + 1;
    if (raw.trim() === '') {
      lastKey = undefined;
      continue;
    }
    if (raw.startsWith('\t')) {
      if (!lastKey) throw parseError(file, n, 'a continuation line (starting with a tab) outside a multi-line list');
      lastKey.values.push(raw.slice(1));
      continue;
    }
    const k = ZONE_KEY.exec(raw);
    if (k) {
      if (!cur) throw parseError(file, n, `"${k[1]}:" before any zone name`);
      lastKey = { line: n, values: k[2]?.trim() ? [k[2].trim()] : [] };
      cur.keys.set(k[1]!, lastKey);
      continue;
    }
    const h = ZONE_HEADER.exec(raw);
    if (h) {
      cur = { name: h[1]!, line: n, flags: (h[2] ?? '').split(',').map((s) => s.trim()).filter(Boolean), keys: new Map() };
      blocks.push(cur);
      lastKey = undefined;
      continue;
    }
    throw parseError(file, n, `not part of firewall-cmd --list-all-zones output: "${raw.slice(0, 80)}"`);
  }
  if (blocks.length === 0) throw parseError(file, null, 'no zones found');
  const state = emptyLayer();
  let defaultZone: string | null = null;
  const activeZones: FirewallSnapshot['activeZones'] = {};
  for (const b of blocks) {
    if (!b.keys.has('rich rules')) {
      throw parseError(file, b.line, `zone "${b.name}" has no "rich rules:" line: the output is cut off (truncated?) or not from firewall-cmd --list-all-zones`);
    }
    if (state.zones[b.name]) throw parseError(file, b.line, `zone "${b.name}" appears twice`);
    const v = (key: string) => b.keys.get(key)?.values;
    const ln = (key: string) => b.keys.get(key)?.line ?? b.line;
    const yes = (key: string) => (v(key) ?? [])[0] === 'yes';
    const target = (v('target') ?? ['default'])[0]!;
    const zone: Zone = {
      name: b.name,
      version: '',
      // Only `-v` output has them.
      short: (v('summary') ?? []).join(' '),
      description: (v('description') ?? []).join(' '),
      target: target === 'REJECT' ? '%%REJECT%%' : target,
      services: words(v('services')),
      ports: ports(file, ln('ports'), v('ports')),
      protocols: words(v('protocols')),
      sourcePorts: ports(file, ln('source-ports'), v('source-ports')),
      icmpBlocks: words(v('icmp-blocks')),
      icmpBlockInversion: yes('icmp-block-inversion'),
      forward: yes('forward'),
      masquerade: yes('masquerade'),
      forwardPorts: forwardPorts(file, ln('forward-ports'), v('forward-ports')),
      richRules: v('rich rules') ?? [],
      interfaces: words(v('interfaces')),
      sources: words(v('sources')),
    };
    for (const p of ['ingress-priority', 'egress-priority'] as const) {
      const raw = (v(p) ?? [])[0];
      if (raw === undefined) continue;
      if (!/^-?\d+$/.test(raw)) throw parseError(file, ln(p), `${p} "${raw}" is not a number`);
      zone[p === 'ingress-priority' ? 'ingressPriority' : 'egressPriority'] = Number(raw);
    }
    state.zones[b.name] = zone;
    if (b.flags.includes('default')) defaultZone = b.name;
    if (b.flags.includes('active')) activeZones[b.name] = { interfaces: zone.interfaces, sources: zone.sources };
  }
  return {
    running: true,
    version: '',
    defaultZone,
    logDenied: null,
    activeZones,
    coverage: ['zones'],
    runtime: layer === 'runtime' ? state : null,
    permanent: layer === 'permanent' ? state : null,
  };
}

/**
 * A HostDeck snapshot's JSON: truncated or broken JSON names the line, a newer version says so.
 * `quick` false: the full checks only (the tests hold the quick ones to the same answers).
 */
export function parseSnapshotJson(file: string, text: string, quick = true): Snapshot {
  // A fleet summary parses 1,000 of these: well-formed text takes the quick checks below, any
  // doubt takes the full checks, which name the file, the line and the problem.
  let doc = quick ? plainJson(text) : undefined;
  if (doc === undefined) doc = checkedJson(file, text);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw parseError(file, 1, 'a JSON document that is not a HostDeck snapshot (expected an object)');
  const o = doc as Record<string, unknown>;
  if (o.format !== SNAPSHOT_FORMAT) throw parseError(file, 1, `a JSON document that is not a HostDeck snapshot (format is ${JSON.stringify(o.format ?? null)}, expected "${SNAPSHOT_FORMAT}")`);
  if (typeof o.version !== 'number' || !Number.isInteger(o.version)) throw parseError(file, 1, 'the snapshot has no version number');
  if (o.version > SNAPSHOT_VERSION) {
    throw new ApiError(
      'UNSUPPORTED',
      `${file}: snapshot format version ${o.version} is newer than this HostDeck reads (version ${SNAPSHOT_VERSION}): update HostDeck to import it`,
      { file, version: o.version, supported: SNAPSHOT_VERSION },
    );
  }
  checkCounts(file, o);
  // Sysctl entries (most of a snapshot) that plainly pass every check skip the schema and the string walk.
  const sysctl = o.sysctl as { entries?: unknown } | null | undefined;
  const entries = quick ? plainEntries(sysctl?.entries) : null;
  if (entries) sysctl!.entries = [];
  // The rest as is when zod would give it back unchanged (issue #17: its copy was 12% of a fleet summary).
  let data: Snapshot;
  if (quick && snapshotExact?.(doc)) data = doc as Snapshot;
  else {
    const parsed = snapshotSchema.safeParse(doc);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw parseError(file, null, `not a valid version ${SNAPSHOT_VERSION} snapshot: ${issue.path.join('.') || '(document)'}: ${issue.message}`);
    }
    data = parsed.data;
  }
  checkSnapshotStrings(file, text, data);
  if (entries) data.sysctl!.entries = entries;
  return data;
}

/** The text checks and JSON.parse, each failure named with its line. */
function checkedJson(file: string, text: string): unknown {
  assertText(file, text);
  checkJsonDepth(file, text);
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const lc = /line (\d+) column (\d+)/.exec(msg);
    const line = lc ? Number(lc[1]) : pos ? lineAt(text, Number(pos[1])) : text.split('\n').length;
    // V8 reports a cut-off document as an error at (or past) its last character.
    const truncated = /end of JSON|Unterminated/i.test(msg) || (pos !== null && Number(pos[1]) >= text.trimEnd().length);
    throw parseError(file, line, truncated ? 'the JSON ends early: the file is truncated' : `broken JSON: ${msg.replace(/ in JSON at position \d+.*$/, '')}`);
  }
}

/**
 * The document when the text passes assertText and checkJsonDepth without a doubt, else
 * undefined (the full checks then name the problem). JSON itself admits no raw control byte but
 * tab, newline and carriage return, so text JSON.parse takes only needs the two that JSON allows
 * checked; V8's JSON.parse does not recurse, so the depth is checked on the parsed document.
 */
export function plainJson(text: string): unknown {
  // Past a few MiB (a snapshot is ~120 KB; 45,000 keys ~4 MB) the depth is checked on the text first, so nesting built to cost memory is refused unparsed.
  if (text.length > QUICK_MAX_CHARS || text.includes('\u007f') || text.includes('\ufffd')) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  return depthWithin(doc, IMPORT_MAX_DEPTH) ? doc : undefined;
}

const QUICK_MAX_CHARS = 4 * 1024 * 1024;

/** Whether no array or object is nested more than `left` levels deep (as checkJsonDepth counts). */
function depthWithin(v: unknown, left: number): boolean {
  if (typeof v !== 'object' || v === null) return true;
  if (left === 0) return false;
  if (Array.isArray(v)) {
    for (const x of v) if (typeof x === 'object' && x !== null && !depthWithin(x, left - 1)) return false;
    return true;
  }
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    if (typeof x === 'object' && x !== null && !depthWithin(x, left - 1)) return false;
  }
  return true;
}

const snapshotExact = exactCheck(snapshotSchema);

const ENTRY_STATES = new Set<unknown>(['ok', 'write-only', 'side-effect', 'unreadable']);

/**
 * The entries as they are when every one is exactly what the schema and checkSnapshotStrings
 * accept unchanged (a canonical name, a known state, a value within the helper's limits with no
 * control character, no other field), else null.
 */
export function plainEntries(v: unknown): SnapshotSysctl[] | null {
  if (!Array.isArray(v)) return null;
  for (const e of v as unknown[]) {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return null;
    const { key, state, value, writable } = e as Record<string, unknown>;
    let fields = 2;
    if (typeof key !== 'string' || key.length > KEY_MAX_BYTES || !isCanonicalKey(key) || !ENTRY_STATES.has(state)) return null;
    if (value !== undefined) {
      if (typeof value !== 'string' || utf8Bytes(value) > VALUE_MAX_BYTES || BAD_CONTROL.test(value)) return null;
      fields++;
    }
    if (writable !== undefined) {
      if (typeof writable !== 'boolean') return null;
      fields++;
    }
    for (const _ in e) if (--fields < 0) return null;
    if (fields !== 0) return null;
  }
  return v as SnapshotSysctl[];
}

/**
 * Refuses nesting deeper than IMPORT_MAX_DEPTH before JSON.parse builds anything: one pass over
 * the text, constant memory (30 MB of "[[[[" once cost seconds of CPU and 1.6 GB).
 */
function checkJsonDepth(file: string, text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > IMPORT_MAX_DEPTH) throw parseError(file, lineAt(text, i), `JSON nested more than ${IMPORT_MAX_DEPTH} levels deep: not a HostDeck snapshot (limit ${IMPORT_MAX_DEPTH})`);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/** Lists longer than any host has are refused before the schema copies them. */
function checkCounts(file: string, o: Record<string, unknown>): void {
  const len = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  const sysctl = o.sysctl as { entries?: unknown } | null | undefined;
  const sysctld = o.sysctld as { settings?: unknown; files?: unknown; texts?: unknown } | null | undefined;
  if (len(sysctl?.entries) > IMPORT_MAX_KEYS) throw tooManyKeys(file);
  for (const [what, v] of [['sysctl.d settings', sysctld?.settings], ['sysctl.d files', sysctld?.files], ['sysctl.d texts', sysctld?.texts]] as const) {
    if (len(v) > IMPORT_MAX_KEYS) throw parseError(file, null, `more than ${IMPORT_MAX_KEYS.toLocaleString('en-US')} ${what} (limit per host)`);
  }
}

/** The line of the first place `s` appears in the JSON text (for messages), or null. */
function lineOfJsonString(text: string, s: string): number | null {
  const at = text.indexOf(JSON.stringify(s).slice(1, -1));
  return at < 0 ? null : lineAt(text, at);
}

// eslint-disable-next-line no-control-regex
const BAD_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * What a snapshot says is checked as the live reads are: sysctl names and values by the Kernel
 * pages' and the helper's rules, firewalld object names by firewalld's, and no string anywhere
 * carries a control character (JSON escapes get past the text check) or is longer than
 * IMPORT_MAX_STRING.
 */
function checkSnapshotStrings(file: string, text: string, snap: Snapshot): void {
  const fail = (s: string, why: string) => {
    throw parseError(file, lineOfJsonString(text, s), why);
  };
  for (const e of snap.sysctl?.entries ?? []) {
    const why = importedSysctlError(e.key, e.value);
    if (why) fail(e.value !== undefined && !importedSysctlError(e.key) ? e.value : e.key, why);
  }
  for (const st of snap.sysctld?.settings ?? []) {
    const why = keyProblem(st.key, { allowGlob: true }) ?? (/[\n\r\0]/.test(st.value) ? `${st.key}: a sysctl.d value is one line` : null);
    if (why) fail(st.key, why);
  }
  for (const layer of [snap.firewall?.runtime, snap.firewall?.permanent]) {
    if (!layer) continue;
    for (const [kind, names] of [['zone', layer.zones], ['policy', layer.policies], ['service', layer.services], ['ipset', layer.ipsets]] as const) {
      for (const name of Object.keys(names)) {
        const why = checkName(kind, name);
        if (why) fail(name, why);
      }
    }
  }
  if (snap.firewall?.defaultZone) {
    const why = checkName('zone', snap.firewall.defaultZone);
    if (why) fail(snap.firewall.defaultZone, why);
  }
  const walk = (v: unknown, where: string, multiline: boolean): void => {
    if (typeof v === 'string') {
      if (v.length > IMPORT_MAX_STRING) fail(v.slice(0, 40), `${where}: a string longer than ${IMPORT_MAX_STRING / 1024 / 1024} MiB (limit)`);
      const bad = BAD_CONTROL.exec(v) ?? (multiline ? null : /[\n\r\t]/.exec(v));
      if (bad) fail(v, `${where}: control character U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')} in ${JSON.stringify(v.slice(0, 60))}`);
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}.${i}`, multiline));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) {
      walk(k, where, false);
      walk(x, where ? `${where}.${k}` : k, multiline || MULTILINE_FIELDS.has(k));
    }
  };
  walk(snap, '', false);
}

/** Fields whose text has lines: file texts, sysctl values (several lines), descriptions. */
const MULTILINE_FIELDS = new Set(['text', 'texts', 'value', 'values', 'description', 'short', 'reason', 'error', 'detail']);

function emptySnapshot(detail: string, now: number): Snapshot {
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    source: { kind: 'import', detail },
    identity: { hostname: '', os: '', kernel: '', time: now },
    sysctl: null,
    sysctld: null,
    dns: null,
    firewall: null,
  };
}

/**
 * One host from one or more files (say `sysctl -a`, resolv.conf and both firewall-cmd outputs of
 * the same machine). A HostDeck snapshot must come alone. Throws on the first bad file.
 */
export function importFiles(files: ImportFile[], now = Date.now()): { snapshot: Snapshot; formats: ImportFormat[] } {
  if (files.length === 0) throw new ApiError('INVALID_INPUT', 'No file to import');
  // One JSON file (a fleet summary reads 1,000): parseSnapshotJson does the text checks itself, in one pass with the parse.
  if (files.length === 1 && LOOKS_JSON.test(files[0]!.text)) return { snapshot: parseSnapshotJson(files[0]!.name, files[0]!.text), formats: ['snapshot'] };
  const formats = files.map((f) => detectFormat(f.name, f.text));
  if (formats.includes('snapshot')) {
    if (files.length > 1) throw new ApiError('INVALID_INPUT', 'A HostDeck snapshot already describes a whole host: import it on its own');
    return { snapshot: parseSnapshotJson(files[0]!.name, files[0]!.text), formats };
  }
  const snap = emptySnapshot(files.map((f, i) => `${f.name} (${importFormatLabels[formats[i]!]})`).join(', '), now);
  files.forEach((f, i) => {
    const fmt = formats[i]!;
    const dup = (what: string) => parseError(f.name, null, `a second ${what} for the same host`);
    if (fmt === 'sysctl') {
      if (snap.sysctl) throw dup('sysctl -a output');
      const entries = parseSysctlA(f.name, f.text);
      snap.sysctl = { entries, from: 'sysctl -a' };
      const get = (k: string) => entries.find((e) => e.key === k)?.value;
      snap.identity.kernel = get('kernel.osrelease') ?? snap.identity.kernel;
      snap.identity.hostname = get('kernel.hostname') ?? snap.identity.hostname;
    } else if (fmt === 'resolv.conf') {
      if (snap.dns) throw dup('resolv.conf');
      snap.dns = parseResolvConf(f.name, f.text);
    } else {
      const fw = parseListAllZones(f.name, f.text, f.layer ?? 'runtime');
      if (!snap.firewall) snap.firewall = fw;
      else {
        const layer = f.layer ?? 'runtime';
        if (snap.firewall[layer]) throw dup(`${layer} firewall-cmd --list-all-zones output`);
        snap.firewall[layer] = fw[layer];
        snap.firewall.defaultZone ??= fw.defaultZone;
        if (layer === 'runtime') snap.firewall.activeZones = fw.activeZones;
      }
    }
  });
  return { snapshot: snap, formats };
}
