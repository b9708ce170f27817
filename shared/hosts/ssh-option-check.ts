import { parseDestination } from './destination';

/**
 * Which "Key=Value" ssh options a saved host may carry, and the check of each (no zod: the SSH
 * link checks them on every connection, and a compare's first ssh starts before zod is loaded).
 * ProxyCommand, LocalCommand, KnownHostsCommand or Match exec would make ssh run a program on
 * this machine: only a short list that names a key, a jump host or an alias is passed.
 */

/** ssh options an inventory may set for a host, and how their values are checked. */
const PATH_RE = /^(?:~\/|\/)[A-Za-z0-9_.+@/%-]{1,4095}$/;
export const ALLOWED_OPTIONS: Record<string, (v: string) => string | null> = {
  IdentityFile: (v) => (PATH_RE.test(v) && !v.split('/').includes('..') ? null : 'an absolute (or ~/) path of plain characters'),
  CertificateFile: (v) => (PATH_RE.test(v) && !v.split('/').includes('..') ? null : 'an absolute (or ~/) path of plain characters'),
  IdentitiesOnly: (v) => (/^(yes|no)$/i.test(v) ? null : 'yes or no'),
  ProxyJump: (v) => {
    if (v === 'none') return null;
    for (const hop of v.split(',')) {
      try {
        parseDestination(hop);
      } catch (e) {
        return `ssh destinations separated by commas (${e instanceof Error ? e.message : String(e)})`;
      }
    }
    return null;
  },
  HostKeyAlias: (v) => (/^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,252}$/.test(v) ? null : 'a host name'),
};

/** Canonical spelling of an allowed option, whatever case the inventory wrote it in (ssh's keywords are case-insensitive). */
export function canonicalOption(key: string): string | undefined {
  return Object.keys(ALLOWED_OPTIONS).find((k) => k.toLowerCase() === key.toLowerCase());
}

/** Why a stored "Key=Value" ssh option is not one HostDeck passes to ssh (null: it is). */
export function sshOptionProblem(option: string): string | null {
  const eq = option.indexOf('=');
  if (eq <= 0) return `"${option}" is not Key=Value`;
  const key = option.slice(0, eq);
  const value = option.slice(eq + 1);
  const canon = canonicalOption(key);
  if (!canon || canon !== key) return `the ssh option ${key} is not one HostDeck passes (only ${Object.keys(ALLOWED_OPTIONS).join(', ')}): options such as ProxyCommand or LocalCommand run programs on this machine`;
  const bad = ALLOWED_OPTIONS[canon]!(value);
  return bad ? `${key} must be ${bad}, not ${JSON.stringify(value.slice(0, 80))}` : null;
}
