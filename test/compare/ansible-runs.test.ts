import { lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keepRun, newRunDir, pruneRuns, runsRoot } from '../../electron/compare/ansible-runs';
import { playbookCommand, plainHostName } from '../../shared/compare/fix-inventory';

// Where compare --inventory keeps what Ansible collected, and the command its fix prints.
describe('ansible run directories', () => {
  let cache: string;
  afterEach(() => rmSync(cache, { recursive: true, force: true }));

  it('a new run is a private directory of the user under $XDG_CACHE_HOME/hostdeck/ansible-runs', () => {
    cache = mkdtempSync(path.join(tmpdir(), 'hd-runs-'));
    const env = { XDG_CACHE_HOME: cache, HOME: '/nonexistent' };
    const dir = newRunDir(env);
    expect(path.dirname(dir)).toBe(path.join(cache, 'hostdeck', 'ansible-runs'));
    for (const d of [dir, path.dirname(dir), path.dirname(path.dirname(dir))]) expect(lstatSync(d).mode & 0o777).toBe(0o700);
  });

  it('a planted symlink or a loose mode where the runs go is refused, naming it', () => {
    cache = mkdtempSync(path.join(tmpdir(), 'hd-runs-'));
    const env = { XDG_CACHE_HOME: cache };
    mkdirSync(path.join(cache, 'hostdeck'), { mode: 0o700 });
    const elsewhere = mkdtempSync(path.join(cache, 'other-'));
    symlinkSync(elsewhere, runsRoot(env));
    expect(() => newRunDir(env)).toThrow(/ansible-runs is a symlink/);
    rmSync(runsRoot(env));
    mkdirSync(runsRoot(env), { mode: 0o755 });
    expect(() => newRunDir(env)).toThrow(/mode 755, not 700/);
  });

  it('runs older than a day are removed unless kept; newer ones stay', () => {
    cache = mkdtempSync(path.join(tmpdir(), 'hd-runs-'));
    const root = path.join(cache, 'runs');
    mkdirSync(root);
    const mk = (n: string, ageH: number) => {
      const d = path.join(root, n);
      mkdirSync(d);
      writeFileSync(path.join(d, 'web-01.json'), '{}');
      const t = (Date.now() - ageH * 3600_000) / 1000;
      utimesSync(d, t, t);
      return d;
    };
    const old = mk('run-old', 30);
    const kept = mk('run-kept', 30);
    keepRun(kept);
    utimesSync(kept, (Date.now() - 30 * 3600_000) / 1000, (Date.now() - 30 * 3600_000) / 1000);
    mk('run-new', 1);
    expect(pruneRuns(root)).toEqual([old]);
  });
});

describe('the fix against an inventory', () => {
  it('prints a command a shell runs as written: the inventory and the pattern quoted', () => {
    expect(playbookCommand({ inventory: "/srv/o'neil inv/prod.yml", limit: 'web:!web-07' })).toBe(`ansible-playbook -i '/srv/o'\\''neil inv/prod.yml' --limit 'web:!web-07' hostdeck-fix.yml`);
    expect(playbookCommand({ inventory: '/srv/prod.yml' })).toBe('ansible-playbook -i /srv/prod.yml hostdeck-fix.yml');
  });

  it('only a name a play matches exactly goes into hosts:', () => {
    for (const ok of ['web-01', 'db_1.example.org', 'admin@x']) expect(plainHostName(ok), ok).toBe(true);
    for (const bad of ['web*', 'a:b', '!x', 'a,b', '~re', 'x y', "{{ lookup('pipe','id') }}", '$(id)', '', 'web[1]']) expect(plainHostName(bad), bad).toBe(false);
  });
});
