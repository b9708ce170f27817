import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { defaultConfigDir } from '../../electron/hosts/config-dir';

/**
 * Tests never read the user's own saved hosts: a developer with a host in
 * ~/.config/hostdeck/hosts.json (or under $XDG_CONFIG_HOME) gets the same outcomes as a clean
 * machine. The "user" here is a fake HOME this test makes; the machine's own is never touched.
 */

const repo = resolve(import.meta.dirname, '../..');
const user = mkdtempSync(join(tmpdir(), 'hostdeck-user-home-'));
afterAll(() => rmSync(user, { recursive: true, force: true }));

function saveHost(configHome: string): string {
  mkdirSync(join(configHome, 'hostdeck'), { recursive: true });
  const file = join(configHome, 'hostdeck', 'hosts.json');
  writeFileSync(file, JSON.stringify({ version: 1, hosts: [{ id: 'users-web1', destination: 'admin@web1.example' }] }));
  return file;
}

/** `vitest run FILES` in a child with this environment; none of this run's vitest state leaks in. */
function childVitest(env: NodeJS.ProcessEnv, files: string[]) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'XDG_CONFIG_HOME' && k !== 'NODE_ENV' && k !== 'FORCE_COLOR'));
  return spawnSync(process.execPath, [join(repo, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'unit', ...files], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...clean, NO_COLOR: '1', ...env },
  });
}

describe("tests and the user's own configuration", () => {
  it('gives this test file a scratch XDG_CONFIG_HOME, not the home directory', () => {
    expect(process.env.XDG_CONFIG_HOME).toMatch(new RegExp(`^${tmpdir()}/hostdeck-test-config-`));
    expect(defaultConfigDir().startsWith(join(homedir(), '.config'))).toBe(false);
  });

  for (const where of ['HOME', 'XDG_CONFIG_HOME'] as const) {
    it(`a saved host in the user's hosts.json (found through ${where}) changes no runtime test`, async () => {
      const home = join(user, where);
      const configHome = where === 'HOME' ? join(home, '.config') : join(home, 'xdg');
      const file = saveHost(configHome);
      // The file is one HostDeck would really load for that user: a runtime pointed at it lists the host.
      const rt = new Runtime({ mode: 'cli', local: { systemBusAddress: 'unix:path=/nonexistent/bus' }, remote: { configDir: join(configHome, 'hostdeck') } });
      try {
        expect((await rt.api.app.hosts({})).hosts.map((h) => h.id)).toContain('users-web1');
      } finally {
        await rt.dispose();
      }
      // contract.test.ts expects exactly the local host: it fails if any test reads that file.
      const r = childVitest({ HOME: home, ...(where === 'XDG_CONFIG_HOME' ? { XDG_CONFIG_HOME: configHome } : {}) }, ['test/app/contract.test.ts']);
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/Tests\s+\d+ passed/);
      expect(r.stdout).not.toMatch(/failed/);
      // and the user's file is as it was: no test wrote to it.
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, hosts: [{ id: 'users-web1', destination: 'admin@web1.example' }] });
    }, 120_000);
  }
});
