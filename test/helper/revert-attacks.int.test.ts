import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELPER_MAX_PENDING_REVERTS } from '../../shared/helper/protocol';
import { helper, repo, type Answer } from './support/run';

/**
 * Security issue #20, items 5 and 6, written as the attacks. schedule-revert used to run any
 * firewall-cmd arguments as root, hand back their output, and accept any number of timers; the
 * state of an image's timers lived under the image, where its owner could swap it for a plan of
 * their own that root then applied.
 */
const NO_BUS = { PATH: '/usr/bin:/bin', DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/nonexistent/hostdeck-no-bus' };
let work: string;
beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('runs as root (namespaces, a second user), as CI does');
  work = mkdtempSync(path.join(tmpdir(), 'hostdeck-revert-attack-'));
  chmodSync(work, 0o755); // the second user of item 6 walks into it
});
afterAll(() => rmSync(work, { recursive: true, force: true }));
let imageAttack: ReturnType<typeof startImageAttack>;
let stateFileRewrite: ReturnType<typeof startStateFileRewrite>;
beforeAll(() => {
  imageAttack = startImageAttack();
  stateFileRewrite = startStateFileRewrite();
});

function helperEnv(request: unknown, args: string[], env: NodeJS.ProcessEnv = NO_BUS): Answer {
  return helperBatch([request], args, env)[0]!;
}
/** Requests to one helper process (--batch: one answer per line, each request judged alone). */
function helperBatch(requests: unknown[], args: string[], env: NodeJS.ProcessEnv = NO_BUS): Answer[] {
  const r = spawnSync('/usr/bin/python3', ['-I', path.join(repo, 'electron/helper/hostdeck-helper.py'), '--batch', ...args], {
    input: requests.map((q) => JSON.stringify(q)).join('\n') + '\n',
    encoding: 'utf8',
    env,
    timeout: 30_000,
  });
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Answer);
}

