/**
 * HostDeck's offline reader against firewall-offline-cmd itself: random seeded configurations
 * are built by firewall-offline-cmd (in a private mount namespace whose /etc/firewalld is a
 * copy, never this machine's), then `hostdeck firewall list ... --root` must print what
 * `firewall-offline-cmd --list-all-zones`, `--list-all-policies` and `--info-*` print, and
 * `hostdeck firewall check` must agree with `--check-config` on broken copies of them.
 * Needs root, firewalld (firewall-offline-cmd) and util-linux (unshare).
 * HOSTDECK_OFFLINE_DIFF_COUNT=N runs N configurations (default 2: each costs a few
 * firewall-offline-cmd runs of about half a second); a failure prints its seed, and
 * HOSTDECK_OFFLINE_DIFF_SEED=S replays one.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHostdeck } from '../../support/cli';
import { firstSeed, seededRandom, type SeededRandom } from '../../support/seeded-random';

const COUNT = Number(process.env.HOSTDECK_OFFLINE_DIFF_COUNT ?? 2);
const FIRST_SEED = firstSeed(process.env.HOSTDECK_OFFLINE_DIFF_SEED);
const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-offline-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a shell script with firewall-offline-cmd seeing `etc` as /etc/firewalld (a private mount namespace). */
function offline(etc: string, script: string): { out: string; code: number } {
  const r = spawnSync('unshare', ['-m', 'sh', '-c', `mount --make-rprivate / && mount --bind "$0" /etc/firewalld && ${script}`, etc], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { out: r.stdout, code: r.status ?? -1 };
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const SERVICES = ['ssh', 'http', 'https', 'dns', 'mdns', 'samba', 'nfs', 'ftp', 'imaps'];
const RULES = [
  (r: SeededRandom) => `rule family="ipv4" source address="10.${r.int(255)}.0.0/16" service name="${r.pick(SERVICES)}" accept`,
  (r: SeededRandom) => `rule family="ipv4" source address="192.0.2.${r.int(255)}" port port="${1024 + r.int(6000)}" protocol="tcp" reject`,
  (r: SeededRandom) => `rule priority="${r.int(100) - 50 || 1}" family="ipv6" source address="2001:db8:${r.int(9999)}::/48" drop`,
  (r: SeededRandom) => `rule family="ipv4" source address="198.51.100.${r.int(255)}" log prefix="hd-${r.int(99)}" level="info" limit value="${1 + r.int(9)}/m" accept`,
  () => `rule protocol value="gre" accept`,
  (r: SeededRandom) => `rule family="ipv4" forward-port port="${2000 + r.int(999)}" protocol="udp" to-port="53" to-addr="192.0.2.${1 + r.int(250)}"`,
];

/** firewall-offline-cmd commands building one random configuration, and the names it made. */
function buildScript(seed: number): { script: string[]; services: string[]; ipsets: string[] } {
  const r = seededRandom(seed);
  const cmds: string[] = [];
  const zones = Array.from({ length: 1 + r.int(3) }, (_, i) => `z${seed % 1000}x${i}`);
  const services = r.chance(0.7) ? [`svc${seed % 1000}`] : [];
  const ipsets = r.chance(0.7) ? [`set${seed % 1000}`] : [];
  for (const s of services) cmds.push(`--new-service=${s}`, `--service=${s} --add-port=${1000 + r.int(5000)}/tcp --add-port=${1000 + r.int(5000)}-${6000 + r.int(100)}/udp --add-protocol=gre --set-short=${q(`Service ${s}`)}`);
  for (const s of ipsets) {
    const entries = Array.from({ length: 1 + r.int(5) }, () => `192.0.${r.int(255)}.0/24`);
    cmds.push(`--new-ipset=${s} --type=hash:net`, `--ipset=${s} ${[...new Set(entries)].map((e) => `--add-entry=${e}`).join(' ')}`);
  }
  const usable = [...SERVICES, ...services];
  let iface = 0;
  for (const z of [...zones, r.pick(['public', 'home', 'work', 'internal'])]) {
    if (!z.startsWith('z')) {
      // A builtin changed in /etc ("modified from the default").
    } else cmds.push(`--new-zone=${z}`);
    const opts: string[] = [];
    for (let i = r.int(3); i > 0; i--) opts.push(`--add-port=${1 + r.int(65000)}/${r.pick(['tcp', 'udp', 'sctp'])}`);
    for (let i = r.int(3); i > 0; i--) opts.push(`--add-service=${r.pick(usable)}`);
    for (let i = r.int(2); i > 0; i--) opts.push(`--add-source=10.${r.int(255)}.${r.int(255)}.0/24`);
    if (r.chance(0.5)) opts.push(`--add-interface=hd${seed % 1000}i${iface++}`);
    if (r.chance(0.3)) opts.push('--add-masquerade');
    if (r.chance(0.3)) opts.push(`--add-forward-port=port=${1 + r.int(999)}:proto=tcp:toport=${1000 + r.int(999)}`);
    if (r.chance(0.3) && ipsets.length) opts.push(`--add-source=ipset:${ipsets[0]}`);
    for (let i = r.int(4); i > 0; i--) opts.push(`--add-rich-rule=${q(r.pick(RULES)(r))}`);
    if (r.chance(0.3)) opts.push(`--add-icmp-block=${r.pick(['echo-request', 'timestamp-request', 'redirect'])}`);
    if (opts.length) cmds.push(`--zone=${z} ${opts.join(' ')}`);
    if (z.startsWith('z') && r.chance(0.4)) cmds.push(`--zone=${z} --set-target=${r.pick(['ACCEPT', 'DROP', '%%REJECT%%'])}`);
  }
  if (r.chance(0.7)) {
    const p = `pol${seed % 1000}`;
    cmds.push(`--new-policy=${p}`, `--policy=${p} --add-ingress-zone=${zones[0]} --add-egress-zone=${r.pick(['HOST', 'public'])}`, `--policy=${p} --set-priority=${r.pick([-10, 5, 100])}`, `--policy=${p} --set-target=${r.pick(['ACCEPT', 'DROP', 'CONTINUE'])}`, `--policy=${p} --add-service=${r.pick(SERVICES)} --add-rich-rule=${q(RULES[0]!(r))}`);
  }
  if (r.chance(0.5)) cmds.push(`--set-default-zone=${r.pick(zones)}`);
  return { script: cmds.map((c) => `firewall-offline-cmd ${c} >/dev/null 2>&1`), services, ipsets };
}

function newImage(seed: number): { root: string; etc: string } {
  const root = path.join(dir, `s${seed}`);
  mkdirSync(path.join(root, 'usr/lib'), { recursive: true });
  cpSync('/usr/lib/firewalld', path.join(root, 'usr/lib/firewalld'), { recursive: true });
  const etc = path.join(root, 'etc/firewalld');
  mkdirSync(etc, { recursive: true });
  writeFileSync(path.join(etc, 'firewalld.conf'), 'DefaultZone=public\n');
  return { root, etc };
}

const norm = (s: string) => s.split('\n').map((l) => l.replace(/\s+$/, '')).join('\n').trim();

describe('offline reader vs firewall-offline-cmd', () => {
  it(`lists ${COUNT} random configurations exactly as firewall-offline-cmd does, and checks broken ones as --check-config does`, async () => {
    for (let n = 0; n < COUNT; n++) {
      const seed = FIRST_SEED + n;
      try {
        const { root, etc } = newImage(seed);
        const { script, services, ipsets } = buildScript(seed);
        // Some random commands fail (firewall-offline-cmd refuses them): both sides read the files that result.
        offline(etc, script.join('; '));
        const sep = '@@HOSTDECK@@';
        const theirs = offline(etc, [
          'firewall-offline-cmd --list-all-zones', `echo ${sep}`, 'firewall-offline-cmd --list-all-policies', `echo ${sep}`,
          ...services.map((s) => `firewall-offline-cmd --info-service=${s}`), `echo ${sep}`,
          ...ipsets.map((s) => `firewall-offline-cmd --info-ipset=${s}`), `echo ${sep}`, 'firewall-offline-cmd --check-config >/dev/null 2>&1; echo $?',
        ].join('; ')).out.split(`${sep}\n`);
        const ours = async (kind: string) => (await runHostdeck(['firewall', 'list', kind, '--root', root])).out;
        expect(norm(await ours('zones'))).toBe(norm(theirs[0]!));
        expect(norm(await ours('policies'))).toBe(norm(theirs[1]!));
        const svc = norm(await ours('services')).split('\n\n').filter((b) => services.includes(b.split('\n')[0]!));
        expect(svc.join('\n\n')).toBe(norm(theirs[2]!).replace(/\n(?=\S)/g, '\n\n'));
        const sets = norm(await ours('ipsets')).split('\n\n').filter((b) => ipsets.includes(b.split('\n')[0]!));
        expect(sets.join('\n\n')).toBe(norm(theirs[3]!).replace(/\n(?=\S)/g, '\n\n'));
        const check = await runHostdeck(['firewall', 'check', '--root', root]);
        expect(check.code, check.out).toBe(theirs[4]!.trim() === '0' ? 0 : 1);
        expect(check.code, check.out).toBe(0);

        // Broken copies (of the first configuration only: each check costs a second or two): each break
        // alone, then both checkers must refuse (or both accept).
        if (n > 0) continue;
        const breaks: Array<[string, string]> = [
          ['zones/hdbad1.xml', '<zone><service name="no-such-service-here"/></zone>'],
          ['zones/hdbad2.xml', '<zone><port port="70000" protocol="tcp"/></zone>'],
          ['zones/hdbad3.xml', '<zone><interface name="dup0"/></zone>\n'],
          ['policies/hdbad4.xml', '<policy target="ACCEPT"><ingress-zone name="no-such-zone"/><egress-zone name="HOST"/></policy>'],
          ['zones/hdbad5.xml', '<zone><short>unclosed</zone>'],
          ['zones/hdbad6.xml', '<zone target="BOUNCE"/>'],
          ['ipsets/hdbad7.xml', '<ipset type="hash:nope"/>'],
          ['zones/hdok8.xml', '<zone><rule family="ipv4"><source address="not-an-address"/><accept/></rule><service name="ssh"/><service name="ssh"/></zone>'],
        ];
        for (const [file, xml] of breaks) {
          const full = path.join(etc, file);
          mkdirSync(path.dirname(full), { recursive: true });
          writeFileSync(full, xml);
          const extra = file === 'zones/hdbad3.xml' ? path.join(etc, 'zones/hdbad3b.xml') : undefined;
          if (extra) writeFileSync(extra, '<zone><interface name="dup0"/></zone>');
          const rc = offline(etc, 'firewall-offline-cmd --check-config >/dev/null 2>&1; echo $?').out.trim();
          const ourCheck = await runHostdeck(['firewall', 'check', '--root', root]);
          expect(ourCheck.code, `${file}: firewall-offline-cmd --check-config exit ${rc}; hostdeck:\n${ourCheck.out}`).toBe(rc === '0' ? 0 : 1);
          expect(ourCheck.code, `${file} must ${file.includes('ok') ? 'pass' : 'fail'}`).toBe(file.includes('ok') ? 0 : 1);
          if (!file.includes('ok')) expect(ourCheck.out).toContain(path.basename(file, '.xml'));
          rmSync(full);
          if (extra) rmSync(extra);
        }
      } catch (e) {
        console.error(`offline differential failed with seed ${seed} (HOSTDECK_OFFLINE_DIFF_SEED=${seed} HOSTDECK_OFFLINE_DIFF_COUNT=1 replays it)`);
        throw e;
      }
    }
  }, 600_000);
});
