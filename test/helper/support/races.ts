import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { seededRandom } from '../../support/seeded-random';
import { b64, helper, helperAsync, HELPER, sha } from './run';

/**
 * The helper's save races, shared by test/helper/write.int.test.ts (a bounded seeded slice) and
 * `npx tsx scripts/bench.ts helper-races` (the large runs): racing pairs of saves from the same
 * version, and saves SIGKILLed at seeded points of their life. Both only report what they saw;
 * the caller asserts. Everything random comes from the seed, so a failing run replays (as far as
 * the scheduler lets a race replay).
 */

const resolvOf = (root: string) => path.join(root, 'etc/resolv.conf');
const backupDirOf = (root: string) => path.join(root, 'var/lib/hostdeck/backups/etc%2Fresolv.conf');

export interface RacingPairs {
  pairs: number;
  /** Pairs where exactly one save won and the other got CONFLICT. */
  oneWinner: number;
  /** Pairs where the winner's answer did not describe the file as it then was (should be none). */
  wrongWinner: string[];
}

/** `pairs` rounds of two saves started together from the same version (the second after a seeded 0-2 ms stagger). */
export async function racingSaves(root: string, pairs: number, seed: number): Promise<RacingPairs> {
  const rand = seededRandom(seed);
  const R = ['--root', root];
  let cur = 'nameserver 192.0.2.0\n';
  const first = helper({ verb: 'write-file', path: '/etc/resolv.conf', content: b64(cur), expectedSha256: null }, R);
  if (!first.ok) throw new Error(`first save failed: ${JSON.stringify(first.error)}`);
  let oneWinner = 0;
  const wrongWinner: string[] = [];
  for (let i = 0; i < pairs; i++) {
    const expected = sha(cur);
    const stagger = rand.next() * 2;
    const save = (who: string) => helperAsync({ verb: 'write-file', path: '/etc/resolv.conf', content: b64(`nameserver 192.0.2.${i % 250} # ${who}\n`), expectedSha256: expected }, R);
    const [a, b] = await Promise.all([save('a'), new Promise((res) => setTimeout(res, stagger)).then(() => save('b'))]);
    const winners = [a, b].filter((x) => x.ok);
    const losers = [a, b].filter((x) => !x.ok);
    if (winners.length === 1 && losers[0]!.error!.code === 'CONFLICT') oneWinner++;
    cur = readFileSync(resolvOf(root), 'utf8');
    const shas = winners.map((w) => w.result!.sha256 as string);
    if (shas.length !== 1 || shas[0] !== sha(cur)) wrongWinner.push(`pair ${i}: winners ${JSON.stringify(shas)}, file ${sha(cur)}`);
  }
  return { pairs, oneWinner, wrongWinner };
}

export interface KilledSaves {
  kills: number;
  /** How long one save took here; the kills were spread over 1.3 times that. */
  spanMs: number;
  old: number;
  new: number;
  /** Runs after which the target held neither the old nor the new content (should be none). */
  partial: string[];
  /** Backups that are not a complete earlier version, or whose name does not carry its hash (should be none). */
  badBackups: string[];
  /** The save after the kills: did it succeed, and what did it leave behind. */
  after: { ok: boolean; staleTempsRemoved: number; leftInEtc: string[]; leftTempBackups: string[] };
}

/** `kills` saves of a ~20 KB resolv.conf, each SIGKILLed after a seeded delay within its life. */
export async function killedSaves(root: string, kills: number, seed: number): Promise<KilledSaves> {
  const rand = seededRandom(seed);
  const R = ['--root', root];
  const write = (content: string, expected: string | null) => helper({ verb: 'write-file', path: '/etc/resolv.conf', content: b64(content), expectedSha256: expected }, R);
  const versions = new Set<string>();
  let cur = 'nameserver 192.0.2.0\n' + '# padding\n'.repeat(2000);
  versions.add(cur);
  write(cur, null);
  // How long one save takes here, to spread the kills over its whole life.
  const t0 = performance.now();
  const probe = `nameserver 192.0.2.1\n${'# padding\n'.repeat(2000)}`;
  write(probe, sha(cur));
  versions.add(probe);
  cur = probe;
  const spanMs = Math.max(5, performance.now() - t0);
  const out: KilledSaves = { kills, spanMs, old: 0, new: 0, partial: [], badBackups: [], after: { ok: false, staleTempsRemoved: 0, leftInEtc: [], leftTempBackups: [] } };
  for (let i = 0; i < kills; i++) {
    const next = `nameserver 10.0.${i % 250}.${i % 7}\n${'# padding\n'.repeat(2000 + i)}`;
    versions.add(next);
    const child = spawn('/usr/bin/python3', ['-I', HELPER, ...R], { stdio: ['pipe', 'ignore', 'ignore'] });
    const closed = new Promise((res) => child.on('close', res));
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify({ verb: 'write-file', path: '/etc/resolv.conf', content: b64(next), expectedSha256: sha(cur) }));
    await new Promise((res) => setTimeout(res, rand.next() * spanMs * 1.3));
    child.kill('SIGKILL');
    await closed;
    const now = readFileSync(resolvOf(root), 'utf8');
    if (now === next) out.new++;
    else if (now === cur) out.old++;
    else out.partial.push(`run ${i}: ${now.length} bytes, neither the old (${cur.length}) nor the new (${next.length}) content`);
    cur = now;
  }
  for (const b of readdirSync(backupDirOf(root)).filter((n) => n.endsWith('.bak'))) {
    const content = readFileSync(path.join(backupDirOf(root), b), 'utf8');
    if (!versions.has(content)) out.badBackups.push(`${b}: not a complete earlier version`);
    else if (b.split('-')[1]!.slice(0, 12) !== sha(content).slice(0, 12)) out.badBackups.push(`${b}: name does not carry the content's hash`);
  }
  // the next save cleans up whatever the kills left
  const after = write('nameserver 192.0.2.250\n', sha(cur));
  out.after = {
    ok: after.ok,
    staleTempsRemoved: (after.result?.staleTempsRemoved as number | undefined) ?? 0,
    leftInEtc: readdirSync(path.join(root, 'etc')).filter((n) => n.includes('hostdeck')),
    leftTempBackups: readdirSync(backupDirOf(root)).filter((n) => n.startsWith('.tmp-')),
  };
  return out;
}
