import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildProgram } from '../../electron/cli';
import { createCliContext } from '../../electron/cli/context';

/**
 * Issue #20 item 7 on the command line: `kernel apply` and `kernel undo` stop on a
 * security-weakening value, say what each one weakens and which flag makes it anyway
 * (--confirm-weakening KEY,...), and go through once it names exactly those keys. The real
 * CLI, runtime and helper; the local host's /proc/sys is a copy (nothing reaches this kernel).
 */
let dir: string;
let ps: string;
const KNOBS: Record<string, string> = { 'kernel/kptr_restrict': '1', 'fs/protected_symlinks': '1', 'vm/swappiness': '60' };
const live = (rel: string) => readFileSync(path.join(ps, rel), 'utf8').trim();

async function hostdeck(args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  const sink = (add: (s: string) => void) => new Writable({ write: (c, _e, cb) => (add(String(c)), cb()) });
  const cli = createCliContext(sink((s) => (out += s)), sink((s) => (err += s)));
  // The same command line, pointed at the copy of /proc/sys (as `--root` points file commands at an image).
  const api = cli.api.bind(cli);
  cli.api = (local, only) => api({ ...local, root: dir, procSys: ps }, only);
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    await (await buildProgram(cli)).exitOverride().parseAsync(args, { from: 'user' });
  } finally {
    await cli.dispose();
  }
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  process.exitCode = before;
  return { out, err, code };
}

beforeEach(() => {
  if (process.getuid?.() !== 0) throw new Error('runs as root, as CI does (HostDeck applies only when privileged)');
  dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-weak-cli-'));
  ps = path.join(dir, 'proc-sys');
  for (const [k, v] of Object.entries(KNOBS)) {
    mkdirSync(path.dirname(path.join(ps, k)), { recursive: true });
    writeFileSync(path.join(ps, k), `${v}\n`);
  }
  writeFileSync(path.join(dir, 'relax.conf'), 'vm.swappiness = 10\nkernel.kptr_restrict = 0\nfs.protected_symlinks = 0\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('hostdeck kernel apply / undo with security-weakening values', () => {
  it('stops and explains without --confirm-weakening, refuses a partial or wrong list, applies with exactly those keys', async () => {
    const from = path.join(dir, 'relax.conf');
    const dry = await hostdeck(['kernel', 'apply', '--from', from, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('Weakens security (apply needs --confirm-weakening kernel.kptr_restrict,fs.protected_symlinks):');

    const bare = await hostdeck(['kernel', 'apply', '--from', from]);
    expect(bare.code).toBe(1);
    expect(bare.err).toContain('This change weakens security:');
    expect(bare.err).toMatch(/kernel\.kptr_restrict = 0: Kernel addresses become visible/);
    expect(bare.err).toMatch(/fs\.protected_symlinks = 0: Any user can plant a symbolic link/);
    expect(bare.err).toContain('run it again with --confirm-weakening kernel.kptr_restrict,fs.protected_symlinks');
    expect(bare.err).toContain('[NEEDS_CONFIRMATION]');

    const partial = await hostdeck(['kernel', 'apply', '--from', from, '--confirm-weakening', 'kernel.kptr_restrict']);
    expect(partial.code).toBe(1);
    expect(partial.err).toMatch(/fs\.protected_symlinks = 0/);
    const wrong = await hostdeck(['kernel', 'apply', '--from', from, '--confirm-weakening', 'kernel.kptr_restrict,fs.protected_symlinks,vm.swappiness']);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/does not weaken vm\.swappiness.*\[INVALID_VALUE\]/);
    for (const [k, v] of Object.entries(KNOBS)) expect(live(k), k).toBe(v);

    const ok = await hostdeck(['kernel', 'apply', '--from', from, '--confirm-weakening', 'kernel.kptr_restrict, fs/protected_symlinks', '--json']);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect([live('kernel/kptr_restrict'), live('fs/protected_symlinks'), live('vm/swappiness')]).toEqual(['0', '0', '10']);

    // undo puts back hardening values: nothing to confirm
    writeFileSync(path.join(dir, 'undo.json'), ok.out);
    expect((await hostdeck(['kernel', 'undo', '--from', path.join(dir, 'undo.json')])).code).toBe(0);
    expect(live('kernel/kptr_restrict')).toBe('1');
    // undoing a hardening apply puts a weak value back: that needs the confirmation too
    writeFileSync(path.join(ps, 'kernel/kptr_restrict'), '0\n');
    writeFileSync(path.join(dir, 'harden.conf'), 'kernel.kptr_restrict = 2\n');
    const harden = await hostdeck(['kernel', 'apply', '--from', path.join(dir, 'harden.conf'), '--json']);
    expect(harden.code).toBe(0);
    writeFileSync(path.join(dir, 'undo2.json'), harden.out);
    const undo = await hostdeck(['kernel', 'undo', '--from', path.join(dir, 'undo2.json')]);
    expect(undo.code).toBe(1);
    expect(undo.err).toContain('--confirm-weakening kernel.kptr_restrict');
    expect(live('kernel/kptr_restrict')).toBe('2');
    expect((await hostdeck(['kernel', 'undo', '--from', path.join(dir, 'undo2.json'), '--confirm-weakening', 'kernel.kptr_restrict'])).code).toBe(0);
    expect(live('kernel/kptr_restrict')).toBe('0');
  });
});
