import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareSnapshots } from '../../shared/compare/diff';
import { planFix } from '../../shared/compare/fix';
import { importFiles } from '../../shared/compare/imports';
import { runHostdeck } from '../support/cli';

// A baseline that went without a kernel protection must not silently take it away from the
// other hosts: "make them the same" leaves such values out until the user confirms what they
// weaken, exactly as HostDeck's own helper does for an apply (issue #20 item 7).
describe('compare fixes and security-weakening baseline values', () => {
  let dir: string;
  const hostText = (symlinks: string, somaxconn: string) => `fs.protected_symlinks = ${symlinks}\nnet.core.somaxconn = ${somaxconn}\n`;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hostdeck-fix-weak-'));
    writeFileSync(join(dir, 'lax.txt'), hostText('0', '4096'));
    writeFileSync(join(dir, 'strict.txt'), hostText('1', '128'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const result = () =>
    compareSnapshots(
      (['lax', 'strict'] as const).map((name) => ({ id: name, label: name, kind: 'snapshot', snapshot: importFiles([{ name: `${name}.txt`, text: hostText(name === 'lax' ? '0' : '1', name === 'lax' ? '4096' : '128') }]).snapshot })),
    );

  it('the plan leaves the weakening value out until it is confirmed, and says what it weakens', () => {
    const sel = { sysctl: ['fs.protected_symlinks', 'net.core.somaxconn'], firewall: [] };
    const plain = planFix(result(), sel);
    expect(plain.settings).toEqual([{ key: 'net.core.somaxconn', value: '4096' }]);
    expect(plain.hosts[0]!.sysctl.map((x) => x.key)).toEqual(['net.core.somaxconn']);
    expect(plain.weakening).toEqual([{ key: 'fs.protected_symlinks', value: '0', weakens: expect.stringMatching(/symbolic link/i), confirmed: false }]);
    const ok = planFix(result(), sel, { confirmWeakening: ['fs.protected_symlinks'] });
    expect(ok.settings.map((x) => x.key)).toEqual(['fs.protected_symlinks', 'net.core.somaxconn']);
    expect(ok.hosts[0]!.sysctl.map((x) => x.key)).toEqual(['fs.protected_symlinks', 'net.core.somaxconn']);
    expect(ok.weakening[0]!.confirmed).toBe(true);
  });

  it('CLI: --fix prints the fix without it and says on stderr how to include it; --confirm-weakening includes it', async () => {
    const files = [join(dir, 'lax.txt'), join(dir, 'strict.txt')];
    const left = await runHostdeck(['compare', ...files, '--fix', 'sysctl']);
    expect(left.code, left.err).toBe(0);
    expect(left.out).toMatch(/^net\.core\.somaxconn = 4096$/m);
    expect(left.out).not.toMatch(/^fs\.protected_symlinks/m);
    expect(left.err).toContain('fs.protected_symlinks = 0');
    expect(left.err).toContain('--confirm-weakening fs.protected_symlinks');
    // One "hostdeck:" prefix, as on every other line the CLI writes to stderr.
    expect(left.err).toMatch(/^hostdeck: left out of the fix, because/);
    expect(left.err).not.toContain('hostdeck: hostdeck:');
    const all = await runHostdeck(['compare', ...files, '--fix', 'ansible', '--confirm-weakening', 'fs.protected_symlinks']);
    expect(all.code, all.err).toBe(0);
    expect(all.out).toContain('fs.protected_symlinks');
    expect(all.err).not.toContain('left out');
  });
});
