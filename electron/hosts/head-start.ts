import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDestination, type SshDestination } from '../../shared/hosts/destination';
import { reservedHostIdReason } from '../../shared/hosts/host-id';
import { defaultConfigDir } from './config-dir';
import { AGENT_COMMAND } from './ssh/agent-command';
import { controlDir, persistSeconds } from './ssh/control-dir';
import { agentGuess } from './ssh/head-guess';
import { SshLink } from './ssh/link';
import { sshDebugLog, sshLinkOptions } from './ssh/link-options';

/**
 * CLI compare: the read agent's session on every SSH host named on the command line starts
 * first thing, before the runtime, the handlers and their schemas are loaded; the links the
 * runtime makes later take them over (SshLink.startHead). A cold compare's logins used to wait
 * for all of that: plain `ssh HOST sysctl -a` starts at once.
 *
 * Which arguments are SSH hosts is decided as the runtime decides it (import-arg.ts resolveArg,
 * RemoteHosts.resolve), from hosts.json read without its schema: an argument taken for a host
 * here that the runtime reads otherwise is no harm, its session is never taken and
 * endEarlyReads() ends it.
 */

interface SavedHost {
  id: string;
  destination: string;
  sshOptions?: string[];
}

/** hosts.json's hosts, or null when it does not look like one (the runtime then says why, and starts nothing early). */
function savedHosts(file: string): SavedHost[] | null {
  if (!existsSync(file)) return [];
  try {
    const f = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown; hosts?: unknown };
    if (f.version !== 1 || !Array.isArray(f.hosts)) return null;
    const ok = f.hosts.every(
      (h: Partial<SavedHost> | null) =>
        typeof h?.id === 'string' && typeof h.destination === 'string' && (h.sshOptions === undefined || (Array.isArray(h.sshOptions) && h.sshOptions.every((o) => typeof o === 'string'))),
    );
    return ok ? (f.hosts as SavedHost[]) : null;
  } catch {
    return null;
  }
}

/** The SSH host an argument names (a saved host, or a destination read as a temporary host), or null (a file, a directory, this machine, anything else). */
function sshHostOf(arg: string, saved: SavedHost[]): { id: string; destination: SshDestination; options: string[] } | null {
  const eq = /^([^=/]+)=(.+)$/.exec(arg);
  if (existsSync(eq && existsSync(eq[2]!) ? eq[2]! : arg)) return null;
  if (arg === 'local' || arg === 'Local' || arg.startsWith('@')) return null;
  try {
    const s = saved.find((h) => h.id === arg) ?? saved.find((h) => parseDestination(h.destination).text === arg);
    if (s) return { id: s.id, destination: parseDestination(s.destination), options: s.sshOptions ?? [] };
    const d = parseDestination(arg);
    return reservedHostIdReason(d.text) ? null : { id: d.text, destination: d, options: [] };
  } catch {
    return null;
  }
}

/**
 * Starts the read agent's session on each SSH host among `args` (CLI, masters kept between
 * runs); nothing when masters are not kept. `purpose` names what decides the request (a
 * compare's sections and options): each session is sent what the last run of that purpose sent
 * its host (head-guess.ts), and the runtime uses the answer only if it asks exactly that.
 */
export function startEarlyReads(args: string[], purpose: string): void {
  let persistS: number;
  try {
    persistS = persistSeconds();
  } catch {
    return;
  }
  if (persistS <= 0) return;
  const control = controlDir();
  const saved = control.dir ? savedHosts(join(defaultConfigDir(), 'hosts.json')) : null;
  if (!control.dir || !saved) return;
  const sshConfig = process.env.HOSTDECK_SSH_CONFIG || undefined;
  for (const arg of args) {
    const h = sshHostOf(arg, saved);
    if (!h) continue;
    try {
      SshLink.startHead(sshLinkOptions({ destination: h.destination, sshConfig, control, runtimeDir: control.dir, persistS, log: sshDebugLog(h.id), options: h.options }), AGENT_COMMAND, (key) =>
        agentGuess(key, purpose),
      );
    } catch {
      // An option the link refuses: the runtime's link refuses it too, and says so.
    }
  }
}

/** Ends the early sessions the run did not take (see SshLink.endHeadStarts). */
export function endEarlyReads(): Promise<void> {
  return SshLink.endHeadStarts();
}
