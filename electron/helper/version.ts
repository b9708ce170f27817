import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HELPER_PROTOCOL, type HelperResponse } from '../../shared/helper/protocol';
import { HELPER_INSTALL_PATH, HELPER_SOURCE_INSTALL_PATH, helperLauncher, helperSource } from './source';

/**
 * Is the helper installed on a host the one this HostDeck carries? An installed helper is a
 * root program from whatever HostDeck installed it; after an update (an AppImage, a checkout) the
 * old one stays until reinstalled, with the old verbs and the old rules. The helper answers the
 * verb `version` with its protocol and the sha256 of its own file; this build knows the sha256 of
 * the helper it carries. A helper too old to know `version` answers UNKNOWN_VERB.
 */
export const BUNDLED_HELPER_SHA256 = createHash('sha256').update(helperSource, 'utf8').digest('hex');

export const LOCAL_REINSTALL = 'hostdeck helper install-files, then the three "sudo install" commands it prints';

/**
 * The sentence that says the installed helper is not this HostDeck's, or null when it is.
 * `answer`: the helper's answer to {verb: "version"} (what the SSH route gets from `sudo -n`);
 * `where`: the helper's path and host as the user should read them; `reinstall`: the command.
 */
export function helperVersionProblem(answer: HelperResponse, where: string, reinstall: string): string | null {
  if (!answer.ok) {
    if (answer.error.code !== 'UNKNOWN_VERB') return null;
    return `The installed helper ${where} is older than this HostDeck (it does not know the verb "version"): reinstall it with ${reinstall}`;
  }
  const protocol = typeof answer.result.protocol === 'number' ? answer.result.protocol : 0;
  const sha = typeof answer.result.sha256 === 'string' ? answer.result.sha256 : null;
  if (protocol < HELPER_PROTOCOL) return `The installed helper ${where} is older than this HostDeck (protocol ${protocol}, this HostDeck speaks ${HELPER_PROTOCOL}): reinstall it with ${reinstall}`;
  if (sha !== null && sha !== BUNDLED_HELPER_SHA256) {
    return `The installed helper ${where} is older than this HostDeck (sha256 ${sha.slice(0, 12)}, this HostDeck carries ${BUNDLED_HELPER_SHA256.slice(0, 12)}): reinstall it with ${reinstall}`;
  }
  return null;
}

const BUNDLED_LAUNCHER_SHA256 = createHash('sha256').update(helperLauncher, 'utf8').digest('hex');

/**
 * The same check for this machine's installed helper, read from its files (no pkexec prompt just
 * to ask): null when it is missing (missingForPkexec says so) or is this HostDeck's. The file at
 * installPath is either this HostDeck's launcher, then the source beside it must be this
 * HostDeck's helper (a missing one is older too), or a whole helper of one file.
 */
export function localHelperVersionProblem(installPath = HELPER_INSTALL_PATH, sourcePath = HELPER_SOURCE_INSTALL_PATH): string | null {
  let data: Buffer;
  try {
    data = readFileSync(installPath);
  } catch {
    return null;
  }
  let sha = createHash('sha256').update(data).digest('hex');
  let where = installPath;
  if (sha === BUNDLED_LAUNCHER_SHA256) {
    where = sourcePath;
    try {
      sha = createHash('sha256').update(readFileSync(sourcePath)).digest('hex');
    } catch {
      sha = 'missing';
    }
  }
  return helperVersionProblem({ ok: true, result: { protocol: HELPER_PROTOCOL, sha256: sha } }, where, LOCAL_REINSTALL);
}
