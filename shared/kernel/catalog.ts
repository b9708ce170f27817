import docIndex from './data/doc-index.json';
import { descriptions } from './data/descriptions';
import { interfacePattern, normalizeKey } from './keys';
import { k8sRows } from './k8s-table';

/**
 * What HostDeck knows about a sysctl besides its live value: value type, range, unit, where the
 * kernel documents it and our own short description. Values are checked against it before
 * anything is written; only the kernel validates fully (reference §4), so this catches typos,
 * not every value the kernel would refuse.
 */
export type ValueType =
  | { kind: 'integer'; min?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'vector'; count: number; min?: number; max?: number }
  | { kind: 'enum'; values: string[] }
  | { kind: 'portList' }
  | { kind: 'string' };

export interface CatalogEntry {
  key: string;
  type: ValueType;
  unit: string | null;
  description: string | null;
  doc: { page: string; section: string } | null;
  /** Where the type came from: our table, the kernel documentation, or the live value's shape. */
  typeSource: 'catalog' | 'kernel-doc' | 'value' | 'unknown';
}

const docs = (docIndex as { keys: Record<string, { page: string; section: string; type?: string }> }).keys;

function docFor(key: string): { page: string; section: string; type?: string } | null {
  const direct = Object.hasOwn(docs, key) ? docs[key] : undefined;
  if (direct) return direct;
  const ip = interfacePattern(key);
  if (ip && docs[ip.pattern]) return docs[ip.pattern]!;
  // net.ipv6.neigh.* and interface scopes share the IPv4 neighbour documentation
  const neigh = /^net\.ipv6\.neigh\.[^.]+\.(.+)$/.exec(key);
  if (neigh && docs[`net.ipv4.neigh.default.${neigh[1]}`]) return docs[`net.ipv4.neigh.default.${neigh[1]}`]!;
  return null;
}

function descFor(key: string) {
  if (Object.hasOwn(descriptions, key)) return descriptions[key];
  const ip = interfacePattern(key);
  if (ip) return descriptions[ip.pattern.replace('.*.', '.all.')] ?? null;
  return null;
}

function typeFromCode(code: string, min?: number, max?: number): ValueType {
  if (code === 'b') return { kind: 'boolean' };
  if (code === 's') return { kind: 'string' };
  if (code === 'p') return { kind: 'portList' };
  if (code.startsWith('e:')) return { kind: 'enum', values: code.slice(2).split('|') };
  if (code.startsWith('v')) return { kind: 'vector', count: Number(code.slice(1)), min, max };
  return { kind: 'integer', min, max };
}

function typeFromDoc(t: string): ValueType | null {
  const u = t.toUpperCase();
  if (u.startsWith('BOOLEAN')) return { kind: 'boolean' };
  if (/^VECTOR OF (\d+)/.test(u)) return { kind: 'vector', count: Number(/^VECTOR OF (\d+)/.exec(u)![1]) };
  if (/^2 INTEGERS/.test(u)) return { kind: 'vector', count: 2 };
  if (/COMMA SEPARATED RANGES/.test(u)) return { kind: 'portList' };
  if (/^(LONG |UNSIGNED )?INTEGER/.test(u)) return { kind: 'integer' };
  if (u.startsWith('STRING')) return { kind: 'string' };
  return null;
}

/** Infers a type from a live value when nothing else is known. */
export function typeFromValue(value: string): ValueType {
  const v = value.trim();
  if (/^-?\d+$/.test(v)) return { kind: 'integer' };
  const parts = v.split(/\s+/);
  if (parts.length > 1 && parts.every((p) => /^-?\d+$/.test(p))) return { kind: 'vector', count: parts.length };
  return { kind: 'string' };
}

export function catalogEntry(name: string, liveValue?: string): CatalogEntry {
  const key = normalizeKey(name);
  const d = descFor(key);
  const doc = docFor(key);
  let type: ValueType | null = null;
  let typeSource: CatalogEntry['typeSource'] = 'unknown';
  if (d?.[1]) {
    type = typeFromCode(d[1], d[3], d[4]);
    typeSource = 'catalog';
  } else if (doc?.type) {
    type = typeFromDoc(doc.type);
    if (type) typeSource = 'kernel-doc';
  }
  if (!type && liveValue !== undefined) {
    type = typeFromValue(liveValue);
    typeSource = 'value';
  }
  return {
    key,
    type: type ?? { kind: 'string' },
    unit: d?.[2] ?? null,
    description: d?.[0] ?? null,
    doc: doc ? { page: doc.page, section: doc.section } : null,
    typeSource,
  };
}

/** Whether HostDeck has a description of this key (catalogEntry(key).description !== null, without working out its type). */
export function isDescribed(name: string): boolean {
  return (descFor(normalizeKey(name))?.[0] ?? null) !== null;
}

/** Keys with a description written by us (the "most used" list). */
export function describedKeys(): string[] {
  return Object.keys(descriptions);
}

