import { getSystemErrorMap } from 'node:util';

/**
 * A sysctl read or write that failed, in plain words, by errno (or HostDeck's NOT_REGULAR). The
 * one table for HostDeck's own checks (a dry run) and the helper's answers alike; the helper
 * (hostdeck-helper.py, its own program on the host) carries the same words for its codes, and
 * test/kernel/errno-text.test.ts keeps the two equal.
 */
export const ERRNO_TEXT: Readonly<Record<string, string>> = {
  EINVAL: 'the kernel refused the value (EINVAL)',
  EPERM: 'not permitted (EPERM): this namespace or capability set may not change it',
  EACCES: 'read-only in this namespace (EACCES)',
  EROFS: '/proc/sys is mounted read-only here (EROFS)',
  ENOENT: 'no such parameter on this host or in this network namespace (ENOENT)',
  EISDIR: 'this name is a directory, not a parameter (EISDIR)',
  ERANGE: 'the value is out of range for this parameter (ERANGE)',
  EBUSY: 'the parameter cannot change now (EBUSY)',
  EOPNOTSUPP: 'not supported here (EOPNOTSUPP)',
  // HostDeck's own reads (a dry run) only; the helper calls such a name ENOENT.
  NOT_REGULAR: 'not a regular file under /proc/sys (a FIFO, device or symbolic link in a copy): HostDeck neither reads nor writes it (NOT_REGULAR)',
};

const systemErrors = getSystemErrorMap();

/** {code, message} for a failed key: the table's words, else the helper's own, else the system's. */
export function errnoError(code: string, detail?: string): { code: string; message: string } {
  const known = ERRNO_TEXT[code];
  if (known) return { code, message: known };
  if (detail) return { code, message: detail };
  const system = [...systemErrors.values()].find(([name]) => name === code)?.[1];
  return { code, message: system ? `${system} (${code})` : code };
}
