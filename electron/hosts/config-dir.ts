import { homedir } from 'node:os';
import { join } from 'node:path';

/** HostDeck's configuration directory (hosts.json): $XDG_CONFIG_HOME/hostdeck, else ~/.config/hostdeck. */
export function defaultConfigDir(): string {
  const base = process.env.XDG_CONFIG_HOME && process.env.XDG_CONFIG_HOME.startsWith('/') ? process.env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'hostdeck');
}