export type ValueCheck = { ok: true; value: string } | { ok: false; error: string };

const INT = /^-?\d+$/;

/**
 * Checks a value against the key's type before it is written (profiles, UI edits). Returns the
 * value normalised the way the kernel reads it (blanks collapsed in vectors).
 */
export function validateValue(entry: CatalogEntry, raw: string): ValueCheck {
  const v = raw.trim();
  const t = entry.type;
  const range = (n: number, min?: number, max?: number): string | null =>
    min !== undefined && n < min ? `below the minimum ${min}` : max !== undefined && n > max ? `above the maximum ${max}` : null;
  switch (t.kind) {
    case 'boolean':
      return v === '0' || v === '1' ? { ok: true, value: v } : { ok: false, error: `${entry.key} is a boolean: use 0 or 1, not "${v}"` };
    case 'integer': {
      if (!INT.test(v)) return { ok: false, error: `${entry.key} needs an integer, not "${v}"` };
      const r = range(Number(v), t.min, t.max);
      return r ? { ok: false, error: `${entry.key} = ${v} is ${r}${entry.unit ? ` (${entry.unit})` : ''}` } : { ok: true, value: v };
    }
    case 'enum':
      return t.values.includes(v) ? { ok: true, value: v } : { ok: false, error: `${entry.key} accepts ${t.values.join(', ')}, not "${v}"` };
    case 'vector': {
      const parts = v.split(/\s+/).filter(Boolean);
      if (parts.length !== t.count || !parts.every((p) => INT.test(p))) {
        return { ok: false, error: `${entry.key} needs ${t.count} integers separated by blanks, not "${v}"` };
      }
      for (const p of parts) {
        const r = range(Number(p), t.min, t.max);
        if (r) return { ok: false, error: `${entry.key}: ${p} is ${r}` };
      }
      if (entry.key === 'net.ipv4.ip_local_port_range' && Number(parts[0]) > Number(parts[1])) {
        return { ok: false, error: `${entry.key}: the first port (${parts[0]}) must not be above the last (${parts[1]})` };
      }
      return { ok: true, value: parts.join(' ') };
    }
    case 'portList': {
      if (v === '') return { ok: true, value: '' };
      for (const item of v.split(',')) {
        const m = /^(\d+)(?:-(\d+))?$/.exec(item.trim());
        if (!m || Number(m[1]) > 65535 || (m[2] !== undefined && (Number(m[2]) > 65535 || Number(m[2]) < Number(m[1])))) {
          return { ok: false, error: `${entry.key} needs ports or ranges separated by commas (1024-4999,8080), not "${item.trim()}"` };
        }
      }
      return { ok: true, value: v.replace(/\s+/g, '') };
    }
    case 'string':
      return /[\n\0]/.test(v) ? { ok: false, error: `${entry.key}: a value cannot contain a newline or NUL` } : { ok: true, value: v };
  }
}

/** Every name the catalog knows: our descriptions, the kernel documentation and the Kubernetes table. */
let known: Set<string> | null = null;
function knownNames(): Set<string> {
  if (!known) known = new Set([...Object.keys(descriptions), ...Object.keys(docs), ...k8sRows.map((r) => r.name)]);
  return known;
}

/** The scope segment of interface keys replaced by "*" (`net.ipv4.conf.all.rp_filter` -> `net.ipv4.conf.*.rp_filter`). */
function scopePattern(key: string): string | null {
  const m = /^(net\.ipv[46]\.(?:conf|neigh))\.[^.]+\.(.+)$/.exec(key);
  return m ? `${m[1]}.*.${m[2]}` : null;
}

/**
 * Whether a sysctl name exists as far as HostDeck can tell: in the catalog (descriptions, kernel
 * documentation, Kubernetes table, interface keys by their pattern) or among `live` names (the
 * host's /proc/sys, which also covers module and driver keys the documentation leaves out).
 */
export function isKnownKey(name: string, live?: ReadonlySet<string>): boolean {
  const key = normalizeKey(name);
  if (live?.has(key)) return true;
  const names = knownNames();
  if (names.has(key)) return true;
  const p = scopePattern(key);
  if (p && (names.has(p) || names.has(p.replace('.*.', '.all.')) || names.has(p.replace('.*.', '.default.')))) return true;
  // net.ipv6.neigh.* shares the IPv4 neighbour documentation
  const neigh = /^net\.ipv6\.neigh\.[^.]+\.(.+)$/.exec(key);
  return !!neigh && names.has(`net.ipv4.neigh.*.${neigh[1]}`);
}

function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      best = Math.min(best, v);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest known name within two typing mistakes ("vm.swapiness" -> "vm.swappiness"), or null. */
export function suggestKey(name: string, live?: ReadonlySet<string>): string | null {
  const key = normalizeKey(name);
  let best: string | null = null;
  let bestD = 3;
  for (const k of [...knownNames(), ...(live ?? [])]) {
    if (k.includes('*')) continue;
    const d = distance(key, k, bestD - 1);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}
