import type { HostPrivilege } from '../../../shared/hosts/contract';

export interface RouteLook {
  color: 'green' | 'orange' | 'grey';
  /** Short words for a label. */
  text: string;
  /** What the route grants, or what is missing, in a sentence. */
  detail: string;
}

/** Files and kernel parameters: root login, sudo -n of the helper, or read-only. */
export function filesRoute(p: HostPrivilege): RouteLook | null {
  const who = p.user ?? 'this login';
  switch (p.mode) {
    case 'root':
      return { color: 'green', text: 'files: root', detail: 'Root login: files and kernel parameters can be changed.' };
    case 'sudo':
      return {
        color: p.helperInstalled === false ? 'orange' : 'green',
        text: p.helperInstalled === false ? 'files: helper missing' : 'files: sudo helper',
        detail: `${who} runs HostDeck's helper with sudo -n: its fixed verbs on /etc/resolv.conf, /etc/sysctl.d and kernel parameters, nothing else.${p.message ? ` ${p.message}` : ''}`,
      };
    case 'none':
      return { color: 'orange', text: 'files: read-only', detail: p.message ?? `${who} can read files and kernel parameters but not change them.` };
    default:
      return null;
  }
}

/** The firewall: root login, polkit allowing firewalld's actions, or not allowed. */
export function firewallRoute(p: HostPrivilege): RouteLook | null {
  const who = p.user ?? 'this login';
  const fw = p.firewall;
  switch (fw.route) {
    case 'root':
      return { color: 'green', text: 'firewall: root', detail: 'Root login: firewalld allows everything.' };
    case 'polkit':
      return {
        color: fw.message ? 'orange' : 'green',
        text: 'firewall: polkit',
        detail: `polkit allows ${who} firewalld's actions (its D-Bus API only).${fw.message ? ` ${fw.message}` : ''}`,
      };
    case 'none':
      return { color: 'orange', text: fw.polkit === false ? 'firewall: no access' : 'firewall: not allowed', detail: fw.message ?? `${who} may not change the firewall.` };
    default:
      return fw.message ? { color: 'grey', text: 'firewall: unknown', detail: fw.message } : null;
  }
}
