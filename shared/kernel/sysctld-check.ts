import { catalogEntry, validateValue, type CatalogEntry } from './catalog';
import { pathToKey } from './keys';
import type { LiveValue } from './drift';
import type { EffectiveConfig, Warning, Write } from './sysctld';

/**
 * HostDeck's own checks of an effective sysctl.d configuration, on top of what systemd-sysctl
 * itself reports (resolveSystemd): every effective assignment's value is checked against the
 * catalog (type, range, vector arity, enum) and every key against the host's /proc/sys. These
 * warnings never change what is written or `failed` (which mirror the real tool): systemd-sysctl
 * writes every value as is and lets the kernel refuse it, and it treats a missing key as
 * "Couldn't write ..., ignoring" (logged at info level; silent with the "-" prefix).
 */

export interface LiveView {
  /** Live entries by /proc/sys path (files only). */
  files: ReadonlyMap<string, LiveValue>;
  /** Directories under /proc/sys (a key naming one is a group, not a parameter). */
  dirs: ReadonlySet<string>;
}

/** Whether HostDeck knows the key without looking at a host (our table or the kernel documentation). */
function inCatalog(e: CatalogEntry): boolean {
  return e.typeSource === 'catalog' || e.typeSource === 'kernel-doc' || e.doc !== null || e.description !== null;
}

/** The kernel reads integers with base 0 (proc_get_long → strtoul(.., 0)): "0x1f" is 31. */
function decimalize(v: string): string {
  return v.replace(/(^|\s)(-?)0[xX]([0-9a-fA-F]+)(?=\s|$)/g, (_m, sp: string, sign: string, hex: string) => `${sp}${sign}${parseInt(hex, 16)}`);
}

type ValueProblem = { severity: 'warning' | 'info'; text: string } | null;

function checkValue(entry: CatalogEntry, value: string): ValueProblem {
  const t = entry.type;
  const v = t.kind === 'integer' || t.kind === 'vector' || t.kind === 'boolean' ? decimalize(value) : value;
  // A vector written with fewer numbers is valid: the kernel sets the first ones and keeps the rest.
  if (t.kind === 'vector') {
    const parts = v.trim().split(/\s+/).filter(Boolean);
    if (parts.length > 0 && parts.length < t.count && parts.every((p) => /^-?\d+$/.test(p))) {
      return { severity: 'info', text: `${entry.key} takes ${t.count} numbers; "${value}" sets only the first ${parts.length}, the kernel keeps the others as they are.` };
    }
  }
  const r = validateValue(entry, v);
  if (r.ok) return null;
  const comment = /\s[#;]/.test(value) ? ' sysctl.d has no inline comments: everything after "=" is the value, so move the comment to its own line.' : '';
  return { severity: 'warning', text: `Invalid value "${value}" for ${entry.key}: ${r.error}.${comment} The kernel will refuse it (EINVAL) and the key keeps its current value.` };
}

const silenced = ' The "-" prefix makes systemd-sysctl skip it silently.';

/** HostDeck's warnings for an effective configuration, in assignment order, each with file:line, key and value. */
export function checkEffective(eff: EffectiveConfig, live: LiveView): Warning[] {
  const out: Warning[] = [];
  const add = (a: { file: string; line: number }, severity: Warning['severity'], message: string) => out.push({ file: a.file, line: a.line, severity, message });
  // The writes each glob assignment expanded to, by file:line (one lookup per assignment
  // instead of a scan of every write, which made large trees quadratic).
  const globWrites = new Map<string, Write[]>();
  for (const w of eff.writes) {
    if (w.glob === undefined) continue;
    const k = `${w.file}\n${w.line}\n${w.glob}`;
    const list = globWrites.get(k);
    if (list) list.push(w);
    else globWrites.set(k, [w]);
  }
  for (const a of eff.assignments) {
    if (a.value === null) continue; // exclusions write nothing
    const value = a.value;
    const matched = globWrites.get(`${a.file}\n${a.line}\n${a.key}`) ?? [];
    if (matched.length > 0) {
      const present = matched.filter((w) => live.files.has(w.path));
      if (present.length === 0) {
        add(a, a.ignoreFailure ? 'info' : 'warning', `${a.key} matches no parameter on this host, so systemd-sysctl tries to write "${value}" to the pattern itself and fails with "No such file or directory".${a.ignoreFailure ? silenced : ''}`);
        continue;
      }
      const bad = present.map((w) => ({ w, p: checkValue(catalogEntry(pathToKey(w.path), liveText(live, w.path)), value) })).filter((x) => x.p?.severity === 'warning');
      if (bad.length) {
        add(a, 'warning', `${a.key} = ${value}: the value is invalid for ${bad.length} of the ${present.length} keys it matches (for example ${bad[0]!.p!.text})`);
      }
      continue;
    }
    if (live.dirs.has(a.path)) {
      add(a, 'warning', `${a.key} is a group of parameters (a directory under /proc/sys), not a parameter: systemd-sysctl cannot write "${value}" to it and fails (EISDIR). Name one key inside it, or use a glob such as ${a.key}.*.`);
      continue;
    }
    const l = live.files.get(a.path);
    const entry = catalogEntry(a.key, liveText(live, a.path));
    if (!l) {
      if (!inCatalog(entry)) {
        add(a, a.ignoreFailure ? 'info' : 'warning', `Unknown key ${a.key} (value "${value}"): there is no /proc/sys/${a.path} on this host and HostDeck's catalog does not know it, so it may be a typo. systemd-sysctl logs "Couldn't write" and goes on.${a.ignoreFailure ? silenced : ''}`);
        continue;
      }
      add(a, 'info', `${a.key} is not present on this host's kernel now (a module not loaded, an interface that does not exist, or another kernel version): systemd-sysctl skips "${value}" here.${a.ignoreFailure ? silenced : ''}`);
    }
    const p = checkValue(entry, value);
    if (p) add(a, p.severity, p.text);
  }
  return out;
}

function liveText(live: LiveView, path: string): string | undefined {
  const l = live.files.get(path);
  return l?.state === 'ok' ? l.value : undefined;
}