const alive = (pid: number) => existsSync(`/proc/${pid}`);
async function until(ok: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('item 5: schedule-revert runs only revert commands', () => {
  it('--add-entries-from-file=<secret> is refused before anything runs, and nothing of the file comes back', async () => {
    const run = mkdtempSync(path.join(work, 'run-'));
    const secret = path.join(work, 'shadow');
    writeFileSync(secret, 'root:$6$SECRET-HASH-LINE:19000:0:99999:7:::\n', { mode: 0o600 });
    const a = helperEnv({ verb: 'schedule-revert', seconds: 5, plan: { kind: 'firewall-cmd', commands: [['--ipset=x', `--add-entries-from-file=${secret}`]] } }, ['--run-dir', run]);
    expect(a.ok).toBe(false);
    expect(a.error!.code).toBe('NOT_ALLOWED');
    expect(a.error!.message).toContain('--add-entries-from-file');
    expect(JSON.stringify(a)).not.toContain('SECRET-HASH-LINE');
    // no timer was armed: nothing will ever run it
    expect(existsSync(path.join(run, 'reverts')) ? readdirSync(path.join(run, 'reverts')) : []).toEqual([]);
  });

  const refused: Array<[string, string[][]]> = [
    ['panic on', [['--panic-on']]],
    ['direct rules', [['--direct', '--add-rule', 'ipv4', 'filter', 'INPUT', '0', '-j', 'ACCEPT']]],
    ['direct as a value', [['--zone=public', '--add-port=--direct']]],
    ['a new zone', [['--permanent', '--new-zone=evil']]],
    ['a path', [['--permanent', '--zone=public', '--path-zone']]],
    ['lockdown off', [['--lockdown-off']]],
    ['runtime to permanent', [['--runtime-to-permanent']]],
    ['reload without a permanent step', [['--reload']]],
    ['mixed options in a step', [['--zone=public', '--remove-port=22/tcp', '--add-service=ssh']]],
    ['a newline in a port', [['--zone=public', '--add-port=22/tcp\n--panic-on']]],
    ['a permanent-only option at runtime', [['--zone=public', '--set-target=ACCEPT']]],
    ['log denied', [['--set-log-denied=all']]],
  ];
  // One helper process answers them all (--batch judges each request alone), not one process each.
  let refusals: Answer[] = [];
  let refusalsRun = '';
  beforeAll(() => {
    refusalsRun = mkdtempSync(path.join(work, 'run-'));
    refusals = helperBatch(refused.map(([, commands]) => ({ verb: 'schedule-revert', seconds: 5, plan: { kind: 'firewall-cmd', commands } })), ['--run-dir', refusalsRun]);
  });
  it.each(refused.map(([what], i) => [what, i] as const))('%s is refused', (_what, i) => {
    expect(refusals).toHaveLength(refused.length);
    const a = refusals[i]!;
    expect(a.ok).toBe(false);
    expect(a.error!.code).toBe('NOT_ALLOWED');
    // no timer was armed for any of them
    expect(existsSync(path.join(refusalsRun, 'reverts')) ? readdirSync(path.join(refusalsRun, 'reverts')) : []).toEqual([]);
  });

  it(`20 schedule calls leave at most ${HELPER_MAX_PENDING_REVERTS} timers (processes) for one user; the rest get TOO_MANY_REVERTS`, async () => {
    const run = mkdtempSync(path.join(work, 'run-'));
    const plan = { kind: 'firewall-cmd', commands: [['--zone=public', '--remove-port=7777/tcp']] };
    const answers = helperBatch(Array.from({ length: 20 }, () => ({ verb: 'schedule-revert', seconds: 3600, plan })), ['--run-dir', run]);
    const ok = answers.filter((a) => a.ok);
    expect(ok).toHaveLength(HELPER_MAX_PENDING_REVERTS);
    expect(answers.filter((a) => !a.ok).map((a) => a.error!.code)).toEqual(Array(20 - HELPER_MAX_PENDING_REVERTS).fill('TOO_MANY_REVERTS'));
    const pids = ok.map((a) => a.result!.pid as number);
    expect(pids.filter(alive)).toHaveLength(HELPER_MAX_PENDING_REVERTS);
    // a kernel apply with a revert is refused before it changes anything, too
    const procSys = path.join(work, 'cap-proc-sys');
    mkdirSync(path.join(procSys, 'net/core'), { recursive: true });
    writeFileSync(path.join(procSys, 'net/core/somaxconn'), '4096\n');
    const k = helperEnv({ verb: 'sysctl-set', settings: [{ key: 'net.core.somaxconn', value: '1111' }], revertAfterSeconds: 60 }, ['--run-dir', run, '--proc-sys', procSys]);
    expect(k.error?.code).toBe('TOO_MANY_REVERTS');
    expect(readFileSync(path.join(procSys, 'net/core/somaxconn'), 'utf8')).toBe('4096\n');
    // confirming one frees a place
    expect(helperEnv({ verb: 'cancel-revert', id: ok[0]!.result!.id }, ['--run-dir', run]).result!.cancelled).toBe(true);
    const again = helperEnv({ verb: 'schedule-revert', seconds: 3600, plan }, ['--run-dir', run]);
    expect(again.ok).toBe(true);
    helperBatch([...ok, again].map((a) => ({ verb: 'cancel-revert', id: a.result!.id })), ['--run-dir', run]);
    await until(() => ![...pids, again.result!.pid as number].some(alive), 'the cancelled reverters to exit');
  });

  it('finished timers older than a day are removed: the state dir (memory, /run) does not grow without end', () => {
    const run = mkdtempSync(path.join(work, 'run-'));
    mkdirSync(path.join(run, 'reverts'), { mode: 0o700 });
    const old = { id: 'oldoldold1', status: 'cancelled', kind: 'sysctl', createdMs: 0, deadlineMs: 1, finishedMs: Date.now() - 25 * 3600_000, byUid: 0 };
    const recent = { ...old, id: 'recentxx1', finishedMs: Date.now() - 3600_000 };
    for (const st of [old, recent]) writeFileSync(path.join(run, 'reverts', `${st.id}.json`), JSON.stringify(st), { mode: 0o600 });
    const a = helperEnv({ verb: 'schedule-revert', seconds: 3600, plan: { kind: 'firewall-cmd', commands: [['--panic-off']] } }, ['--run-dir', run]);
    expect(a.ok).toBe(true);
    expect(readdirSync(path.join(run, 'reverts')).sort()).toEqual([`${a.result!.id}.json`, 'recentxx1.json'].sort());
    // the state file holds no plan: nothing could read one back
    expect(Object.keys(JSON.parse(readFileSync(path.join(run, 'reverts', `${a.result!.id}.json`), 'utf8')) as object)).not.toContain('plan');
    helperEnv({ verb: 'cancel-revert', id: a.result!.id }, ['--run-dir', run]);
  });

  // The revert-status case waits for a 5 s timer (the shortest the helper takes): it is armed
  // before the cases above run, so its wait overlaps theirs instead of adding 5 s.
  let statusRun = '';
  let statusTimer: Answer;
  beforeAll(() => {
    statusRun = mkdtempSync(path.join(work, 'run-'));
    statusTimer = helperEnv({ verb: 'schedule-revert', seconds: 5, plan: { kind: 'firewall-cmd', commands: [['--zone=public', '--remove-port=7777/tcp']] } }, ['--run-dir', statusRun]);
  });

  it('revert-status gives per-step ok/exit code and a fixed word, never firewall-cmd output', async () => {
    const run = statusRun;
    const a = statusTimer;
    expect(a.ok).toBe(true);
    await until(() => !alive(a.result!.pid as number), 'the reverter to run', 30_000);
    const s = helperEnv({ verb: 'revert-status', id: a.result!.id }, ['--run-dir', run]);
    expect(s.result!.status).toBe('failed'); // there is no firewalld on that bus
    expect(s.result!.results).toHaveLength(1);
    const step = s.result!.results[0] as Record<string, unknown>;
    expect(Object.keys(step).sort()).toEqual(['argv', 'exitCode', 'message', 'ok']);
    expect(step.ok).toBe(false);
    expect(step.message).toMatch(/^[A-Z_]+$|^firewall-cmd /);
  });
});

describe('item 6: revert state is never under an image root', () => {
  // This case and the next each wait for a timer of their own (10 s and 5 s). Both are armed
  // when the file starts (startImageAttack, startStateFileRewrite): their waits overlap the
  // item 5 cases instead of following them.
  it('an image owner who swaps IMG/run for a symlink to their own plan (kernel/../..) never gets root to apply it', async () => {
    const { w, img, procSys } = imageAttack;
    const r = await imageAttack.result;
    expect(r.status, r.stderr).toBe(0);
    const answer = JSON.parse(readFileSync(path.join(w, 'answer.json'), 'utf8')) as Answer;
    expect(answer.ok).toBe(true);
    expect(readFileSync(path.join(w, 'attacker-uid'), 'utf8').trim()).toBe('65534');
    // root never applied the attacker's plan; it applied HostDeck's
    expect(readFileSync(path.join(w, 'canary'), 'utf8')).toBe('original\n');
    expect(readFileSync(path.join(procSys, 'net/core/somaxconn'), 'utf8').trim()).toBe('4096');
    const status = JSON.parse(readFileSync(path.join(w, 'status.json'), 'utf8')) as Answer;
    expect(status.result).toMatchObject({ id: answer.result!.id, status: 'reverted' });
    expect(readFileSync(path.join(w, 'state-files'), 'utf8').trim()).toBe(`${answer.result!.id}.json`);
    // nothing was ever created in the image
    expect(readdirSync(path.join(img, 'run.old'))).toEqual([]);
  });

  it('the reverter applies the plan it validated, not what the state file says by then, and never a key with ".."', async () => {
    const { run, procSys, a } = stateFileRewrite;
    expect(a.ok).toBe(true);
    await until(() => !alive(a.result!.pid as number), 'the reverter to run', 30_000);
    expect(readFileSync(path.join(work, 'mem-canary'), 'utf8')).toBe('original\n');
    expect(readFileSync(path.join(procSys, 'net/core/somaxconn'), 'utf8').trim()).toBe('4096');
    expect(helper({ verb: 'revert-status', id: a.result!.id }, ['--run-dir', run]).result!.status).toBe('reverted');
  });

  it('a state dir under a directory another user owns is refused', () => {
    const w = mkdtempSync(path.join(work, 'owned-'));
    chmodSync(w, 0o755);
    mkdirSync(path.join(w, 'theirs'));
    spawnSync('chown', ['nobody:nogroup', path.join(w, 'theirs')]);
    const a = helper({ verb: 'schedule-revert', seconds: 5, plan: { kind: 'sysctl', settings: [{ key: 'net.core.somaxconn', value: '1' }] } }, ['--run-dir', path.join(w, 'theirs/hostdeck')]);
    expect(a.error?.code).toBe('UNSAFE_STATE_DIR');
    expect(existsSync(path.join(w, 'theirs/hostdeck'))).toBe(false);
  });
});

/**
 * Item 6's image attack, started at once: HostDeck (as root, with an image open) schedules a 10 s
 * sysctl revert, an attacker who owns the image swaps IMG/run for a symlink to a plan of their
 * own, and the reverter runs; the test then reads what happened.
 */
function startImageAttack() {
  // the world: a work dir others can traverse, an image and an attacker dir owned by nobody
  const w = mkdtempSync(path.join(work, 'img-'));
  chmodSync(w, 0o755);
  const img = path.join(w, 'image');
  const evil = path.join(w, 'attacker');
  const procSys = path.join(w, 'proc-sys');
  for (const d of [path.join(img, 'run'), path.join(img, 'etc'), evil, path.join(procSys, 'net/core')]) mkdirSync(d, { recursive: true, mode: 0o755 });
  writeFileSync(path.join(procSys, 'net/core/somaxconn'), '1111\n');
  writeFileSync(path.join(w, 'canary'), 'original\n', { mode: 0o644 });
  spawnSync('chown', ['-R', 'nobody:nogroup', img, evil]);
  const attack = `
import json, os, sys
img, evil, rid = sys.argv[1:4]
d = os.path.join(evil, 'hostdeck', 'reverts')
os.makedirs(d, 0o700)
os.chmod(os.path.join(evil, 'hostdeck'), 0o700)
plan = {'kind': 'sysctl', 'settings': [{'key': 'net/../../canary', 'value': 'pwned', 'applied': None}]}
with open(os.path.join(d, rid + '.json'), 'w') as f:
    json.dump({'id': rid, 'status': 'pending', 'kind': 'sysctl', 'plan': plan, 'createdMs': 0, 'deadlineMs': 0,
               'finishedMs': None, 'results': None, 'error': None}, f)
os.rename(os.path.join(img, 'run'), os.path.join(img, 'run.old'))
os.symlink(evil, os.path.join(img, 'run'))
print(os.getuid())
`;
  writeFileSync(path.join(w, 'attack.py'), attack);
  // In a private mount namespace with its own tmpfs /run: the helper's real default state dir.
  const script = `set -e
mount -t tmpfs tmpfs /run
"$1" "$2" "$3" "$4" > "$5/answer.json"
id=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["result"]["id"])' "$5/answer.json")
pid=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["result"]["pid"])' "$5/answer.json")
setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/python3 "$5/attack.py" "$3" "$6" "$id" > "$5/attacker-uid"
while [ -e /proc/$pid ]; do sleep 0.1; done
printf '{"verb":"revert-status","id":"%s"}' "$id" | /usr/bin/python3 -I "$7" > "$5/status.json" || true
ls /run/hostdeck/reverts > "$5/state-files"
`;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'HOSTDECK_RUN_DIR'));
  const result = new Promise<{ status: number | null; stderr: string }>((resolve) => {
    execFile(
      'unshare',
      ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', path.join(repo, 'node_modules/.bin/tsx'), path.join(repo, 'test/helper/support/image-revert-child.ts'), img, procSys, w, evil, path.join(repo, 'electron/helper/hostdeck-helper.py')],
      { cwd: repo, encoding: 'utf8', env, timeout: 90_000 },
      (err, _stdout, stderr) => {
        const code = (err as { code?: unknown } | null)?.code;
        resolve({ status: err ? (typeof code === 'number' ? code : null) : 0, stderr });
      },
    );
  });
  return { w, img, procSys, result };
}

/** Item 6's second case, started at once: a 5 s revert timer whose state file is rewritten with a hostile plan. */
function startStateFileRewrite() {
  const run = mkdtempSync(path.join(work, 'run-'));
  const procSys = path.join(work, 'mem-proc-sys');
  mkdirSync(path.join(procSys, 'net/core'), { recursive: true });
  writeFileSync(path.join(procSys, 'net/core/somaxconn'), '1111\n');
  writeFileSync(path.join(work, 'mem-canary'), 'original\n');
  const a = helper({ verb: 'schedule-revert', seconds: 5, plan: { kind: 'sysctl', settings: [{ key: 'net.core.somaxconn', value: '4096', applied: '1111' }] } }, ['--run-dir', run, '--proc-sys', procSys]);
  if (!a.ok) return { run, procSys, a }; // the case fails on it
  // whoever rewrites the state file meanwhile (it is root's 0600 file: a bug, a backup restore, ...)
  const file = path.join(run, 'reverts', `${a.result!.id}.json`);
  const st = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  st.plan = { kind: 'sysctl', settings: [{ key: 'net/../../mem-canary', value: 'pwned', applied: null }] };
  writeFileSync(file, JSON.stringify(st));
  return { run, procSys, a };
}
