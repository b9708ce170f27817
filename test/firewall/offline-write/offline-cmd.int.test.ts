/**
 * The differential's firewall-offline-cmd server (offline-cmd.ts) answers exactly as separate
 * firewall-offline-cmd processes do: on a seeded sequence (plus the calls that fail, crash or
 * warn) every call's output and exit code, every file of the copy afterwards (backups and
 * firewalld.conf included) and the listings are the same. Between the server's steps it answers
 * for another copy, so nothing it caches may leak from one call to the next.
 * HOSTDECK_OFFLINE_CMD_SEED=S replays a seed (printed). Needs root and firewalld's Python modules.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { firstSeed, seededRandom } from '../../support/seeded-random';
import { copies, initialState, listing, offlineInProcesses, offlineSpelling, step } from './differential';
import { startOfflineCmd } from './offline-cmd';

const SEED = firstSeed(process.env.HOSTDECK_OFFLINE_CMD_SEED);
const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-offline-cmd-'));
const cmd = startOfflineCmd();
afterAll(async () => {
  await cmd.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every file under a copy, by relative path. */
function tree(root: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(path.join(root, rel)).sort()) {
    const p = path.join(rel, name);
    if (statSync(path.join(root, p)).isDirectory()) Object.assign(out, tree(root, p));
    else out[p] = readFileSync(path.join(root, p), 'utf8');
  }
  return out;
}

describe('firewall-offline-cmd in one Python process', () => {
  it(`seed ${SEED}: the same output, exit codes, files and listings as separate processes`, async () => {
    console.log(`offline-cmd server: seed ${SEED} (HOSTDECK_OFFLINE_CMD_SEED=${SEED} replays)`);
    mkdirSync(path.join(dir, 'gen'));
    const r = seededRandom(SEED);
    const state = initialState(path.join(dir, 'gen'));
    const steps = Array.from({ length: 8 }, () => step(r, state));
    // What fails, crashes or warns, whatever the seed gave: INVALID_ZONE (112), an AttributeError (2), argparse (2), ALREADY_ENABLED.
    steps.push(['--zone=nope', '--add-port=1/tcp'], ['--set-automatic-helpers=yes'], ['--no-such-option'], ['--zone=public', '--add-port=7/tcp'], ['--zone=public', '--add-port=7/tcp']);
    const procs = copies(path.join(dir, 'procs')).etcB;
    const server = copies(path.join(dir, 'server')).etcB;
    const theirs = offlineInProcesses(procs, steps);
    const ours = [];
    for (const args of steps) {
      ours.push(await cmd.run(server, offlineSpelling(args)));
      // Another copy in between (here: the one the processes changed), as the differential's parallel runs do.
      await cmd.run(procs, ['--get-default-zone']);
    }
    const shown = (xs: Array<{ code: number; out: string }>) => xs.map((x, i) => `${steps[i]!.join(' ')} -> ${x.code}\n${x.out}`);
    expect(shown(ours)).toEqual(shown(theirs));
    expect(ours.slice(-5).map((x) => x.code)).toEqual([112, 2, 2, 0, 0]);
    expect(tree(server)).toEqual(tree(procs));
    expect(await listing(server, state, cmd)).toBe(await listing(procs, state));
  }, 300_000);
});
