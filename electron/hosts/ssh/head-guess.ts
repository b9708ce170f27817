import { createHash } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCacheDir, readOwnCacheFile, writeOwnCacheFile } from '../../cache/own-cache-file';
import { isAgentPayload } from './agent-payload';
import type { HeadGuess } from './link';

/**
 * The guess a CLI head start sends its host before the runtime has made the real request
 * (SshLink.startHead): the request the same kind of run sent that host last time, kept in the
 * user's cache directory. Only the request is kept (base64, checked on reading), never program
 * text: the program sent is always this build's agent (agentProgram), so a planted file can at
 * most make the host answer a read that the taker, whose own request differs, then ignores.
 */

const DIR = 'head-requests';
/** A compare's request is ~2 KB; anything near this is not one of ours. */
const MAX_BYTES = 64 * 1024;
/** Old guesses are removed past this many (hosts × kinds of run). */
const MAX_FILES = 256;

const fileOf = (sessionKey: string, purpose: string) => `${createHash('sha256').update(sessionKey).update('\0').update(purpose).digest('hex').slice(0, 40)}.b64`;

/** Keeps at most MAX_FILES guesses, the newest. */
function prune(dir: string): void {
  try {
    const files = readdirSync(dir).filter((f) => f.endsWith('.b64'));
    if (files.length <= MAX_FILES) return;
    const byAge = files.map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs })).sort((a, b) => a.t - b.t);
    for (const { f } of byAge.slice(0, files.length - MAX_FILES)) rmSync(join(dir, f), { force: true });
  } catch {
    // a cache that cannot be tidied is only bigger
  }
}

/** The request (base64) the last run of `purpose` sent the agent session `sessionKey`, or null when there is none to trust. */
export function lastAgentRequest(sessionKey: string, purpose: string, cacheDir = defaultCacheDir()): string | null {
  const last = readOwnCacheFile(join(cacheDir, DIR), fileOf(sessionKey, purpose), MAX_BYTES);
  // Checked here, not only where it is used: nothing but base64 ever reaches a program.
  return last !== null && isAgentPayload(last) ? last : null;
}

/**
 * The guess for the agent session `sessionKey` (its ssh command line, the control socket left out) in a run of kind
 * `purpose` (what decides the request: a compare's sections, layer and name), and the recording
 * of what the taker really sent, for the next run.
 */
export function agentGuess(sessionKey: string, purpose: string, cacheDir = defaultCacheDir()): HeadGuess {
  const dir = join(cacheDir, DIR);
  const last = lastAgentRequest(sessionKey, purpose, cacheDir);
  // The agent's source comes after the session has started: ssh's login does not wait for it.
  const source = import('./agent-source');
  return {
    input: source.then(({ agentProgram }) => (last === null ? null : agentProgram(last))),
    taken: (input) => {
      void source.then(({ agentPayloadOf }) => {
        const payload = agentPayloadOf(input);
        if (payload === null || payload === last) return;
        writeOwnCacheFile(dir, fileOf(sessionKey, purpose), payload);
        prune(dir);
      });
    },
  };
}
