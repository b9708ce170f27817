import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstSeed } from '../support/seeded-random';
import { killedSaves, racingSaves } from './support/races';
import { b64, helper, helperAsync, HELPER, scratchRoot, sha } from './support/run';

/**
 * The helper's file verbs for real, as root, against a scratch root (--root): atomic replace,
 * owner/mode/SELinux label kept, backups (atomic, last 10), CONFLICT when changed since read,
 * exactly one winner of racing saves, symlink refusals, stale temps, EBUSY fallback, SIGKILL.
 * The races run a bounded seeded slice here (HOSTDECK_HELPER_RACE_SEED replays one, the seed is
 * printed); `npx tsx scripts/bench.ts helper-races` runs the large ones (100 pairs, 200 kills).
 */
const SEED = firstSeed(process.env.HOSTDECK_HELPER_RACE_SEED);
const PAIRS = 10;
const KILLS = 20;
let root: string;
const R = () => ['--root', root];
const resolv = () => path.join(root, 'etc/resolv.conf');
const backupDir = () => path.join(root, 'var/lib/hostdeck/backups/etc%2Fresolv.conf');
const write = (content: string, expected: string | null, p = '/etc/resolv.conf') => helper({ verb: 'write-file', path: p, content: b64(content), expectedSha256: expected }, R());

