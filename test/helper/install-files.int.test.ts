import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isApiError } from '../../shared/api/errors';
import { installHelperFiles } from '../../electron/helper/install-files';
import { helperLauncher, helperSource, helperPolicy } from '../../electron/helper/source';
import { BUNDLED_HELPER_SHA256, helperVersionProblem, localHelperVersionProblem } from '../../electron/helper/version';
import type { HelperResponse } from '../../shared/helper/protocol';
import { repo } from './support/run';

/**
 * Security issue #20, item 10: the manual helper install. `helper install-files DIR` used to
 * write into any existing directory, also one another local user made first and can swap the
 * helper in before `sudo install` copies it into /usr/libexec as the program pkexec runs as root;
 * and it could not be re-run after an update (EEXIST). An installed helper from an older
 * HostDeck went unnoticed.
 */
const TSX = path.join(repo, 'node_modules/.bin/tsx');
const CLI = path.join(repo, 'electron/cli.ts');
let work: string;
beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('runs as root (a second user, a mount namespace), as CI does');
  work = mkdtempSync(path.join(tmpdir(), 'hostdeck-install-files-'));
  chmodSync(work, 0o755); // the other user walks into it ...
  mkdirSync(path.join(work, 'tmp'));
  chmodSync(path.join(work, 'tmp'), 0o1777); // ... and makes things in this one, as in /tmp
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const asNobody = (...cmd: string[]) => spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', ...cmd], { encoding: 'utf8' });
const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(isApiError(e) && e.code).toBe('UNSAFE_DIRECTORY');
    return (e as Error).message;
  }
  throw new Error('not refused');
};

