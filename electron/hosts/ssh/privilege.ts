import type { MessageBus } from '@jellybrick/dbus-next';
import { loadDbus } from '../bus';
import type { FirewallPrivilege } from '../../../shared/hosts/contract';
import { HELPER_INSTALL_PATH } from '../../helper/source';

/**
 * The privilege routes of a non-root login, and what HostDeck asks an admin to allow for each.
 * Never the bus bridge through sudo: `sudo systemd-stdio-bridge` is root for anyone with the
 * login (its `-p unixexec:` runs any program, and a root bridge reaches every root-only D-Bus
 * service, systemd's StartTransientUnit included). So:
 * - files and kernel parameters: `sudo -n` of HostDeck's installed helper, nothing else;
 * - the firewall: firewalld's own authorization, polkit allowing this user its actions.
 */

/** The exact sudoers line a non-root login needs (visudo -f /etc/sudoers.d/hostdeck): the helper only. */
export function sudoersLine(user: string): string {
  return `${user} ALL=(root) NOPASSWD: ${HELPER_INSTALL_PATH}`;
}

/** firewalld's polkit actions (its org.fedoraproject.FirewallD1.policy, firewalld 1.3). */
export const FIREWALLD_ACTIONS = [
  'org.fedoraproject.FirewallD1.all',
  'org.fedoraproject.FirewallD1.info',
  'org.fedoraproject.FirewallD1.config',
  'org.fedoraproject.FirewallD1.config.info',
  'org.fedoraproject.FirewallD1.policies',
  'org.fedoraproject.FirewallD1.policies.info',
  'org.fedoraproject.FirewallD1.direct',
  'org.fedoraproject.FirewallD1.direct.info',
] as const;
/**
 * The actions HostDeck needs over ssh: those of the methods it calls. Not `.all`: polkit treats
 * it as implying every other action (`.direct` included, raw iptables passthrough as root), and
 * HostDeck's client does not ask for it on remote hosts (ClientOptions.authorizeAll). Not
 * `.direct`: HostDeck never uses it.
 */
export const FIREWALLD_ACTIONS_NEEDED = [
  'org.fedoraproject.FirewallD1.info',
  'org.fedoraproject.FirewallD1.config',
  'org.fedoraproject.FirewallD1.config.info',
  'org.fedoraproject.FirewallD1.policies',
  'org.fedoraproject.FirewallD1.policies.info',
] as const;

export const POLKIT_RULE_PATH = '/etc/polkit-1/rules.d/49-hostdeck-firewalld.rules';

/** The polkit rule that lets `user` use firewalld's D-Bus API (what HostDeck needs of it, no more) without a password prompt. */
export function polkitRule(user: string): { path: string; text: string } {
  const ids = FIREWALLD_ACTIONS_NEEDED.map((a) => a.replace('org.fedoraproject.FirewallD1.', '').replace(/\./g, '\\.')).join('|');
  return {
    path: POLKIT_RULE_PATH,
    text: [
      `// HostDeck: ${user} may manage firewalld through its D-Bus API, without a password.`,
      '// Not .direct (raw iptables passthrough as root) nor .all (which implies .direct): HostDeck uses neither.',
      '// For a group instead of one user: subject.isInGroup("netops").',
      'polkit.addRule(function(action, subject) {',
      `    if (subject.user === ${JSON.stringify(user)} && /^org\\.fedoraproject\\.FirewallD1\\.(${ids})$/.test(action.id)) {`,
      '        return polkit.Result.YES;',
      '    }',
      '});',
      '',
    ].join('\n'),
  };
}

const POLKIT_NAME = 'org.freedesktop.PolicyKit1';

/**
 * Asks polkit, on the login's own bus connection (the bridge runs as the login user), whether this
 * connection may use each of firewalld's actions without interaction: exactly the question
 * firewalld asks about its callers (a "system-bus-name" subject). polkit lets a caller ask about
 * itself. No polkit on the bus: firewalld then serves uid 0 only, even for reads.
 */
export async function checkFirewalldPolkit(bus: MessageBus, user: string, host: string, timeoutMs = 10_000): Promise<FirewallPrivilege> {
  const rule = polkitRule(user);
  const { Message, Variant } = await loadDbus();
  const ask = async (action: string): Promise<boolean> => {
    const call = bus.call(
      new Message({
        destination: POLKIT_NAME,
        path: '/org/freedesktop/PolicyKit1/Authority',
        interface: 'org.freedesktop.PolicyKit1.Authority',
        member: 'CheckAuthorization',
        signature: '(sa{sv})sa{ss}us',
        // flags 0: no interaction (there is no authentication agent over ssh).
        body: [['system-bus-name', { name: new Variant('s', bus.name) }], action, {}, 0, ''],
      }),
    );
    const reply = await Promise.race([
      call,
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`polkit did not answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
    const result = reply?.body?.[0] as [boolean, boolean, Record<string, string>] | undefined;
    return result?.[0] === true;
  };
  let answers: boolean[];
  try {
    answers = await Promise.all(FIREWALLD_ACTIONS.map(ask));
  } catch (e) {
    const type = (e as { type?: unknown }).type;
    if (type === 'org.freedesktop.DBus.Error.ServiceUnknown' || type === 'org.freedesktop.DBus.Error.NameHasNoOwner') {
      return {
        route: 'none',
        polkit: false,
        actions: [],
        message: `polkit is not running on ${host}: firewalld then answers only root (uid 0), even for reads, so ${user} can neither read nor change the firewall. Log in as root, or install and start polkit there (apt install polkitd) and add the rule ${rule.path} shown below.`,
        polkitRule: rule,
      };
    }
    throw e;
  }
  const actions = FIREWALLD_ACTIONS.map((id, i) => ({ id, allowed: answers[i]! }));
  const allowed = (id: string) => actions.find((a) => a.id === id)?.allowed === true;
  const missing = FIREWALLD_ACTIONS_NEEDED.filter((id) => !allowed(id));
  if (missing.length === 0) {
    const more = ['org.fedoraproject.FirewallD1.all', 'org.fedoraproject.FirewallD1.direct'].filter(allowed);
    const extra = more.length
      ? `polkit also allows ${user} ${more.join(' and ')} (raw iptables passthrough as root), which HostDeck does not need: narrow the rule to the one in ${rule.path}.`
      : null;
    return { route: 'polkit', polkit: true, actions, message: extra, polkitRule: extra ? rule : null };
  }
  const some = actions.filter((a) => a.allowed).map((a) => a.id);
  return {
    route: 'none',
    polkit: true,
    actions,
    message: `polkit does not allow ${user} ${missing.join(', ')} without a password${some.length ? ` (it allows only ${some.join(', ')})` : ''}, and there is no password prompt over ssh: ${allowed('org.fedoraproject.FirewallD1.config.info') ? 'some firewall reads and changes are refused' : `${user} can neither read zones nor change the firewall`} on ${host}. Add the polkit rule ${rule.path} (below), or log in as root.`,
    polkitRule: rule,
  };
}
