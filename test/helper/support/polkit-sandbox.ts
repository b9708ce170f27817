import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HELPER, LAUNCHER, repo } from './run';

/**
 * A private world for pkexec: one `unshare --mount --net --pid` namespace with
 * - tmpfs on /run, a real system dbus-daemon and a real polkitd on it;
 * - overlays on /etc, /usr/libexec and /var/lib (writes land in per-test upper directories:
 *   resolv.conf, sysctl.d, the polkit rule, /usr/libexec/hostdeck/hostdeck-helper, backups);
 * - Debian's polkit actions plus HostDeck's policy bind-mounted over /usr/share/polkit-1/actions;
 * - /proc/sys read-only except /proc/sys/net, which belongs to the new network namespace.
 * Then it runs `tsx CHILD ARGS...` inside (without a controlling terminal, as a desktop app
 * would be), which loads its code as root and drops to the user under test.
 */
export interface PolkitWorld {
  work: string;
  /** This machine's path of a file written in the namespace's /etc. */
  etc(rel: string): string;
  varlib(rel: string): string;
  run(child: string, args: string[]): { stdout: string; stderr: string; status: number | null };
}

const DEPS = ['/usr/bin/pkexec', '/usr/lib/polkit-1/polkitd', '/usr/bin/dbus-daemon', '/usr/bin/unshare', '/usr/bin/setsid', '/usr/bin/dbus-send'];

export function polkitWorld(ruleForUser: string | null): PolkitWorld {
  if (process.getuid?.() !== 0) throw new Error('The pkexec tests need root (mount and network namespaces), as CI runs them.');
  const missing = DEPS.filter((d) => spawnSync('test', ['-x', d]).status !== 0);
  if (missing.length) throw new Error(`Missing for the pkexec tests: ${missing.join(', ')} (npm test installs pkexec, polkitd, dbus, util-linux)`);
  const work = mkdtempSync(path.join(tmpdir(), 'hostdeck-polkit-'));
  for (const d of ['etc-up', 'etc-wk', 'lx-up/hostdeck', 'lx-wk', 'vl-up', 'vl-wk', 'actions']) mkdirSync(path.join(work, d), { recursive: true, mode: 0o755 });
  // polkit: Debian's actions + ours; a rule for one user when asked
  for (const f of readdirSync('/usr/share/polkit-1/actions')) copyFileSync(path.join('/usr/share/polkit-1/actions', f), path.join(work, 'actions', f));
  copyFileSync(path.join(repo, 'electron/helper/dev.hostdeck.helper.policy'), path.join(work, 'actions/dev.hostdeck.helper.policy'));
  mkdirSync(path.join(work, 'etc-up/polkit-1/rules.d'), { recursive: true, mode: 0o755 });
  chmodSync(path.join(work, 'etc-up/polkit-1/rules.d'), 0o755);
  if (ruleForUser) {
    writeFileSync(
      path.join(work, 'etc-up/polkit-1/rules.d/49-hostdeck-test.rules'),
      `polkit.addRule(function (action, subject) {\n  if (action.id == "dev.hostdeck.helper" && subject.user == "${ruleForUser}") return polkit.Result.YES;\n  if (action.id == "dev.hostdeck.helper" && subject.user == "bin") return polkit.Result.NO;\n});\n`,
      { mode: 0o644 },
    );
  }
  // the installed helper as the packages install it (the launcher, its source beside it), root-owned and not writable by anyone else
  copyFileSync(LAUNCHER, path.join(work, 'lx-up/hostdeck/hostdeck-helper'));
  chmodSync(path.join(work, 'lx-up/hostdeck/hostdeck-helper'), 0o755);
  copyFileSync(HELPER, path.join(work, 'lx-up/hostdeck/hostdeck-helper.py'));
  chmodSync(path.join(work, 'lx-up/hostdeck/hostdeck-helper.py'), 0o644);
  // a system bus from Debian's config, in the foreground, without service activation
  const conf = readFileSync('/usr/share/dbus-1/system.conf', 'utf8')
    .replace(/<user>[^<]*<\/user>/, '')
    .replace('<fork/>', '')
    .replace('<standard_system_servicedirs/>', '')
    .replace(/<servicehelper>[^<]*<\/servicehelper>/, '')
    .replace(/<pidfile>[^<]*<\/pidfile>/, '')
    .replace('<syslog/>', '')
    .replace('<includedir>system.d</includedir>', '<includedir>/usr/share/dbus-1/system.d</includedir>');
  writeFileSync(path.join(work, 'system.conf'), conf);
  writeFileSync(
    path.join(work, 'init.sh'),
    `set -e
W="$1"; shift
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/dbus
mount -t overlay overlay -o lowerdir=/etc,upperdir="$W/etc-up",workdir="$W/etc-wk" /etc
mount -t overlay overlay -o lowerdir=/usr/libexec,upperdir="$W/lx-up",workdir="$W/lx-wk" /usr/libexec
mount -t overlay overlay -o lowerdir=/var/lib,upperdir="$W/vl-up",workdir="$W/vl-wk" /var/lib
rm -rf /var/lib/hostdeck   # only in the overlay (a whiteout): start without this machine's backups
mount --bind "$W/actions" /usr/share/polkit-1/actions
mount --bind /proc/sys /proc/sys
mount --bind /proc/sys/net /proc/sys/net
mount -o remount,bind,ro /proc/sys
ip link set lo up 2>/dev/null || true
/usr/bin/dbus-daemon --config-file="$W/system.conf" --nofork >"$W/dbus.log" 2>&1 &
for i in $(seq 1 100); do [ -S /run/dbus/system_bus_socket ] && break; sleep 0.05; done
/usr/lib/polkit-1/polkitd --no-debug >"$W/polkitd.log" 2>&1 &
for i in $(seq 1 200); do
  dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.PolicyKit1 2>/dev/null | grep -q 'boolean true' && break
  sleep 0.05
done
exec "$@"
`,
  );
  const TSX = path.join(repo, 'node_modules/.bin/tsx');
  return {
    work,
    etc: (rel) => path.join(work, 'etc-up', rel),
    varlib: (rel) => path.join(work, 'vl-up', rel),
    run(child, args) {
      const r = spawnSync('/usr/bin/setsid', ['-w', '/usr/bin/unshare', '--mount', '--net', '--pid', '--fork', '--mount-proc', '--propagation', 'private', 'sh', path.join(work, 'init.sh'), work, TSX, child, ...args], {
        cwd: repo,
        encoding: 'utf8',
        timeout: 180_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return { stdout: r.stdout, stderr: r.stderr, status: r.status };
    },
  };
}
