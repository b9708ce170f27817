import { existsSync, readFileSync } from 'node:fs';

/** Facts about this machine that capabilities report; read once, they do not change while HostDeck runs. */

let journal: boolean | undefined;
/** A systemd journal runs here (its socket directory exists). */
export function journalPresent(): boolean {
  journal ??= existsSync('/run/systemd/journal');
  return journal;
}

let userns: boolean | undefined;
/** Unprivileged users may create user namespaces (user.max_user_namespaces > 0 and, on Debian kernels, unprivileged_userns_clone = 1). */
export function userNamespacesAllowed(): boolean {
  userns ??= (() => {
    const num = (p: string): number | null => {
      try {
        return Number(readFileSync(p, 'utf8').trim());
      } catch {
        return null;
      }
    };
    const max = num('/proc/sys/user/max_user_namespaces');
    const clone = num('/proc/sys/kernel/unprivileged_userns_clone');
    return max !== null && max > 0 && clone !== 0;
  })();
  return userns;
}
