/**
 * An ssh destination as HostDeck accepts it: an ssh_config alias ("web1"), "host", "user@host",
 * "user@host:port" or "user@[v6addr]:port". Never an option (a leading "-") and never anything ssh
 * would read as more than one word. The result is what to hand ssh: [-p PORT] [-l USER] HOST.
 */
export interface SshDestination {
  /** As the user typed it (trimmed). */
  text: string;
  user?: string;
  host: string;
  port?: number;
}

const HOST_RE = /^[A-Za-z0-9_](?:[A-Za-z0-9_.%-]{0,252})$/;
const USER_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/;
const V6_RE = /^[0-9A-Fa-f:.]{2,45}(?:%[A-Za-z0-9_.-]{1,16})?$/;

export function parseDestination(input: string): SshDestination {
  const text = input.trim();
  if (!text) throw new Error('Give an ssh destination: an alias from your ~/.ssh/config, or user@host[:port]');
  if (text.startsWith('-')) throw new Error(`"${text}" looks like an ssh option, not a destination`);
  if (/[\s'"`$\\;|&<>(){}*?!,]/.test(text)) throw new Error(`"${text}" is not an ssh destination: no spaces, quotes or shell characters`);
  if (text.startsWith('ssh://')) return parseDestination(text.slice(6).replace(/\/$/, ''));
  let rest = text;
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!USER_RE.test(user)) throw new Error(`"${user}" is not a valid user name in ${text}`);
  }
  let host = rest;
  let port: number | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (v6) {
    host = v6[1]!;
    if (!V6_RE.test(host)) throw new Error(`"${host}" is not an IPv6 address in ${text}`);
    if (v6[2] !== undefined) port = Number(v6[2]);
  } else {
    const colon = rest.indexOf(':');
    if (colon >= 0) {
      if (rest.indexOf(':', colon + 1) >= 0) throw new Error(`Write an IPv6 address in brackets: user@[${rest}]:22`);
      host = rest.slice(0, colon);
      const p = rest.slice(colon + 1);
      if (!/^\d{1,5}$/.test(p)) throw new Error(`"${p}" is not a port in ${text}`);
      port = Number(p);
    }
    if (!HOST_RE.test(host)) throw new Error(`"${host}" is not a host name, address or ssh_config alias`);
  }
  if (port !== undefined && (port < 1 || port > 65535)) throw new Error(`Port ${port} is out of range (1-65535) in ${text}`);
  return { text, user, host, port };
}

/** The arguments that name this destination on an ssh command line (after every option). */
export function destinationArgs(d: SshDestination): string[] {
  const args: string[] = [];
  if (d.port !== undefined) args.push('-p', String(d.port));
  if (d.user !== undefined) args.push('-l', d.user);
  args.push('--', d.host);
  return args;
}

/** A default name for a saved host: the alias, or host (with user and port when given). */
export function defaultHostName(d: SshDestination): string {
  return d.text.replace(/[^A-Za-z0-9_.@:-]/g, '-').slice(0, 64);
}
