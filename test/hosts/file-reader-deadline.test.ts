/**
 * The tree transports' read deadline counts time without an answer from the file system, not the
 * whole call. On a starved machine (the offline differential's workers at load 20 on 2 cores)
 * every hop of a healthy read is late, and a whole-call deadline reported files of an image as
 * "no answer from the file system": HostDeck refused edits on a disk that was answering. A hung
 * file system still fails at the deadline (test/hosts/transport.conformance.ts, "deadlines").
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { readTree } from '../../electron/hosts/file-reader';

const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-deadline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a healthy tree read on a starved event loop is read in full, though the call outlives its deadline several times', async () => {
  const names = Array.from({ length: 18 }, (_, i) => `zone-${i}.xml`);
  for (const n of names) writeFileSync(path.join(dir, n), `<zone><short>${n}</short></zone>\n`);
  // Every turn of the loop is held 50 ms, as a process that gets a sliver of a loaded CPU: each of a
  // file's ~8 file-system hops waits a turn, so an answer comes every ~400 ms (three files at a
  // time) and the 18 files take ~2.4 s: several deadlines, none without an answer.
  const starve = setInterval(() => {
    const t = Date.now();
    while (Date.now() - t < 50);
  }, 0);
  const deadlineMs = 1500;
  const t0 = Date.now();
  try {
    const facts = await readTree({ root: dir, realRoot: dir }, names.map((n) => ({ path: `/${n}`, content: true })), deadlineMs);
    const took = Date.now() - t0;
    expect(facts.map((f) => f.error?.message ?? f.bytes?.toString('utf8'))).toEqual(names.map((n) => `<zone><short>${n}</short></zone>\n`));
    // The set-up's own check: the call did outlive its deadline, so a whole-call deadline would have failed it.
    expect(took, 'the starved read took longer than one deadline').toBeGreaterThan(deadlineMs);
  } finally {
    clearInterval(starve);
  }
});