describe('hostdeck helper install-files', () => {
  it('refuses a directory another user created first (the swap before "sudo install"), and writes nothing into it', () => {
    const shared = path.join(work, 'tmp/hostdeck-helper');
    expect(asNobody('mkdir', '-m', '0755', shared).status).toBe(0);
    expect(statSync(shared).uid).toBe(65534);
    const r = spawnSync(TSX, [CLI, 'helper', 'install-files', shared], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stdout).not.toBe(0);
    expect(r.stderr).toContain('belongs to uid 65534');
    expect(r.stdout).not.toContain('sudo install');
    expect(readdirSync(shared)).toEqual([]);
  });

  it('refuses a directory of yours that group or others can write, and a path through a symbolic link', () => {
    const open = path.join(work, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(refusal(() => installHelperFiles(open))).toContain('writable by everyone');
    chmodSync(open, 0o770);
    expect(refusal(() => installHelperFiles(open))).toContain('writable by its group');
    expect(readdirSync(open)).toEqual([]);
    // a private directory of yours, but reached through a link the other user controls
    const mine = path.join(work, 'mine');
    mkdirSync(mine, { mode: 0o700 });
    const theirs = path.join(work, 'tmp/theirs');
    expect(asNobody('mkdir', '-m', '0755', theirs).status).toBe(0);
    expect(asNobody('ln', '-s', mine, path.join(theirs, 'link')).status).toBe(0);
    expect(refusal(() => installHelperFiles(path.join(theirs, 'link')))).toMatch(/can be changed by someone else|symbolic link/);
    symlinkSync(mine, path.join(work, 'mylink'));
    expect(refusal(() => installHelperFiles(path.join(work, 'mylink')))).toContain('is a symbolic link');
    // a new directory under one the other user owns
    expect(refusal(() => installHelperFiles(path.join(theirs, 'new')))).toContain('can be changed by someone else');
    expect(existsSync(path.join(theirs, 'new'))).toBe(false);
    expect(readdirSync(mine)).toEqual([]);
  });

  it('without DIR writes into a new private directory and prints the sudo install commands from there', () => {
    const r = installHelperFiles();
    expect(r.dir.startsWith(tmpdir())).toBe(true);
    const st = lstatSync(r.dir);
    expect(st.isDirectory() && (st.mode & 0o777).toString(8)).toBe('700');
    expect(readFileSync(r.helper, 'utf8')).toBe(helperLauncher);
    expect(statSync(r.helper).mode & 0o777).toBe(0o755);
    expect(readFileSync(r.source, 'utf8')).toBe(helperSource);
    expect(readFileSync(r.policy, 'utf8')).toBe(helperPolicy);
    // the source first: the new launcher never runs without it, an old one runs it as a whole helper
    expect(r.commands).toEqual([
      `sudo install -D -o root -g root -m 0644 ${r.dir}/hostdeck-helper.py /usr/libexec/hostdeck/hostdeck-helper.py`,
      `sudo install -D -o root -g root -m 0755 ${r.dir}/hostdeck-helper /usr/libexec/hostdeck/hostdeck-helper`,
      `sudo install -D -o root -g root -m 0644 ${r.dir}/dev.hostdeck.helper.policy /usr/share/polkit-1/actions/dev.hostdeck.helper.policy`,
    ]);
    rmSync(r.dir, { recursive: true });
  });

  it('re-running into the same directory after an update replaces the files (no EEXIST), leaving no temp files', () => {
    const dir = path.join(work, 'again');
    const first = installHelperFiles(dir);
    expect((statSync(dir).mode & 0o777).toString(8)).toBe('700');
    writeFileSync(first.helper, '#!/usr/bin/python3 -I\n# the helper of an older HostDeck\n');
    const second = installHelperFiles(dir);
    expect(readFileSync(second.helper, 'utf8')).toBe(helperLauncher);
    expect(readdirSync(dir).sort()).toEqual(['dev.hostdeck.helper.policy', 'hostdeck-helper', 'hostdeck-helper.py']);
  });
});

describe('the installed helper is checked against the one this HostDeck carries', () => {
  const older = helperSource.replace("    'version': do_version,\n", '');
  const run = (file: string) => JSON.parse(spawnSync('/usr/bin/python3', ['-I', file], { input: '{"verb":"version"}', encoding: 'utf8' }).stdout) as HelperResponse;

  it('the version verb of an installed copy, and of an older helper, judged by helperVersionProblem (the SSH route calls it)', () => {
    const same = path.join(work, 'same-helper');
    const old = path.join(work, 'old-helper');
    writeFileSync(same, helperSource, { mode: 0o755 });
    writeFileSync(old, older, { mode: 0o755 });
    const a = run(same);
    expect(a).toMatchObject({ ok: true, result: { protocol: 1, sha256: BUNDLED_HELPER_SHA256 } });
    expect(helperVersionProblem(a, 'X', 'Y')).toBeNull();
    const b = run(old);
    expect(b).toMatchObject({ ok: false, error: { code: 'UNKNOWN_VERB' } });
    expect(helperVersionProblem(b, '/usr/libexec/hostdeck/hostdeck-helper on node-7', 'hostdeck hosts install-helper node-7')).toBe(
      'The installed helper /usr/libexec/hostdeck/hostdeck-helper on node-7 is older than this HostDeck (it does not know the verb "version"): reinstall it with hostdeck hosts install-helper node-7',
    );
    expect(helperVersionProblem({ ok: true, result: { protocol: 1, sha256: 'ab'.repeat(32) } }, 'X', 'Y')).toMatch(/^The installed helper X is older than this HostDeck .*: reinstall it with Y$/);
    expect(localHelperVersionProblem(same)).toBeNull();
    expect(localHelperVersionProblem(old)).toMatch(/older than this HostDeck.*reinstall it with hostdeck helper install-files/);
    // the packages' layout: this HostDeck's launcher, judged by the source beside it
    const launcher = path.join(work, 'launcher');
    writeFileSync(launcher, helperLauncher, { mode: 0o755 });
    expect(localHelperVersionProblem(launcher, same)).toBeNull();
    expect(localHelperVersionProblem(launcher, old)).toMatch(new RegExp(`^The installed helper ${old} is older than this HostDeck`));
    expect(localHelperVersionProblem(launcher, path.join(work, 'missing.py'))).toMatch(/missing\.py is older than this HostDeck/);
  });

  it('`hostdeck helper status` (as a desktop user) says the installed helper is older and how to reinstall', () => {
    // this machine's /usr/libexec stays untouched: a private mount namespace with a tmpfs over it.
    // The desktop user may not be able to reach the checkout (a clone under a 0700 mktemp
    // directory, as CI makes), so it runs the CLI from a bind mount of the checkout on a 0755 path.
    writeFileSync(path.join(work, 'installed-helper'), older, { mode: 0o755 });
    const script = `set -e
mount -t tmpfs -o mode=0755 tmpfs /usr/libexec
mkdir -m 0755 /usr/libexec/hostdeck
install -m 0755 "$1/installed-helper" /usr/libexec/hostdeck/hostdeck-helper
mount -t tmpfs -o mode=0755 tmpfs /mnt
mkdir -m 0755 /mnt/checkout
mount --bind "$2" /mnt/checkout
cd /mnt/checkout
setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/tmp /mnt/checkout/"$3" /mnt/checkout/"$4" helper status || true
`;
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', work, repo, path.relative(repo, TSX), path.relative(repo, CLI)], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stdout, r.stderr).toContain('The installed helper /usr/libexec/hostdeck/hostdeck-helper is older than this HostDeck');
    expect(r.stdout).toContain('fix: hostdeck helper install-files, then the three "sudo install" commands it prints');
  });
});
