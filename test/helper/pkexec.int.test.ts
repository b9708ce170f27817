import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { polkitWorld, type PolkitWorld } from './support/polkit-sandbox';
import { repo } from './support/run';

/**
 * Issue 8's "done when": HostDeck running as a desktop user (nobody) saves /etc/resolv.conf and
 * a sysctl.d profile and applies kernel parameters through real pkexec, a real polkitd with a
 * rule allowing HostDeck's action for that user, and the real helper, all inside private
 * mount/pid/network namespaces. Another user (daemon), without a rule and without an agent, is
 * told "not authorized" and nothing changes; so is a user a rule refuses (bin).
 */
const CHILD = path.join(repo, 'test/helper/support/pkexec-child.ts');
type Call = { ok: boolean; value?: Record<string, unknown>; error?: { code: string; message: string; detail?: Record<string, unknown> } };
type Out = Record<string, Call> & { uid: number; somaxconnBefore: string; somaxconnApplied: string; somaxconnAfterUndo: string; somaxconnSession: string };

function runAs(world: PolkitWorld, user: string): Out {
  const r = world.run(CHILD, [user, readlinkSync('/proc/self/ns/net')]);
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout) as Out;
}

describe('pkexec: a desktop user saves and applies through the helper', () => {
  let world: PolkitWorld;
  let allowed: Out;
  let denied: Out;
  let refused: Out;
  let afterDenied: string[];
  beforeAll(() => {
    world = polkitWorld('nobody');
    const t0 = performance.now();
    denied = runAs(world, 'daemon');
    refused = runAs(world, 'bin');
    // what the denied session left in the namespace's /etc and /var/lib (overlay upper dirs)
    afterDenied = [world.etc('resolv.conf'), world.etc('sysctl.d'), world.varlib('hostdeck/backups')].filter((p) => existsSync(p));
    console.log(`denied user sees: ${denied.save?.error?.message}`);
    allowed = runAs(world, 'nobody');
    console.log(`pkexec world: three users' sessions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  });
  afterAll(() => {
    if (world) rmSync(world.work, { recursive: true, force: true });
  });

  it('with the polkit rule, the DNS save goes through pkexec and the helper, and is logged with a backup', () => {
    expect(allowed.uid).toBe(65534);
    expect(allowed.status!.value).toMatchObject({ via: 'pkexec', available: true, missing: [] });
    expect(allowed.read!.value).toMatchObject({ writable: true });
    expect(allowed.save, JSON.stringify(allowed.save)).toMatchObject({ ok: true });
    expect(readFileSync(world.etc('resolv.conf'), 'utf8')).toBe('nameserver 192.0.2.77\n# saved by nobody\n');
    const backups = readdirSync(world.varlib('hostdeck/backups/etc%2Fresolv.conf'));
    expect(backups.filter((b) => b.endsWith('.bak')), JSON.stringify(backups)).toHaveLength(1);
  });

  it('pkexec runs the installed launcher, which keeps the helper as root-owned bytecode for the next start', () => {
    const pyc = world.varlib('hostdeck/bytecode/hostdeck-helper.pyc');
    expect(statSync(pyc)).toMatchObject({ uid: 0, mode: 0o100644 });
    expect(readFileSync(pyc).subarray(0, 18).toString()).toBe('hostdeck-bytecode ');
  });

  it('with the rule, the Kernel page saves a profile and applies it live, then undoes it (private network namespace)', () => {
    expect(allowed.saveProfile, JSON.stringify(allowed.saveProfile)).toMatchObject({ ok: true });
    expect(readFileSync(world.etc('sysctl.d/60-hostdeck-test.conf'), 'utf8')).toContain('net.core.somaxconn = 1234');
    expect(allowed.apply, JSON.stringify(allowed.apply)).toMatchObject({ ok: true, value: { summary: { applied: 2, failed: 0 } } });
    expect(allowed.somaxconnApplied).toBe('1234');
    expect(allowed.undo).toMatchObject({ ok: true });
    expect(allowed.somaxconnAfterUndo).toBe(allowed.somaxconnBefore);
  });

  it('one authorization, several verbs (helper --session): each verb still checked; without a rule, none runs', () => {
    expect(allowed.session, JSON.stringify(allowed.session)).toMatchObject({ ok: true });
    const answers = allowed.session!.value as unknown as { ok: boolean; error?: { code: string } }[];
    expect(answers.map((a) => a.ok)).toEqual([true, false, true]);
    expect(answers[1]!.error!.code).toBe('INVALID_VALUE');
    expect(allowed.somaxconnSession).toBe('2345');
    for (const out of [denied, refused]) {
      expect(out.session!.error).toMatchObject({ code: 'NOT_AUTHORIZED' });
      expect(out.somaxconnSession).toBe(out.somaxconnBefore);
    }
  });

  it('without a rule (and without an agent), the user is told "not authorized" and nothing changed', () => {
    expect(denied.uid).toBe(1);
    for (const op of ['save', 'saveProfile', 'apply'] as const) {
      expect(denied[op]!.ok, op).toBe(false);
      expect(denied[op]!.error!.code, op).toBe('NOT_AUTHORIZED');
    }
    expect(denied.save!.error!.message).toMatch(/authentication agent|not authorized/i);
    expect(denied.save!.error!.message).toMatch(/Nothing was changed/);
    expect(denied.somaxconnApplied).toBe(denied.somaxconnBefore);
    expect(afterDenied).toEqual([]);
  });

  it('a polkit rule that says no: "not authorized", naming the action, nothing changed', () => {
    expect(refused.uid).toBe(2);
    for (const op of ['save', 'saveProfile', 'apply'] as const) {
      expect(refused[op]!.error, op).toMatchObject({ code: 'NOT_AUTHORIZED', detail: { reason: 'not-authorized', pkexecExit: 127 } });
    }
    expect(refused.save!.error!.message).toMatch(/Not authorized to change this host \(polkit action dev\.hostdeck\.helper\)/);
    // What the route can do, said before anyone tries: the DNS page does not offer a save polkit refuses.
    expect(refused.read!.value).toMatchObject({ writable: false, writeNote: expect.stringContaining('polkit refuses') });
    expect(allowed.read!.value).toMatchObject({ writable: true });
    expect(refused.somaxconnApplied).toBe(refused.somaxconnBefore);
    expect(afterDenied).toEqual([]);
  });
});
