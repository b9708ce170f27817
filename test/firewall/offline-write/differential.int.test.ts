/**
 * HostDeck's offline writes against firewall-offline-cmd itself: the same firewall-cmd argument
 * lists run by `hostdeck firewall edit --root A ...` on one copy and by firewall-offline-cmd (in a
 * private mount namespace binding copy B at /etc/firewalld, never this machine's) on another;
 * then both copies must list the same through firewall-offline-cmd (--list-all-zones,
 * --list-all-policies, --info-ipset) and every file both wrote must be byte for byte the same.
 * firewall-offline-cmd's own misbehaviour: it rewrites (copies into /etc) the zone a no-op
 * command names and keeps NAME.xml.old backups; files only it wrote are therefore not compared.
 * HOSTDECK_OFFLINE_WRITE_COUNT=N sequences (default 1: each runs some twenty firewall-offline-cmd processes), HOSTDECK_OFFLINE_WRITE_SEED=S replays one.
 * Needs root, firewalld and util-linux (unshare).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHostdeck } from '../../support/cli';
import { seededRandom, type SeededRandom } from '../../support/seeded-random';

const COUNT = Number(process.env.HOSTDECK_OFFLINE_WRITE_COUNT ?? 1);
const FIRST_SEED = Number(process.env.HOSTDECK_OFFLINE_WRITE_SEED ?? Date.now() % 100_000);
const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-offline-write-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function foc(etc: string, args: string[]): { out: string; err: string; code: number } {
  const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --make-rprivate / && mount --bind "$0" /etc/firewalld && shift && exec firewall-offline-cmd "$@"', etc, 'x', ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { out: r.stdout, err: r.stderr, code: r.status ?? -1 };
}

/** A fresh image root (firewalld's defaults and this machine's firewalld.conf) and a bare /etc/firewalld copy for firewall-offline-cmd. */
function copies(name: string): { root: string; etcA: string; etcB: string } {
  const root = path.join(dir, name, 'root');
  const etcB = path.join(dir, name, 'etc-b');
  mkdirSync(path.join(root, 'etc/firewalld'), { recursive: true });
  mkdirSync(path.join(root, 'usr/lib'), { recursive: true });
  cpSync('/usr/lib/firewalld', path.join(root, 'usr/lib/firewalld'), { recursive: true });
  cpSync('/etc/firewalld/firewalld.conf', path.join(root, 'etc/firewalld/firewalld.conf'));
  mkdirSync(etcB, { recursive: true });
  cpSync('/etc/firewalld/firewalld.conf', path.join(etcB, 'firewalld.conf'));
  return { root, etcA: path.join(root, 'etc/firewalld'), etcB };
}

