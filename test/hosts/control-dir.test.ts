import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { controlDir, fixedControlDir, persistSeconds } from '../../electron/hosts/ssh/control-dir';

/** The CLI's fixed ssh control-socket directory (issue #17): made private, refused when it is not. */
describe('controlDir', () => {
  let xdg: string;
  beforeEach(() => {
    xdg = mkdtempSync(join(tmpdir(), 'hd-cd-'));
  });
  afterEach(() => rmSync(xdg, { recursive: true, force: true }));

  it('makes $XDG_RUNTIME_DIR/hostdeck/ssh 0700, owned by this user', () => {
    const r = controlDir({ XDG_RUNTIME_DIR: xdg });
    expect(r).toEqual({ dir: join(xdg, 'hostdeck', 'ssh') });
    for (const d of [join(xdg, 'hostdeck'), join(xdg, 'hostdeck', 'ssh')]) {
      const st = lstatSync(d);
      expect(st.mode & 0o777).toBe(0o700);
      expect(st.uid).toBe(process.getuid!());
    }
  });

  it.each([
    ['a symlink to a private dir', (d: string) => symlinkSync(mkdtempSync(join(xdg, 'x-')), d), /symlink/],
    ['a world-writable dir', (d: string) => (mkdirSync(d), chmodSync(d, 0o777)), /mode 777/],
    ['a group-readable dir', (d: string) => (mkdirSync(d), chmodSync(d, 0o750)), /mode 750/],
    ['a dir owned by another user', (d: string) => (mkdirSync(d, { mode: 0o700 }), chownSync(d, 1500, 1500)), /owned by uid 1500/],
    ['a plain file', (d: string) => writeFileSync(d, ''), /not a directory/],
  ])('refuses %s', (_what, plant, why) => {
    mkdirSync(join(xdg, 'hostdeck'), { mode: 0o700 });
    const d = join(xdg, 'hostdeck', 'ssh');
    plant(d);
    const r = controlDir({ XDG_RUNTIME_DIR: xdg });
    expect(r.dir).toBeUndefined();
    expect(r.refused).toMatch(why);
  });

  it('refuses a symlinked hostdeck/ level too', () => {
    symlinkSync(mkdtempSync(join(xdg, 'x-')), join(xdg, 'hostdeck'));
    expect(controlDir({ XDG_RUNTIME_DIR: xdg }).refused).toMatch(/symlink/);
  });

  it('uses a per-uid dir under the temp dir without a usable XDG_RUNTIME_DIR', () => {
    chmodSync(xdg, 0o755);
    // Not created here (the real /tmp is shared): only where it would be.
    expect(fixedControlDir({ XDG_RUNTIME_DIR: xdg })).toBe(join(tmpdir(), `hostdeck-ssh-${process.getuid!()}`));
  });
});

describe('persistSeconds', () => {
  it('reads HOSTDECK_SSH_PERSIST: default 60, 0/no/off off, whole seconds', () => {
    expect(persistSeconds({})).toBe(60);
    expect(persistSeconds({ HOSTDECK_SSH_PERSIST: '0' })).toBe(0);
    expect(persistSeconds({ HOSTDECK_SSH_PERSIST: 'no' })).toBe(0);
    expect(persistSeconds({ HOSTDECK_SSH_PERSIST: 'off' })).toBe(0);
    expect(persistSeconds({ HOSTDECK_SSH_PERSIST: '5' })).toBe(5);
  });
  it('names a bad value', () => {
    expect(() => persistSeconds({ HOSTDECK_SSH_PERSIST: '1m' })).toThrow(/HOSTDECK_SSH_PERSIST="1m": give whole seconds/);
    expect(() => persistSeconds({ HOSTDECK_SSH_PERSIST: '-1' })).toThrow(/HOSTDECK_SSH_PERSIST/);
  });
});
