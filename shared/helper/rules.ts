import { keyToPath, normalizeKey } from '../kernel/keys';
import { kernelInteger } from './weakening';

/**
 * The sysctl name and value rules the privileged helper enforces (hostdeck-helper.py mirrors
 * this file line for line; test/helper/rules-agree.test.ts runs both on one corpus). HostDeck
 * checks first, for a clear message before any prompt; the helper checks again, because it
 * trusts nobody. The catalog (shared/kernel/catalog.ts) adds type and range checks on top.
 */
export const KEY_MAX_BYTES = 256;
export const VALUE_MAX_BYTES = 4096;
const KEY_COMPONENT = /^[A-Za-z0-9_@:+-][A-Za-z0-9_.@:+-]*$/;
/** Keys whose value makes the kernel run a program (or hands it capabilities) as root. */
const REFUSED_KEYS = /^(kernel\.(modprobe|hotplug|poweroff_cmd|usermodehelper\..+)|fs\.binfmt_misc(\..+)?)$/;

/** UTF-8 length in bytes (a lone surrogate counts 3, as Python's surrogatepass and TextEncoder's U+FFFD). */
function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

/** null when the helper may write this sysctl name, else the reason. */
export function sysctlKeyError(name: string): string | null {
  if (utf8Length(name) > KEY_MAX_BYTES) return `sysctl name longer than ${KEY_MAX_BYTES} bytes`;
  if (/[*?[]/.test(name)) return `${name}: exact names only, not globs`;
  const p = keyToPath(name);
  const parts = p.split('/');
  if (p === '' || parts.some((c) => c === '' || c === '.' || c === '..')) return `"${name}" is not a sysctl name`;
  for (const c of parts) {
    if (!KEY_COMPONENT.test(c)) return `"${name}" is not a sysctl name (character not allowed in "${c}")`;
  }
  const key = normalizeKey(name);
  if (REFUSED_KEYS.test(key)) return `${key} makes the kernel run a program as root; HostDeck does not change it`;
  return null;
}

/** null when the helper may write this value (the kernel and the catalog judge the rest). */
export function sysctlValueError(key: string, value: string): string | null {
  if (utf8Length(value) > VALUE_MAX_BYTES) return `${key}: value longer than ${VALUE_MAX_BYTES} bytes`;
  if (/[\n\r\0]/.test(value)) return `${key}: a value cannot contain a newline or NUL`;
  const k = normalizeKey(key);
  if (k === 'kernel.core_pattern') return corePatternError(value);
  // Judged on the value as the helper writes it (trimmed): " \u00a02" is written as "2".
  if (k === 'fs.suid_dumpable' && kernelInteger(value.trim()) === 2n) {
    return 'fs.suid_dumpable = 2 makes crashing set-uid programs dump core as root, into files their user may choose; HostDeck does not set it (1 needs a confirmation, 0 is the safe default)';
  }
  return null;
}

/** null when kernel.core_pattern is a plain relative file name (written in the crashing program's directory), else why not. */
export function corePatternError(value: string): string | null {
  const v = value.trim();
  if (v.startsWith('|')) return 'kernel.core_pattern starting with "|" makes the kernel run a program as root; HostDeck does not set it';
  if (v.startsWith('@')) return 'kernel.core_pattern starting with "@" hands every core dump to a socket (Linux 6.16+); HostDeck does not set it';
  if (v.includes('/') || v.includes('..')) {
    return `kernel.core_pattern "${v}" is a path: a crashing set-uid program would create a root-owned file there (such as /etc/ld.so.preload); HostDeck sets only a plain file name such as core or core.%e.%p`;
  }
  return null;
}

/** The files the helper writes, as host-absolute paths. */
export function helperWritablePath(path: string): 'resolv' | 'sysctl.d' | 'firewalld' | null {
  if (path === '/etc/resolv.conf') return 'resolv';
  if (path === '/etc/firewalld/firewalld.conf') return 'firewalld';
  const fw = /^\/etc\/firewalld\/(zones|services|ipsets|icmptypes|helpers|policies)\/([^/]+)$/.exec(path);
  if (fw) return /^[A-Za-z0-9_][A-Za-z0-9_.:+-]{0,127}\.xml$/.test(fw[2]!) ? 'firewalld' : null;
  const m = /^\/etc\/sysctl\.d\/([^/]+)$/.exec(path);
  return m && /^[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,200}\.conf$/.test(m[1]!) ? 'sysctl.d' : null;
}