const SERVICES = ['ssh', 'http', 'https', 'dns', 'samba'];
/** One random step in firewall-cmd's words, from what exists so far. */
function step(r: SeededRandom, s: { zones: string[]; ipsets: string[]; services: string[]; n: number }): string[] {
  const z = () => `--zone=${r.pick(s.zones)}`;
  const port = () => `${1000 + 10 * r.int(500)}/${r.pick(['tcp', 'udp'])}`;
  const kinds = [
    () => {
      const name = `hz${s.n++}`;
      s.zones.push(name);
      return [`--new-zone=${name}`];
    },
    () => [z(), `--add-port=${port()}`],
    () => [z(), `--add-service=${r.pick([...SERVICES, ...s.services])}`],
    () => [z(), `--remove-service=${r.pick(SERVICES)}`],
    () => [z(), `--set-target=${r.pick(['ACCEPT', 'DROP', '%%REJECT%%', 'default'])}`],
    () => [z(), r.pick(['--add-masquerade', '--remove-masquerade', '--add-forward', '--remove-forward', '--add-icmp-block-inversion'])],
    () => [z(), `--add-icmp-block=${r.pick(['echo-request', 'timestamp-request', 'router-advertisement'])}`],
    () => [z(), `--add-forward-port=port=${2000 + r.int(99)}:proto=tcp:toport=${3000 + r.int(99)}`],
    () => [z(), `--add-rich-rule=rule family="ipv4" source address="10.${r.int(255)}.0.0/16" service name="${r.pick(SERVICES)}" log prefix="p${r.int(9)}" level="info" limit value="${1 + r.int(5)}/m" accept`],
    () => [z(), `--add-rich-rule=rule priority="${1 + r.int(50)}" family="ipv4" destination address="192.0.2.${r.int(255)}" port port="${4000 + r.int(99)}" protocol="udp" reject type="icmp-port-unreachable"`],
    () => [z(), `--add-source=198.51.${r.int(255)}.0/24`],
    () => [z(), `--set-short=Z ${r.int(99)} "q" & <b>`],
    () => {
      const name = `hs${s.n++}`;
      s.ipsets.push(name);
      return [`--new-ipset=${name}`, '--type=hash:net'];
    },
    () => (s.ipsets.length ? [`--ipset=${r.pick(s.ipsets)}`, `--add-entry=10.${r.int(255)}.${r.int(255)}.7/24`] : ['--set-log-denied=all']),
    () => {
      const name = `hsv${s.n++}`;
      s.services.push(name);
      return [`--new-service=${name}`];
    },
    () => (s.services.length ? [`--service=${r.pick(s.services)}`, `--add-port=${port()}`] : ['--set-log-denied=unicast']),
    () => [`--set-default-zone=${r.pick(s.zones)}`],
    () => [`--set-log-denied=${r.pick(['all', 'unicast', 'off'])}`],
    () => ['--load-zone-defaults=public'],
  ];
  return r.pick(kinds)();
}

function xmlFiles(etc: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of ['zones', 'policies', 'services', 'ipsets', 'icmptypes', 'helpers']) {
    if (!existsSync(path.join(etc, d))) continue;
    for (const f of readdirSync(path.join(etc, d))) if (f.endsWith('.xml')) out.set(`${d}/${f}`, readFileSync(path.join(etc, d, f), 'utf8'));
  }
  return out;
}

function listing(etc: string, ipsets: string[]): string {
  return [
    foc(etc, ['--list-all-zones']).out,
    foc(etc, ['--list-all-policies']).out,
    foc(etc, ['--get-default-zone']).out,
    ...ipsets.map((i) => foc(etc, [`--info-ipset=${i}`]).out),
  ].join('\n---\n');
}

describe('offline writes agree with firewall-offline-cmd', () => {
  for (let k = 0; k < COUNT; k++) {
    const seed = FIRST_SEED + k;
    it(`seed ${seed}: the same commands give the same configuration`, async () => {
      const r = seededRandom(seed);
      const { root, etcA, etcB } = copies(`s${seed}`);
      const state = { zones: ['public', 'home', 'work'], ipsets: [] as string[], services: [] as string[], n: 0 };
      const steps = Array.from({ length: 4 + r.int(5) }, () => step(r, state));
      for (const args of steps) {
        const a = await runHostdeck(['firewall', 'edit', '--root', root, ...args]);
        const b = foc(etcB, args);
        // firewall-offline-cmd fails a setting that is already so (ALREADY_SET), and defaults loaded for a builtin
        // that is already its default (NO_DEFAULTS, seed 63197); HostDeck changes nothing and succeeds (idempotent for pipelines).
        if (b.code !== 0 && /ALREADY_SET|NO_DEFAULTS/.test(b.err) && a.code === 0) {
          expect(a.out).toBe('nothing to change\n');
          continue;
        }
        expect({ args, ok: a.code === 0 }, `${args.join(' ')}: hostdeck ${a.err} / firewall-offline-cmd ${b.out}`).toEqual({ args, ok: b.code === 0 });
      }
      const fa = xmlFiles(etcA);
      const fb = xmlFiles(etcB);
      for (const [f, text] of fa) expect(text, `${f} (seed ${seed})`).toBe(fb.get(f));
      expect(readFileSync(path.join(etcA, 'firewalld.conf'), 'utf8')).toBe(readFileSync(path.join(etcB, 'firewalld.conf'), 'utf8'));
      expect(listing(etcA, state.ipsets)).toBe(listing(etcB, state.ipsets));
    }, 240_000);
  }
});
