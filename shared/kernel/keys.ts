/**
 * Sysctl names as sysctl.d(5), systemd-sysctl and the kubelet read them. A name whose first
 * separator is "/" is a path (dots stay); one whose first separator is "." has every "." and
 * "/" swapped. So `net.ipv4.conf.eth0/100.forwarding` and `net/ipv4/conf/eth0.100/forwarding`
 * are the same file, /proc/sys/net/ipv4/conf/eth0.100/forwarding.
 */

/** The path under /proc/sys (no leading slash, duplicate slashes collapsed). */
export function keyToPath(name: string): string {
  let s = name.trim();
  const firstSep = s.search(/[./]/);
  if (firstSep >= 0 && s[firstSep] === '.') s = swapSeparators(s);
  return s.replace(/\/+/g, '/').replace(/^\//, '').replace(/\/$/, '');
}

/** The canonical dot form of a /proc/sys path ("net/ipv4/conf/eth0.100/rp_filter" -> "net.ipv4.conf.eth0/100.rp_filter"). */
export function pathToKey(path: string): string {
  return swapSeparators(path.replace(/^\/+/, ''));
}

/** The canonical dot form of any name (dot or slash). */
export function normalizeKey(name: string): string {
  return pathToKey(keyToPath(name));
}

function swapSeparators(s: string): string {
  return s.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

/** Top-level group shown in the UI: kernel, vm, fs, net.core, net.ipv4, net.ipv6, net.netfilter, ... */
export function subsystemOf(key: string): string {
  const parts = key.split('.');
  if (parts[0] === 'net' && parts.length > 2) return `${parts[0]}.${parts[1]}`;
  return parts[0] ?? key;
}

const IFACE_SCOPES = /^(net\.ipv[46]\.(?:conf|neigh))\.([^.]+)\.(.+)$/;

/**
 * Interface-specific keys share one meaning across interfaces: `net.ipv4.conf.eth0.rp_filter`
 * -> { pattern: "net.ipv4.conf.*.rp_filter", iface: "eth0" }. `all` and `default` are scopes,
 * not interfaces, and keep their own names.
 */
export function interfacePattern(key: string): { pattern: string; iface: string } | null {
  const m = IFACE_SCOPES.exec(key);
  if (!m) return null;
  const iface = m[2]!;
  if (iface === 'all' || iface === 'default') return null;
  return { pattern: `${m[1]}.*.${m[3]}`, iface };
}

/** Whether a name contains glob characters (systemd-sysctl expands these under /proc/sys). */
export function isGlob(name: string): boolean {
  return /[*?[]/.test(name);
}

/** Characters a /proc/sys path component may have (interface names add "@", "+", ":" ...). */
const COMPONENT = /^[A-Za-z0-9_:@+.-]+$/;
const MAX_KEY = 512;

/**
 * Why `name` is not a sysctl name, or null. A name is "."- or "/"-separated components of
 * [A-Za-z0-9_:@+.-]; none may be empty, "." or ".." (that would leave /proc/sys), and no NUL,
 * space or newline (a key is also written into sysctl.d files, one per line). Globs are
 * refused unless `allowGlob` (only sysctl.d files may have them).
 */
export function keyProblem(name: string, opts: { allowGlob?: boolean } = {}): string | null {
  if (typeof name !== 'string' || name.trim() === '') return 'a sysctl name must not be empty';
  if (name.length > MAX_KEY) return `a sysctl name must be at most ${MAX_KEY} characters`;
  // Empty components are refused as written (keyToPath would collapse "kernel..x" to kernel/x).
  const raw = name.trim().replace(/^\//, '');
  const sep = raw.search(/[./]/);
  if (sep >= 0 && raw.split(raw[sep]!).some((c) => c === '')) return `"${name}" is not a sysctl name: it has an empty component`;
  const p = keyToPath(name);
  if (p === '') return `"${name}" is not a sysctl name`;
  for (const c of p.split('/')) {
    if (c === '' || c === '.' || c === '..') return `"${name}" is not a sysctl name: it has an empty, "." or ".." component`;
    const bare = opts.allowGlob ? c.replace(/[*?[\]!{},]/g, 'x') : c;
    if (!COMPONENT.test(bare)) return `"${name}" is not a sysctl name: "${c}" has a character other than letters, digits and _ : @ + . -`;
  }
  return null;
}
