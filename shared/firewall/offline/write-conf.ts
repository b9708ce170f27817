/**
 * firewalld.conf rewritten as firewalld 1.3.3 rewrites it (core/io/firewalld_conf.py read()
 * then write()): the file's lines kept (runs of blank lines folded into one), a changed key
 * rewritten in place, a repeated key dropped, and every key firewalld holds in memory but the
 * file lacks appended after one blank line, with the value firewalld fell back to (its
 * deprecated keys MinimalMark, AutomaticHelpers and AllowZoneDrifting excepted). Unchanged
 * content is not written at all (undefined).
 */
import { FIREWALLD_CONF_KEYS } from './parse';
import { pyInt } from '../validate';

const YES_NO = ['no', 'false', 'yes', 'true'];
/** read()'s checks in its order: the fallback written when a key is missing or invalid (str() of firewalld's FALLBACK_* constants). */
const CHECKS: Array<[string, (v: string) => boolean, string]> = [
  ['DefaultZone', (v) => v !== '', 'public'],
  ['MinimalMark', (v) => pyInt(v) !== undefined, '100'],
  ['CleanupOnExit', (v) => YES_NO.includes(v.toLowerCase()), 'yes'],
  ['CleanupModulesOnExit', (v) => YES_NO.includes(v.toLowerCase()), 'no'],
  ['Lockdown', (v) => YES_NO.includes(v.toLowerCase()), 'no'],
  ['IPv6_rpfilter', (v) => YES_NO.includes(v.toLowerCase()), 'yes'],
  ['IndividualCalls', (v) => YES_NO.includes(v.toLowerCase()), 'no'],
  ['LogDenied', (v) => ['all', 'unicast', 'broadcast', 'multicast', 'off'].includes(v), 'off'],
  ['AutomaticHelpers', (v) => ['yes', 'no', 'system'].includes(v.toLowerCase()), 'no'],
  ['FirewallBackend', (v) => ['nftables', 'iptables'].includes(v.toLowerCase()), 'nftables'],
  // str(True): firewalld writes these two fallbacks as "True".
  ['FlushAllOnReload', (v) => YES_NO.includes(v.toLowerCase()), 'True'],
  ['RFC3964_IPv4', (v) => YES_NO.includes(v.toLowerCase()), 'True'],
  ['AllowZoneDrifting', (v) => YES_NO.includes(v.toLowerCase()), 'no'],
];
const NOT_APPENDED = new Set(['MinimalMark', 'AutomaticHelpers', 'AllowZoneDrifting']);

/** What firewalld holds after read(): the file's valid keys in file order, then fallbacks. */
export function firewalldConfMemory(text: string | undefined): Map<string, string> {
  const config = new Map<string, string>();
  for (const raw of (text ?? '').split('\n')) {
    const line = raw.trim();
    if (!line || line[0] === '#' || line[0] === ';') continue;
    const pair = line.split('=').map((x) => x.trim());
    if (pair.length !== 2 || !(FIREWALLD_CONF_KEYS as readonly string[]).includes(pair[0]!) || pair[1] === '' || config.has(pair[0]!)) continue;
    config.set(pair[0]!, pair[1]!);
  }
  for (const [key, ok, fallback] of CHECKS) {
    const v = config.get(key);
    if (v === undefined || !ok(v)) config.set(key, fallback);
  }
  return config;
}

/** The new firewalld.conf after setting `sets` (in order), or undefined when firewalld would not write it. */
export function firewalldConfAfter(text: string | undefined, sets: ReadonlyArray<[string, string]>): string | undefined {
  const config = firewalldConfMemory(text);
  for (const [k, v] of sets) config.set(k.trim(), v.trim());
  const out: string[] = [];
  const done = new Set<string>();
  let modified = false;
  let empty = false;
  if (text !== undefined) {
    const lines = text.split('\n');
    // Python iterates lines with their "\n": a final empty piece after the last "\n" is no line.
    if (lines[lines.length - 1] === '') lines.pop();
    for (const line of lines) {
      if (line.length < 1) {
        if (!empty) {
          out.push('\n');
          empty = true;
        }
      } else if (line[0] === '#') {
        empty = false;
        out.push(`${line}\n`);
      } else {
        const p = line.split('=');
        if (p.length !== 2) {
          empty = false;
          out.push(`${line}\n`);
          continue;
        }
        const key = p[0]!.trim();
        const value = p[1]!.trim();
        if (!done.has(key)) {
          const want = config.get(key);
          if (want !== undefined && want !== value) {
            empty = false;
            out.push(`${key}=${want}\n`);
            modified = true;
          } else {
            empty = false;
            out.push(`${line}\n`);
          }
          done.add(key);
        } else modified = true;
      }
    }
  }
  for (const [key, value] of config) {
    // firewalld drops a deprecated key it lacks even when asked to set it; HostDeck writes what was asked.
    if (done.has(key) || (NOT_APPENDED.has(key) && !sets.some(([k]) => k.trim() === key))) continue;
    if (!empty) {
      out.push('\n');
      empty = true;
    }
    out.push(`${key}=${value}\n`);
    modified = true;
  }
  return modified ? out.join('') : undefined;
}