beforeEach(() => {
  if (process.getuid?.() !== 0) throw new Error('These tests run as root (as CI does): they chown files and mount in a private namespace.');
  root = scratchRoot();
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('write-file', () => {
  it('creates, replaces atomically keeping owner, mode and SELinux label, and backs up the previous content', () => {
    const a = write('nameserver 192.0.2.1\n', null);
    expect(a).toMatchObject({ ok: true, result: { changed: true, backup: null, inPlace: false } });
    expect(lstatSync(resolv()).mode & 0o777).toBe(0o644);
    expect(write('nameserver 192.0.2.2\n', null)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    chownSync(resolv(), 1234, 5678);
    chmodSync(resolv(), 0o640);
    spawnSync('/usr/bin/python3', ['-c', `import os; os.setxattr(${JSON.stringify(resolv())}, 'security.selinux', b'system_u:object_r:net_conf_t:s0\\0')`]);
    const b = write('nameserver 192.0.2.3\n', sha('nameserver 192.0.2.1\n'));
    expect(b.ok).toBe(true);
    expect(readFileSync(resolv(), 'utf8')).toBe('nameserver 192.0.2.3\n');
    const st = lstatSync(resolv());
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([1234, 5678, 0o640]);
    const label = spawnSync('/usr/bin/python3', ['-c', `import os,sys; sys.stdout.write(os.getxattr(${JSON.stringify(resolv())}, 'security.selinux').decode())`], { encoding: 'utf8' }).stdout;
    expect(label).toBe('system_u:object_r:net_conf_t:s0\0');
    const backup = path.join(backupDir(), b.result!.backup as string);
    expect(readFileSync(backup, 'utf8')).toBe('nameserver 192.0.2.1\n');
    expect(lstatSync(backup).mode & 0o777).toBe(0o600);
    // same bytes again: nothing written, no new backup
    expect(write('nameserver 192.0.2.3\n', sha('nameserver 192.0.2.3\n')).result).toMatchObject({ changed: false, backup: null });
  });

  it('keeps the last 10 backups, lists them newest first, and restores one through the same checked path', () => {
    let cur: string | null = null;
    for (let i = 0; i < 13; i++) {
      const text = `nameserver 192.0.2.${i}\n`;
      expect(write(text, cur).ok).toBe(true);
      cur = sha(text);
    }
    const list = helper({ verb: 'list-backups', path: '/etc/resolv.conf' }, R());
    const backups = list.result!.backups as { name: string; sha256: string }[];
    expect(backups).toHaveLength(10);
    expect(list.result!.directory).toBe('/var/lib/hostdeck/backups/etc%2Fresolv.conf');
    expect(backups[0]!.sha256).toBe(sha('nameserver 192.0.2.11\n'));
    expect(backups[9]!.sha256).toBe(sha('nameserver 192.0.2.2\n'));
    const stale = helper({ verb: 'restore-backup', path: '/etc/resolv.conf', backup: backups[9]!.name, expectedSha256: sha('other') }, R());
    expect(stale.error?.code).toBe('CONFLICT');
    const r = helper({ verb: 'restore-backup', path: '/etc/resolv.conf', backup: backups[9]!.name, expectedSha256: cur }, R());
    expect(r).toMatchObject({ ok: true, result: { restoredFrom: backups[9]!.name, changed: true } });
    expect(readFileSync(resolv(), 'utf8')).toBe('nameserver 192.0.2.2\n');
    // the content it replaced is itself backed up
    expect(readFileSync(path.join(backupDir(), r.result!.backup as string), 'utf8')).toBe('nameserver 192.0.2.12\n');
    expect(helper({ verb: 'restore-backup', path: '/etc/resolv.conf', backup: '../../../etc/shadow', expectedSha256: null }, R()).error?.code).toBe('INVALID_INPUT');
  });

  it('a change made by another program between read and write is detected: CONFLICT shows it, nothing is overwritten', () => {
    write('nameserver 192.0.2.1\n', null);
    const read = sha('nameserver 192.0.2.1\n');
    writeFileSync(resolv(), 'nameserver 198.51.100.7 # NetworkManager\n');
    const r = write('nameserver 192.0.2.2\n', read);
    expect(r.error?.code).toBe('CONFLICT');
    expect(Buffer.from(r.error!.detail.currentBase64 as string, 'base64').toString()).toBe('nameserver 198.51.100.7 # NetworkManager\n');
    expect(readFileSync(resolv(), 'utf8')).toBe('nameserver 198.51.100.7 # NetworkManager\n');
    expect(existsSync(backupDir()) ? readdirSync(backupDir()).filter((n) => n.endsWith('.bak')) : []).toEqual([]);
  });

  it(`of ${PAIRS} pairs of racing saves from the same version, exactly one wins each time; the other gets CONFLICT`, async () => {
    const r = await racingSaves(root, PAIRS, SEED);
    console.log(`racing saves (seed ${SEED}): ${r.oneWinner}/${r.pairs} pairs had exactly one winner`);
    expect(r.wrongWinner).toEqual([]);
    expect(r.oneWinner).toBe(PAIRS);
  });

  it('refuses paths outside the allow-list, "..", symlinks at the target, in the directory and in the backup store; writes nothing through them', () => {
    writeFileSync(path.join(root, 'victim'), 'precious\n');
    const victim = () => readFileSync(path.join(root, 'victim'), 'utf8');
    for (const p of ['/etc/passwd', '/etc/../etc/resolv.conf', '/etc//resolv.conf', 'etc/resolv.conf', '/etc/sysctl.d/../shadow', '/etc/sysctl.d/x', '/etc/sysctl.d/.hidden.conf', '/etc/resolv.conf\n', '/etc/sysctl.d/a/b.conf']) {
      const r = write('x = 1\n', null, p);
      expect(r.error?.code, p).toBe('NOT_ALLOWED');
    }
    // the old writer's planted backup symlink is ignored: backups live elsewhere, under O_NOFOLLOW
    symlinkSync(path.join(root, 'victim'), path.join(root, 'etc/resolv.conf.hostdeck-bak'));
    write('nameserver 192.0.2.1\n', null);
    expect(write('nameserver 192.0.2.2\n', sha('nameserver 192.0.2.1\n')).ok).toBe(true);
    expect(victim()).toBe('precious\n');
    // the target itself a symlink
    rmSync(resolv());
    symlinkSync(path.join(root, 'victim'), resolv());
    const l = write('nameserver 192.0.2.3\n', sha('precious\n'));
    expect(l.error?.code).toBe('SYMLINK');
    expect(l.error?.message).toMatch(/symbolic link/);
    expect(victim()).toBe('precious\n');
    // a directory on the way a symlink
    rmSync(path.join(root, 'etc/sysctl.d'), { recursive: true });
    mkdirSync(path.join(root, 'elsewhere'));
    symlinkSync(path.join(root, 'elsewhere'), path.join(root, 'etc/sysctl.d'));
    expect(write('vm.swappiness = 10\n', null, '/etc/sysctl.d/60-x.conf').error?.code).toBe('SYMLINK');
    expect(readdirSync(path.join(root, 'elsewhere'))).toEqual([]);
    // the backup store a symlink (hostile image)
    rmSync(path.join(root, 'var'), { recursive: true, force: true });
    mkdirSync(path.join(root, 'var/lib'), { recursive: true });
    symlinkSync(path.join(root, 'elsewhere'), path.join(root, 'var/lib/hostdeck'));
    rmSync(resolv());
    writeFileSync(resolv(), 'nameserver 192.0.2.4\n');
    expect(write('nameserver 192.0.2.5\n', sha('nameserver 192.0.2.4\n')).error?.code).toBe('SYMLINK');
    expect(readFileSync(resolv(), 'utf8')).toBe('nameserver 192.0.2.4\n');
    expect(readdirSync(path.join(root, 'elsewhere'))).toEqual([]);
  });

  it('a symlink swapped in for the file at the last moment is never written through', async () => {
    // Another process swaps the file for a symlink in a loop while saves run: every save either
    // replaces the name itself (a rename never follows a link) or is refused; the victim never changes.
    writeFileSync(path.join(root, 'victim'), 'precious\n');
    writeFileSync(resolv(), 'regular\n');
    const swapper = spawn('/usr/bin/python3', ['-c', `
import os, time
d = ${JSON.stringify(path.join(root, 'etc'))}
while True:
    try:
        with open(d + '/.reg', 'w') as f:
            f.write('regular\\n')
        os.rename(d + '/.reg', d + '/resolv.conf')
        time.sleep(0.0005)
        os.symlink(${JSON.stringify(path.join(root, 'victim'))}, d + '/.swap')
        os.rename(d + '/.swap', d + '/resolv.conf')
        time.sleep(0.0005)
    except OSError:
        pass
`]);
    const swapperDone = new Promise((res) => swapper.on('close', res));
    const outcomes = new Map<string, number>();
    try {
      for (let i = 0; i < 40; i++) {
        const expected = sha('regular\n');
        const r = await helperAsync({ verb: 'write-file', path: '/etc/resolv.conf', content: b64(`nameserver 192.0.2.${i}\n`), expectedSha256: expected }, R());
        const k = r.ok ? 'ok' : r.error!.code;
        outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
      }
    } finally {
      // it swaps until every save is done (no fixed run time to wait out)
      swapper.kill('SIGKILL');
      await swapperDone;
    }
    console.log('saves under a symlink swapper:', Object.fromEntries(outcomes));
    expect([...outcomes.keys()].every((k) => ['ok', 'SYMLINK', 'CONFLICT'].includes(k))).toBe(true);
    expect(readFileSync(path.join(root, 'victim'), 'utf8')).toBe('precious\n');
  });

  it('removes stale temp files of earlier, killed saves', () => {
    write('nameserver 192.0.2.1\n', null);
    const stale = ['.resolv.conf.hostdeck-0123456789abcdef.tmp', '.resolv.conf.hostdeck-4242-1700000000000'];
    for (const s of stale) writeFileSync(path.join(root, 'etc', s), 'half');
    writeFileSync(path.join(backupDir(), '.tmp-0123456789abcdef'), 'half');
    const r = write('nameserver 192.0.2.2\n', sha('nameserver 192.0.2.1\n'));
    expect(r.result!.staleTempsRemoved).toBe(3);
    expect(readdirSync(path.join(root, 'etc')).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('falls back to a careful in-place write when rename() hits EBUSY (bind-mounted resolv.conf) and says so', () => {
    const outside = path.join(root, 'bound-resolv.conf');
    writeFileSync(outside, 'nameserver 192.0.2.1\n');
    writeFileSync(resolv(), '');
    const req = JSON.stringify({ verb: 'write-file', path: '/etc/resolv.conf', content: b64('nameserver 192.0.2.99\n'), expectedSha256: sha('nameserver 192.0.2.1\n') });
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" "$2" && exec /usr/bin/python3 -I "$3" --root "$4"', 'sh', outside, resolv(), HELPER, root], { input: req, encoding: 'utf8' });
    const a = JSON.parse(r.stdout.trim()) as { ok: boolean; result: { inPlace: boolean; notes: string[]; backup: string } };
    expect(a.ok).toBe(true);
    expect(a.result.inPlace).toBe(true);
    expect(a.result.notes.join(' ')).toMatch(/EBUSY/);
    expect(readFileSync(outside, 'utf8')).toBe('nameserver 192.0.2.99\n');
    expect(readFileSync(path.join(backupDir(), a.result.backup), 'utf8')).toBe('nameserver 192.0.2.1\n');
  });

  it('delete-file backs up, checks the version and removes only sysctl.d profiles', () => {
    const p = '/etc/sysctl.d/60-hostdeck.conf';
    expect(write('vm.swappiness = 10\n', null, p).ok).toBe(true);
    expect(helper({ verb: 'delete-file', path: p, expectedSha256: sha('other') }, R()).error?.code).toBe('CONFLICT');
    const d = helper({ verb: 'delete-file', path: p, expectedSha256: sha('vm.swappiness = 10\n') }, R());
    expect(d).toMatchObject({ ok: true, result: { deleted: true } });
    expect(existsSync(path.join(root, p))).toBe(false);
    expect(helper({ verb: 'delete-file', path: '/etc/resolv.conf', expectedSha256: sha('x') }, R()).error?.code).toBe('NOT_ALLOWED');
    // sysctl.d content passes the same key rules: no root-exec keys, no junk lines
    expect(write('kernel.core_pattern = |/tmp/x %p\n', null, p).error?.code).toBe('INVALID_VALUE');
    expect(write('kernel.modprobe = /tmp/x\n', null, p).error?.code).toBe('INVALID_VALUE');
    expect(write('not a setting\n', null, p).error?.code).toBe('INVALID_VALUE');
  });

  it('refuses --root and friends when started through pkexec or sudo', () => {
    for (const env of [{ PKEXEC_UID: '1000' }, { SUDO_UID: '1000', SUDO_COMMAND: '/usr/libexec/hostdeck/hostdeck-helper --root /tmp' }]) {
      const r = spawnSync('/usr/bin/python3', ['-I', HELPER, '--root', root], { input: '{"verb":"list-backups","path":"/etc/resolv.conf"}', encoding: 'utf8', env: { PATH: '/usr/bin:/bin', ...env } });
      expect(JSON.parse(r.stdout.trim()).error.code).toBe('NOT_ALLOWED');
      expect(r.status).toBe(2);
    }
  });
});

describe('SIGKILL during a write', () => {
  it(`${KILLS} kills at seeded points: the target always holds the old or the new content and every backup is complete`, async () => {
    const r = await killedSaves(root, KILLS, SEED);
    expect(r.partial).toEqual([]);
    expect(r.badBackups).toEqual([]);
    expect(r.after).toMatchObject({ ok: true, leftInEtc: [], leftTempBackups: [] });
    console.log(`SIGKILL x${KILLS} (seed ${SEED}, kills spread over ${r.spanMs.toFixed(0)} ms): old content ${r.old}, new content ${r.new}, partial 0; stale temps removed by the next save: ${r.after.staleTempsRemoved}`);
  });
});
