import type { SshDestination } from '../../../shared/hosts/destination';
import type { ControlDir } from './control-dir';
import type { SshLinkOptions } from './link';

/**
 * The options of a host's SSH link, in one place: RemoteHosts makes its links with them, and the
 * CLI's head start (electron/hosts/head-start.ts) the same, so the session it starts early is
 * exactly the one the host's link would start (SshLink.startHead matches the ssh command line).
 */
export function sshLinkOptions(p: {
  destination: SshDestination;
  sshConfig: string | undefined;
  /** The fixed control directory of masters kept between runs (CLI), when it passed its checks. */
  control: ControlDir | undefined;
  /** This process's own private directory. */
  runtimeDir: string;
  persistS: number;
  log: ((line: string) => void) | undefined;
  options: string[];
}): SshLinkOptions {
  const { destination, sshConfig, control, runtimeDir, persistS, log, options } = p;
  // Bus sockets and scratch files stay in this process's own directory; only masters are shared.
  return control?.dir ? { destination, sshConfig, runtimeDir: control.dir, sessionDir: runtimeDir, persistS, log, options } : { destination, sshConfig, runtimeDir, log, options };
}

/** HOSTDECK_DEBUG: a link's ssh command lines on stderr. */
export function sshDebugLog(id: string): ((line: string) => void) | undefined {
  return process.env.HOSTDECK_DEBUG ? (l: string) => process.stderr.write(`[ssh ${id}] ${l}\n`) : undefined;
}
