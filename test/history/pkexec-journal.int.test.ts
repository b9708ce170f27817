import { readFileSync, readlinkSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { polkitWorld, type PolkitWorld } from '../helper/support/polkit-sandbox';
import { repo } from '../helper/support/run';

/**
 * The helper's journal for a desktop user whose writes go through pkexec (real pkexec, polkitd
 * with a rule for nobody, the installed helper, private namespaces): a change journaled by a
 * second HostDeck configuration is an outside change until the first makes a write of its own;
 * that write's answer carries the journal, and the change becomes HostDeck's, naming the machine.
 */
const CHILD = path.join(repo, 'test/history/support/pkexec-journal-child.ts');
type P = { kind: string; operation: string | null; who: { user: string; machine: string; from?: string | null } | null; what: string };
type Out = { uid: number; writes: string; beforeWrite: P[]; afterWrite: P[]; outsideAfter: number; error?: string };

let world: PolkitWorld;
let out: Out;
beforeAll(() => {
  world = polkitWorld('nobody');
  const r = world.run(CHILD, [readlinkSync('/proc/self/ns/net')]);
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}\n${r.stdout}`);
  out = JSON.parse(r.stdout) as Out;
  if (out.error) throw new Error(out.error);
}, 180_000);
afterAll(() => {
  if (world) rmSync(world.work, { recursive: true, force: true });
});

describe("the helper's journal through pkexec", () => {
  it("a change journaled by a second configuration shows in the first's timeline as HostDeck's after the first writes through pkexec", () => {
    expect(out.uid).toBe(65534);
    expect(out.writes).toBe('pkexec');
    // Before: no journal without a prompt, so an outside change.
    expect(out.beforeWrite.at(-1)).toMatchObject({ kind: 'outside' });
    // After the first's own write through pkexec: HostDeck's change, from the journal, with the machine that asked.
    expect(out.afterWrite.at(-1)).toMatchObject({ kind: 'change', operation: 'helper.write-file', who: { user: 'nobody', from: hostname() } });
    expect(out.outsideAfter).toBe(0);
    const journal = readFileSync(world.varlib('hostdeck/backups/journal'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(journal.map((e) => [e.verb, e.login, e.from])).toEqual([
      ['write-file', 'nobody', hostname()],
      ['sysctl-set', 'nobody', hostname()],
    ]);
  });
});
