import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_HELPER_SHA256 } from '../../electron/helper/version';
import { HELPER, LAUNCHER } from './support/run';

/**
 * Issue #22: the installed helper (what pkexec and sudo run) is a launcher that runs the helper
 * source beside it from bytecode kept in /var/lib/hostdeck/bytecode. Bytecode is code: a .pyc a
 * non-root user could write or swap would be a root shell for them. The attacker here plants a
 * .pyc with a valid header (this python3, the installed source's sha256) whose code answers
 * {"planted": "attacker-bytecode"}; the launcher must run it only when root alone can have
 * written it.
 */
const CACHE = '/var/lib/hostdeck/bytecode/hostdeck-helper.pyc';
const AS_USER = 'setpriv --reuid=nobody --regid=nogroup --clear-groups';
const CASES = {
  first: { setup: '', runs: 2 },
  trusted: { setup: 'plant' },
  foreignOwned: { setup: 'plant; chown 65534:65534 "$C"', runs: 2 },
  worldWritable: { setup: 'plant; chmod 0666 "$C"' },
  groupWritable: { setup: 'plant; chmod 0664 "$C"' },
  dirOfOther: { setup: 'plant; chown 65534 /var/lib/hostdeck/bytecode' },
  parentWorldWritable: { setup: 'plant; chmod 0777 /var/lib/hostdeck' },
  varLibWorldWritable: { setup: 'plant; chmod 0777 /var/lib' },
  fileLink: { setup: `C=/var/lib/hostdeck/elsewhere.pyc; plant; mkdir -m 0700 /var/lib/hostdeck/bytecode; ln -s ../elsewhere.pyc ${CACHE}` },
  dirLink: { setup: 'C=/var/lib/hostdeck/real/hostdeck-helper.pyc; plant; ln -s real /var/lib/hostdeck/bytecode' },
  otherPython: { setup: 'P=stale.pyc; plant', runs: 2 },
  otherSource: { setup: 'plant; echo "# changed" >> /usr/libexec/hostdeck/hostdeck-helper.py' },
  sourceOfOther: { setup: 'chown 65534 /usr/libexec/hostdeck/hostdeck-helper.py' },
  sourceWritable: { setup: 'chmod 0666 /usr/libexec/hostdeck/hostdeck-helper.py' },
  sourceMissing: { setup: 'rm /usr/libexec/hostdeck/hostdeck-helper.py' },
  userTrusted: { setup: 'plant; chmod 0755 /var/lib/hostdeck /var/lib/hostdeck/bytecode', as: AS_USER },
  userFresh: { setup: '', as: AS_USER },
} satisfies Record<string, { setup: string; runs?: number; as?: string }>;
type Case = keyof typeof CASES;
interface Run {
  answers: Record<string, unknown>[];
  /** "uid mode" of the cache file after the runs ("... planted" while it is still the attacker's), or "none". */
  cache: string;
}
const runs = {} as Record<Case, Run>;
let work: string;

/**
 * All cases in one private mount namespace (tmpfs over /usr/libexec and /var/lib: this machine's
 * stay untouched), each from a fresh install of the launcher and the source as the packages
 * install them, over an empty /var/lib.
 */
beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('runs as root (mount namespaces, chown), as CI does');
  work = mkdtempSync(path.join(tmpdir(), 'hostdeck-launcher-'));
  // The attacker's bytecode with the header a real one has (this python3, the source's sha256), and one for another python3.
  const gen = [
    'import sys, marshal, hashlib',
    "src = open(sys.argv[1], 'rb').read()",
    "body = marshal.dumps(compile('print(%r)' % sys.argv[3], 'x', 'exec'))",
    "for name, version in (('planted.pyc', sys.hexversion), ('stale.pyc', 0x30a00f0)):",
    "    open(sys.argv[2] + '/' + name, 'wb').write(b'hostdeck-bytecode %x %s %d\\n' % (version, hashlib.sha256(src).hexdigest().encode(), len(body)) + body)",
  ].join('\n');
  const g = spawnSync('/usr/bin/python3', ['-I', '-c', gen, HELPER, work, JSON.stringify({ ok: true, result: { planted: 'attacker-bytecode' }, protocol: 1 })], { encoding: 'utf8' });
  expect(g.status, g.stderr).toBe(0);
  const body = Object.entries(CASES)
    .map(([name, c]: [string, { setup: string; runs?: number; as?: string }]) =>
      [
        `echo "== ${name}"`,
        'rm -rf /var/lib/* /usr/libexec/hostdeck; chmod 0755 /var/lib; mkdir -m 0755 /usr/libexec/hostdeck',
        'install -m 0755 "$1" /usr/libexec/hostdeck/hostdeck-helper; install -m 0644 "$2" /usr/libexec/hostdeck/hostdeck-helper.py',
        `C=${CACHE}; P=planted.pyc`,
        c.setup,
        `for i in $(seq 1 ${c.runs ?? 1}); do echo '{"verb":"version"}' | ${c.as ?? ''} /usr/libexec/hostdeck/hostdeck-helper || true; done`,
        `echo "cache $(stat -c '%u %a' ${CACHE} 2>/dev/null || echo none)$(grep -qs attacker-bytecode ${CACHE} && echo ' planted' || true)"`,
      ].join('\n'),
    )
    .join('\n');
  const script = `set -e
mount -t tmpfs -o mode=0755 tmpfs /usr/libexec
mount -t tmpfs -o mode=0755 tmpfs /var/lib
W="$3"
plant() { mkdir -p -m 0700 "$(dirname "$C")"; install -m 0644 "$W/$P" "$C"; }
${body}
`;
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', LAUNCHER, HELPER, work], { encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  for (const chunk of r.stdout.split(/^== /m).slice(1)) {
    const lines = chunk.trim().split('\n');
    runs[lines[0] as Case] = {
      answers: lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>),
      cache: lines.at(-1)!.replace(/^cache /, ''),
    };
  }
  expect(Object.keys(runs).sort()).toEqual(Object.keys(CASES).sort());
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const real = { ok: true, result: { protocol: 1, sha256: BUNDLED_HELPER_SHA256 } };
const planted = { ok: true, result: { planted: 'attacker-bytecode' } };

describe('the installed helper launcher runs root-owned, checked bytecode only', () => {
  it('the first run as root compiles the source and writes the bytecode root-owned 0644; the next run answers alike from it', () => {
    expect(runs.first.answers).toMatchObject([real, real]);
    expect(runs.first.cache).toBe('0 644');
  });

  it('a root-owned bytecode file nobody else can write is used (so the refusals below are the checks, not a cache never read)', () => {
    expect(runs.trusted.answers).toMatchObject([planted]);
  });

  it('ignores a planted .pyc owned by another user, and as root replaces it with its own', () => {
    expect(runs.foreignOwned.answers).toMatchObject([real, real]);
    expect(runs.foreignOwned.cache).toBe('0 644');
  });

  it('ignores a root-owned .pyc that group or others can write', () => {
    expect(runs.worldWritable.answers).toMatchObject([real]);
    expect(runs.groupWritable.answers).toMatchObject([real]);
  });

  it('ignores bytecode under a directory another user can change, and writes nothing there', () => {
    expect(runs.dirOfOther.answers).toMatchObject([real]);
    expect(runs.dirOfOther.cache).toBe('0 644 planted'); // not rewritten where others could swap it
    expect(runs.parentWorldWritable.answers).toMatchObject([real]);
    expect(runs.varLibWorldWritable.answers).toMatchObject([real]);
  });

  it('ignores a symbolic link, a directory on the way that is a link, and bytecode for another python3 or source', () => {
    expect(runs.fileLink.answers).toMatchObject([real]);
    expect(runs.dirLink.answers).toMatchObject([real]);
    expect(runs.otherPython.answers).toMatchObject([real, real]);
    expect(runs.otherPython.cache).toBe('0 644'); // replaced by bytecode of this python3
    expect(runs.otherSource.answers).toMatchObject([{ ok: true, result: { protocol: 1 } }]);
    expect(runs.otherSource.answers[0]).not.toMatchObject(planted);
  });

  it('refuses to run a source that is not root-owned and writable by root alone', () => {
    for (const c of ['sourceOfOther', 'sourceWritable', 'sourceMissing'] as const) {
      expect(runs[c].answers, c).toMatchObject([{ ok: false, error: { code: 'INTERNAL', message: expect.stringContaining('/usr/libexec/hostdeck/hostdeck-helper.py is missing or not a root-owned file') } }]);
      expect(runs[c].cache, c).toBe('none');
    }
  });

  it('run by a user, it takes root-only bytecode and writes none', () => {
    expect(runs.userTrusted.answers).toMatchObject([planted]);
    expect(runs.userFresh.answers).toMatchObject([real]);
    expect(runs.userFresh.cache).toBe('none');
  });
});
