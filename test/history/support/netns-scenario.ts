/**
 * Run inside fresh network and mount namespaces (`unshare -n -m`, a copy of /etc bound over
 * /etc, a tmpfs on /var/lib for the helper's backups) by
 * test/history/kernel-netns.int.test.ts: a change through HostDeck (kernel.apply), one with
 * `sysctl -w`, a hand edit of resolv.conf, then "back to the first point"; the values are read
 * with sysctl and cat, not with HostDeck. Prints one JSON document.
 *   netns-scenario HISTORY_DIR
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { helperBackupDir } from '../../../shared/helper/protocol';
import { Runtime } from '../../../electron/api/runtime';

const [dir] = process.argv.slice(2) as [string];
const RESOLV = '/etc/resolv.conf';
const KEYS = ['net.core.somaxconn', 'net.ipv4.tcp_fin_timeout'];
// The test's sysctl.d profiles, each file's name and text as cat prints it.
const profiles = () => execFileSync('sh', ['-c', 'for f in /etc/sysctl.d/9*-hd.conf; do [ -e "$f" ] && echo "== $f" && cat "$f"; done; true'], { encoding: 'utf8' });
const tools = () => ({ sysctl: execFileSync('sysctl', KEYS, { encoding: 'utf8' }), cat: execFileSync('cat', [RESOLV], { encoding: 'utf8' }), profiles: profiles() });
const HOSTDECK_PROFILE = '# Written by HostDeck. One "key = value" per line; later files in /etc/sysctl.d override earlier ones.\n';

const rt = new Runtime({ mode: 'cli', history: { dir } });
try {
  // A profile the point has; after the point it is edited by hand and another one appears.
  writeFileSync('/etc/sysctl.d/90-hd.conf', `${HOSTDECK_PROFILE}net.ipv4.tcp_keepalive_time = 600\n`);
  await rt.api.kernel.list({});
  await rt.api.dns.read({});
  const first = (await rt.api.history.list({})).points.at(-1)!;
  const before = tools();
  await rt.api.kernel.apply({ settings: [{ key: 'net.core.somaxconn', value: '1234' }] });
  execFileSync('sysctl', ['-q', '-w', 'net.ipv4.tcp_fin_timeout=17']);
  await rt.api.kernel.list({});
  writeFileSync(RESOLV, 'nameserver 198.51.100.53\noptions edns0\n');
  await rt.api.dns.read({});
  writeFileSync('/etc/sysctl.d/90-hd.conf', 'net.ipv4.tcp_keepalive_time = 900\n');
  writeFileSync('/etc/sysctl.d/91-hd.conf', 'net.ipv4.tcp_syn_retries = 3\n');
  const changed = tools();
  const restore = await rt.api.history.restore({ point: first.id, confirm: true });
  const after = tools();
  // The helper's backups of the profile it replaced and the one it deleted.
  const backups = ['90-hd.conf', '91-hd.conf'].map((f) => (existsSync(helperBackupDir(`/etc/sysctl.d/${f}`)) ? readdirSync(helperBackupDir(`/etc/sysctl.d/${f}`)).length : 0));
  const points = (await rt.api.history.list({})).points;
  // A write the kernel carries to other entries (every interface's forwarding and all.accept_redirects,
  // "default" copied to interfaces, retrans_time's twin retrans_time_ms): the "after" point, made from a re-read of
  // what the write can touch, against a full read of the host now.
  execFileSync('ip', ['link', 'add', 'hd0', 'type', 'veth', 'peer', 'name', 'hd1']);
  await rt.api.kernel.apply({
    settings: [
      { key: 'net.ipv4.ip_forward', value: '1' },
      { key: 'net.ipv6.conf.all.forwarding', value: '1' },
      { key: 'net.ipv4.conf.default.rp_filter', value: '2' },
      { key: 'net.ipv4.neigh.hd0.retrans_time', value: '200' },
    ],
  });
  const written = (await rt.api.history.list({})).points.at(-1)!;
  const diff = await rt.api.history.diff({ from: written.id, to: 'now' });
  const sideEffects = { point: written, changes: diff.changes.filter((c) => c.section === 'sysctl' || c.section === 'sysctl.d') };
  process.stdout.write(JSON.stringify({ first: first.id, before, changed, after, restore, backups, points, sideEffects }));
} finally {
  await rt.dispose();
}
